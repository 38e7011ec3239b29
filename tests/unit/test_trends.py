"""marts.wres_indicator_trends: each value beside the previous snapshot and the one a year earlier.

Snapshots by hand (days from "snapshot less one year"):
- RAA: 2023-03-31, 2024-03-31, 2025-04-30. For 2025-04-30 the target is 2024-04-30; 2024-03-31 is
  30 days off (kept), 2023-03-31 is 396 days off.
- RBB: 2024-03-31, 2025-05-16. Target 2024-05-16; 2024-03-31 is 46 days off: no year-earlier value.
- RCC: 2024-03-31, 2025-05-15. Target 2024-05-15; 2024-03-31 is 45 days off: kept (inclusive).
- RDD: 2024-03-01, 2024-03-31, 2025-03-16. Target 2024-03-16; both are 15 days off: the earlier.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from tests.staging_builder import build_staging
from wres.config import Settings
from wres.models import model_files, run_models
from wres.resources import resource_dir

MARTS = resource_dir("sql") / "marts"
TRENDS_SQL = [MARTS / "055_snapshot_comparisons.sql", MARTS / "060_trends.sql"]

COLUMNS = (
    "organisation_code varchar, snapshot_date date, scope varchar, indicator integer, measure varchar, "
    "ethnic_group varchar, breakdown varchar, numerator bigint, denominator bigint, value double, "
    "ci_low double, ci_high double, interpretation varchar, suppressed boolean, source_period varchar"
)

# organisation, snapshot, indicator, measure, ethnic_group, breakdown, value, suppressed
ROWS = [
    ("RAA", "2023-03-31", 1, "share", "bme", "all|all", 0.20, True),
    ("RAA", "2024-03-31", 1, "share", "bme", "all|all", 0.25, False),
    ("RAA", "2025-04-30", 1, "share", "bme", "all|all", 0.31, False),
    # a series missing at 2024-03-31
    ("RAA", "2023-03-31", 2, "relative_likelihood", "white_vs_bme", "", 1.50, False),
    ("RAA", "2025-04-30", 2, "relative_likelihood", "white_vs_bme", "", 1.20, False),
    # a relative likelihood without a value
    ("RAA", "2024-03-31", 3, "relative_likelihood", "bme_vs_white", "", None, False),
    ("RAA", "2025-04-30", 3, "relative_likelihood", "bme_vs_white", "", 2.00, False),
    ("RBB", "2024-03-31", 1, "share", "bme", "all|all", 0.10, False),
    ("RBB", "2025-05-16", 1, "share", "bme", "all|all", 0.12, False),
    ("RCC", "2024-03-31", 1, "share", "bme", "all|all", 0.40, True),
    ("RCC", "2025-05-15", 1, "share", "bme", "all|all", 0.45, False),
    ("RDD", "2024-03-01", 1, "share", "bme", "all|all", 0.50, False),
    ("RDD", "2024-03-31", 1, "share", "bme", "all|all", 0.55, False),
    ("RDD", "2025-03-16", 1, "share", "bme", "all|all", 0.60, False),
    # another band of RDD: a different series at the same snapshots
    ("RDD", "2024-03-01", 1, "share", "bme", "all|Band 5", 0.70, False),
    ("RDD", "2025-03-16", 1, "share", "bme", "all|Band 5", 0.65, False),
]


@pytest.fixture(scope="module")
def trends() -> dict[tuple, dict]:
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(f"create table marts.wres_indicators ({COLUMNS})")
    for org, date, indicator, measure, group, breakdown, value, suppressed in ROWS:
        con.execute(
            "insert into marts.wres_indicators values (?, ?, 'trust', ?, ?, ?, ?, null, null, ?, null, null, "
            "null, ?, 'p')",
            [org, date, indicator, measure, group, breakdown, value, suppressed],
        )
    run_models(con, Settings(), files=TRENDS_SQL)
    frame = con.sql("select * from marts.wres_indicator_trends").pl()
    out = {
        (r["organisation_code"], str(r["snapshot_date"]), r["indicator"], r["breakdown"]): r
        for r in frame.to_dicts()
    }
    con.close()
    return out


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


# key, previous date, previous value, year-earlier date, year-earlier value
EXPECTED = [
    (("RAA", "2023-03-31", 1, "all|all"), None, None, None, None),
    (("RAA", "2024-03-31", 1, "all|all"), "2023-03-31", 0.20, "2023-03-31", 0.20),
    (("RAA", "2025-04-30", 1, "all|all"), "2024-03-31", 0.25, "2024-03-31", 0.25),
    (("RAA", "2025-04-30", 2, ""), "2024-03-31", None, "2024-03-31", None),
    (("RAA", "2025-04-30", 3, ""), "2024-03-31", None, "2024-03-31", None),
    (("RBB", "2025-05-16", 1, "all|all"), "2024-03-31", 0.10, None, None),
    (("RCC", "2025-05-15", 1, "all|all"), "2024-03-31", 0.40, "2024-03-31", 0.40),
    (("RDD", "2024-03-31", 1, "all|all"), "2024-03-01", 0.50, None, None),
    (("RDD", "2025-03-16", 1, "all|all"), "2024-03-31", 0.55, "2024-03-01", 0.50),
    (("RDD", "2025-03-16", 1, "all|Band 5"), "2024-03-31", None, "2024-03-01", 0.70),
]


@pytest.mark.parametrize(("key", "previous_date", "previous", "earlier_date", "earlier"), EXPECTED)
def test_previous_and_year_earlier_picks(trends, key, previous_date, previous, earlier_date, earlier):
    row = trends[key]
    assert row["previous_snapshot_date"] == _date(previous_date)
    assert row["previous_value"] == previous
    assert row["year_earlier_snapshot_date"] == _date(earlier_date)
    assert row["year_earlier_value"] == earlier


@pytest.mark.parametrize(
    ("key", "change_previous", "change_year"),
    [
        (("RAA", "2024-03-31", 1, "all|all"), 0.05, 0.05),  # 0.25 - 0.20
        (("RAA", "2025-04-30", 1, "all|all"), 0.06, 0.06),  # 0.31 - 0.25
        (("RDD", "2025-03-16", 1, "all|all"), 0.05, 0.10),  # 0.60 - 0.55, 0.60 - 0.50
        (("RDD", "2025-03-16", 1, "all|Band 5"), None, -0.05),  # 0.65 - 0.70
        (("RBB", "2025-05-16", 1, "all|all"), 0.02, None),  # 0.12 - 0.10; no year-earlier snapshot
        (("RAA", "2024-03-31", 3, ""), None, None),  # a value that is NULL has no change
        (("RAA", "2025-04-30", 3, ""), None, None),  # nor does one beside a NULL
    ],
)
def test_changes(trends, key, change_previous, change_year):
    row = trends[key]
    for column, expected in (
        ("change_from_previous", change_previous),
        ("change_from_year_earlier", change_year),
    ):
        if expected is None:
            assert row[column] is None
        else:
            assert row[column] == pytest.approx(expected)


def test_suppressed_flags_of_both_sides_are_carried(trends):
    raa = trends[("RAA", "2024-03-31", 1, "all|all")]
    assert (raa["suppressed"], raa["previous_suppressed"], raa["year_earlier_suppressed"]) == (
        False,
        True,
        True,
    )
    rcc = trends[("RCC", "2025-05-15", 1, "all|all")]
    assert (rcc["suppressed"], rcc["previous_suppressed"], rcc["year_earlier_suppressed"]) == (
        False,
        True,
        True,
    )
    rbb = trends[("RBB", "2025-05-16", 1, "all|all")]
    assert (rbb["previous_suppressed"], rbb["year_earlier_suppressed"]) == (False, None)


def test_every_indicator_row_appears_once(trends):
    assert len(trends) == len(ROWS)


def test_every_column_has_a_comment():
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(f"create table marts.wres_indicators ({COLUMNS})")
    run_models(con, Settings(), files=TRENDS_SQL)
    [(table_comment,)] = con.execute(
        "select comment from duckdb_views() "
        "where schema_name = 'marts' and view_name = 'wres_indicator_trends'"
    ).fetchall()
    columns = con.execute(
        "select column_name, comment from duckdb_columns() "
        "where schema_name = 'marts' and table_name = 'wres_indicator_trends'"
    ).fetchall()
    con.close()
    assert table_comment
    assert len(columns) == 15 + 8
    assert [name for name, comment in columns if not comment] == []


def test_trends_of_the_real_indicator_models():
    """The whole model chain: 2 of 10 staff BME at 2024-03-31, 3 of 10 at 2025-03-31."""
    staff = []
    for date, white, asian in (("2024-03-31", 8, 2), ("2025-03-31", 7, 3)):
        staff += [
            {"snapshot_date": date, "employee_id": f"w{i}", "census_group": "white"} for i in range(white)
        ]
        staff += [
            {"snapshot_date": date, "employee_id": f"a{i}", "census_group": "asian"} for i in range(asian)
        ]
    con = build_staging(staff_in_post=staff, census2021=[])
    run_models(con, Settings(), model_files())
    [(indicator_rows,)] = con.execute("select count(*) from marts.wres_indicators").fetchall()
    [(trend_rows,)] = con.execute("select count(*) from marts.wres_indicator_trends").fetchall()
    bme = con.execute(
        "select previous_snapshot_date, previous_value, change_from_previous, year_earlier_snapshot_date, "
        "change_from_year_earlier from marts.wres_indicator_trends where snapshot_date = '2025-03-31' "
        "and scope = 'trust' and indicator = 1 and ethnic_group = 'bme' and breakdown = 'all|all'"
    ).fetchall()
    con.close()
    assert trend_rows == indicator_rows > 0
    [(previous_date, previous, change, year_earlier_date, year_change)] = bme
    assert (previous_date, year_earlier_date) == (dt.date(2024, 3, 31), dt.date(2024, 3, 31))
    assert previous == pytest.approx(0.2)
    assert change == pytest.approx(0.1)  # 3/10 - 2/10
    assert year_change == pytest.approx(0.1)
