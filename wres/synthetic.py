"""Synthetic NHS trust extracts, in the inbox's formats, for ``wres demo`` and the national benchmark.

``generate_inbox`` writes one file per kind per snapshot date (all trusts together, told apart by
``organisation_code``), one staff survey per year and a ``catchment.csv`` (CONTRACT section 1). The
data look like ESR exports so that they exercise the ingest rules: ESR report headers in the first
snapshot and canonical headers in the next, ESR staff-group and band labels, NHS ethnic-category
values with code and label, bank assignments, people with two assignments (some without a primary
flag), UK and ISO dates mixed in one column, survey answers as codes and as labels, application
ids repeated across recruitment files with updated outcomes, and disciplinary cases of leavers.

Each trust's ethnic mix is that of a real local authority in the shipped 2021 census table, with
BME staff concentrated at lower bands ("snowy peaks"). Disparities of known size are built in as
probabilities (the same in every scope, so the trust and the maternity and neonatal scope share
them) and recorded in ``GeneratedInbox.built_in``; the realised values scatter around them by the
usual binomial error.

Everything is drawn from ``numpy.random.default_rng([seed, trust_index])`` in a fixed order and
written with polars, trust by trust, so the same seed gives byte-identical files and trust ``i`` is
the same whatever the number of trusts. Nothing is looped over in Python per row: 220 trusts of
6,500 staff stream out in well under 2 GiB.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

import numpy as np
import polars as pl

from wres.config import default_survey_questions
from wres.resources import resource_dir

# --------------------------------------------------------------------------------------------------
# The disparities built in (probabilities per person, application or respondent; any scope)

APPOINTMENT_RATE = {"white": 0.30, "bme": 0.19, "unknown": 0.25}  # appointed | shortlisted
DISCIPLINARY_RATE = {"white": 0.0125, "bme": 0.02, "unknown": 0.0125}  # >= 1 investigation a year
TRAINING_RATE = {"white": 0.23, "bme": 0.20, "unknown": 0.215}  # >= 1 non-mandatory record a year
SURVEY_SHARES = {  # share of those answering
    "q14a_2_or_more": {"white": 0.27, "bme": 0.30, "unknown": 0.28},
    "q14b_or_q14c_2_or_more": {"white": 0.22, "bme": 0.28, "unknown": 0.25},
    "q15_yes": {"white": 0.58, "bme": 0.45, "unknown": 0.50},
    "q16b_yes": {"white": 0.06, "bme": 0.15, "unknown": 0.10},
}
BOARD_SHARE_OF_WORKFORCE = 0.5  # the board's BME headcount is at most half the workforce's share

# --------------------------------------------------------------------------------------------------
# Workforce dynamics and extract volumes

UNKNOWN_ETHNICITY_SHARE = 0.03
SENIORITY_GRADIENT = 0.15  # log-odds of being BME fall by this much per band step
BANK_ONLY_SHARE = 0.02
SECOND_BANK_SHARE = 0.04  # people with a bank assignment besides their substantive one
SECOND_SUBSTANTIVE_SHARE = 0.04  # people with a second (fixed-term) substantive assignment
PRIMARY_FLAG_MISSING_SHARE = 0.3  # of people with two assignments
TURNOVER = 0.10
GROWTH = 0.02
PROMOTION = 0.06
APPLICATIONS_PER_STAFF = 0.65  # applications a year per member of staff
APPLICATIONS_PER_VACANCY = 9
SHORTLISTED_SHARE = 0.30
OUTSIDE_WINDOW_SHARE = 0.01  # shortlisted a few days before the window opens
REPEATED_SHARE = 0.3  # of applications shortlisted in a window's last 60 days: outcome in the next file
SECOND_CASE_SHARE = 0.1
SURVEY_RESPONSE_RATE = 0.45
SURVEY_BLANK_SHARE = 0.04
SURVEY_LABEL_SHARE = 0.1
MIN_AREA_POPULATION = 50_000  # leave out the City of London and the Isles of Scilly

# --------------------------------------------------------------------------------------------------
# NHS ethnic categories

KNOWN_CODES = ("A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S")
_WHITE = np.array([code in "ABC" for code in KNOWN_CODES])
# ESR's labels (NHS Data Dictionary, with ESR's "&"); staff files carry "<code> <label>"
NHS_LABELS = {
    "A": "White - British",
    "B": "White - Irish",
    "C": "White - Any other White background",
    "D": "Mixed - White & Black Caribbean",
    "E": "Mixed - White & Black African",
    "F": "Mixed - White & Asian",
    "G": "Mixed - Any other mixed background",
    "H": "Asian or Asian British - Indian",
    "J": "Asian or Asian British - Pakistani",
    "K": "Asian or Asian British - Bangladeshi",
    "L": "Asian or Asian British - Any other Asian background",
    "M": "Black or Black British - Caribbean",
    "N": "Black or Black British - African",
    "P": "Black or Black British - Any other Black background",
    "R": "Chinese",
    "S": "Any Other Ethnic Group",
}
# what survey respondents tick when they give only the high-level group
_SURVEY_HIGH_LEVEL = {
    **dict.fromkeys("ABC", "White"),
    **dict.fromkeys("DEFG", "Mixed"),
    **dict.fromkeys("HJKL", "Asian"),
    "R": "Chinese",
    **dict.fromkeys("MNP", "Black"),
    "S": "Other",
}
# the 2021 census categories (table TS021) behind each NHS code
CENSUS_DETAIL_TO_CODE = {
    "English, Welsh, Scottish, Northern Irish or British": "A",
    "Irish": "B",
    "Gypsy or Irish Traveller": "C",
    "Roma": "C",
    "Other White": "C",
    "White and Black Caribbean": "D",
    "White and Black African": "E",
    "White and Asian": "F",
    "Other Mixed or Multiple ethnic groups": "G",
    "Indian": "H",
    "Pakistani": "J",
    "Bangladeshi": "K",
    "Other Asian": "L",
    "Chinese": "R",
    "Caribbean": "M",
    "African": "N",
    "Other Black": "P",
    "Arab": "S",
    "Any other ethnic group": "S",
}
# internationally recruited nurses and doctors: mostly from the Philippines, India and Africa
_INTERNATIONAL_MIX = {"L": 0.30, "H": 0.30, "N": 0.22, "J": 0.04, "P": 0.04, "S": 0.04, "C": 0.06}
_UNKNOWN_STAFF = (("Z Not Stated", 0.5), ("99 Not Known", 0.2), ("", 0.3))
_UNKNOWN_SURVEY = (("Prefer not to say", 0.6), ("", 0.4))

# ethnicity index: 0..15 the known codes, then these
_Z, _NK, _BLANK = 16, 17, 18
GROUPS = ("white", "bme", "unknown")

# --------------------------------------------------------------------------------------------------
# Bands, staff groups, areas and roles

# (ESR label, canonical label, seniority for the BME gradient)
_BANDS = (
    ("Band 2", "Band 2", 0),
    ("Band 3", "Band 3", 1),
    ("Band 4", "Band 4", 2),
    ("Band 5", "Band 5", 3),
    ("Band 6", "Band 6", 4),
    ("Band 7", "Band 7", 5),
    ("Band 8A", "Band 8a", 6),
    ("Band 8B", "Band 8b", 7),
    ("Band 8C", "Band 8c", 8),
    ("Band 8D", "Band 8d", 9),
    ("Band 9", "Band 9", 10),
    ("VSM", "VSM", 11),
    ("Consultant", "Consultant", 6),
    ("Specialty Doctor", "Specialty Doctor", 3),
    ("Specialty Registrar", "Specialty Registrar", 4),
    ("Foundation Year 1", "Foundation Year 1", 3),
)
_BAND_INDEX = {canonical: i for i, (_, canonical, _) in enumerate(_BANDS)}
_SENIORITY = np.array([s for _, _, s in _BANDS], dtype=np.float64)
_LAST_PROMOTABLE = _BAND_INDEX["Band 8d"]  # Agenda for Change bands 2..8d step up by one

# key -> (ESR label, canonical label)
_STAFF_GROUPS = {
    "nursing": ("Nursing and Midwifery Registered", "Nursing and Midwifery Registered"),
    "medical": ("Medical and Dental", "Medical and Dental"),
    "acs": ("Additional Clinical Services", "Additional Clinical Services"),
    "ahp": ("Allied Health Professionals", "Allied Health Professionals"),
    "admin": ("Administrative and Clerical", "Admin and Clerical"),
    "estates": ("Estates and Ancillary", "Estates and Ancillary"),
    "apst": ("Add Prof Scientific and Technic", "Additional Professional Scientific and Technical"),
    "scientists": ("Healthcare Scientists", "Healthcare Scientists"),
    "students": ("Students", "Students"),
}
_STAFF_GROUP_KEYS = tuple(_STAFF_GROUPS)

# area of work -> the staff survey's work area
_AREAS = {
    "General Medicine": "Acute wards",
    "General Surgery": "Acute wards",
    "Emergency Department": "Urgent and emergency care",
    "Critical Care": "Acute wards",
    "Paediatrics": "Children's services",
    "Theatres": "Surgical services",
    "Outpatients": "Outpatient services",
    "Community Services": "Community services",
    "Therapies": "Therapies",
    "Radiology": "Diagnostics",
    "Pathology": "Diagnostics",
    "Pharmacy": "Pharmacy",
    "Corporate Services": "Corporate services",
    "Finance": "Corporate services",
    "Human Resources": "Corporate services",
    "Estates and Facilities": "Estates and facilities",
    "Maternity Services": "Maternity services",
    "Labour Ward": "Maternity services",
    "Birth Centre": "Maternity services",
    "Community Midwifery": "Maternity services",
    "Obstetrics": "Maternity services",
    "Neonatal Intensive Care": "Neonatal care",
    "Neonatal Unit": "Neonatal care",
}
_AREA_NAMES = tuple(_AREAS)
_AREA_INDEX = {name: i for i, name in enumerate(_AREA_NAMES)}

_WARDS = {"General Medicine": 3, "General Surgery": 2, "Emergency Department": 1.5, "Critical Care": 1}
_WARDS_CHILDREN = {**_WARDS, "Paediatrics": 1, "Theatres": 1, "Community Services": 1}
_MIDWIFERY = {"Maternity Services": 3, "Labour Ward": 3, "Birth Centre": 1, "Community Midwifery": 2}
_MATERNITY = {**_MIDWIFERY, "Obstetrics": 1}
_NEONATAL = {"Neonatal Intensive Care": 2, "Neonatal Unit": 1}
_DOCTORS = {**_WARDS, "Paediatrics": 0.7, "Theatres": 1, "Obstetrics": 0.5, "Neonatal Intensive Care": 0.2}
_OFFICES = {
    "Corporate Services": 2,
    "Finance": 1,
    "Human Resources": 1,
    "Outpatients": 1,
    "General Medicine": 1,
}


@dataclass(frozen=True)
class _Role:
    staff_group: str  # a key of _STAFF_GROUPS
    job_role: str
    weight: float  # share of the workforce (normalised)
    areas: dict[str, float]
    bands: dict[str, float]
    female: float  # share of women
    occupation_group: str  # the staff survey's occupation group


_NURSES, _MIDWIVES, _ASSISTANTS = (
    "Registered Nurses and Midwives",
    "Midwives",
    "Nursing or Healthcare Assistants",
)
_AHP, _ADMIN, _MANAGEMENT = "Allied Health Professionals", "Admin and Clerical", "General Management"
_ANCILLARY, _SCIENTIFIC = "Maintenance / Ancillary", "Scientific and Technical / Healthcare Scientists"
_THERAPY_BANDS = {"Band 5": 0.25, "Band 6": 0.4, "Band 7": 0.3, "Band 8a": 0.05}
_ESTATES = {"Estates and Facilities": 1}

# fmt: off
_ROLES = (
    # staff group, job role, share of the workforce, areas, bands, share of women, survey occupation group
    _Role("nursing", "Staff Nurse", 15, {**_WARDS_CHILDREN, "Maternity Services": 0.2},
          {"Band 5": 0.72, "Band 6": 0.28}, 0.89, _NURSES),
    _Role("nursing", "Sister/Charge Nurse", 4.5, _WARDS_CHILDREN,
          {"Band 6": 0.55, "Band 7": 0.45}, 0.88, _NURSES),
    _Role("nursing", "Modern Matron", 0.6, _WARDS, {"Band 8a": 0.8, "Band 8b": 0.2}, 0.85, _NURSES),
    _Role("nursing", "Nurse Manager", 0.8, _WARDS,
          {"Band 7": 0.3, "Band 8a": 0.5, "Band 8b": 0.15, "Band 8c": 0.05}, 0.85, _NURSES),
    _Role("nursing", "Midwife", 3.2, _MIDWIFERY,
          {"Band 5": 0.15, "Band 6": 0.65, "Band 7": 0.2}, 0.99, _MIDWIVES),
    _Role("nursing", "Midwife - Manager", 0.4, _MIDWIFERY,
          {"Band 7": 0.35, "Band 8a": 0.45, "Band 8b": 0.15, "Band 8c": 0.05}, 0.98, _MIDWIVES),
    _Role("nursing", "Neonatal Nurse", 1.0, _NEONATAL,
          {"Band 5": 0.45, "Band 6": 0.4, "Band 7": 0.15}, 0.95, _NURSES),
    _Role("medical", "Consultant", 3.5, _DOCTORS, {"Consultant": 1}, 0.42, "Medical / Dental - Consultant"),
    _Role("medical", "Specialty Registrar", 3.5, _DOCTORS, {"Specialty Registrar": 1}, 0.52,
          "Medical / Dental - In Training"),
    _Role("medical", "Specialty Doctor", 2.0, _DOCTORS, {"Specialty Doctor": 1}, 0.45,
          "Medical / Dental - Specialty Doctor"),
    _Role("medical", "Foundation Year 1", 1.5, _WARDS, {"Foundation Year 1": 1}, 0.55,
          "Medical / Dental - In Training"),
    _Role("acs", "Healthcare Assistant", 12, {**_WARDS_CHILDREN, "Maternity Services": 0.15},
          {"Band 2": 0.5, "Band 3": 0.5}, 0.82, _ASSISTANTS),
    _Role("acs", "Maternity Support Worker", 1.2, _MATERNITY,
          {"Band 2": 0.25, "Band 3": 0.6, "Band 4": 0.15}, 0.99, _ASSISTANTS),
    _Role("acs", "Nursery Nurse", 0.4, _NEONATAL, {"Band 3": 0.3, "Band 4": 0.7}, 0.97, _ASSISTANTS),
    _Role("acs", "Assistant Practitioner", 1.2, _WARDS, {"Band 4": 1}, 0.85, _ASSISTANTS),
    _Role("ahp", "Physiotherapist", 2.5, {"Therapies": 3, "Critical Care": 0.5, "Community Services": 1},
          _THERAPY_BANDS, 0.78, _AHP),
    _Role("ahp", "Occupational Therapist", 2.0, {"Therapies": 3, "Community Services": 1},
          _THERAPY_BANDS, 0.88, _AHP),
    _Role("ahp", "Radiographer - Diagnostic", 2.0, {"Radiology": 1},
          {"Band 5": 0.35, "Band 6": 0.35, "Band 7": 0.25, "Band 8a": 0.05}, 0.7, _AHP),
    _Role("admin", "Administrator", 8, _OFFICES,
          {"Band 2": 0.25, "Band 3": 0.5, "Band 4": 0.25}, 0.8, _ADMIN),
    _Role("admin", "Medical Secretary", 3,
          {"General Medicine": 2, "General Surgery": 1, "Obstetrics": 0.3, "Outpatients": 1},
          {"Band 3": 0.6, "Band 4": 0.4}, 0.95, _ADMIN),
    _Role("admin", "Receptionist", 2,
          {"Outpatients": 2, "Emergency Department": 1, "Maternity Services": 0.5},
          {"Band 2": 0.7, "Band 3": 0.3}, 0.85, _ADMIN),
    _Role("admin", "Manager", 5,
          {"Corporate Services": 2, "Finance": 1, "Human Resources": 1, "General Medicine": 1},
          {"Band 5": 0.1, "Band 6": 0.2, "Band 7": 0.3, "Band 8a": 0.25, "Band 8b": 0.1, "Band 8c": 0.04,
           "Band 8d": 0.01}, 0.65, _MANAGEMENT),
    _Role("admin", "Senior Manager", 1.2, {"Corporate Services": 2, "Finance": 1, "Human Resources": 1},
          {"Band 8b": 0.2, "Band 8c": 0.35, "Band 8d": 0.3, "Band 9": 0.15}, 0.55, _MANAGEMENT),
    _Role("admin", "Director", 0.12, {"Corporate Services": 1}, {"VSM": 1}, 0.5, _MANAGEMENT),
    _Role("estates", "Domestic", 3.5, _ESTATES, {"Band 2": 1}, 0.7, _ANCILLARY),
    _Role("estates", "Porter", 1.5, _ESTATES, {"Band 2": 1}, 0.15, _ANCILLARY),
    _Role("estates", "Catering Assistant", 1.2, _ESTATES, {"Band 2": 1}, 0.7, _ANCILLARY),
    _Role("estates", "Estates Officer", 1.0, _ESTATES,
          {"Band 4": 0.4, "Band 5": 0.4, "Band 6": 0.2}, 0.2, _ANCILLARY),
    _Role("apst", "Pharmacist", 1.2, {"Pharmacy": 1},
          {"Band 6": 0.2, "Band 7": 0.45, "Band 8a": 0.25, "Band 8b": 0.1}, 0.62, "Pharmacists"),
    _Role("apst", "Pharmacy Technician", 1.2, {"Pharmacy": 1},
          {"Band 4": 0.5, "Band 5": 0.5}, 0.75, _SCIENTIFIC),
    _Role("scientists", "Biomedical Scientist", 2.0, {"Pathology": 1},
          {"Band 5": 0.35, "Band 6": 0.45, "Band 7": 0.2}, 0.65, _SCIENTIFIC),
    _Role("students", "Student Nurse", 0.5, _WARDS, {"Band 3": 1}, 0.85, "Other"),
    _Role("students", "Student Midwife", 0.2, _MIDWIFERY, {"Band 3": 1}, 0.98, _MIDWIVES),
)
# fmt: on


def _cumulative(rows: Sequence[dict[str, float]], index: dict[str, int]) -> np.ndarray:
    """Per row, the cumulative distribution over ``index`` (for drawing by role, vectorised)."""
    table = np.zeros((len(rows), len(index)))
    for r, weights in enumerate(rows):
        for name, weight in weights.items():
            table[r, index[name]] = weight
    table /= table.sum(axis=1, keepdims=True)
    cumulative = np.cumsum(table, axis=1)
    cumulative[:, -1] = 1.0  # no row may fall off the end through rounding
    return cumulative


_ROLE_WEIGHTS = np.array([r.weight for r in _ROLES]) / sum(r.weight for r in _ROLES)
_ROLE_BANDS = _cumulative([r.bands for r in _ROLES], _BAND_INDEX)
_ROLE_AREAS = _cumulative([r.areas for r in _ROLES], _AREA_INDEX)
_ROLE_FEMALE = np.array([r.female for r in _ROLES])
_ROLE_GROUP = np.array([_STAFF_GROUP_KEYS.index(r.staff_group) for r in _ROLES])
_INTERNATIONAL_ROLE = np.array(
    [0.25 if r.staff_group in ("nursing", "medical") else 0.02 for r in _ROLES]
)  # share of applications from international recruits

_FTE = (("1.00", 0.62), ("0.80", 0.15), ("0.60", 0.12), ("0.53", 0.06), ("0.40", 0.05))
_MANDATORY_COURSES = (
    "Fire Safety",
    "Information Governance",
    "Safeguarding Adults Level 2",
    "Safeguarding Children Level 3",
    "Basic Life Support",
    "Infection Prevention and Control",
    "Equality, Diversity and Human Rights",
)
_OPTIONAL_COURSES = (
    "Leadership Development Programme",
    "Mary Seacole Programme",
    "Coaching Skills for Managers",
    "MSc Advanced Clinical Practice Module",
    "Fetal Monitoring Masterclass",
    "Quality Improvement Foundations",
    "Mentorship and Practice Assessment",
)
_BOARD_SEATS = (  # (position, executive, voting)
    ("Chair", False, True),
    *(("Non-Executive Director", False, True),) * 5,
    ("Chief Executive", True, True),
    ("Chief Finance Officer", True, True),
    ("Medical Director", True, True),
    ("Chief Nurse", True, True),
    ("Chief Operating Officer", True, True),
    ("Director of People", True, False),
)

# ESR report headers for the staff-in-post files in ESR form (canonical name -> ESR header)
ESR_STAFF_HEADERS = {
    "organisation_code": "Org Code",
    "department": "Organisation",  # ESR's department: not the trust, and not an alias
    "employee_id": "Employee Number",
    "assignment_id": "Assignment Number",
    "staff_group": "Staff Group",
    "job_role": "Job Role",
    "area_of_work": "Area of Work",
    "pay_band": "Pay Band",
    "ethnic_origin": "Ethnic Origin",
    "gender": "Gender",
    "assignment_category": "Assignment Category",
    "is_primary_assignment": "Primary",
    "fte": "Contracted WTE",
}
STAFF_COLUMNS = (
    "organisation_code",
    "employee_id",
    "assignment_id",
    "staff_group",
    "job_role",
    "area_of_work",
    "pay_band",
    "ethnic_origin",
    "assignment_category",
    "is_primary_assignment",
    "fte",
    "gender",
)


# --------------------------------------------------------------------------------------------------
# The census


@dataclass(frozen=True)
class LocalAuthority:
    area_code: str
    area_name: str
    population: int
    shares: tuple[float, ...]  # share of each of KNOWN_CODES in the 2021 census

    @property
    def bme_share(self) -> float:
        return float(np.asarray(self.shares)[~_WHITE].sum())


@functools.cache
def census_local_authorities() -> dict[str, LocalAuthority]:
    """The shipped census table's local authorities, with their mix over NHS ethnic codes.

    The 19 census categories map onto 16 NHS codes: Gypsy or Irish Traveller, Roma and Other White
    are C; Arab and Any other ethnic group are S; Chinese is R.
    """
    table = pl.read_csv(resource_dir("reference") / "census2021_ts021_ltla.csv", infer_schema=False)
    table = table.filter(pl.col("area_code").str.starts_with("E") | pl.col("area_code").str.starts_with("W"))
    unmapped = set(table["ethnic_group_detail"].unique()) - set(CENSUS_DETAIL_TO_CODE)
    if unmapped:
        raise ValueError(f"census categories without an NHS code: {sorted(unmapped)}")
    by_code = (
        table.with_columns(
            pl.col("ethnic_group_detail").replace_strict(CENSUS_DETAIL_TO_CODE).alias("code"),
            pl.col("population").cast(pl.Int64),
        )
        .group_by("area_code", "area_name", "code")
        .agg(pl.col("population").sum())
        .sort("area_code", "code")
    )
    areas: dict[str, LocalAuthority] = {}
    for (code, name), rows in by_code.group_by("area_code", "area_name", maintain_order=True):
        counts = dict(zip(rows["code"], rows["population"], strict=True))
        total = sum(counts.values())
        shares = tuple(counts.get(c, 0) / total for c in KNOWN_CODES)
        areas[str(code)] = LocalAuthority(str(code), str(name), total, shares)
    return areas


def _choose_areas(seed: int, trusts: int, chosen: Sequence[str] | None) -> list[LocalAuthority]:
    areas = census_local_authorities()
    if chosen:
        missing = [code for code in chosen if code not in areas]
        if missing:
            raise ValueError(f"area codes not in the census table: {', '.join(missing)}")
        return [areas[chosen[i % len(chosen)]] for i in range(trusts)]
    eligible = sorted(code for code, area in areas.items() if area.population >= MIN_AREA_POPULATION)
    order = np.random.default_rng([seed, 7]).permutation(len(eligible))
    return [areas[eligible[order[i % len(eligible)]]] for i in range(trusts)]


def _catchment(area: LocalAuthority, trust_index: int) -> list[tuple[str, float]]:
    """Even trusts draw on their own area and its two neighbours in code order; odd ones on one area."""
    if trust_index % 2:
        return [(area.area_code, 1.0)]
    codes = sorted(c for c in census_local_authorities() if c[:3] == area.area_code[:3])
    at = codes.index(area.area_code)
    neighbours = [c for c in (codes[at - 1] if at else None, codes[(at + 1) % len(codes)]) if c]
    neighbours = [c for c in dict.fromkeys(neighbours) if c != area.area_code]
    weights = (0.6, 0.25, 0.15) if len(neighbours) == 2 else (0.7, 0.3)
    return list(zip([area.area_code, *neighbours], weights, strict=True))


# --------------------------------------------------------------------------------------------------
# Small vectorised helpers


def organisation_code(trust_index: int) -> str:
    """The synthetic organisation code of trust ``trust_index`` (0-based): RXX01, RXX02, … RXXZZ.

    >>> organisation_code(0), organisation_code(34), organisation_code(35), organisation_code(219)
    ('RXX01', 'RXX0Z', 'RXX10', 'RXX64')
    """
    n = trust_index + 1
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    if not 0 < n < 36**2:
        raise ValueError(f"at most {36**2 - 1} synthetic trusts")
    return f"RXX{digits[n // 36]}{digits[n % 36]}"


def window_start(snapshot: date) -> date:
    """The exclusive start of the 12-month window ending on ``snapshot`` (CONTRACT: (D − 12 months, D]).

    >>> window_start(date(2025, 3, 31)), window_start(date(2024, 2, 29))
    (datetime.date(2024, 3, 31), datetime.date(2023, 2, 28))
    """
    try:
        return snapshot.replace(year=snapshot.year - 1)
    except ValueError:  # 29 February
        return snapshot.replace(year=snapshot.year - 1, day=28)


def _draw(rng: np.random.Generator, cumulative: np.ndarray, n: int) -> np.ndarray:
    """Indices drawn from one cumulative distribution."""
    return np.searchsorted(cumulative, rng.random(n), side="right").clip(0, len(cumulative) - 1)


def _draw_rows(rng: np.random.Generator, cumulative_by_row: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each element of ``rows``, an index drawn from that row's cumulative distribution."""
    u = rng.random(len(rows))
    return (u[:, None] >= cumulative_by_row[rows]).sum(axis=1).clip(0, cumulative_by_row.shape[1] - 1)


def _cum(weights: Sequence[float]) -> np.ndarray:
    c = np.cumsum(np.asarray(weights, dtype=np.float64))
    c /= c[-1]
    c[-1] = 1.0
    return c


def _labels(labels: Sequence[str], idx: np.ndarray) -> pl.Series:
    """``labels[idx]`` as a string column; an empty label is a blank (null) cell."""
    return pl.Series([label or None for label in labels], dtype=pl.String).gather(
        np.asarray(idx, dtype=np.int64)
    )


def _dates(start: date, offsets: np.ndarray) -> pl.Series:
    return pl.Series(np.datetime64(start, "D") + np.asarray(offsets, dtype="timedelta64[D]"))


def _group(eth: np.ndarray) -> np.ndarray:
    """0 white, 1 bme, 2 unknown, from ethnicity indices."""
    known = eth < len(KNOWN_CODES)
    white = np.zeros(len(eth), dtype=bool)
    white[known] = _WHITE[eth[known]]
    return np.where(~known, 2, np.where(white, 0, 1))


def _by_group(rates: dict[str, float], group: np.ndarray) -> np.ndarray:
    return np.array([rates[g] for g in GROUPS])[group]


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _gradient_offset(seniority: np.ndarray, bme_share: float) -> float:
    """The intercept a for which mean(logistic(a − gradient·seniority)) equals ``bme_share`` exactly."""
    target = min(max(bme_share, 1e-9), 1 - 1e-9)
    low, high = -40.0, 40.0
    for _ in range(100):
        mid = (low + high) / 2
        if _logistic(mid - SENIORITY_GRADIENT * seniority).mean() < target:
            low = mid
        else:
            high = mid
    return (low + high) / 2


# --------------------------------------------------------------------------------------------------
# One trust's people over the snapshots


@dataclass
class _People:
    employee: np.ndarray  # 8-digit employee numbers
    role: np.ndarray
    area: np.ndarray
    band: np.ndarray  # [person, snapshot]
    ethnicity: np.ndarray  # index: KNOWN_CODES, then _Z, _NK, _BLANK
    female: np.ndarray
    fte: np.ndarray
    fixed_term: np.ndarray
    bank_only: np.ndarray
    second: np.ndarray  # 0 none, 1 a bank assignment, 2 a second substantive assignment
    primary_missing: np.ndarray  # both assignments lack the primary flag
    start: np.ndarray  # first snapshot index
    end: np.ndarray  # first snapshot index without them

    def alive(self, k: int) -> np.ndarray:
        return (self.start <= k) & (k < self.end)

    def substantive(self, k: int) -> np.ndarray:
        """People in post at snapshot ``k`` other than bank-only staff (the indicators' people)."""
        return self.alive(k) & ~self.bank_only


@dataclass
class _Trust:
    index: int
    code: str
    area: LocalAuthority
    rng: np.random.Generator
    bme_offset: float = 0.0
    next_id: int = 0

    def ids(self, prefix: str, n: int) -> pl.Expr:
        """Sequential ids unique across trusts and kinds: a letter, then the trust's number, then 7 digits."""
        first = (self.index + 1) * 10**7 + self.next_id
        self.next_id += n
        if self.next_id >= 10**7:
            raise ValueError("too many records for one synthetic trust")
        return pl.lit(prefix) + pl.Series(np.arange(first, first + n, dtype=np.int64)).cast(pl.String)


def _ethnicity(trust: _Trust, seniority: np.ndarray) -> np.ndarray:
    """Ethnicity indices: the area's mix, BME more likely at lower seniority; ~3% unknown."""
    rng, n = trust.rng, len(seniority)
    shares = np.asarray(trust.area.shares)
    white_mix, bme_mix = np.where(_WHITE, shares, 0), np.where(~_WHITE, shares, 0)
    p_bme = _logistic(trust.bme_offset - SENIORITY_GRADIENT * seniority)
    is_bme = rng.random(n) < p_bme
    code = np.where(
        is_bme,
        _draw(rng, _cum(bme_mix + 1e-12 * ~_WHITE), n),
        _draw(rng, _cum(white_mix + 1e-12 * _WHITE), n),
    )
    unknown = rng.random(n) < UNKNOWN_ETHNICITY_SHARE
    unknown_kind = _draw(rng, _cum([p for _, p in _UNKNOWN_STAFF]), n)
    return np.where(unknown, _Z + unknown_kind, code).astype(np.int8)


def _new_people(trust: _Trust, n: int, k: int, snapshots: int, employees: np.ndarray) -> _People:
    rng = trust.rng
    role = _draw(rng, _cum(_ROLE_WEIGHTS), n)
    band0 = _draw_rows(rng, _ROLE_BANDS, role)
    area = _draw_rows(rng, _ROLE_AREAS, role)
    if k == 0:
        trust.bme_offset = _gradient_offset(_SENIORITY[band0], trust.area.bme_share)
    bank_only = rng.random(n) < BANK_ONLY_SHARE
    second_u = rng.random(n)
    second = np.where(
        second_u < SECOND_BANK_SHARE,
        1,
        np.where(second_u < SECOND_BANK_SHARE + SECOND_SUBSTANTIVE_SHARE, 2, 0),
    )
    second[bank_only] = 0
    band = np.full((n, snapshots), -1, dtype=np.int16)
    band[:, k] = band0
    return _People(
        employee=employees,
        role=role,
        area=area,
        band=band,
        ethnicity=_ethnicity(trust, _SENIORITY[band0]),
        female=rng.random(n) < _ROLE_FEMALE[role],
        fte=_draw(rng, _cum([p for _, p in _FTE]), n),
        fixed_term=rng.random(n) < 0.1,
        bank_only=bank_only,
        second=second,
        primary_missing=(second > 0) & (rng.random(n) < PRIMARY_FLAG_MISSING_SHARE),
        start=np.full(n, k, dtype=np.int16),
        end=np.full(n, snapshots, dtype=np.int16),
    )


def _concat(a: _People, b: _People) -> _People:
    return _People(**{f: np.concatenate([getattr(a, f), getattr(b, f)]) for f in a.__dataclass_fields__})


def _population(trust: _Trust, staff: int, snapshots: int) -> _People:
    """The trust's people over all snapshots: ~10% leave and ~12% join between snapshots; some promoted."""
    rng = trust.rng
    capacity = int(staff * 1.13**snapshots) + 16
    block = 90_000_000 // 1000  # trust i's 8-digit employee numbers lie in a block of its own
    if capacity > block or trust.index >= 1000:
        raise ValueError("at most 1,000 synthetic trusts of at most 60,000 staff")
    numbers = 10_000_000 + trust.index * block + rng.choice(block, size=capacity, replace=False)
    people = _new_people(trust, staff, 0, snapshots, numbers[:staff])
    used = staff
    for k in range(1, snapshots):
        was = people.alive(k - 1)
        leaving = was & (rng.random(len(was)) < TURNOVER)
        people.end[leaving] = k
        staying = was & ~leaving
        previous = people.band[:, k - 1]
        promoted = staying & (rng.random(len(was)) < PROMOTION) & (previous < _LAST_PROMOTABLE)
        people.band[:, k] = np.where(staying, previous + promoted, -1)
        joiners = round((TURNOVER + GROWTH) * int(was.sum()))
        people = _concat(people, _new_people(trust, joiners, k, snapshots, numbers[used : used + joiners]))
        used += joiners
    return people


# --------------------------------------------------------------------------------------------------
# The extracts of one trust


def _staff_in_post(trust: _Trust, people: _People, k: int, esr: bool) -> pl.DataFrame:
    """One row per assignment at snapshot ``k``; ESR headers and labels when ``esr``."""
    p = np.flatnonzero(people.alive(k))
    band = people.band[p, k].astype(np.int64)
    second = people.second[p]
    missing = people.primary_missing[p]
    yes, no = ("Y", "N") if esr else ("Yes", "No")
    s = np.flatnonzero(second > 0)
    # a second substantive assignment without a primary flag is an acting-up post one band higher,
    # so the highest-band rule decides; a bank assignment is on the substantive band
    acting_up = (second[s] == 2) & missing[s] & (band[s] < _LAST_PROMOTABLE)
    band_second = band[s] + acting_up
    category = np.where(people.bank_only[p], 0, np.where(people.fixed_term[p], 2, 1))
    category_second = np.where(second[s] == 1, 0, 2)
    emp = np.concatenate([people.employee[p], people.employee[p][s]])
    role = np.concatenate([people.role[p], people.role[p][s]])
    area = np.concatenate([people.area[p], people.area[p][s]])
    eth = np.concatenate([people.ethnicity[p], people.ethnicity[p][s]])
    group_labels = [_STAFF_GROUPS[g][0 if esr else 1] for g in _STAFF_GROUP_KEYS]
    frame = pl.DataFrame(
        {
            "employee_id": pl.Series(emp).cast(pl.String),
            "suffix": _labels(["", "-2"], np.r_[np.zeros(len(p), int), np.ones(len(s), int)]),
            "staff_group": _labels(group_labels, _ROLE_GROUP[role]),
            "job_role": _labels([r.job_role for r in _ROLES], role),
            "area_of_work": _labels(_AREA_NAMES, area),
            "pay_band": _labels([b[0 if esr else 1] for b in _BANDS], np.concatenate([band, band_second])),
            "ethnic_origin": _ethnic_labels(eth),
            "assignment_category": _labels(
                ["Bank", "Permanent", "Fixed Term Temp"], np.concatenate([category, category_second])
            ),
            "is_primary_assignment": _labels(
                [yes, no, ""], np.concatenate([np.where(missing, 2, 0), np.where(missing[s], 2, 1)])
            ),
            "fte": _labels(
                [f for f, _ in _FTE] + ["0"],
                np.concatenate([np.where(people.bank_only[p], len(_FTE), people.fte[p]), np.full(len(s), 4)]),
            ),
            "gender": _labels(["Male", "Female"], np.concatenate([people.female[p], people.female[p][s]])),
        }
    )
    # bank assignments carry no contracted hours
    frame = frame.with_columns(
        pl.lit(trust.code).alias("organisation_code"),
        pl.when(pl.col("assignment_category") == "Bank")
        .then(pl.lit("0"))
        .otherwise(pl.col("fte"))
        .alias("fte"),
        (pl.col("employee_id") + pl.col("suffix").fill_null("")).alias("assignment_id"),
    ).sort("employee_id", "suffix")  # ESR lists a person's assignments together
    if not esr:
        return frame.select(STAFF_COLUMNS)
    frame = frame.with_columns(
        (pl.lit(f"{trust.code[-3:]} ") + pl.col("area_of_work") + pl.lit(" Cost Centre")).alias("department")
    )
    return frame.select(list(ESR_STAFF_HEADERS)).rename(ESR_STAFF_HEADERS)


def _ethnic_labels(eth: np.ndarray) -> pl.Series:
    """ESR's form: code and label (``N Black or Black British - African``); unknown as Z, 99 or blank."""
    labels = [f"{code} {NHS_LABELS[code]}" for code in KNOWN_CODES] + [v for v, _ in _UNKNOWN_STAFF]
    return _labels(labels, eth)


def _survey_ethnicity(rng: np.random.Generator, eth: np.ndarray) -> pl.Series:
    """Respondents' answers: an NHS label alone, or the high-level group; unknown as 'Prefer not to say'."""
    n = len(eth)
    labels = (
        [NHS_LABELS[c] for c in KNOWN_CODES]
        + [_SURVEY_HIGH_LEVEL[c] for c in KNOWN_CODES]
        + [v for v, _ in _UNKNOWN_SURVEY]
    )
    high_level = rng.random(n) < 0.4
    unknown_kind = _draw(rng, _cum([p for _, p in _UNKNOWN_SURVEY]), n)
    known = eth < len(KNOWN_CODES)
    idx = np.where(known, eth + high_level * len(KNOWN_CODES), 2 * len(KNOWN_CODES) + unknown_kind)
    return _labels(labels, idx)


def _window(rng: np.random.Generator, snapshot: date, n: int, first_days: int | None = None) -> pl.Series:
    """Dates uniform over (D − 12 months, D], or over its first ``first_days`` days."""
    start = window_start(snapshot)
    days = (snapshot - start).days if first_days is None else first_days
    return _dates(start, rng.integers(1, days + 1, size=n))


def _recruitment(trust: _Trust, people: _People, snapshots: Sequence[date]) -> list[pl.DataFrame]:
    """Per snapshot, the applications its recruitment file carries (its own and those re-sent).

    An application shortlisted late in a window is sent first as not (yet) appointed and again in
    the next file with its outcome: deduplicated newest-file-wins, every shortlisted application's
    outcome is drawn with the built-in rate.
    """
    rng = trust.rng
    group_labels = [_STAFF_GROUPS[g][1] for g in _STAFF_GROUP_KEYS]
    abroad_mix = np.array([_INTERNATIONAL_MIX.get(c, 0.0) for c in KNOWN_CODES])
    windows = []
    for k, snapshot in enumerate(snapshots):
        n = round(APPLICATIONS_PER_STAFF * int(people.substantive(k).sum()))
        vacancies = max(1, n // APPLICATIONS_PER_VACANCY)
        vacancy_role = _draw(rng, _cum(_ROLE_WEIGHTS), vacancies)
        vacancy_band = _draw_rows(rng, _ROLE_BANDS, vacancy_role)
        vacancy_area = _draw_rows(rng, _ROLE_AREAS, vacancy_role)
        vacancy = rng.integers(0, vacancies, size=n)
        role = vacancy_role[vacancy]
        international = rng.random(n) < _INTERNATIONAL_ROLE[role]
        local = _ethnicity(trust, _SENIORITY[vacancy_band[vacancy]])
        abroad = _draw(rng, _cum(abroad_mix), n).astype(np.int8)
        eth = np.where(international, abroad, local)
        shortlisted = rng.random(n) < SHORTLISTED_SHARE
        appointed = shortlisted & (rng.random(n) < _by_group(APPOINTMENT_RATE, _group(eth)))
        start = window_start(snapshot)
        offset = rng.integers(1, (snapshot - start).days + 1, size=n)
        before = rng.random(n) < OUTSIDE_WINDOW_SHARE
        offset = np.where(before, -rng.integers(0, 30, size=n), offset)
        late = offset > (snapshot - start).days - 60
        resent = shortlisted & late & (rng.random(n) < REPEATED_SHARE) & (k + 1 < len(snapshots))
        windows.append(
            pl.DataFrame(
                {
                    "application_id": pl.select(trust.ids("A", n)).to_series(),
                    "ethnic_origin": _ethnic_labels(eth),
                    "shortlisted": shortlisted,
                    "appointed": appointed,
                    "shortlisted_date": _dates(start, offset),
                    "vacancy_id": pl.Series(vacancy).cast(pl.String).str.zfill(5),
                    "staff_group": _labels(group_labels, _ROLE_GROUP[role]),
                    "job_role": _labels([r.job_role for r in _ROLES], role),
                    "area_of_work": _labels(_AREA_NAMES, vacancy_area[vacancy]),
                    "pay_band": _labels([b[1] for b in _BANDS], vacancy_band[vacancy]),
                    "international_recruit": international,
                    "resent": resent,
                }
            ).with_columns(
                pl.lit(trust.code).alias("organisation_code"),
                pl.when(pl.col("shortlisted")).then(pl.col("shortlisted_date")).alias("shortlisted_date"),
                (pl.lit(f"{trust.code}-{snapshot.year}-V") + pl.col("vacancy_id")).alias("vacancy_id"),
            )
        )
    files = []
    for k in range(len(snapshots)):
        own = windows[k].with_columns(pl.col("appointed") & ~pl.col("resent"))
        files.append(pl.concat([windows[k - 1].filter(pl.col("resent")), own]) if k else own)
    return files


def _format_recruitment(frame: pl.DataFrame, k: int, latest: bool) -> pl.DataFrame:
    """The newest file has the international column and UK dates mixed into ISO ones."""
    yes_no = {True: "Yes", False: "No"}
    date_text = pl.col("shortlisted_date").dt.strftime("%Y-%m-%d")
    if latest:
        uk = (pl.col("application_id").str.slice(-1).cast(pl.Int64) % 2) == 0
        date_text = pl.when(uk).then(pl.col("shortlisted_date").dt.strftime("%d/%m/%Y")).otherwise(date_text)
    frame = frame.with_columns(
        pl.col("shortlisted", "appointed").replace_strict(yes_no, return_dtype=pl.String),
        pl.col("international_recruit").replace_strict({True: "Y", False: "N"}, return_dtype=pl.String),
        date_text.alias("shortlisted_date"),
    )
    columns = [
        "organisation_code",
        "application_id",
        "ethnic_origin",
        "shortlisted",
        "appointed",
        "shortlisted_date",
        "vacancy_id",
        "staff_group",
        "job_role",
        "area_of_work",
        "pay_band",
    ]
    return frame.select(columns + (["international_recruit"] if latest else []))


def _disciplinary(trust: _Trust, people: _People, k: int, snapshot: date) -> pl.DataFrame:
    """Investigations opened in the window: staff in post at ``k`` and leavers since ``k - 1``."""
    rng = trust.rng
    staff = np.flatnonzero(people.substantive(k))
    leavers = np.flatnonzero((people.end == k) & ~people.bank_only) if k else np.zeros(0, dtype=np.int64)
    frames = []
    for who, first_days in ((staff, None), (leavers, 180)):
        rate = _by_group(DISCIPLINARY_RATE, _group(people.ethnicity[who]))
        case = who[rng.random(len(who)) < rate]
        again = case[rng.random(len(case)) < SECOND_CASE_SHARE]
        cases = np.concatenate([case, again])
        frames.append(
            pl.DataFrame(
                {
                    "employee": people.employee[cases],
                    "investigation_start_date": _window(rng, snapshot, len(cases), first_days),
                    "eth": people.ethnicity[cases],
                }
            )
        )
    frame = pl.concat(frames).sort("investigation_start_date", "employee")
    return pl.DataFrame(
        {
            "organisation_code": pl.Series([trust.code] * frame.height, dtype=pl.String),
            "case_id": pl.select(trust.ids("C", frame.height)).to_series(),
            "employee_id": frame["employee"].cast(pl.String),
            "investigation_start_date": frame["investigation_start_date"].dt.strftime("%Y-%m-%d"),
            "ethnic_origin": _ethnic_labels(frame["eth"].to_numpy()),
        }
    )


def _training(
    trust: _Trust, people: _People, k: int, snapshot: date, yes_no: tuple[str, str]
) -> pl.DataFrame:
    """Mandatory records (0-2 a person) and non-mandatory ones (1-2 for a person with access)."""
    rng = trust.rng
    staff = np.flatnonzero(people.substantive(k))
    mandatory = np.repeat(staff, rng.binomial(2, 0.4, size=len(staff)))
    access = staff[rng.random(len(staff)) < _by_group(TRAINING_RATE, _group(people.ethnicity[staff]))]
    optional = np.repeat(access, 1 + rng.binomial(1, 0.3, size=len(access)))
    who = np.concatenate([mandatory, optional])
    is_mandatory = np.r_[np.ones(len(mandatory), bool), np.zeros(len(optional), bool)]
    course = np.where(
        is_mandatory,
        rng.integers(0, len(_MANDATORY_COURSES), size=len(who)),
        len(_MANDATORY_COURSES) + rng.integers(0, len(_OPTIONAL_COURSES), size=len(who)),
    )
    frame = pl.DataFrame(
        {
            "employee": people.employee[who],
            "start_date": _window(rng, snapshot, len(who)),
            "mandatory": _labels(list(yes_no), (~is_mandatory).astype(np.int64)),
            "course_name": _labels(_MANDATORY_COURSES + _OPTIONAL_COURSES, course),
        }
    ).sort("start_date", "employee", "course_name", "mandatory")
    return frame.select(
        pl.lit(trust.code).alias("organisation_code"),
        trust.ids("T", frame.height).alias("record_id"),
        pl.col("employee").cast(pl.String).alias("employee_id"),
        pl.col("start_date").dt.strftime("%Y-%m-%d"),
        "mandatory",
        "course_name",
    )


@dataclass
class _Board:
    member: np.ndarray
    ethnicity: np.ndarray


def _boards(trust: _Trust, snapshots: Sequence[date]) -> tuple[list[pl.DataFrame], dict[str, Any]]:
    """A board of 12 whose BME share is at most half the workforce's; a non-executive seat turns over a year.

    BME members sit mostly among the non-executives (a third of them, rounded down, are executives).
    """
    rng = trust.rng
    seats = len(_BOARD_SEATS)
    executive = np.array([e for _, e, _ in _BOARD_SEATS])
    voting = np.array([v for _, _, v in _BOARD_SEATS])
    expected_workforce = trust.area.bme_share * (1 - UNKNOWN_ETHNICITY_SHARE)
    bme_members = math.floor(BOARD_SHARE_OF_WORKFORCE * expected_workforce * seats)
    bme_executives = bme_members // 3
    is_bme = np.zeros(seats, dtype=bool)
    is_bme[rng.choice(np.flatnonzero(executive), size=bme_executives, replace=False)] = True
    is_bme[rng.choice(np.flatnonzero(~executive), size=bme_members - bme_executives, replace=False)] = True
    shares = np.asarray(trust.area.shares)

    def ethnicity_of(bme: np.ndarray) -> np.ndarray:
        white = _draw(rng, _cum(np.where(_WHITE, shares, 0) + 1e-12 * _WHITE), len(bme))
        other = _draw(rng, _cum(np.where(~_WHITE, shares, 0) + 1e-12 * ~_WHITE), len(bme))
        return np.where(bme, other, white)

    members = [f"{trust.code}-BM{i + 1:02d}" for i in range(seats)]
    ethnicity = ethnicity_of(is_bme)
    frames, record = [], {}
    for k, snapshot in enumerate(snapshots):
        if k:  # a non-executive seat changes hands, to someone of the same group
            seat = int(rng.choice(np.flatnonzero(~executive)))
            members[seat] = f"{trust.code}-BM{seats + k:02d}"
            ethnicity[seat] = ethnicity_of(is_bme[seat : seat + 1])[0]
        frames.append(
            pl.DataFrame(
                {
                    "organisation_code": [trust.code] * seats,
                    "member_id": members,
                    "position": [name for name, _, _ in _BOARD_SEATS],
                    "ethnic_origin": _ethnic_labels(ethnicity),
                    "voting": ["Yes" if v else "No" for v in voting],
                    "executive": ["Yes" if e else "No" for e in executive],
                }
            )
        )
        record[snapshot.isoformat()] = {
            "members": seats,
            "voting_bme_share": float(is_bme[voting].mean()),
            "executive_bme_share": float(is_bme[executive].mean()),
            "expected_workforce_bme_share": expected_workforce,
        }
    return frames, record


def _survey(trust: _Trust, people: _People, k: int, year: int) -> pl.DataFrame:
    """About 45% of the substantive staff at snapshot ``k`` respond; answers by the built-in shares."""
    rng = trust.rng
    who = np.flatnonzero(people.substantive(k))
    who = who[rng.random(len(who)) < SURVEY_RESPONSE_RATE]
    n = len(who)
    group = _group(people.ethnicity[who])

    def blank() -> np.ndarray:
        return rng.random(n) < SURVEY_BLANK_SHARE

    def some(p: dict[str, float]) -> np.ndarray:
        return rng.random(n) < _by_group(p, group)

    def frequency(harassed: np.ndarray) -> np.ndarray:
        return np.where(harassed, rng.integers(2, 6, size=n), 1)

    q14a = np.where(blank(), 0, frequency(some(SURVEY_SHARES["q14a_2_or_more"])))
    # q14b / q14c: "either is 2 or more" among those answering either, built in exactly: the blanks
    # fall independently, and a harassed respondent's 2+ lands on a question they answered
    b_blank, c_blank = blank(), blank()
    harassed = some(SURVEY_SHARES["q14b_or_q14c_2_or_more"])
    pattern = rng.integers(0, 3, size=n)  # 0 by managers, 1 by colleagues, 2 by both
    b_hit = harassed & ((pattern != 1) | c_blank)
    c_hit = harassed & ((pattern != 0) | b_blank)
    q14b = np.where(b_blank, 0, frequency(b_hit))
    q14c = np.where(c_blank, 0, frequency(c_hit))
    q15_yes = some(SURVEY_SHARES["q15_yes"])
    q15 = np.where(blank(), 0, np.where(q15_yes, 1, rng.integers(2, 4, size=n)))
    q16b = np.where(blank(), 0, np.where(some(SURVEY_SHARES["q16b_yes"]), 1, 2))
    frequency_labels = ["", "1", "2", "3", "4", "5", "", "Never", "1-2", "3-5", "6-10", "More than 10"]
    q15_labels = ["", "1", "2", "3", "", "Yes", "No", "Don't know"]
    q16_labels = ["", "1", "2", "", "Yes", "No"]

    def answers(codes: np.ndarray, labels: list[str], width: int) -> pl.Series:
        as_label = rng.random(n) < SURVEY_LABEL_SHARE
        return _labels(labels, codes + as_label * width)

    columns = default_survey_questions(year)
    role = people.role[who]
    return pl.DataFrame(
        {
            "organisation_code": [trust.code] * n,
            "respondent_id": pl.select(trust.ids("R", n)).to_series(),
            "ethnicity": _survey_ethnicity(rng, people.ethnicity[who]),
            "occupation_group": _labels([r.occupation_group for r in _ROLES], role),
            "work_area": _labels(list(_AREAS.values()), people.area[who]),
            columns["q14a"]: answers(q14a, frequency_labels, 6),
            columns["q14b"]: answers(q14b, frequency_labels, 6),
            columns["q14c"]: answers(q14c, frequency_labels, 6),
            columns["q15"]: answers(q15, q15_labels, 4),
            columns["q16b"]: answers(q16b, q16_labels, 3),
        }
    )


# --------------------------------------------------------------------------------------------------
# Writing


class _Writers:
    """Open CSV files appended to trust by trust; the first chunk of each writes the header."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.handles: dict[str, IO[bytes]] = {}

    def write(self, name: str, frame: pl.DataFrame) -> None:
        handle = self.handles.get(name)
        first = handle is None
        if handle is None:
            handle = self.handles[name] = (self.folder / name).open("wb")
        frame.write_csv(handle, include_header=first)

    def close(self, progress: Callable[[str], None] | None) -> list[Path]:
        paths = []
        for name, handle in self.handles.items():
            handle.close()
            paths.append(self.folder / name)
            if progress:
                progress(f"wrote {name}")
        return paths


_KIND_ORDER = (
    "staff_in_post",
    "recruitment",
    "disciplinary",
    "training",
    "board",
    "staff_survey",
    "catchment",
)


@dataclass(frozen=True)
class GeneratedInbox:
    """What ``generate_inbox`` wrote: the files by kind, and the disparities built into them."""

    folder: Path
    files: dict[str, list[Path]]  # kind -> files, oldest first
    organisations: tuple[str, ...]
    built_in: dict[str, Any] = field(default_factory=dict)

    @property
    def paths(self) -> list[Path]:
        return [path for paths in self.files.values() for path in paths]


def _nearest_snapshot(snapshots: Sequence[date], year: int) -> int:
    fielded = date(year, 10, 1)  # the survey runs in the autumn
    return min(range(len(snapshots)), key=lambda k: (abs((snapshots[k] - fielded).days), k))


def _rates(rates: dict[str, float], indicator: int, numerator: str) -> dict[str, Any]:
    other = "bme" if numerator == "white" else "white"
    return {
        "indicator": indicator,
        "rate": {g: rates[g] for g in ("white", "bme")},
        "relative_likelihood": rates[numerator] / rates[other],
        "ethnic_group": f"{numerator}_vs_{other}",
    }


def generate_inbox(
    folder: Path,
    *,
    trusts: int = 1,
    staff_per_trust: int = 1200,
    seed: int = 20250331,
    snapshots: Sequence[date] = (date(2024, 3, 31), date(2025, 3, 31)),
    survey_years: Sequence[int] = (2023, 2024),
    progress: Callable[[str], None] | None = None,
    local_authorities: Sequence[str] | None = None,
) -> GeneratedInbox:
    """Write synthetic extracts for ``trusts`` trusts into ``folder`` (created if needed).

    Files: ``staff_in_post_``, ``recruitment_``, ``disciplinary_``, ``training_`` and ``board_``
    for each snapshot date, ``staff_survey_YYYY`` for each survey year, and ``catchment.csv``.
    ``staff_per_trust`` counts the people in the first snapshot (bank-only staff included; ~2%);
    later snapshots grow by ~2%. Trust ``i`` (0-based) has code ``organisation_code(i)`` and the
    ethnic mix of a local authority chosen from ``seed``, or of ``local_authorities[i % len]``
    (2021 census area codes) when given. The first snapshot's staff file has ESR headers and labels,
    the others canonical ones. The same arguments give byte-identical files.

    ``built_in`` records the probabilities behind indicators 2-8 (the same in every scope), the
    board shares behind indicator 9, and each organisation's area, catchment and expected BME
    share of the workforce (all people, unknown included).
    """
    if trusts < 1 or staff_per_trust < 1:
        raise ValueError("trusts and staff_per_trust must be at least 1")
    snapshots = sorted(snapshots)
    if len(set(snapshots)) != len(snapshots) or not snapshots:
        raise ValueError("snapshots must be distinct dates")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    areas = _choose_areas(seed, trusts, local_authorities)
    survey_snapshot = {year: _nearest_snapshot(snapshots, year) for year in sorted(survey_years)}
    writers = _Writers(folder)
    organisations: dict[str, Any] = {}
    boards: dict[str, Any] = {}
    for i in range(trusts):
        trust = _Trust(i, organisation_code(i), areas[i], np.random.default_rng([seed, i]))
        people = _population(trust, staff_per_trust, len(snapshots))
        recruitment = _recruitment(trust, people, snapshots)
        board_frames, boards[trust.code] = _boards(trust, snapshots)
        for k, snapshot in enumerate(snapshots):
            day = snapshot.isoformat()
            esr = k % 2 == 0
            writers.write(f"staff_in_post_{day}.csv", _staff_in_post(trust, people, k, esr))
            latest = k == len(snapshots) - 1
            writers.write(f"recruitment_{day}.csv", _format_recruitment(recruitment[k], k, latest))
            writers.write(f"disciplinary_{day}.csv", _disciplinary(trust, people, k, snapshot))
            yes_no = ("Y", "N") if esr else ("Yes", "No")
            writers.write(f"training_{day}.csv", _training(trust, people, k, snapshot, yes_no))
            writers.write(f"board_{day}.csv", board_frames[k])
        for year, k in survey_snapshot.items():
            writers.write(f"staff_survey_{year}.csv", _survey(trust, people, k, year))
        catchment = _catchment(trust.area, i)
        writers.write(
            "catchment.csv",
            pl.DataFrame(
                {
                    "organisation_code": [trust.code] * len(catchment),
                    "area_code": [code for code, _ in catchment],
                    "weight": [f"{weight:g}" for _, weight in catchment],
                }
            ),
        )
        organisations[trust.code] = {
            "area_code": trust.area.area_code,
            "area_name": trust.area.area_name,
            "catchment": catchment,
            "expected_workforce_bme_share": trust.area.bme_share * (1 - UNKNOWN_ETHNICITY_SHARE),
        }
        if progress:
            progress(f"trust {i + 1}/{trusts} {trust.code}")
    paths = writers.close(progress)
    files: dict[str, list[Path]] = {}
    for path in sorted(paths, key=lambda p: p.name):
        kind = next(k for k in _KIND_ORDER if path.name.startswith(k))
        files.setdefault(kind, []).append(path)
    built_in = {
        "seed": seed,
        "scopes": ["trust", "maternity_neonatal"],
        "appointed_from_shortlisting": _rates(APPOINTMENT_RATE, 2, "white"),
        "disciplinary": {
            **_rates(DISCIPLINARY_RATE, 3, "bme"),
            "note": "per person in post; leavers' investigations add to the trust scope only",
        },
        "non_mandatory_training": _rates(TRAINING_RATE, 4, "white"),
        "survey": {
            "q14a_2_or_more": {"indicator": 5, "share": _white_bme(SURVEY_SHARES["q14a_2_or_more"])},
            "q14b_or_q14c_2_or_more": {
                "indicator": 6,
                "share": _white_bme(SURVEY_SHARES["q14b_or_q14c_2_or_more"]),
            },
            "q15_yes": {"indicator": 7, "share": _white_bme(SURVEY_SHARES["q15_yes"])},
            "q16b_yes": {"indicator": 8, "share": _white_bme(SURVEY_SHARES["q16b_yes"])},
        },
        "board": boards,
        "organisations": organisations,
    }
    return GeneratedInbox(folder, files, tuple(organisations), built_in)


def _white_bme(shares: dict[str, float]) -> dict[str, float]:
    return {"white": shares["white"], "bme": shares["bme"]}
