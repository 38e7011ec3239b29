"""Maternity and neonatal scope, and the role groups within it (CONTRACT section 1, "Workforce rules").

A row is in scope when its area of work or its job role (for the survey: work area or occupation
group) contains, case-insensitively, any of the configurable terms (default
``wres.config.DEFAULT_MATERNITY_TERMS``: maternity, midwi, obstetric, neonat, labour ward, birth
centre). Within the scope each row falls in the first role group that matches:

1. ``midwives``: the job role contains ``midwi``;
2. ``neonatal_nursing``: Nursing and Midwifery Registered, and area or role contains ``neonat``;
3. ``obstetric_medical``: Medical and Dental;
4. ``support_workers``: Additional Clinical Services;
5. ``other``: the rest.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from wres.config import DEFAULT_MATERNITY_TERMS
from wres.staff_groups import (
    ADDITIONAL_CLINICAL,
    ADMIN_AND_CLERICAL,
    ALLIED_HEALTH,
    ESTATES_AND_ANCILLARY,
    MEDICAL_AND_DENTAL,
    NURSING_AND_MIDWIFERY,
    canonical_staff_group,
    staff_group_key,
)
from wres.values import map_distinct, map_distinct_rows

ROLE_GROUPS: tuple[str, ...] = (
    "midwives",
    "neonatal_nursing",
    "obstetric_medical",
    "support_workers",
    "other",
)


def comparable(text: str | None) -> str:
    """``text`` as the scope rules compare it: case folded, and every run of white space (a
    non-breaking space, a tab, two spaces, as exports and spreadsheets leave them) one space.

    >>> comparable("Labour\u00a0 Ward "), comparable(None)
    ('labour ward', '')
    """
    return " ".join((text or "").casefold().split())


def in_maternity_scope(
    area_of_work: str | None, job_role: str | None, terms: Iterable[str] = DEFAULT_MATERNITY_TERMS
) -> bool:
    """True when the area of work or the job role contains any of ``terms``, ignoring case and
    the kind and number of spaces.

    >>> in_maternity_scope("Neonatal Intensive Care", "Staff Nurse")
    True
    >>> in_maternity_scope("Ward 7", "Labourer")  # "labour ward" is one term, not "labour"
    False
    >>> in_maternity_scope("Labour\u00a0Ward", None), in_maternity_scope("Birth  Centre", None)
    (True, True)
    """
    texts = [comparable(t) for t in (area_of_work, job_role) if t]
    return any(comparable(term) in text for term in terms for text in texts)


def role_group(staff_group: str | None, job_role: str | None, area_of_work: str | None) -> str:
    """The maternity role group of an in-scope row: the first of ``ROLE_GROUPS`` that matches.

    ``staff_group`` is a canonical staff group (a recognised label is canonicalised here too).

    >>> role_group("Nursing and Midwifery Registered", "Midwife", "Maternity Ward")
    'midwives'
    >>> role_group("Nursing and Midwifery Registered", "Staff Nurse", "Neonatal Unit")
    'neonatal_nursing'
    >>> role_group("Medical and Dental", "Consultant", "Obstetrics")
    'obstetric_medical'
    """
    role = comparable(job_role)
    area = comparable(area_of_work)
    group = canonical_staff_group(staff_group) if staff_group else None
    if "midwi" in role:
        return "midwives"
    if group == NURSING_AND_MIDWIFERY and ("neonat" in area or "neonat" in role):
        return "neonatal_nursing"
    if group == MEDICAL_AND_DENTAL:
        return "obstetric_medical"
    if group == ADDITIONAL_CLINICAL:
        return "support_workers"
    return "other"


# NHS Staff Survey occupation groups -> staff group, where the correspondence is clear. Groups that
# straddle several staff groups ("Wider healthcare team", "Scientific and Technical / Healthcare
# Scientists", "General Management", "Social Care Staff") have none.
_SURVEY_OCCUPATIONS: dict[str, str] = {
    "registered nurses and midwives": NURSING_AND_MIDWIFERY,
    "registered nurses": NURSING_AND_MIDWIFERY,
    "registered nurse": NURSING_AND_MIDWIFERY,
    "registered midwives": NURSING_AND_MIDWIFERY,
    "registered midwife": NURSING_AND_MIDWIFERY,
    "midwives": NURSING_AND_MIDWIFERY,
    "midwife": NURSING_AND_MIDWIFERY,
    "nursing or healthcare assistants": ADDITIONAL_CLINICAL,
    "nursing or healthcare assistant": ADDITIONAL_CLINICAL,
    "healthcare assistants": ADDITIONAL_CLINICAL,
    "healthcare assistant": ADDITIONAL_CLINICAL,
    "maternity support workers": ADDITIONAL_CLINICAL,
    "maternity support worker": ADDITIONAL_CLINICAL,
    "medical dental": MEDICAL_AND_DENTAL,
    "medical and dental": MEDICAL_AND_DENTAL,
    "allied health professionals": ALLIED_HEALTH,
    "admin and clerical": ADMIN_AND_CLERICAL,
    "maintenance ancillary": ESTATES_AND_ANCILLARY,
}


def survey_staff_group(occupation_group: str | None) -> str | None:
    """The staff group an NHS Staff Survey occupation group stands for, or None where unclear.

    A label matches when it is one of the known groups or begins with one followed by a detail:

    >>> survey_staff_group("Medical / Dental - In Training")
    'Medical and Dental'
    >>> survey_staff_group("Nursing or Healthcare Assistants")
    'Additional Clinical Services'
    >>> survey_staff_group("Wider healthcare team") is None
    True
    """
    if occupation_group is None or not occupation_group.strip():
        return None
    canonical = canonical_staff_group(occupation_group)
    if canonical is not None:
        return canonical
    key = staff_group_key(occupation_group)
    for label, group in _SURVEY_OCCUPATIONS.items():
        if key == label or key.startswith(label + " "):
            return group
    return None


def survey_staff_group_series(occupation_group: pl.Series) -> pl.Series:
    """``survey_staff_group`` over a column (String, null where unclear), named ``staff_group``."""
    frame = map_distinct(
        occupation_group,
        lambda label: {"staff_group": survey_staff_group(label)},
        {"staff_group": pl.String()},
    )
    return frame["staff_group"]


def scope_frame(
    area: pl.Series,
    role: pl.Series,
    staff_group: pl.Series,
    terms: Iterable[str] = DEFAULT_MATERNITY_TERMS,
) -> pl.DataFrame:
    """Over columns of equal length: ``in_maternity_scope`` (Boolean) and ``role_group`` (String,
    null outside the scope), one row per input row, in order.

    For the survey pass ``work_area``, ``occupation_group`` and the staff groups that
    ``survey_staff_group`` gives.
    """
    terms = tuple(terms)

    def classify(area_value: str | None, role_value: str | None, group: str | None) -> dict[str, object]:
        in_scope = in_maternity_scope(area_value, role_value, terms)
        return {
            "in_maternity_scope": in_scope,
            "role_group": role_group(group, role_value, area_value) if in_scope else None,
        }

    frame = pl.DataFrame({"area": area, "role": role, "staff_group": staff_group})
    return map_distinct_rows(frame, classify, {"in_maternity_scope": pl.Boolean(), "role_group": pl.String()})
