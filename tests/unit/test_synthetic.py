"""The synthetic trust generator: formats, determinism, realism and the disparities it builds in.

The realised rates are checked against the built-in probabilities within four binomial standard
errors, sqrt(p(1 - p) / n) with n the realised denominator: every person, application and
respondent is drawn independently with the built-in probability, so a correct generator falls
outside that band with probability about 6e-5 per check (and the seed is fixed, so the suite is
not flaky), while a rate built wrongly by as much as the white/BME gap falls outside it. The
population is large (40,000 staff in Birmingham, about half BME) so that the band is narrow.

Groups, scope and windows are worked out here from the CSV text with the contract's rules written
out independently (code letter -> white / bme / unknown, the maternity terms), not with the
product's classifiers.
"""

from __future__ import annotations

import math
import re
from datetime import date

import polars as pl
import pytest

from wres.config import DEFAULT_HEADER_ALIASES
from wres.kinds import KINDS
from wres.resources import resource_dir
from wres.synthetic import generate_inbox, organisation_code, window_start

D1, D2 = date(2024, 3, 31), date(2025, 3, 31)
BIRMINGHAM = "E08000025"
BIG_STAFF = 40_000

MATERNITY_TERMS = ("maternity", "midwi", "obstetric", "neonat", "labour ward", "birth centre")
ESR_TO_CANONICAL = {
    "Org Code": "organisation_code",
    "Employee Number": "employee_id",
    "Assignment Number": "assignment_id",
    "Staff Group": "staff_group",
    "Job Role": "job_role",
    "Area of Work": "area_of_work",
    "Pay Band": "pay_band",
    "Ethnic Origin": "ethnic_origin",
    "Gender": "gender",
    "Assignment Category": "assignment_category",
    "Primary": "is_primary_assignment",
    "Contracted WTE": "fte",
}
# the NHS ethnic-category forms: a code letter (or 99) followed by a label
NHS_FORM = re.compile(r"^(?:[A-HJ-NPRSZ] [A-Z][A-Za-z &-]+|99 [A-Z][A-Za-z ]+)$")
SURVEY_FORM = re.compile(
    r"^(?:White|Mixed|Asian|Black|Chinese|Other|Any Other Ethnic Group|Prefer not to say)"
    r"(?:(?: or (?:Asian|Black) British)? - [A-Za-z &]+)?$"
)
CENSUS_TO_CODE = {
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


# ---------------------------------------------------------------------------------------------
# independent readings of the CSV text


def wres_group(value: str | None) -> str:
    """A, B, C white; D..S bme; Z, 99 and blank unknown (CONTRACT section 1, by the code letter)."""
    if value is None or value.startswith(("Z ", "99 ")):
        return "unknown"
    return "white" if value[0] in "ABC" else "bme"


def survey_group(value: str | None) -> str:
    if value is None or value == "Prefer not to say":
        return "unknown"
    return "white" if value.startswith("White") else "bme"


def in_scope(*texts: str | None) -> bool:
    return any(term in (t or "").lower() for t in texts for term in MATERNITY_TERMS)


def any_date(column: str) -> pl.Expr:
    text = pl.col(column)
    return pl.coalesce(
        text.str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        text.str.strptime(pl.Date, "%d/%m/%Y", strict=False),
    )


def in_window(column: str, snapshot: date) -> pl.Expr:
    return (any_date(column) > window_start(snapshot)) & (any_date(column) <= snapshot)


def read(folder, name: str) -> pl.DataFrame:
    return pl.read_csv(folder / name, infer_schema=False)


def staff(folder, snapshot: date) -> pl.DataFrame:
    """All assignment rows with canonical headers."""
    frame = read(folder, f"staff_in_post_{snapshot.isoformat()}.csv")
    return frame.rename({k: v for k, v in ESR_TO_CANONICAL.items() if k in frame.columns})


def people(folder, snapshot: date) -> pl.DataFrame:
    """The indicators' people: one row per employee with a non-bank assignment, group and scope.

    A person's assignments share ethnicity and area in this generator, so any non-bank row will do.
    """
    rows = staff(folder, snapshot).filter(pl.col("assignment_category") != "Bank")
    return rows.unique("employee_id", keep="first", maintain_order=True).select(
        "employee_id",
        pl.col("ethnic_origin")
        .map_elements(wres_group, return_dtype=pl.String, skip_nulls=False)
        .alias("group"),
        pl.struct("area_of_work", "job_role")
        .map_elements(lambda r: in_scope(r["area_of_work"], r["job_role"]), return_dtype=pl.Boolean)
        .alias("maternity"),
    )


def newest_wins(folder, kind: str, id_column: str) -> pl.DataFrame:
    frames = [
        read(folder, f"{kind}_{d.isoformat()}.csv").with_columns(pl.lit(i).alias("file"))
        for i, d in enumerate((D1, D2))
    ]
    return pl.concat(frames, how="diagonal").sort("file").unique(id_column, keep="last")


def within_four_se(successes: int, n: int, p: float) -> bool:
    return n > 0 and abs(successes / n - p) <= 4 * math.sqrt(p * (1 - p) / n)


def by_group(frame: pl.DataFrame, flag: str) -> dict[str, tuple[int, int]]:
    """group -> (number with ``flag``, number)."""
    counts = frame.group_by("group").agg(pl.col(flag).sum().alias("k"), pl.len().alias("n"))
    return {row["group"]: (row["k"], row["n"]) for row in counts.iter_rows(named=True)}


# ---------------------------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    folder = tmp_path_factory.mktemp("big")
    return generate_inbox(folder, staff_per_trust=BIG_STAFF, seed=7, local_authorities=[BIRMINGHAM])


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small")
    messages: list[str] = []
    inbox = generate_inbox(folder, trusts=3, staff_per_trust=500, seed=11, progress=messages.append)
    return inbox, messages


# ---------------------------------------------------------------------------------------------
# formats


EXPECTED_NAMES = {
    "staff_in_post_2024-03-31.csv",
    "staff_in_post_2025-03-31.csv",
    "recruitment_2024-03-31.csv",
    "recruitment_2025-03-31.csv",
    "disciplinary_2024-03-31.csv",
    "disciplinary_2025-03-31.csv",
    "training_2024-03-31.csv",
    "training_2025-03-31.csv",
    "board_2024-03-31.csv",
    "board_2025-03-31.csv",
    "staff_survey_2023.csv",
    "staff_survey_2024.csv",
    "catchment.csv",
}


def test_writes_one_file_per_kind_and_date_and_reports_progress(small):
    inbox, messages = small
    assert {p.name for p in inbox.folder.iterdir()} == EXPECTED_NAMES
    assert {p.name for p in inbox.paths} == EXPECTED_NAMES
    assert [p.name for p in inbox.files["staff_in_post"]] == [
        "staff_in_post_2024-03-31.csv",
        "staff_in_post_2025-03-31.csv",
    ]
    assert inbox.organisations == ("RXX01", "RXX02", "RXX03")
    assert [m for m in messages if m.startswith("trust")] == [
        "trust 1/3 RXX01",
        "trust 2/3 RXX02",
        "trust 3/3 RXX03",
    ]
    assert sorted(m for m in messages if m.startswith("wrote")) == sorted(
        f"wrote {n}" for n in EXPECTED_NAMES
    )


@pytest.mark.parametrize(
    ("name", "header"),
    [
        (
            "staff_in_post_2024-03-31.csv",
            "Org Code,Organisation,Employee Number,Assignment Number,Staff Group,Job Role,Area of Work,"
            "Pay Band,Ethnic Origin,Gender,Assignment Category,Primary,Contracted WTE",
        ),
        (
            "staff_in_post_2025-03-31.csv",
            "organisation_code,employee_id,assignment_id,staff_group,job_role,area_of_work,pay_band,"
            "ethnic_origin,assignment_category,is_primary_assignment,fte,gender",
        ),
        (
            "recruitment_2024-03-31.csv",
            "organisation_code,application_id,ethnic_origin,shortlisted,appointed,shortlisted_date,"
            "vacancy_id,staff_group,job_role,area_of_work,pay_band",
        ),
        (
            "recruitment_2025-03-31.csv",
            "organisation_code,application_id,ethnic_origin,shortlisted,appointed,shortlisted_date,"
            "vacancy_id,staff_group,job_role,area_of_work,pay_band,international_recruit",
        ),
        (
            "disciplinary_2025-03-31.csv",
            "organisation_code,case_id,employee_id,investigation_start_date,ethnic_origin",
        ),
        (
            "training_2025-03-31.csv",
            "organisation_code,record_id,employee_id,start_date,mandatory,course_name",
        ),
        ("board_2025-03-31.csv", "organisation_code,member_id,position,ethnic_origin,voting,executive"),
        (
            "staff_survey_2024.csv",
            "organisation_code,respondent_id,ethnicity,occupation_group,work_area,q14a,q14b,q14c,q15,q16b",
        ),
        ("catchment.csv", "organisation_code,area_code,weight"),
    ],
)
def test_headers(small, name, header):
    inbox, _ = small
    assert (inbox.folder / name).read_text(encoding="utf-8").splitlines()[0] == header


def _header_key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def test_every_required_column_is_reachable_through_the_alias_table(small):
    inbox, _ = small
    aliases = {_header_key(k): v for k, v in DEFAULT_HEADER_ALIASES.items()}
    for path in inbox.paths:
        kind = next(k for k in KINDS.values() if k.pattern.match(path.name))
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        canonical = {h if h in kind.required else aliases.get(_header_key(h), h) for h in header}
        assert set(kind.required) <= canonical, path.name
    # ESR's department column is there and is not the trust
    assert "Organisation" in (inbox.folder / "staff_in_post_2024-03-31.csv").read_text().splitlines()[0]


def test_survey_before_2021_uses_that_questionnaires_columns(tmp_path):
    generate_inbox(tmp_path, staff_per_trust=100, snapshots=(date(2021, 3, 31),), survey_years=(2020,))
    header = (tmp_path / "staff_survey_2020.csv").read_text().splitlines()[0]
    assert header.endswith(",q13a,q13b,q13c,q14,q15b")


# ---------------------------------------------------------------------------------------------
# determinism


def test_same_seed_gives_byte_identical_files(tmp_path):
    a = generate_inbox(tmp_path / "a", trusts=2, staff_per_trust=300, seed=5)
    b = generate_inbox(tmp_path / "b", trusts=2, staff_per_trust=300, seed=5)
    c = generate_inbox(tmp_path / "c", trusts=2, staff_per_trust=300, seed=6)
    assert [p.name for p in a.paths] == [p.name for p in b.paths]
    for pa, pb in zip(a.paths, b.paths, strict=True):
        assert pa.read_bytes() == pb.read_bytes(), pa.name
    assert a.built_in == b.built_in
    staff_a, staff_c = (x.folder / "staff_in_post_2025-03-31.csv" for x in (a, c))
    assert staff_a.read_bytes() != staff_c.read_bytes()


def test_a_trust_is_the_same_whatever_the_number_of_trusts(tmp_path):
    one = generate_inbox(tmp_path / "one", trusts=1, staff_per_trust=300, seed=5)
    two = generate_inbox(tmp_path / "two", trusts=2, staff_per_trust=300, seed=5)
    for name in ("staff_in_post_2025-03-31.csv", "recruitment_2025-03-31.csv", "staff_survey_2024.csv"):
        first = read(two.folder, name).filter(pl.col("organisation_code") == "RXX01")
        assert read(one.folder, name).equals(first), name


@pytest.mark.parametrize(
    ("index", "code"), [(0, "RXX01"), (8, "RXX09"), (9, "RXX0A"), (35, "RXX10"), (219, "RXX64")]
)
def test_organisation_code(index, code):
    assert organisation_code(index) == code


@pytest.mark.parametrize(
    ("snapshot", "start"),
    [
        (date(2025, 3, 31), date(2024, 3, 31)),
        (date(2024, 2, 29), date(2023, 2, 28)),
        (date(2024, 12, 1), date(2023, 12, 1)),
    ],
)
def test_window_start(snapshot, start):
    assert window_start(snapshot) == start


def test_rejects_empty_requests(tmp_path):
    with pytest.raises(ValueError):
        generate_inbox(tmp_path, trusts=0)
    with pytest.raises(ValueError, match="E99999999"):
        generate_inbox(tmp_path, local_authorities=["E99999999"])


# ---------------------------------------------------------------------------------------------
# realism


def test_identifiers_look_like_esr(big):
    rows = staff(big.folder, D2)
    assert rows["employee_id"].str.contains(r"^\d{8}$").all()
    assert rows["assignment_id"].null_count() == 0
    assert rows["assignment_id"].is_unique().all()
    first = rows.filter(~pl.col("assignment_id").str.contains("-"))
    second = rows.filter(pl.col("assignment_id").str.contains("-"))
    assert first.height == rows["employee_id"].n_unique()  # one first assignment each
    assert (first["assignment_id"] == first["employee_id"]).all()
    assert (second["assignment_id"] == second["employee_id"] + "-2").all()


def test_bank_and_multiple_assignments(big):
    rows = staff(big.folder, D2)
    per_person = rows.group_by("employee_id").agg(
        pl.len().alias("assignments"),
        (pl.col("assignment_category") == "Bank").all().alias("bank_only"),
        pl.col("is_primary_assignment").is_null().all().alias("no_primary_flag"),
    )
    n = per_person.height
    two = per_person.filter(pl.col("assignments") == 2)
    assert per_person["assignments"].max() == 2
    assert 0.06 < two.height / n < 0.10  # ~8%
    assert 0.01 < per_person["bank_only"].sum() / n < 0.03  # ~2% bank-only people
    assert 0.2 < two["no_primary_flag"].mean() < 0.4  # ~30% of them rely on the highest-band rule
    assert set(rows["assignment_category"].unique()) == {"Permanent", "Fixed Term Temp", "Bank"}
    assert set(rows["is_primary_assignment"].unique()) == {"Yes", "No", None}
    assert set(staff(big.folder, D1)["is_primary_assignment"].unique()) == {"Y", "N", None}
    assert rows.filter(pl.col("assignment_category") == "Bank")["fte"].unique().to_list() == ["0"]


def test_acting_up_posts_without_a_primary_flag_outrank_the_first_assignment(big):
    rows = staff(big.folder, D2).filter(
        pl.col("is_primary_assignment").is_null() & (pl.col("assignment_category") != "Bank")
    )
    pairs = (
        rows.group_by("employee_id")
        .agg(pl.col("pay_band").sort_by("assignment_id"))
        .filter(pl.col("pay_band").list.len() == 2)
    )
    differing = pairs.filter(pl.col("pay_band").list.get(0) != pl.col("pay_band").list.get(1))
    assert differing.height > 0
    # e.g. Band 5 -> Band 6: the second assignment is one band higher
    one_up = differing.filter(
        pl.col("pay_band").list.get(0).str.extract(r"Band (\d)").cast(pl.Int64) + 1
        == pl.col("pay_band").list.get(1).str.extract(r"Band (\d)").cast(pl.Int64)
    )
    assert one_up.height > 0


def test_staff_groups_bands_and_maternity_areas(big):
    first, second = staff(big.folder, D1), staff(big.folder, D2)
    assert {"Administrative and Clerical", "Add Prof Scientific and Technic"} <= set(first["staff_group"])
    assert {"Admin and Clerical", "Additional Professional Scientific and Technical"} <= set(
        second["staff_group"]
    )
    assert {"Band 8A", "Band 2", "VSM", "Consultant", "Specialty Registrar"} <= set(first["pay_band"])
    assert {"Band 8a", "Band 9", "Specialty Doctor", "Foundation Year 1"} <= set(second["pay_band"])
    assert {
        "Maternity Services",
        "Labour Ward",
        "Neonatal Intensive Care",
        "Birth Centre",
        "Obstetrics",
    } <= set(second["area_of_work"])
    assert {"Midwife", "Maternity Support Worker", "Neonatal Nurse", "Consultant", "Staff Nurse"} <= set(
        second["job_role"]
    )
    share = people(big.folder, D2)["maternity"].mean()
    assert 0.05 < share < 0.15
    survey = read(big.folder, "staff_survey_2024.csv")
    assert "Midwives" in set(survey["occupation_group"])
    assert "Maternity services" in set(survey["work_area"])


def test_every_ethnic_origin_is_an_nhs_form(big):
    names = [
        "staff_in_post_2025-03-31.csv",
        "recruitment_2024-03-31.csv",
        "recruitment_2025-03-31.csv",
        "disciplinary_2025-03-31.csv",
        "board_2024-03-31.csv",
    ]
    for name in names:
        values = read(big.folder, name)["ethnic_origin"].drop_nulls().unique()
        assert values.len() >= (2 if name.startswith("board") else 10)
        assert [v for v in values if not NHS_FORM.match(v)] == [], name
    values = staff(big.folder, D1)["ethnic_origin"].drop_nulls().unique()
    assert [v for v in values if not NHS_FORM.match(v)] == []
    for year in (2023, 2024):
        survey = read(big.folder, f"staff_survey_{year}.csv")["ethnicity"].drop_nulls().unique()
        assert [v for v in survey if not SURVEY_FORM.match(v)] == []
        assert {"Black", "Asian", "White", "Black or Black British - African"} <= set(survey)


def test_about_three_percent_unknown_in_all_three_forms(big):
    rows = staff(big.folder, D2).unique("employee_id")
    unknown = rows.filter(
        pl.col("ethnic_origin").is_null() | pl.col("ethnic_origin").str.contains(r"^(Z|99) ")
    )
    assert within_four_se(unknown.height, rows.height, 0.03)
    assert {"Z Not Stated", "99 Not Known", None} == set(unknown["ethnic_origin"])


def census_shares(area_code: str) -> dict[str, float]:
    census = pl.read_csv(resource_dir("reference") / "census2021_ts021_ltla.csv").filter(
        pl.col("area_code") == area_code
    )
    counts: dict[str, int] = {}
    for detail, population in census.select("ethnic_group_detail", "population").iter_rows():
        counts[CENSUS_TO_CODE[detail]] = counts.get(CENSUS_TO_CODE[detail], 0) + population
    total = sum(counts.values())
    return {code: count / total for code, count in counts.items()}


def test_workforce_mix_is_the_local_authoritys(big):
    expected = census_shares(BIRMINGHAM)
    assert abs(expected["A"] - 0.43) < 0.01  # Birmingham: White British 42.9% (census 2021)
    rows = staff(big.folder, D1).unique("employee_id")
    known = rows.filter(pl.col("ethnic_origin").str.contains(r"^[A-HJ-NPRS] ")).with_columns(
        pl.col("ethnic_origin").str.slice(0, 1).alias("code")
    )
    counts = dict(known.group_by("code").len().iter_rows())
    for code, share in expected.items():
        assert within_four_se(counts.get(code, 0), known.height, share), code
    assert big.built_in["organisations"]["RXX01"]["area_name"] == "Birmingham"


def test_bme_staff_are_concentrated_at_lower_bands(big):
    rows = staff(big.folder, D1).with_columns(
        pl.col("ethnic_origin")
        .map_elements(wres_group, return_dtype=pl.String, skip_nulls=False)
        .alias("group")
    )
    rows = rows.filter(pl.col("group") != "unknown").unique("employee_id")
    low = rows.filter(pl.col("pay_band").is_in(["Band 2", "Band 3", "Band 4"]))
    high = rows.filter(
        pl.col("pay_band").is_in(["Band 8A", "Band 8B", "Band 8C", "Band 8D", "Band 9", "VSM"])
    )
    low_share, high_share = ((f["group"] == "bme").mean() for f in (low, high))
    assert high_share < 0.75 * low_share


def test_turnover_growth_and_promotion(big):
    before, after = staff(big.folder, D1), staff(big.folder, D2)
    ids_before, ids_after = set(before["employee_id"]), set(after["employee_id"])
    assert len(ids_before) == BIG_STAFF
    assert 0.08 < len(ids_before - ids_after) / len(ids_before) < 0.12  # ~10% leave
    assert 1.0 < len(ids_after) / len(ids_before) < 1.04  # ~2% growth
    bands = (
        before.filter(~pl.col("assignment_id").str.contains("-"))
        .select("employee_id", "pay_band")
        .join(
            after.filter(~pl.col("assignment_id").str.contains("-")).select("employee_id", "pay_band"),
            on="employee_id",
        )
    )
    promoted = bands.filter(
        pl.col("pay_band").str.to_lowercase() != pl.col("pay_band_right").str.to_lowercase()
    )
    assert 0.03 < promoted.height / bands.height < 0.08  # ~6% promoted, a band at a time
    assert (promoted["pay_band"].str.slice(0, 6) == "Band 8").any() or promoted.height > 100


# ---------------------------------------------------------------------------------------------
# recruitment, disciplinary, board, catchment


def test_recruitment_rules_and_repeated_applications(big):
    old, new = (read(big.folder, f"recruitment_{d.isoformat()}.csv") for d in (D1, D2))
    for frame in (old, new):
        assert frame.filter((pl.col("appointed") == "Yes") & (pl.col("shortlisted") == "No")).height == 0
        assert frame.filter(pl.col("shortlisted") == "Yes")["shortlisted_date"].null_count() == 0
        assert (
            frame.filter(pl.col("shortlisted") == "No")["shortlisted_date"].null_count()
            == frame.filter(pl.col("shortlisted") == "No").height
        )
        assert frame["application_id"].is_unique().all()
    assert old["shortlisted_date"].drop_nulls().str.contains(r"^\d{4}-\d{2}-\d{2}$").all()
    assert new["shortlisted_date"].str.contains(r"^\d{2}/\d{2}/\d{4}$").sum() > 1000
    assert new["shortlisted_date"].str.contains(r"^\d{4}-\d{2}-\d{2}$").sum() > 1000
    assert set(new["international_recruit"]) == {"Y", "N"}
    for frame, snapshot in ((old, D1), (new, D2)):
        dated = frame.filter(pl.col("shortlisted") == "Yes").select(any_date("shortlisted_date").alias("d"))[
            "d"
        ]
        assert dated.null_count() == 0
        assert dated.max() <= snapshot
        assert (dated <= window_start(snapshot)).sum() > 0  # a few just outside the window
    repeated = old.join(new, on="application_id", suffix="_new")
    assert repeated.height > 20
    assert (repeated["appointed"] == "No").all()  # pending in the old file
    assert (repeated["appointed_new"] == "Yes").sum() > 0  # the outcome, in the newer file


def test_disciplinary_cases_include_leavers(big):
    before = set(staff(big.folder, D1)["employee_id"])
    after = set(staff(big.folder, D2)["employee_id"])
    cases = read(big.folder, "disciplinary_2025-03-31.csv")
    leavers = [e for e in cases["employee_id"] if e in before and e not in after]
    assert 0 < len(leavers) < 0.2 * cases.height
    assert all(e in before or e in after for e in cases["employee_id"])
    dates = cases.select(any_date("investigation_start_date").alias("d"))["d"]
    assert dates.min() > window_start(D2) and dates.max() <= D2


def test_board_share_is_below_the_workforces(small):
    inbox, _ = small
    for snapshot in (D1, D2):
        board = read(inbox.folder, f"board_{snapshot.isoformat()}.csv")
        workforce = staff(inbox.folder, snapshot).filter(pl.col("assignment_category") != "Bank")
        for org in inbox.organisations:
            members = board.filter(pl.col("organisation_code") == org).with_columns(
                pl.col("ethnic_origin").map_elements(wres_group, return_dtype=pl.String).alias("group")
            )
            assert members.height == 12
            voting = members.filter(pl.col("voting") == "Yes")
            executive = members.filter(pl.col("executive") == "Yes")
            voting_share = (voting["group"] == "bme").mean()
            mine = workforce.filter(pl.col("organisation_code") == org).unique("employee_id")
            workforce_share = (
                mine["ethnic_origin"].map_elements(wres_group, return_dtype=pl.String).eq("bme").mean()
            )
            recorded = inbox.built_in["board"][org][snapshot.isoformat()]
            assert voting_share == pytest.approx(recorded["voting_bme_share"])
            assert (executive["group"] == "bme").mean() == pytest.approx(recorded["executive_bme_share"])
            assert voting_share < workforce_share


def test_catchment_names_census_areas_with_weights_summing_to_one(small):
    inbox, _ = small
    catchment = read(inbox.folder, "catchment.csv").with_columns(pl.col("weight").cast(pl.Float64))
    census = set(pl.read_csv(resource_dir("reference") / "census2021_ts021_ltla.csv")["area_code"])
    assert set(catchment["area_code"]) <= census
    totals = dict(catchment.group_by("organisation_code").agg(pl.col("weight").sum()).iter_rows())
    assert totals == pytest.approx({"RXX01": 1.0, "RXX02": 1.0, "RXX03": 1.0})
    sizes = dict(catchment.group_by("organisation_code").len().iter_rows())
    assert sizes == {"RXX01": 3, "RXX02": 1, "RXX03": 3}
    for org, info in inbox.built_in["organisations"].items():
        own = catchment.filter(
            (pl.col("organisation_code") == org) & (pl.col("area_code") == info["area_code"])
        )
        assert own.height == 1


# ---------------------------------------------------------------------------------------------
# the built-in disparities, realised


def _scoped(frame: pl.DataFrame, scope: str) -> pl.DataFrame:
    return frame if scope == "trust" else frame.filter(pl.col("maternity"))


@pytest.mark.parametrize("snapshot", [D1, D2])
@pytest.mark.parametrize("scope", ["trust", "maternity_neonatal"])
def test_appointment_from_shortlisting(big, snapshot, scope):
    built = big.built_in["appointed_from_shortlisting"]
    assert built["relative_likelihood"] == pytest.approx(0.30 / 0.19)
    apps = newest_wins(big.folder, "recruitment", "application_id").filter(
        (pl.col("shortlisted") == "Yes") & in_window("shortlisted_date", snapshot)
    )
    apps = apps.with_columns(
        pl.col("ethnic_origin")
        .map_elements(wres_group, return_dtype=pl.String, skip_nulls=False)
        .alias("group"),
        (pl.col("appointed") == "Yes").alias("hit"),
        pl.struct("area_of_work", "job_role")
        .map_elements(lambda r: in_scope(r["area_of_work"], r["job_role"]), return_dtype=pl.Boolean)
        .alias("maternity"),
    )
    counts = by_group(_scoped(apps, scope), "hit")
    for group in ("white", "bme"):
        assert within_four_se(*counts[group], built["rate"][group]), group


@pytest.mark.parametrize(
    ("kind", "key"), [("disciplinary", "disciplinary"), ("training", "non_mandatory_training")]
)
@pytest.mark.parametrize("snapshot", [D1, D2])
def test_disciplinary_and_training_rates(big, kind, key, snapshot):
    built = big.built_in[key]
    staff_at = people(big.folder, snapshot)
    if kind == "disciplinary":
        events = newest_wins(big.folder, "disciplinary", "case_id").filter(
            in_window("investigation_start_date", snapshot)
        )
    else:
        events = newest_wins(big.folder, "training", "record_id").filter(
            pl.col("mandatory").is_in(["N", "No"]) & in_window("start_date", snapshot)
        )
    with_event = set(events["employee_id"])
    staff_at = staff_at.with_columns(pl.col("employee_id").is_in(list(with_event)).alias("hit"))
    counts = by_group(staff_at, "hit")
    for group in ("white", "bme"):
        assert within_four_se(*counts[group], built["rate"][group]), group
    expected_rl = {"disciplinary": 0.02 / 0.0125, "training": 0.23 / 0.20}[kind]
    assert built["relative_likelihood"] == pytest.approx(expected_rl)


def _answered(column: str) -> pl.Expr:
    return pl.col(column).is_not_null()


def _code(column: str, labels: dict[str, int]) -> pl.Expr:
    return pl.col(column).replace_strict({**{str(v): v for v in labels.values()}, **labels}, default=None)


FREQUENCY = {"Never": 1, "1-2": 2, "3-5": 3, "6-10": 4, "More than 10": 5}


@pytest.mark.parametrize("year", [2023, 2024])
@pytest.mark.parametrize("scope", ["trust", "maternity_neonatal"])
@pytest.mark.parametrize("question", ["q14a_2_or_more", "q14b_or_q14c_2_or_more", "q15_yes", "q16b_yes"])
def test_survey_shares(big, year, scope, question):
    survey = read(big.folder, f"staff_survey_{year}.csv").with_columns(
        pl.col("ethnicity")
        .map_elements(survey_group, return_dtype=pl.String, skip_nulls=False)
        .alias("group"),
        pl.struct("work_area", "occupation_group")
        .map_elements(lambda r: in_scope(r["work_area"], r["occupation_group"]), return_dtype=pl.Boolean)
        .alias("maternity"),
        _code("q14a", FREQUENCY).alias("a"),
        _code("q14b", FREQUENCY).alias("b"),
        _code("q14c", FREQUENCY).alias("c"),
        _code("q15", {"Yes": 1, "No": 2, "Don't know": 3}).alias("q15_code"),
        _code("q16b", {"Yes": 1, "No": 2}).alias("q16b_code"),
    )
    answered, hit = {
        "q14a_2_or_more": (_answered("a"), pl.col("a") >= 2),
        "q14b_or_q14c_2_or_more": (
            _answered("b") | _answered("c"),
            (pl.col("b") >= 2).fill_null(False) | (pl.col("c") >= 2).fill_null(False),
        ),
        "q15_yes": (_answered("q15_code"), pl.col("q15_code") == 1),
        "q16b_yes": (_answered("q16b_code"), pl.col("q16b_code") == 1),
    }[question]
    rows = _scoped(survey, scope).filter(answered).with_columns(hit.alias("hit"))
    counts = by_group(rows, "hit")
    shares = big.built_in["survey"][question]["share"]
    for group in ("white", "bme"):
        assert within_four_se(*counts[group], shares[group]), group


def test_answers_come_as_codes_and_as_labels(big):
    survey = read(big.folder, "staff_survey_2024.csv")
    assert {"1", "2", "3", "Yes", "No", "Don't know", None} == set(survey["q15"])
    assert {"1", "2", "3", "4", "5", "Never", "1-2", "3-5", "6-10", "More than 10", None} == set(
        survey["q14b"]
    )
    respondents = survey.height / people(big.folder, D2).height
    assert 0.40 < respondents < 0.50  # ~45% response rate
