"""marts.representation on a small hand-built staging.

At 2025-03-31:
- RXX (trust): 20 people of known ethnicity (Asian 4, Black 2, Mixed 0, White 13, Other 1), two of
  unknown ethnicity (left out of the denominator), one person with two assignments (counted once),
  one person with only a bank assignment (left out). Maternity and neonatal: White 5, Asian 1
  (known 6) and one unknown.
  Catchment: Birmingham (E08000025) weight 3 and Hartlepool (E06000001) weight 1, normalised to
  0.75 / 0.25. From the shipped table: Birmingham Asian 355,384 of 1,144,922; Hartlepool Asian
  1,600 of 92,338.
  reference_local_births.csv: Asian 300, Black 100, Mixed 20 + 30 (two rows), White 550, Other 0.
- RYY (trust only): White 2, Black 1 (known 3) and one unknown; no catchment rows, so England and
  Wales (White 81.7%, Black 4.0%, ...); not named by the reference file, so no local_births rows.

Wilson 95% intervals (z = 1.959964), worked by hand from the score formula:
4/20: 0.080658-0.416017 (the published table value 0.0807-0.4160); 13/20: 0.432854-0.818808;
1/6: 0.030053-0.563503; 2/3: 0.207660-0.938508; 1/3: 0.061492-0.792340.
"""

from __future__ import annotations

import re

import duckdb
import pytest

from tests.staging_builder import SNAPSHOT, build_staging
from wres.config import Disclosure, Settings
from wres.models import run_models
from wres.reference import census_reference
from wres.resources import resource_dir

SQL = resource_dir("sql")

# Birmingham and Hartlepool residents by group (the shipped table, summed over TS021's categories)
BIRMINGHAM = {"Asian": 355_384, "Black": 125_760, "Mixed": 55_205, "White": 556_608, "Other": 51_965}
HARTLEPOOL = {"Asian": 1_600, "Black": 445, "Mixed": 671, "White": 89_068, "Other": 554}
BIRMINGHAM_TOTAL = 1_144_922
HARTLEPOOL_TOTAL = 92_338


def catchment_share(group: str) -> float:
    """0.75 x Birmingham's share + 0.25 x Hartlepool's (Asian: 0.75 x 0.31040 + 0.25 x 0.01733 = 0.23713)."""
    return 0.75 * BIRMINGHAM[group] / BIRMINGHAM_TOTAL + 0.25 * HARTLEPOOL[group] / HARTLEPOOL_TOTAL


# (organisation, employee, census_group or None, in maternity scope, is bank, primary, assignment order)
_ASSIGNMENTS: list[tuple] = []


def _people(org: str, prefix: str, group: str | None, count: int, maternity: bool = False) -> None:
    for i in range(count):
        _ASSIGNMENTS.append((org, f"{prefix}{i:02d}", group, maternity, False, None, 1))


_people("RXX", "xa", "asian", 3)
_people("RXX", "xam", "asian", 1, maternity=True)
_people("RXX", "xb", "black", 2)
_people("RXX", "xw", "white", 7)
_people("RXX", "xwm", "white", 5, maternity=True)
_people("RXX", "xo", "other", 1)
_people("RXX", "xu", None, 1)
_people("RXX", "xum", None, 1, maternity=True)
# the 13th White person: two assignments, the primary outside maternity, the other inside it
_ASSIGNMENTS.append(("RXX", "xw_two", "white", False, False, True, 1))
_ASSIGNMENTS.append(("RXX", "xw_two", "white", True, False, False, 2))
# bank only: not in any headcount
_ASSIGNMENTS.append(("RXX", "x_bank", "asian", False, True, None, 1))
_people("RYY", "yw", "white", 2)
_people("RYY", "yb", "black", 1)
_people("RYY", "yu", None, 1)


def _staff_in_post() -> list[dict]:
    return [
        {
            "organisation_code": org,
            "employee_id": employee,
            "assignment_order": order,
            "census_group": group,
            "unknown_reason": "not_known" if group is None else None,
            "job_role": "Midwife" if maternity else "Staff Nurse",
            "area_of_work": "Maternity" if maternity else "Surgery",
            "in_maternity_scope": maternity,
            "role_group": "midwives" if maternity else None,
            "assignment_category": "Bank" if bank else "Permanent",
            "is_bank": bank,
            "is_primary_assignment": primary,
        }
        for org, employee, group, maternity, bank, primary, order in _ASSIGNMENTS
    ]


REFERENCE_ROWS = [
    ("local_births", "RXX", "Asian", 300.0),
    ("local_births", "RXX", "Black", 100.0),
    ("local_births", "RXX", "Mixed", 20.0),
    ("local_births", "RXX", "Mixed", 30.0),
    ("local_births", "RXX", "White", 550.0),
    ("local_births", "RXX", "Other", 0.0),
]


def _model_files() -> list:
    """The macros, the intermediate model of people, and the representation model."""
    people = [
        path
        for path in sorted((SQL / "intermediate").glob("*.sql"))
        if re.search(
            r"create\s+or\s+replace\s+table\s+intermediate\.people\s", path.read_text(encoding="utf-8")
        )
    ]
    if not people:
        pytest.skip("no intermediate model creates intermediate.people yet")
    macros = sorted((SQL / "macros").glob("*.sql"))
    if "wilson_low" not in "".join(p.read_text(encoding="utf-8") for p in macros):
        pytest.skip("the Wilson macros (sql/macros) are not there yet")
    return [*macros, *people, SQL / "marts" / "050_representation.sql"]


def build(settings: Settings) -> duckdb.DuckDBPyConnection:
    files = _model_files()
    catchment = [
        {"organisation_code": "RXX", "area_code": "E08000025", "weight": 3.0},
        {"organisation_code": "RXX", "area_code": "E06000001", "weight": 1.0},
    ]
    references = [
        {
            "reference_population": name,
            "organisation_code": org,
            "ethnic_group": group,
            "population": population,
        }
        for name, org, group, population in REFERENCE_ROWS
    ]
    con = build_staging(
        staff_in_post=_staff_in_post(),
        catchment=catchment,
        reference_population=references,
        census2021=census_reference().to_dicts(),
    )
    run_models(con, settings, files=files)
    return con


@pytest.fixture(scope="module")
def representation() -> dict[tuple, dict]:
    con = build(Settings())
    frame = con.sql("select * from marts.representation").pl()
    con.close()
    return {
        (r["organisation_code"], r["scope"], r["reference_population"], r["ethnic_group"]): r
        for r in frame.to_dicts()
    }


def test_rows_for_every_group_scope_and_reference(representation):
    # RXX: 2 scopes x 2 references x 5 groups; RYY: trust x census2021 x 5 groups
    assert len(representation) == 20 + 5
    assert {k[:3] for k in representation} == {
        ("RXX", "trust", "census2021"),
        ("RXX", "trust", "local_births"),
        ("RXX", "maternity_neonatal", "census2021"),
        ("RXX", "maternity_neonatal", "local_births"),
        ("RYY", "trust", "census2021"),
    }
    assert {r["snapshot_date"] for r in representation.values()} == {SNAPSHOT}


# group, headcount, workforce share (known headcount 20: unknown and bank left out)
RXX_TRUST = [
    ("Asian", 4, 0.20),
    ("Black", 2, 0.10),
    ("Mixed", 0, 0.0),
    ("White", 13, 0.65),
    ("Other", 1, 0.05),
]


@pytest.mark.parametrize(("group", "headcount", "share"), RXX_TRUST)
def test_workforce_share_counts_people_of_known_ethnicity(representation, group, headcount, share):
    row = representation[("RXX", "trust", "census2021", group)]
    assert row["headcount"] == headcount
    assert row["workforce_share"] == pytest.approx(share)


@pytest.mark.parametrize("group", ["Asian", "Black", "Mixed", "White", "Other"])
def test_census_reference_is_the_weighted_catchment(representation, group):
    row = representation[("RXX", "trust", "census2021", group)]
    assert row["reference_share"] == pytest.approx(catchment_share(group), abs=1e-12)


def test_catchment_asian_share_by_hand(representation):
    # 0.75 x 355,384 / 1,144,922 + 0.25 x 1,600 / 92,338 = 0.232800 + 0.004332 = 0.237132
    row = representation[("RXX", "trust", "census2021", "Asian")]
    assert row["reference_share"] == pytest.approx(0.237132, abs=1e-6)
    assert row["ratio"] == pytest.approx(0.20 / 0.237132, rel=2e-5, abs=1e-6)  # 0.8434


def test_interval_is_the_wilson_interval_over_the_reference_share(representation):
    asian = representation[("RXX", "trust", "census2021", "Asian")]
    assert asian["ci_low"] == pytest.approx(0.080658 / catchment_share("Asian"), rel=2e-5, abs=1e-6)  # 0.3401
    assert asian["ci_high"] == pytest.approx(
        0.416017 / catchment_share("Asian"), rel=2e-5, abs=1e-6
    )  # 1.7544
    white = representation[("RXX", "trust", "census2021", "White")]
    assert white["ci_low"] == pytest.approx(0.432854 / catchment_share("White"), rel=2e-5, abs=1e-6)
    assert white["ci_high"] == pytest.approx(0.818808 / catchment_share("White"), rel=2e-5, abs=1e-6)


def test_a_group_with_nobody_has_share_zero_and_an_interval_from_zero(representation):
    mixed = representation[("RXX", "trust", "census2021", "Mixed")]
    assert mixed["ratio"] == 0.0
    assert mixed["ci_low"] == pytest.approx(0.0, abs=1e-12)
    assert mixed["ci_high"] == pytest.approx(0.161125 / catchment_share("Mixed"), rel=2e-5, abs=1e-6)


def test_shares_add_up_to_one_in_every_cell(representation):
    totals: dict[tuple, list[float]] = {}
    for key, row in representation.items():
        total = totals.setdefault(key[:3], [0.0, 0.0])
        total[0] += row["workforce_share"]
        total[1] += row["reference_share"]
    for workforce, reference in totals.values():
        assert workforce == pytest.approx(1.0)
        assert reference == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("group", "headcount", "share", "low", "high"),
    [
        ("Asian", 1, 1 / 6, 0.030053, 0.563503),
        ("Black", 0, 0.0, 0.0, None),
        ("White", 5, 5 / 6, 0.436497, 0.969947),
    ],
)
def test_maternity_scope(representation, group, headcount, share, low, high):
    # the two-assignment person's primary assignment is outside maternity: not counted here
    row = representation[("RXX", "maternity_neonatal", "census2021", group)]
    assert row["headcount"] == headcount
    assert row["workforce_share"] == pytest.approx(share)
    assert row["ratio"] == pytest.approx(share / catchment_share(group))
    assert row["ci_low"] == pytest.approx(low / catchment_share(group), rel=2e-5, abs=1e-6)
    if high is not None:
        assert row["ci_high"] == pytest.approx(high / catchment_share(group), rel=2e-5, abs=1e-6)


@pytest.mark.parametrize(
    ("group", "share", "low", "high", "reference"),
    [
        ("White", 2 / 3, 0.207660, 0.938508, 0.817),
        ("Black", 1 / 3, 0.061492, 0.792340, 0.040),
        ("Asian", 0.0, 0.0, None, 0.093),
        ("Mixed", 0.0, 0.0, None, 0.029),
        ("Other", 0.0, 0.0, None, 0.021),
    ],
)
def test_without_a_catchment_the_reference_is_england_and_wales(
    representation, group, share, low, high, reference
):
    row = representation[("RYY", "trust", "census2021", group)]
    assert row["reference_share"] == pytest.approx(reference)
    assert row["workforce_share"] == pytest.approx(share)
    assert row["ratio"] == pytest.approx(share / reference)  # White: 0.6667 / 0.817 = 0.816
    assert row["ci_low"] == pytest.approx(low / reference, rel=2e-5, abs=1e-6)
    if high is not None:
        assert row["ci_high"] == pytest.approx(high / reference, rel=2e-5, abs=1e-6)


# reference_local_births: 300 + 100 + 50 + 550 + 0 = 1,000 people
@pytest.mark.parametrize(
    ("group", "reference", "ratio"),
    [
        ("Asian", 0.30, 0.20 / 0.30),
        ("Black", 0.10, 0.10 / 0.10),
        ("Mixed", 0.05, 0.0),
        ("White", 0.55, 0.65 / 0.55),
        ("Other", 0.0, None),  # no ratio against a reference share of 0
    ],
)
def test_a_reference_file_adds_a_named_reference(representation, group, reference, ratio):
    row = representation[("RXX", "trust", "local_births", group)]
    assert row["reference_share"] == pytest.approx(reference)
    if ratio is None:
        assert (row["ratio"], row["ci_low"], row["ci_high"]) == (None, None, None)
        assert row["workforce_share"] == pytest.approx(0.05)
    else:
        assert row["ratio"] == pytest.approx(ratio)


def test_an_organisation_a_reference_file_does_not_name_has_no_rows_for_it(representation):
    assert not [k for k in representation if k[0] == "RYY" and k[2] == "local_births"]


@pytest.mark.parametrize(
    ("key", "suppressed"),
    [
        (("RXX", "trust", "census2021", "Asian"), True),  # 4
        (("RXX", "trust", "census2021", "Black"), True),  # 2
        (("RXX", "trust", "census2021", "Mixed"), False),  # 0 of 20
        (("RXX", "trust", "census2021", "White"), False),  # 13
        (("RXX", "trust", "census2021", "Other"), True),  # 1
        (("RXX", "maternity_neonatal", "census2021", "Asian"), True),  # 1 of 6
        (("RXX", "maternity_neonatal", "census2021", "White"), False),  # 5 of 6
        (("RXX", "maternity_neonatal", "census2021", "Black"), False),  # 0 of 6
        (("RYY", "trust", "census2021", "White"), True),  # 2 of 3
        (("RYY", "trust", "census2021", "Asian"), True),  # 0 of 3: the share rests on a count of 3
    ],
)
def test_suppression_of_counts_from_one_to_four(representation, key, suppressed):
    assert representation[key]["suppressed"] is suppressed


def test_suppression_follows_the_min_count_setting():
    con = build(Settings(disclosure=Disclosure(min_count=3)))
    flags = dict(
        con.execute(
            "select ethnic_group, suppressed from marts.representation "
            "where organisation_code = 'RXX' and scope = 'trust' and reference_population = 'census2021'"
        ).fetchall()
    )
    con.close()
    assert flags == {"Asian": False, "Black": True, "Mixed": False, "White": False, "Other": True}


def test_columns_types_order_and_comments():
    con = build(Settings())
    columns = con.execute(
        "select column_name, data_type, comment from duckdb_columns() "
        "where schema_name = 'marts' and table_name = 'representation' order by column_index"
    ).fetchall()
    [(table_comment,)] = con.execute(
        "select comment from duckdb_tables() where schema_name = 'marts' and table_name = 'representation'"
    ).fetchall()
    order = con.execute(
        "select organisation_code, scope, reference_population, ethnic_group from marts.representation"
    ).fetchall()
    con.close()
    assert [(name, kind) for name, kind, _ in columns] == [
        ("organisation_code", "VARCHAR"),
        ("snapshot_date", "DATE"),
        ("scope", "VARCHAR"),
        ("reference_population", "VARCHAR"),
        ("ethnic_group", "VARCHAR"),
        ("headcount", "BIGINT"),
        ("workforce_share", "DOUBLE"),
        ("reference_share", "DOUBLE"),
        ("ratio", "DOUBLE"),
        ("ci_low", "DOUBLE"),
        ("ci_high", "DOUBLE"),
        ("suppressed", "BOOLEAN"),
    ]
    assert table_comment
    assert [name for name, _, comment in columns if not comment] == []
    groups = ["Asian", "Black", "Mixed", "White", "Other"]
    expected = [
        (org, scope, ref, g)
        for org, scope, ref in [
            ("RXX", "trust", "census2021"),
            ("RXX", "trust", "local_births"),
            ("RXX", "maternity_neonatal", "census2021"),
            ("RXX", "maternity_neonatal", "local_births"),
            ("RYY", "trust", "census2021"),
        ]
        for g in groups
    ]
    assert order == expected
