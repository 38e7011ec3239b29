"""marts.wres_indicators on small hand-built staging tables: every value below is worked out by
hand from the rows in the test (CONTRACT section 2; z = 1.959964)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from tests.staging_builder import build_staging, run_indicator_models

D = dt.date(2025, 3, 31)
EARLIER = dt.date(2024, 3, 31)
WINDOW = "2024-04-01..2025-03-31"
Z = 1.959964

CONTRACT_COLUMNS = [
    ("organisation_code", "VARCHAR"),
    ("snapshot_date", "DATE"),
    ("scope", "VARCHAR"),
    ("indicator", "INTEGER"),
    ("measure", "VARCHAR"),
    ("ethnic_group", "VARCHAR"),
    ("breakdown", "VARCHAR"),
    ("numerator", "BIGINT"),
    ("denominator", "BIGINT"),
    ("value", "DOUBLE"),
    ("ci_low", "DOUBLE"),
    ("ci_high", "DOUBLE"),
    ("interpretation", "VARCHAR"),
    ("suppressed", "BOOLEAN"),
    ("source_period", "VARCHAR"),
]


def indicators(**tables) -> duckdb.DuckDBPyConnection:
    snapshots = tables.pop("snapshots", None)
    return run_indicator_models(build_staging(snapshots=snapshots, **tables))


def rows(con: duckdb.DuckDBPyConnection, **where) -> list[dict]:
    """Rows of marts.wres_indicators matching ``where`` (column = value), in table order."""
    clauses = " and ".join(f"{column} = ?" for column in where) or "true"
    result = con.execute(f"select * from marts.wres_indicators where {clauses}", list(where.values()))
    names = [d[0] for d in result.description]
    return [dict(zip(names, r, strict=True)) for r in result.fetchall()]


def row(con: duckdb.DuckDBPyConnection, **where) -> dict:
    found = rows(con, **where)
    assert len(found) == 1, f"{len(found)} rows for {where}"
    return found[0]


def counts(con, **where) -> dict[str, tuple[int, int]]:
    """ethnic_group -> (numerator, denominator) of the matching rate or share rows."""
    return {r["ethnic_group"]: (r["numerator"], r["denominator"]) for r in rows(con, **where)}


def person(employee_id: str, census_group: str | None, **columns) -> dict:
    return {"employee_id": employee_id, "census_group": census_group, **columns}


def assert_no_nan_or_inf(con: duckdb.DuckDBPyConnection) -> None:
    bad = con.execute(
        "select count(*) from marts.wres_indicators where isnan(value) or isinf(value) "
        "or isnan(ci_low) or isinf(ci_low) or isnan(ci_high) or isinf(ci_high)"
    ).fetchone()[0]
    assert bad == 0


# --- indicator 1 and the people rules -------------------------------------------------------------

CLINICAL = {"staff_group": "Nursing and Midwifery Registered", "workforce": "clinical"}
ADMIN = {"staff_group": "Admin and Clerical", "workforce": "non_clinical"}
UNRECOGNISED = {"staff_group": "Volunteers", "staff_group_recognised": False, "workforce": None}

PEOPLE_RULES_STAFF = [
    # e1: the primary assignment wins over a higher... here a lower-ordered, clinical Band 5 one
    person("e1", "white", band="Band 5", assignment_order=1, is_primary_assignment=False, **CLINICAL),
    person("e1", "asian", band="Band 7", assignment_order=2, is_primary_assignment=True, **ADMIN),
    # e2: no primary flag: the highest band wins over the lowest order
    person("e2", "white", band="Band 4", assignment_order=1, **CLINICAL),
    person("e2", "white", band="Band 6", assignment_order=2, **CLINICAL),
    # e3: same band, no primary: the lowest assignment order wins
    person("e3", "black", band="Band 5", assignment_order=1, **CLINICAL),
    person("e3", "black", band="Band 5", assignment_order=2, **ADMIN),
    # e4: two flagged primary: the higher band among them
    person("e4", "white", band="Band 3", assignment_order=1, is_primary_assignment=True, **CLINICAL),
    person("e4", "white", band="Band 8a", assignment_order=2, is_primary_assignment=True, **CLINICAL),
    # e5: bank only: not counted anywhere
    person("e5", "white", band="Band 5", is_bank=True, assignment_category="Bank", **CLINICAL),
    # e6: a primary bank assignment is ignored; the substantive one represents them
    person(
        "e6", None, band="Band 8a", assignment_order=1, is_primary_assignment=True, is_bank=True, **CLINICAL
    ),
    person("e6", None, band="Band 2", assignment_order=2, **ADMIN),
    # e7: unrecognised staff group: counted in the all|... cells only
    person("e7", "mixed", band="Band 5", **UNRECOGNISED),
]


@pytest.fixture(scope="module")
def people_rules() -> duckdb.DuckDBPyConnection:
    return indicators(staff_in_post=PEOPLE_RULES_STAFF)


def test_indicator1_overall_shares(people_rules):
    # people: e1 (asian), e2 (white), e3 (black), e4 (white), e6 (unknown), e7 (mixed); e5 is bank only
    # white 2, bme 3 (e1, e3, e7), unknown 1 of 6
    assert counts(people_rules, indicator=1, scope="trust", breakdown="all|all") == {
        "white": (2, 6),
        "bme": (3, 6),
        "unknown": (1, 6),
    }
    bme = row(people_rules, indicator=1, scope="trust", breakdown="all|all", ethnic_group="bme")
    # Wilson 3 of 6: centre 0.5; half = z / (1 + z^2/6) * sqrt(0.25/6 + z^2/144)
    #   = 1.959964 / 1.640243 * sqrt(0.0416667 + 0.0266768) = 1.194923 * 0.261426 = 0.312384
    assert bme["value"] == 0.5
    assert bme["ci_low"] == pytest.approx(0.5 - 0.312384, abs=1e-6)
    assert bme["ci_high"] == pytest.approx(0.5 + 0.312384, abs=1e-6)
    assert bme["measure"] == "share"
    assert bme["source_period"] == "2025-03-31"
    assert bme["interpretation"] is None


def test_indicator1_cells_follow_the_representative_assignment(people_rules):
    breakdowns = [
        r["breakdown"] for r in rows(people_rules, indicator=1, scope="trust", ethnic_group="white")
    ]
    # Band 3 and Band 4 (non-representative assignments of e4 and e2) are absent; e7 is not in
    # any clinical / non_clinical cell; bands ordered by seniority after 'all'
    assert breakdowns == [
        "all|all", "all|Band 2", "all|Band 5", "all|Band 6", "all|Band 7", "all|Band 8a",
        "clinical|all", "clinical|Band 5", "clinical|Band 6", "clinical|Band 8a",
        "non_clinical|all", "non_clinical|Band 2", "non_clinical|Band 7",
    ]  # fmt: skip
    # all|Band 5: e3 (black) and e7 (mixed, unrecognised group); clinical|Band 5: e3 only
    assert counts(people_rules, indicator=1, scope="trust", breakdown="all|Band 5") == {
        "white": (0, 2),
        "bme": (2, 2),
        "unknown": (0, 2),
    }
    assert counts(people_rules, indicator=1, scope="trust", breakdown="clinical|Band 5")["bme"] == (1, 1)
    # clinical: e2, e3, e4; non_clinical: e1 (primary admin assignment), e6 (substantive admin)
    assert counts(people_rules, indicator=1, scope="trust", breakdown="clinical|all") == {
        "white": (2, 3),
        "bme": (1, 3),
        "unknown": (0, 3),
    }
    assert counts(people_rules, indicator=1, scope="trust", breakdown="non_clinical|all") == {
        "white": (0, 2),
        "bme": (1, 2),
        "unknown": (1, 2),
    }
    assert counts(people_rules, indicator=1, scope="trust", breakdown="clinical|Band 8a")["white"] == (1, 1)


def test_only_staff_data_gives_only_indicator_1(people_rules):
    # no recruitment, disciplinary, training, survey or board data: no rows for 2-9
    assert {r["indicator"] for r in rows(people_rules)} == {1}
    assert {r["scope"] for r in rows(people_rules)} == {"trust"}
    assert_no_nan_or_inf(people_rules)


def test_contract_columns_and_types(people_rules):
    described = people_rules.execute("describe marts.wres_indicators").fetchall()
    assert [(c[0], c[1]) for c in described] == CONTRACT_COLUMNS


def test_every_model_table_and_column_has_a_comment(people_rules):
    uncommented_tables = people_rules.execute(
        "select schema_name, table_name from duckdb_tables() "
        "where schema_name in ('intermediate', 'marts') and comment is null"
    ).fetchall()
    uncommented_columns = people_rules.execute(
        "select schema_name, table_name, column_name from duckdb_columns() "
        "where schema_name in ('intermediate', 'marts') and comment is null"
    ).fetchall()
    assert uncommented_tables == []
    assert uncommented_columns == []


# --- scopes ---------------------------------------------------------------------------------------


def test_scopes_are_emitted_only_where_they_have_people():
    con = indicators(
        staff_in_post=[
            person("m1", "white", in_maternity_scope=True, role_group="midwives", job_role="Midwife"),
            person("m2", "black", in_maternity_scope=True, role_group="neonatal_nursing"),
            person("m3", "white"),
        ]
    )
    scopes = [r["scope"] for r in rows(con, indicator=1, breakdown="all|all", ethnic_group="white")]
    assert scopes == ["trust", "maternity_neonatal", "maternity:midwives", "maternity:neonatal_nursing"]
    assert counts(con, indicator=1, scope="maternity_neonatal", breakdown="all|all")["bme"] == (1, 2)
    assert counts(con, indicator=1, scope="maternity:midwives", breakdown="all|all")["white"] == (1, 1)


# --- indicator 2 ----------------------------------------------------------------------------------


def application(application_id: str, census_group: str | None, date: str, appointed: bool, **columns) -> dict:
    return {
        "application_id": application_id,
        "census_group": census_group,
        "shortlisted_date": date,
        "appointed": appointed,
        **columns,
    }


def recruitment_rows(u1_international: bool | None) -> list[dict]:
    return [
        # on D - 12 months exactly: outside the window; after D: outside
        application("w1", "white", "2024-03-31", True),
        application("w4", "white", "2025-04-01", True),
        # inside: on D, and on the first day
        application("w2", "white", "2025-03-31", True, international_recruit=False),
        application("w3", "white", "2024-04-01", False, international_recruit=False),
        application("b1", "asian", "2024-06-01", True, international_recruit=True),
        application("b2", "black", "2024-07-01", False, international_recruit=False),
        application("b3", "black", "2024-08-01", False, international_recruit=False),
        application("u1", None, "2024-09-01", True, international_recruit=u1_international),
        # not shortlisted: never counted
        {**application("n1", "white", "2024-10-01", False), "shortlisted": False},
    ]


@pytest.fixture(scope="module")
def recruitment() -> duckdb.DuckDBPyConnection:
    return indicators(
        staff_in_post=[person("e1", "white")], recruitment=recruitment_rows(u1_international=False)
    )


def test_indicator2_rates_within_the_window(recruitment):
    # in the window: white w2 (appointed), w3; bme b1 (asian, appointed), b2, b3 (black);
    # unknown u1 (appointed)
    assert counts(recruitment, indicator=2, scope="trust", measure="rate", breakdown="") == {
        "white": (1, 2),
        "bme": (1, 3),
        "unknown": (1, 1),
        "asian": (1, 1),
        "black": (0, 2),
        "mixed": (0, 0),
        "other": (0, 0),
    }
    mixed = row(recruitment, indicator=2, scope="trust", breakdown="", ethnic_group="mixed")
    assert (mixed["value"], mixed["ci_low"], mixed["ci_high"], mixed["suppressed"]) == (
        None,
        None,
        None,
        False,
    )
    white = row(recruitment, indicator=2, scope="trust", breakdown="", ethnic_group="white")
    assert white["source_period"] == WINDOW
    assert white["measure"] == "rate"
    assert white["suppressed"] is True  # 1 and 2 are counts of 1-4


def test_indicator2_relative_likelihood(recruitment):
    rl = row(recruitment, indicator=2, scope="trust", breakdown="", measure="relative_likelihood")
    # (1/2) / (1/3) = 1.5; Katz: 1/1 - 1/2 + 1/1 - 1/3 = 1.166667, z * sqrt = 2.117003,
    # ln 1.5 = 0.405465: exp(0.405465 - 2.117003) = 0.180588, exp(0.405465 + 2.117003) = 12.459311
    assert rl["ethnic_group"] == "white_vs_bme"
    assert rl["value"] == pytest.approx(1.5)
    assert rl["ci_low"] == pytest.approx(0.180588, abs=1e-6)
    assert rl["ci_high"] == pytest.approx(12.459311, abs=1e-5)
    assert rl["interpretation"] == "adverse to bme"
    assert (rl["numerator"], rl["denominator"]) == (None, None)
    assert rl["suppressed"] is True
    assert rl["source_period"] == WINDOW


def test_indicator2_excluding_international(recruitment):
    # every shortlisted application in the window has international_recruit: b1 (True) drops out
    assert counts(
        recruitment, indicator=2, scope="trust", measure="rate", breakdown="excluding_international"
    ) == {
        "white": (1, 2),
        "bme": (0, 2),
        "unknown": (1, 1),
        "asian": (0, 0),
        "black": (0, 2),
        "mixed": (0, 0),
        "other": (0, 0),
    }
    rl = row(recruitment, indicator=2, breakdown="excluding_international", measure="relative_likelihood")
    # rate(bme) = 0: no value, no interval, no interpretation, NULL and not NaN
    assert (rl["value"], rl["ci_low"], rl["ci_high"], rl["interpretation"]) == (None, None, None, None)
    assert_no_nan_or_inf(recruitment)


def test_indicator2_no_excluding_international_when_a_value_is_missing():
    # u1 (in the window) has no international_recruit value; w1 and w4 (outside) never had one
    con = indicators(
        staff_in_post=[person("e1", "white")], recruitment=recruitment_rows(u1_international=None)
    )
    assert {r["breakdown"] for r in rows(con, indicator=2)} == {""}


def test_indicator2_scope_comes_from_the_application():
    con = indicators(
        staff_in_post=[person("e1", "white")],
        recruitment=[
            application("a1", "white", "2024-10-01", True, in_maternity_scope=True, role_group="midwives"),
            application("a2", "black", "2024-10-01", False),
        ],
    )
    assert counts(con, indicator=2, scope="maternity:midwives", measure="rate")["white"] == (1, 1)
    assert counts(con, indicator=2, scope="maternity:midwives", measure="rate")["bme"] == (0, 0)
    assert counts(con, indicator=2, scope="trust", measure="rate")["bme"] == (0, 1)
    assert not rows(con, indicator=2, scope="maternity:other")


def test_indicator2_leap_day_window():
    # D = 2024-02-29: DuckDB gives 2024-02-29 - 12 months = 2023-02-28 (outside); first day 2023-03-01
    con = indicators(
        staff_in_post=[person("e1", "white", snapshot_date="2024-02-29")],
        recruitment=[
            application("a1", "white", "2023-02-28", True),
            application("a2", "white", "2023-03-01", False),
            application("a3", "white", "2024-02-29", True),
        ],
    )
    white = row(con, indicator=2, breakdown="", ethnic_group="white")
    assert (white["numerator"], white["denominator"]) == (1, 2)
    assert white["source_period"] == "2023-03-01..2024-02-29"


def test_indicator2_significant_and_not_suppressed():
    # white 10 of 20 appointed, bme (all asian) 5 of 25: RL = 0.5 / 0.2 = 2.5
    # Katz: 1/10 - 1/20 + 1/5 - 1/25 = 0.21; z * sqrt(0.21) = 0.898168; ln 2.5 = 0.916291
    #   exp(0.018123) = 1.018288, exp(1.814459) = 6.137755
    apps = [application(f"w{i}", "white", "2024-10-01", i < 10) for i in range(20)]
    apps += [application(f"b{i}", "asian", "2024-10-01", i < 5) for i in range(25)]
    con = indicators(staff_in_post=[person("e1", "white")], recruitment=apps)
    rl = row(con, indicator=2, breakdown="", measure="relative_likelihood")
    assert rl["value"] == pytest.approx(2.5)
    assert rl["ci_low"] == pytest.approx(1.018288, abs=1e-6)
    assert rl["ci_high"] == pytest.approx(6.137755, abs=1e-6)
    assert rl["interpretation"] == "adverse to bme; significant"
    assert rl["suppressed"] is False
    suppressed = {r["ethnic_group"]: r["suppressed"] for r in rows(con, indicator=2, measure="rate")}
    # 10/20, 5/25, 5/25 are not small; 0/0 is not a disclosive count
    assert suppressed == {
        "white": False, "bme": False, "unknown": False, "asian": False,
        "black": False, "mixed": False, "other": False,
    }  # fmt: skip


# --- indicator 3 ----------------------------------------------------------------------------------


def case(case_id: str, employee_id: str, date: str, census_group: str | None = None, **columns) -> dict:
    return {
        "case_id": case_id,
        "employee_id": employee_id,
        "investigation_start_date": date,
        "census_group": census_group,
        **columns,
    }


MIDWIFE = {"in_maternity_scope": True, "role_group": "midwives"}


@pytest.fixture(scope="module")
def disciplinary() -> duckdb.DuckDBPyConnection:
    staff = [
        # the earlier snapshot: L1 (white midwife, later a leaver), L2 (bank only, later a leaver)
        person("L1", "white", snapshot_date=EARLIER, **MIDWIFE),
        person("L2", "white", snapshot_date=EARLIER, is_bank=True),
        person("p1", "white", snapshot_date=EARLIER),
        # D: p1 white midwife, p2 black, p3 white, p4 asian, K bank only (bme)
        person("p1", "white", **MIDWIFE),
        person("p2", "black"),
        person("p3", "white"),
        person("p4", "asian"),
        person("K", "black", is_bank=True),
    ]
    cases = [
        case("c1", "p1", "2024-05-01"),
        case("c2", "p2", "2024-06-01"),
        case("c3", "p2", "2024-07-01"),  # second case of p2: one employee
        # leaver found in the earlier snapshot (white midwife): the case row's own group is ignored
        case("c4", "L1", "2024-08-01", census_group="black"),
        # leavers found in no snapshot: the case row's group (mixed; not given = unknown)
        case("c5", "X", "2024-09-01", census_group="mixed"),
        case("c6", "Y", "2024-09-02", census_group=None, ethnic_group=None),
        case("c7", "K", "2024-10-01", census_group="black"),  # bank only at D: left out
        case("c8", "p3", "2024-03-31"),  # D - 12 months: outside the window
        case("c9", "p4", "2025-03-31"),  # on D: inside
        case("c10", "L2", "2024-11-01", census_group="white"),  # bank only where last seen: left out
        # a leaver found nowhere with two cases: the newer records no ethnicity, the older says mixed
        case("c11", "X", "2024-12-01", census_group=None, ethnic_group=None),
    ]
    return indicators(staff_in_post=staff, disciplinary=cases)


def test_indicator3_trust_counts_include_leavers(disciplinary):
    # numerators: white p1, L1; bme p2, X, p4; unknown Y; asian p4; black p2; mixed X
    # denominators, headcount at D (K bank only): white p1, p3; bme p2, p4; asian p4; black p2
    assert counts(disciplinary, indicator=3, scope="trust", measure="rate", snapshot_date=D) == {
        "white": (2, 2),
        "bme": (3, 2),
        "unknown": (1, 0),
        "asian": (1, 1),
        "black": (1, 1),
        "mixed": (1, 0),
        "other": (0, 0),
    }
    bme = row(disciplinary, indicator=3, scope="trust", ethnic_group="bme", snapshot_date=D)
    assert bme["value"] == pytest.approx(1.5)  # a numerator above its headcount is allowed
    assert (bme["ci_low"], bme["ci_high"]) == (None, None)  # but has no binomial interval
    unknown = row(disciplinary, indicator=3, scope="trust", ethnic_group="unknown", snapshot_date=D)
    assert unknown["value"] is None
    assert bme["source_period"] == WINDOW


def test_indicator3_relative_likelihood_is_bme_over_white(disciplinary):
    rl = row(disciplinary, indicator=3, scope="trust", measure="relative_likelihood", snapshot_date=D)
    # rate(bme) / rate(white) = (3/2) / (2/2) = 1.5; the bme count exceeds its headcount, and the Katz
    # variance 1/3 - 1/2 + 1/2 - 1/2 = -1/6 is negative: no interval
    assert rl["ethnic_group"] == "bme_vs_white"
    assert rl["value"] == pytest.approx(1.5)
    assert (rl["ci_low"], rl["ci_high"]) == (None, None)
    assert rl["interpretation"] == "adverse to bme"
    assert rl["suppressed"] is True


def test_indicator3_leavers_count_in_trust_only(disciplinary):
    # maternity at D: p1 only (L1 was a midwife, but as a leaver counts in trust only)
    for scope in ("maternity_neonatal", "maternity:midwives"):
        assert counts(disciplinary, indicator=3, scope=scope, measure="rate", snapshot_date=D)["white"] == (
            1,
            1,
        )
    rl = row(
        disciplinary, indicator=3, scope="maternity_neonatal", measure="relative_likelihood", snapshot_date=D
    )
    assert rl["value"] is None  # no bme headcount in maternity


def test_indicator3_earlier_snapshot_uses_its_own_window(disciplinary):
    # snapshot 2024-03-31, window 2023-04-01..2024-03-31: c8 (p3, 2024-03-31) falls inside, but
    # p3 is not in that snapshot nor any earlier one: the case row's group (unknown) counts in trust
    assert counts(disciplinary, indicator=3, scope="trust", measure="rate", snapshot_date=EARLIER) == {
        "white": (0, 2),  # L1, p1 (L2 bank)
        "bme": (0, 0),
        "unknown": (1, 0),
        "asian": (0, 0),
        "black": (0, 0),
        "mixed": (0, 0),
        "other": (0, 0),
    }
    assert (
        row(disciplinary, indicator=3, scope="trust", ethnic_group="white", snapshot_date=EARLIER)[
            "source_period"
        ]
        == "2023-04-01..2024-03-31"
    )
    assert_no_nan_or_inf(disciplinary)


# --- indicator 4 ----------------------------------------------------------------------------------


def test_indicator4_training():
    con = indicators(
        staff_in_post=[
            person("t1", "white"),
            person("t2", "white"),
            person("t3", "black"),
            person("t4", "asian"),
        ],
        training=[
            {"record_id": "r1", "employee_id": "t1", "start_date": "2024-04-01"},  # first day: in
            {"record_id": "r2", "employee_id": "t1", "start_date": "2024-05-01"},  # same person again
            {"record_id": "r3", "employee_id": "t2", "start_date": "2024-05-01", "mandatory": True},
            {"record_id": "r4", "employee_id": "t3", "start_date": "2024-03-31"},  # D - 12 months: out
            {"record_id": "r5", "employee_id": "t4", "start_date": "2025-03-31"},  # on D: in
            {"record_id": "r6", "employee_id": "gone", "start_date": "2024-06-01"},  # not in the snapshot
        ],
    )
    assert counts(con, indicator=4, scope="trust", measure="rate") == {
        "white": (1, 2),
        "bme": (1, 2),
        "unknown": (0, 0),
        "asian": (1, 1),
        "black": (0, 1),
        "mixed": (0, 0),
        "other": (0, 0),
    }
    rl = row(con, indicator=4, measure="relative_likelihood")
    # (1/2) / (1/2) = 1; Katz: 1 - 1/2 + 1 - 1/2 = 1, exp(-/+ 1.959964) = 0.140863 .. 7.099071
    assert rl["ethnic_group"] == "white_vs_bme"
    assert rl["value"] == pytest.approx(1.0)
    assert rl["ci_low"] == pytest.approx(0.140863, abs=1e-6)
    assert rl["ci_high"] == pytest.approx(7.099071, abs=1e-6)
    assert rl["interpretation"] == "no adverse impact"
    assert rl["source_period"] == WINDOW


# --- indicators 5-8 -------------------------------------------------------------------------------


def respondent(respondent_id: str, census_group: str | None, year: int, **answers) -> dict:
    return {"respondent_id": respondent_id, "census_group": census_group, "survey_year": year, **answers}


@pytest.fixture(scope="module")
def survey() -> duckdb.DuckDBPyConnection:
    return indicators(
        staff_in_post=[person("e1", "white"), person("e1", "white", snapshot_date=EARLIER)],
        staff_survey=[
            respondent("s1", "white", 2024, q14a=1, q14b=2, q15=1, q16b=2),
            respondent("s2", "white", 2024, q14a=3, q15=3),
            respondent("s3", "black", 2024, q14a=2, q14b=1, q14c=1, q15=2, q16b=1),
            respondent("s4", "asian", 2024, q14b=1, q14c=4, q16b=1, **MIDWIFE),
            respondent("s5", None, 2024, q14a=1, q15=1, q16b=2),
            # 2025 (fielded autumn 2025) is too new for D = 2025-03-31
            respondent("s6", "white", 2025, q14a=5, q14b=5, q15=2, q16b=1),
            # 2023 is the survey of the earlier snapshot 2024-03-31
            respondent("s7", "white", 2023, q14a=2),
        ],
    )


def test_indicator5_harassment_from_public(survey):
    # q14a >= 2 among answered: white s1 (1), s2 (3) -> 1/2; bme s3 (2) -> 1/1 (s4 did not answer)
    assert counts(survey, indicator=5, scope="trust", snapshot_date=D) == {
        "white": (1, 2),
        "bme": (1, 1),
        "unknown": (0, 1),
        "asian": (0, 0),
        "black": (1, 1),
        "mixed": (0, 0),
        "other": (0, 0),
    }
    white = row(survey, indicator=5, scope="trust", ethnic_group="white", snapshot_date=D)
    assert white["source_period"] == "NSS 2024"
    assert white["measure"] == "rate"
    assert white["breakdown"] == ""
    assert white["suppressed"] is True  # base 2 < 11


def test_indicator6_harassment_from_staff(survey):
    # q14b >= 2 or q14c >= 2 among either answered: white s1 (2) -> 1/1 (s2 answered neither);
    # bme s3 (1, 1) no, s4 (1, 4) yes -> 1/2; unknown s5 answered neither -> 0/0
    assert counts(survey, indicator=6, scope="trust", snapshot_date=D) == {
        "white": (1, 1),
        "bme": (1, 2),
        "unknown": (0, 0),
        "asian": (1, 1),
        "black": (0, 1),
        "mixed": (0, 0),
        "other": (0, 0),
    }


def test_indicator7_equal_opportunities(survey):
    # q15 = 1 among 1, 2, 3: white s1 (1), s2 (3) -> 1/2; bme s3 (2) -> 0/1; unknown s5 (1) -> 1/1
    found = counts(survey, indicator=7, scope="trust", snapshot_date=D)
    assert (found["white"], found["bme"], found["unknown"]) == ((1, 2), (0, 1), (1, 1))


def test_indicator8_discrimination(survey):
    # q16b = 1 among 1, 2: white s1 (2) -> 0/1; bme s3 (1), s4 (1) -> 2/2; unknown s5 (2) -> 0/1
    found = counts(survey, indicator=8, scope="trust", snapshot_date=D)
    assert (found["white"], found["bme"], found["unknown"], found["asian"]) == (
        (0, 1),
        (2, 2),
        (0, 1),
        (1, 1),
    )


def test_survey_scope_year_and_no_relative_likelihood(survey):
    # s4 is a midwife: maternity rows exist; 2024-03-31 uses the 2023 survey
    assert counts(survey, indicator=6, scope="maternity:midwives", snapshot_date=D)["asian"] == (1, 1)
    earlier = row(survey, indicator=5, scope="trust", ethnic_group="white", snapshot_date=EARLIER)
    assert (earlier["numerator"], earlier["denominator"], earlier["source_period"]) == (1, 1, "NSS 2023")
    assert not rows(survey, measure="relative_likelihood")
    assert {r["indicator"] for r in rows(survey)} == {1, 5, 6, 7, 8}


def test_survey_base_of_eleven_is_not_suppressed():
    answers = [respondent(f"s{i}", "white", 2024, q14a=2 if i < 5 else 1) for i in range(11)]
    answers += [respondent(f"t{i}", "black", 2024, q14a=2 if i < 5 else 1) for i in range(10)]
    con = indicators(staff_in_post=[person("e1", "white")], staff_survey=answers)
    # white 5 of 11: base 11 is enough; bme 5 of 10: base under 11
    assert row(con, indicator=5, ethnic_group="white")["suppressed"] is False
    assert row(con, indicator=5, ethnic_group="bme")["suppressed"] is True


# --- indicator 9 ----------------------------------------------------------------------------------


def member(member_id: str, census_group: str | None, board_date: str, voting: bool, executive: bool) -> dict:
    return {
        "member_id": member_id,
        "census_group": census_group,
        "board_date": board_date,
        "voting": voting,
        "executive": executive,
    }


@pytest.fixture(scope="module")
def board() -> duckdb.DuckDBPyConnection:
    earlier_staff = [person(f"a{i}", "white", snapshot_date=EARLIER) for i in range(7)]
    earlier_staff += [
        person("a7", "black", snapshot_date=EARLIER),
        person("a8", "asian", snapshot_date=EARLIER),
    ]
    earlier_staff += [person("a9", None, snapshot_date=EARLIER)]
    staff = [person(f"b{i}", "white") for i in range(6)]
    staff += [person(f"c{i}", "black") for i in range(5)]
    staff += [person("d0", None, **MIDWIFE)]
    members = [
        # 2024-01-15: voting m1 (bme), m2, m3, m4 (unknown); executive m1, m2, m5
        member("m1", "black", "2024-01-15", True, True),
        member("m2", "white", "2024-01-15", True, True),
        member("m3", "white", "2024-01-15", True, False),
        member("m4", None, "2024-01-15", True, False),
        member("m5", "white", "2024-01-15", False, True),
        # 2024-06-30: voting n1-n6, none bme (n6 unknown); executive n1, n2, x1 (bme, not voting)
        *[member(f"n{i}", "white", "2024-06-30", True, i <= 2) for i in range(1, 6)],
        member("n6", None, "2024-06-30", True, False),
        member("x1", "asian", "2024-06-30", False, True),
        # 2025-04-01: after D, used by no snapshot
        *[member(f"z{i}", "black", "2025-04-01", True, True) for i in range(3)],
    ]
    return indicators(staff_in_post=earlier_staff + staff, board=members)


def test_indicator9_earlier_snapshot(board):
    # 2024-03-31 uses the 2024-01-15 board: voting 1/4 = 0.25, executive 1/3;
    # workforce bme 2 of 10 (unknown in the base) = 0.2
    voting = row(board, indicator=9, measure="share", breakdown="voting", snapshot_date=EARLIER)
    assert (voting["numerator"], voting["denominator"], voting["value"]) == (1, 4, 0.25)
    assert voting["ethnic_group"] == "bme"
    assert voting["source_period"] == "2024-01-15"
    assert voting["suppressed"] is True
    diff = row(board, indicator=9, measure="difference", breakdown="voting", snapshot_date=EARLIER)
    assert diff["value"] == pytest.approx(0.25 - 0.2)
    executive = row(board, indicator=9, measure="difference", breakdown="executive", snapshot_date=EARLIER)
    assert executive["value"] == pytest.approx(1 / 3 - 0.2)
    assert (executive["numerator"], executive["denominator"], executive["ci_low"]) == (None, None, None)


def test_indicator9_uses_the_newest_board_on_or_before_d(board):
    # D = 2025-03-31 uses 2024-06-30 (not 2025-04-01): voting 0 of 6; executive 1 of 3 (x1)
    # workforce bme: 5 of 12 = 0.416667
    voting = row(board, indicator=9, measure="share", breakdown="voting", snapshot_date=D)
    assert (voting["numerator"], voting["denominator"], voting["value"]) == (0, 6, 0.0)
    # Wilson 0 of 6: 0 .. z^2 / (6 + z^2) = 3.841459 / 9.841459 = 0.390334
    assert voting["ci_low"] == 0.0
    assert voting["ci_high"] == pytest.approx(0.390334, abs=1e-6)
    assert voting["source_period"] == "2024-06-30"
    assert voting["suppressed"] is False
    diff = row(board, indicator=9, measure="difference", breakdown="voting", snapshot_date=D)
    assert diff["value"] == pytest.approx(0 - 5 / 12)
    assert diff["suppressed"] is False  # 0 of 6 and 5 of 12: no count of 1-4
    executive = row(board, indicator=9, measure="share", breakdown="executive", snapshot_date=D)
    assert (executive["numerator"], executive["denominator"]) == (1, 3)
    exec_diff = row(board, indicator=9, measure="difference", breakdown="executive", snapshot_date=D)
    assert exec_diff["value"] == pytest.approx(1 / 3 - 5 / 12)
    assert exec_diff["suppressed"] is True  # rests on a share of 1 of 3


def test_indicator9_is_trust_only_and_in_a_stable_order(board):
    nine = rows(board, indicator=9, snapshot_date=D)
    assert [(r["scope"], r["breakdown"], r["measure"]) for r in nine] == [
        ("trust", "voting", "share"),
        ("trust", "voting", "difference"),
        ("trust", "executive", "share"),
        ("trust", "executive", "difference"),
    ]


# --- the table as a whole -------------------------------------------------------------------------


def full_fixture() -> duckdb.DuckDBPyConnection:
    staff = PEOPLE_RULES_STAFF + [
        person("m1", "black", **MIDWIFE),
        person("m1", "black", snapshot_date=EARLIER),
    ]
    return indicators(
        staff_in_post=staff,
        recruitment=recruitment_rows(u1_international=False),
        disciplinary=[case("c1", "e1", "2024-05-01"), case("c2", "gone", "2024-06-01", census_group="other")],
        training=[{"record_id": "r1", "employee_id": "m1"}],
        staff_survey=[
            respondent("s1", "white", 2024, q14a=2, q15=1),
            respondent("s2", "black", 2024, q14a=1),
        ],
        board=[
            member("m1", "black", "2024-01-01", True, True),
            member("m2", "white", "2024-01-01", True, False),
        ],
    )


def test_same_input_gives_identical_table():
    first = full_fixture().execute("select * from marts.wres_indicators").fetchall()
    second = full_fixture().execute("select * from marts.wres_indicators").fetchall()
    assert first == second
    assert len(first) > 100


def test_one_row_per_key_and_no_nan():
    con = full_fixture()
    duplicates = con.execute(
        "select count(*) from (select organisation_code, snapshot_date, scope, indicator, measure, "
        "ethnic_group, breakdown from marts.wres_indicators group by all having count(*) > 1)"
    ).fetchone()[0]
    assert duplicates == 0
    assert_no_nan_or_inf(con)
    assert {r["indicator"] for r in rows(con, snapshot_date=D)} == set(range(1, 10))
    # interpretation only on relative likelihoods
    assert rows(con, measure="rate", interpretation="adverse to bme") == []


def test_an_empty_event_file_means_nothing_happened_not_no_data():
    # two white and one bme employee at D; a disciplinary file with a header and no rows was loaded
    staff = [person("E1", "white"), person("E2", "white"), person("E3", "asian")]
    con = run_indicator_models(build_staging(staff_in_post=staff, loaded_kinds=[("disciplinary", None)]))
    assert counts(con, indicator=3, measure="rate", scope="trust", breakdown="") == {
        "white": (0, 2),
        "bme": (0, 1),
        "unknown": (0, 0),
        "asian": (0, 1),
        "black": (0, 0),
        "mixed": (0, 0),
        "other": (0, 0),
    }
    # 0 / 2 against 0 / 1: the denominator rate is zero, so the relative likelihood has no value
    rl = row(con, indicator=3, measure="relative_likelihood", scope="trust")
    assert rl["value"] is None and rl["interpretation"] is None
    # no training file at all: no indicator 4 rows (no data is not "nothing happened")
    assert rows(con, indicator=4) == []


def test_an_empty_survey_file_is_the_newest_survey_not_a_gap_to_fill_from_an_older_one():
    """CONTRACT: a survey file with a header and no rows is valid (nothing happened), and indicators
    5-8 for D use the newest loaded survey of year <= D's year - 1. With an empty 2024 survey loaded
    beside a 2023 one with two respondents, D = 2025-03-31 rests on 2024: no respondents, no rows;
    the earlier snapshot 2024-03-31 still uses 2023 (one white respondent, q14a = 2: 1 of 1)."""
    staff = [person("e1", "white"), person("e1", "white", snapshot_date=EARLIER)]
    answers = [respondent("s1", "white", 2023, q14a=2), respondent("s2", "black", 2023, q14a=1)]
    con = run_indicator_models(
        build_staging(
            staff_in_post=staff,
            staff_survey=answers,
            loaded_kinds=[
                ("staff_in_post", "RXX"),
                ("staff_survey", "RXX", 2023),
                ("staff_survey", None, 2024),
            ],
        )
    )
    assert rows(con, indicator=5, snapshot_date=D) == []
    assert {r["indicator"] for r in rows(con, snapshot_date=D)} == {1}
    earlier = row(con, indicator=5, scope="trust", ethnic_group="white", snapshot_date=EARLIER)
    assert (earlier["numerator"], earlier["denominator"], earlier["source_period"]) == (1, 1, "NSS 2023")


def test_an_other_organisations_event_file_does_not_speak_for_this_one():
    staff = [person("E1", "white"), {**person("F1", "white"), "organisation_code": "RYY"}]
    con = run_indicator_models(build_staging(staff_in_post=staff, loaded_kinds=[("training", "RYY")]))
    assert {r["organisation_code"] for r in rows(con, indicator=4)} == {"RYY"}
