"""WRES indicators 1-9 in plain pandas, as an analyst would write them: the benchmark's comparison.

Reads the inbox CSVs with ``pandas.read_csv`` and applies the contract's rules (CONTRACT sections
1-2) for the scopes ``trust`` and ``maternity_neonatal`` and the groups white, bme and unknown:
bank assignments left out; headcount by distinct employee, a person's attributes from the primary
assignment, else the highest band, else the lowest assignment id; event windows (D - 12 months,
D]; events deduplicated by id with the newest file's row winning; the survey of year <= D's year
- 1; the newest board file on or before D. No validation, pseudonymisation, intervals, census
groups, role groups, disclosure control or publication: it is the indicators alone, which is the
fair thing to set against ``wres run`` end to end.

The result is one long frame: organisation_code, snapshot_date, scope, indicator, ethnic_group,
breakdown, numerator, denominator, value (relative likelihoods carry ``white_vs_bme`` or
``bme_vs_white`` and no counts; indicator 9's difference carries ``bme`` and breakdown
``voting``/``executive``).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from bench.inbox_files import InboxFile, canonical_header, inbox_files

GROUPS = ("white", "bme", "unknown")
SCOPES = ("trust", "maternity_neonatal")
MATERNITY_TERMS = ("maternity", "midwi", "obstetric", "neonat", "labour ward", "birth centre")
CLINICAL = {
    "Nursing and Midwifery Registered",
    "Medical and Dental",
    "Allied Health Professionals",
    "Additional Clinical Services",
    "Healthcare Scientists",
    "Additional Professional Scientific and Technical",
    "Students",
}
NON_CLINICAL = {"Admin and Clerical", "Estates and Ancillary"}
STAFF_GROUP_ALIASES = {
    "Administrative and Clerical": "Admin and Clerical",
    "Add Prof Scientific and Technic": "Additional Professional Scientific and Technical",
}
AFC_BANDS = [f"Band {n}" for n in range(1, 8)] + [f"Band 8{x}" for x in "abcd"] + ["Band 9", "VSM"]
BAND_RANK = {
    "Other": 0,
    "Medical: Trainee": 1,
    "Medical: Career grade": 2,
    "Medical: Consultant": 3,
    **{band: 11 + i for i, band in enumerate(AFC_BANDS)},
}
FREQUENCY = {"never": 1, "1-2": 2, "3-5": 3, "6-10": 4, "more than 10": 5}
YES_NO = {"yes": 1, "no": 2, "don't know": 3}


# ---------------------------------------------------------------------------------------------
# Reading and cleaning


def read(file: InboxFile) -> pd.DataFrame:
    """One CSV, all text, with canonical column names and the file's date beside each row."""
    frame = pd.read_csv(file.path, dtype=str, keep_default_na=False, na_values=[""])
    frame.columns = [canonical_header(c) for c in frame.columns]
    frame["file_date"] = pd.Timestamp(file.file_date) if file.file_date else pd.NaT
    if file.survey_year is not None:
        frame["survey_year"] = file.survey_year
    return frame


def read_kind(files: list[InboxFile], kind: str) -> pd.DataFrame:
    frames = [read(f) for f in files if f.kind == kind]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def ethnic_group(values: pd.Series) -> pd.Series:
    """white / bme / unknown from an NHS code (``A``, ``CA White``, ``99``), a label or blank."""
    text = values.fillna("").str.strip()
    first = text.str.split(" ", n=1).str[0]
    is_code = (first.str.len() <= 2) & (first != "")
    lower = text.str.lower()
    group = np.where(
        lower.str.match(r"(not stated|prefer not to say|not known|unknown)") | (text == ""),
        "unknown",
        np.where(lower.str.match(r"(white|irish|gypsy|roma)"), "white", "bme"),
    )
    code = first.str.upper().str[0]
    coded = np.where(
        (first == "99") | (code == "Z"), "unknown", np.where(code.isin(["A", "B", "C"]), "white", "bme")
    )
    return pd.Series(np.where(is_code, coded, group), index=values.index)


def truthy(values: pd.Series) -> pd.Series:
    return values.fillna("").str.strip().str.upper().isin(["Y", "YES", "TRUE", "1"])


def parse_date(values: pd.Series) -> pd.Series:
    """ISO ``YYYY-MM-DD`` or UK ``DD/MM/YYYY``, value by value."""
    iso = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
    uk = pd.to_datetime(values, format="%d/%m/%Y", errors="coerce")
    return iso.fillna(uk)


def normalise_band(label: str) -> str:
    """``Band 8A`` -> ``Band 8a``, ``VSM``, medical grades, else ``Other``."""
    text = (label or "").strip().lower()
    if text in ("vsm", "very senior manager"):
        return "VSM"
    match = re.fullmatch(r"(?:afc\s*)?(?:band\s*)?0?([1-9])\s*([a-d]?)", text)
    if match:
        number, letter = match.groups()
        if number == "8":
            return f"Band 8{letter}" if letter else "Other"
        return f"Band {number}" if not letter else "Other"
    if "consultant" in text:
        return "Medical: Consultant"
    if re.search(r"registrar|trainee|foundation|fy[12]|ct[1-3]|st[1-8]", text):
        return "Medical: Trainee"
    if re.search(r"specialty doctor|associate specialist|specialist|staff grade", text):
        return "Medical: Career grade"
    return "Other"


def in_scope(frame: pd.DataFrame, *columns: str) -> pd.Series:
    """True where any of ``columns`` (those the file has) contains a maternity and neonatal term."""
    pattern = "|".join(MATERNITY_TERMS)
    hit = pd.Series(False, index=frame.index)
    for column in columns:
        if column in frame.columns:
            hit |= frame[column].fillna("").str.lower().str.contains(pattern, regex=True)
    return hit


def window_start(snapshot: pd.Timestamp) -> pd.Timestamp:
    """Events in the window are dated after this: D - 12 months."""
    return snapshot - pd.DateOffset(months=12)


# ---------------------------------------------------------------------------------------------
# People in post


def people_in_post(staff: pd.DataFrame) -> pd.DataFrame:
    """One row per organisation, snapshot and employee (bank left out), from the representative
    assignment: primary first, then highest band, then lowest assignment id as text."""
    staff = staff[~staff["assignment_category"].fillna("").str.lower().str.contains("bank")].copy()
    staff["snapshot_date"] = staff["file_date"]
    staff["ethnic_group"] = ethnic_group(staff["ethnic_origin"])
    staff["band"] = staff["pay_band"].map({b: normalise_band(b) for b in staff["pay_band"].dropna().unique()})
    staff["band"] = staff["band"].fillna("Other")
    staff["band_rank"] = staff["band"].map(BAND_RANK)
    staff["primary"] = truthy(staff["is_primary_assignment"])
    staff["staff_group"] = staff["staff_group"].replace(STAFF_GROUP_ALIASES)
    staff["workforce"] = np.where(
        staff["staff_group"].isin(CLINICAL),
        "clinical",
        np.where(staff["staff_group"].isin(NON_CLINICAL), "non_clinical", None),
    )
    staff["maternity"] = in_scope(staff, "area_of_work", "job_role")
    staff = staff.sort_values(
        ["organisation_code", "snapshot_date", "employee_id", "primary", "band_rank", "assignment_id"],
        ascending=[True, True, True, False, False, True],
    )
    people = staff.drop_duplicates(["organisation_code", "snapshot_date", "employee_id"], keep="first")
    return people[
        ["organisation_code", "snapshot_date", "employee_id", "ethnic_group", "band", "band_rank"]
        + ["workforce", "maternity"]
    ].reset_index(drop=True)


def with_scopes(frame: pd.DataFrame, maternity_column: str = "maternity") -> pd.DataFrame:
    """Every row in scope ``trust``, and again in ``maternity_neonatal`` where it is in that scope."""
    trust = frame.assign(scope="trust")
    maternity = frame[frame[maternity_column]].assign(scope="maternity_neonatal")
    return pd.concat([trust, maternity], ignore_index=True)


def group_rows(counts: pd.DataFrame, keys: list[str], numerator: str, denominator: str) -> pd.DataFrame:
    """Long rows per key and group, every group present (0 where none), with value = num / den."""
    wide = counts.set_index([*keys, "ethnic_group"])[[numerator, denominator]].unstack(
        "ethnic_group", fill_value=0
    )
    wide = wide.reindex(columns=pd.MultiIndex.from_product([[numerator, denominator], GROUPS]), fill_value=0)
    wide.columns.names = [None, "ethnic_group"]
    out = wide.stack("ethnic_group").reset_index()
    out = out.rename(columns={numerator: "numerator", denominator: "denominator"})
    out[["numerator", "denominator"]] = out[["numerator", "denominator"]].astype("int64")
    out["value"] = out["numerator"] / out["denominator"].where(out["denominator"] > 0)
    return out


def relative_likelihood(rates: pd.DataFrame, keys: list[str], top: str, bottom: str) -> pd.DataFrame:
    wide = rates.pivot(index=keys, columns="ethnic_group", values="value").reset_index()
    wide["value"] = wide[top] / wide[bottom].where(wide[bottom] > 0)
    out = wide[keys + ["value"]].copy()
    out["ethnic_group"] = f"{top}_vs_{bottom}"
    out["numerator"] = pd.NA
    out["denominator"] = pd.NA
    return out


# ---------------------------------------------------------------------------------------------
# The indicators


def indicator1(people: pd.DataFrame) -> pd.DataFrame:
    scoped = with_scopes(people)
    cells = []
    for workforce in ("all", "clinical", "non_clinical"):
        part = scoped if workforce == "all" else scoped[scoped["workforce"] == workforce]
        for by_band in (False, True):
            keys = ["organisation_code", "snapshot_date", "scope"] + (["band"] if by_band else [])
            counts = part.groupby([*keys, "ethnic_group"]).size().rename("n").reset_index()
            counts["total"] = counts.groupby(keys)["n"].transform("sum")
            rows = group_rows(counts, keys, "n", "total")
            rows["denominator"] = rows.groupby(keys)["numerator"].transform("sum")
            rows["value"] = rows["numerator"] / rows["denominator"]
            rows["breakdown"] = workforce + "|" + (rows["band"] if by_band else "all")
            cells.append(rows.drop(columns=["band"], errors="ignore"))
    return pd.concat(cells, ignore_index=True).assign(indicator=1)


def windowed(events: pd.DataFrame, snapshots: pd.DataFrame, date_column: str) -> pd.DataFrame:
    """Each event beside each snapshot D of its organisation whose window holds its date."""
    joined = events.merge(snapshots, on="organisation_code")
    start = joined["snapshot_date"] - pd.DateOffset(months=12)
    inside = (joined[date_column] > start) & (joined[date_column] <= joined["snapshot_date"])
    return joined[inside]


def newest_row_per_id(events: pd.DataFrame, id_column: str) -> pd.DataFrame:
    return events.sort_values("file_date").drop_duplicates(id_column, keep="last")


def indicator2(recruitment: pd.DataFrame, snapshots: pd.DataFrame) -> pd.DataFrame:
    apps = newest_row_per_id(recruitment, "application_id").copy()
    apps["ethnic_group"] = ethnic_group(apps["ethnic_origin"])
    apps["shortlisted"] = truthy(apps["shortlisted"])
    apps["appointed"] = truthy(apps["appointed"])
    apps["shortlisted_date"] = parse_date(apps["shortlisted_date"])
    apps["maternity"] = in_scope(apps, "area_of_work", "job_role")
    has_international = "international_recruit" in apps.columns
    short = windowed(apps[apps["shortlisted"]], snapshots, "shortlisted_date")
    keys = ["organisation_code", "snapshot_date", "scope", "breakdown"]
    parts = [short.assign(breakdown="")]
    if has_international:
        known = short.groupby(["organisation_code", "snapshot_date"])["international_recruit"].transform(
            lambda s: s.notna().all()
        )
        domestic = short[known & ~truthy(short["international_recruit"])]
        parts.append(domestic.assign(breakdown="excluding_international"))
    scoped = with_scopes(pd.concat(parts, ignore_index=True))
    counts = scoped.groupby([*keys, "ethnic_group"]).agg(
        appointed=("appointed", "sum"), shortlisted=("appointed", "size")
    )
    rates = group_rows(counts.reset_index(), keys, "appointed", "shortlisted")
    rl = relative_likelihood(rates, keys, "white", "bme")
    return pd.concat([rates, rl], ignore_index=True).assign(indicator=2)


def headcount_by_group(people: pd.DataFrame) -> pd.DataFrame:
    scoped = with_scopes(people)
    return (
        scoped.groupby(["organisation_code", "snapshot_date", "scope", "ethnic_group"])
        .size()
        .rename("headcount")
        .reset_index()
    )


def indicator3(disciplinary: pd.DataFrame, staff: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    cases = newest_row_per_id(disciplinary, "case_id").copy()
    cases["start"] = parse_date(cases["investigation_start_date"])
    cases["case_group"] = ethnic_group(cases["ethnic_origin"])
    snapshots = people[["organisation_code", "snapshot_date"]].drop_duplicates()
    in_window = windowed(cases, snapshots, "start").sort_values(["start", "case_id"])
    employees = in_window.drop_duplicates(["organisation_code", "snapshot_date", "employee_id"], keep="last")
    employees = employees[["organisation_code", "snapshot_date", "employee_id", "case_group"]]
    # where is each employee found: the newest snapshot on or before D that holds them
    presence = staff.assign(bank=staff["assignment_category"].fillna("").str.lower().str.contains("bank"))
    presence = presence.groupby(["organisation_code", "file_date", "employee_id"])["bank"].all().reset_index()
    presence = presence.rename(columns={"file_date": "found_in", "bank": "bank_only"})
    located = employees.merge(presence, on=["organisation_code", "employee_id"], how="left")
    later = located["found_in"] > located["snapshot_date"]
    located.loc[later, ["found_in", "bank_only"]] = [pd.NaT, False]
    located = located.sort_values("found_in", na_position="first").drop_duplicates(
        ["organisation_code", "snapshot_date", "employee_id"], keep="last"
    )
    located = located[~located["bank_only"].fillna(False).astype(bool)]
    attributes = people.rename(columns={"snapshot_date": "found_in"})[
        ["organisation_code", "found_in", "employee_id", "ethnic_group", "maternity"]
    ]
    located = located.merge(attributes, on=["organisation_code", "found_in", "employee_id"], how="left")
    located["ethnic_group"] = located["ethnic_group"].fillna(located["case_group"])
    in_post = located["found_in"] == located["snapshot_date"]
    located["maternity"] = in_post & located["maternity"].fillna(False).astype(bool)
    numerators = (
        with_scopes(located)
        .groupby(["organisation_code", "snapshot_date", "scope", "ethnic_group"])["employee_id"]
        .nunique()
        .rename("numerator")
    )
    return _rate_over_headcount(numerators, people, "bme", "white", indicator=3)


def indicator4(training: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    records = newest_row_per_id(training, "record_id").copy()
    records = records[~truthy(records["mandatory"])]
    records["start"] = parse_date(records["start_date"])
    snapshots = people[["organisation_code", "snapshot_date"]].drop_duplicates()
    trained = windowed(records, snapshots, "start")[["organisation_code", "snapshot_date", "employee_id"]]
    trained_people = people.merge(
        trained.drop_duplicates(), on=["organisation_code", "snapshot_date", "employee_id"]
    )
    numerators = (
        with_scopes(trained_people)
        .groupby(["organisation_code", "snapshot_date", "scope", "ethnic_group"])["employee_id"]
        .nunique()
        .rename("numerator")
    )
    return _rate_over_headcount(numerators, people, "white", "bme", indicator=4)


def _rate_over_headcount(
    numerators: pd.Series, people: pd.DataFrame, top: str, bottom: str, indicator: int
) -> pd.DataFrame:
    keys = ["organisation_code", "snapshot_date", "scope"]
    counts = headcount_by_group(people).merge(
        numerators.reset_index(), on=[*keys, "ethnic_group"], how="left"
    )
    counts["numerator"] = counts["numerator"].fillna(0).astype("int64")
    rates = group_rows(counts, keys, "numerator", "headcount")
    rl = relative_likelihood(rates, keys, top, bottom)
    return pd.concat([rates, rl], ignore_index=True).assign(indicator=indicator, breakdown="")


def answer_code(values: pd.Series, labels: dict[str, int]) -> pd.Series:
    text = values.fillna("").str.strip().str.lower()
    return pd.to_numeric(text.map(lambda v: labels.get(v, v)), errors="coerce")


def indicators5to8(survey: pd.DataFrame, snapshots: pd.DataFrame) -> pd.DataFrame:
    survey = survey.copy()
    survey["ethnic_group"] = ethnic_group(survey["ethnicity"])
    survey["maternity"] = in_scope(survey, "work_area", "occupation_group")
    for question in ("q14a", "q14b", "q14c"):
        survey[question] = answer_code(survey[question], FREQUENCY)
    survey["q15"] = answer_code(survey["q15"], YES_NO)
    survey["q16b"] = answer_code(survey["q16b"], YES_NO)
    answered_b_or_c = survey["q14b"].notna() | survey["q14c"].notna()
    measures = {
        5: (survey["q14a"] >= 2, survey["q14a"].notna()),
        6: ((survey["q14b"] >= 2) | (survey["q14c"] >= 2), answered_b_or_c),
        7: (survey["q15"] == 1, survey["q15"].isin([1, 2, 3])),
        8: (survey["q16b"] == 1, survey["q16b"].isin([1, 2])),
    }
    # the survey for D: the newest year <= D's year - 1
    years = sorted(survey["survey_year"].unique())
    pairs = snapshots.copy()
    pairs["survey_year"] = pairs["snapshot_date"].map(
        lambda d: max([y for y in years if y <= d.year - 1], default=None)
    )
    pairs = pairs.dropna(subset=["survey_year"]).astype({"survey_year": "int64"})
    keys = ["organisation_code", "snapshot_date", "scope"]
    out = []
    for indicator, (yes, answered) in measures.items():
        rows = survey.assign(yes=yes, answered=answered)[answered]
        rows = with_scopes(rows).merge(pairs, on=["organisation_code", "survey_year"])
        counts = rows.groupby([*keys, "ethnic_group"]).agg(yes=("yes", "sum"), answered=("yes", "size"))
        rates = group_rows(counts.reset_index(), keys, "yes", "answered")
        out.append(rates.assign(indicator=indicator, breakdown=""))
    return pd.concat(out, ignore_index=True)


def indicator9(board: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    board = board.copy()
    board["bme"] = ethnic_group(board["ethnic_origin"]) == "bme"
    board["voting"] = truthy(board["voting"])
    board["executive"] = truthy(board["executive"])
    snapshots = people[["organisation_code", "snapshot_date"]].drop_duplicates()
    boards = board.merge(snapshots, on="organisation_code")
    boards = boards[boards["file_date"] <= boards["snapshot_date"]]
    newest = boards.groupby(["organisation_code", "snapshot_date"])["file_date"].transform("max")
    boards = boards[boards["file_date"] == newest]
    workforce = (
        people.assign(bme=people["ethnic_group"] == "bme")
        .groupby(["organisation_code", "snapshot_date"])["bme"]
        .mean()
        .rename("workforce_share")
    )
    out = []
    for breakdown in ("voting", "executive"):
        members = boards[boards[breakdown]]
        share = members.groupby(["organisation_code", "snapshot_date"]).agg(
            numerator=("bme", "sum"), denominator=("bme", "size")
        )
        share["value"] = share["numerator"] / share["denominator"]
        share = share.join(workforce).reset_index()
        difference = share.assign(
            value=share["value"] - share["workforce_share"], numerator=pd.NA, denominator=pd.NA
        )
        out += [
            share.assign(ethnic_group="bme", breakdown=breakdown, measure="share"),
            difference.assign(ethnic_group="bme", breakdown=breakdown, measure="difference"),
        ]
    return (
        pd.concat(out, ignore_index=True).drop(columns="workforce_share").assign(indicator=9, scope="trust")
    )


def compute_indicators(inbox: Path) -> pd.DataFrame:
    """Indicators 1-9 for every organisation and staff-in-post snapshot of the inbox (see module doc)."""
    files = inbox_files(inbox)
    staff = read_kind(files, "staff_in_post")
    people = people_in_post(staff)
    snapshots = people[["organisation_code", "snapshot_date"]].drop_duplicates()
    parts = [indicator1(people)]
    recruitment = read_kind(files, "recruitment")
    if not recruitment.empty:
        parts.append(indicator2(recruitment, snapshots))
    disciplinary = read_kind(files, "disciplinary")
    if not disciplinary.empty:
        parts.append(indicator3(disciplinary, staff, people))
    training = read_kind(files, "training")
    if not training.empty:
        parts.append(indicator4(training, people))
    survey = read_kind(files, "staff_survey")
    if not survey.empty:
        parts.append(indicators5to8(survey, snapshots))
    board = read_kind(files, "board")
    if not board.empty:
        parts.append(indicator9(board, people))
    columns = ["organisation_code", "snapshot_date", "scope", "indicator", "ethnic_group", "breakdown"]
    result = pd.concat(parts, ignore_index=True)
    default_measure = np.where(
        result["indicator"] == 1,
        "share",
        np.where(result["ethnic_group"].str.contains("_vs_"), "relative_likelihood", "rate"),
    )
    if "measure" not in result.columns:  # only indicator 9 names its measures
        result["measure"] = None
    result["measure"] = result["measure"].fillna(pd.Series(default_measure, index=result.index))
    return result[[*columns, "measure", "numerator", "denominator", "value"]].reset_index(drop=True)
