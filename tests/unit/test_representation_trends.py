"""marts.representation_trends: each representation row beside the previous snapshot's and the one a
year earlier, through the whole model chain.

By hand, organisation RXX against a reference population "local" of Asian 100, Black 100, Mixed 0,
White 800, Other 0 (shares 0.1, 0.1, 0, 0.8, 0), all staff of known ethnicity:

| snapshot   | White | Asian | Black | Asian share, ratio | Black share, ratio |
|------------|------:|------:|------:|--------------------|--------------------|
| 2024-03-31 |     8 |     2 |     0 | 0.2, 2.0           | 0.0, 0.0           |
| 2024-09-30 |     6 |     3 |     1 | 0.3, 3.0           | 0.1, 1.0           |
| 2025-03-31 |     7 |     2 |     1 | 0.2, 2.0           | 0.1, 1.0           |

For 2025-03-31 the previous snapshot is 2024-09-30 and the year-earlier one 2024-03-31 (0 days
off); for 2024-09-30 the previous is 2024-03-31 and none lies within 45 days of 2023-09-30.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.staging_builder import build_staging
from wres.config import Settings
from wres.models import model_files, run_models
from wres.reference import census_reference

HEADCOUNTS = {
    "2024-03-31": {"white": 8, "asian": 2},
    "2024-09-30": {"white": 6, "asian": 3, "black": 1},
    "2025-03-31": {"white": 7, "asian": 2, "black": 1},
}
LOCAL = {"Asian": 100, "Black": 100, "Mixed": 0, "White": 800, "Other": 0}


@pytest.fixture(scope="module")
def trends() -> dict[tuple, dict]:
    staff = [
        {"snapshot_date": date, "employee_id": f"{group}{i}", "census_group": group}
        for date, groups in HEADCOUNTS.items()
        for group, count in groups.items()
        for i in range(count)
    ]
    references = [
        {"reference_population": "local", "organisation_code": "RXX", "ethnic_group": group, "population": n}
        for group, n in LOCAL.items()
    ]
    con = build_staging(
        staff_in_post=staff, reference_population=references, census2021=census_reference().to_dicts()
    )
    run_models(con, Settings(), model_files())
    [(representation_rows,)] = con.execute("select count(*) from marts.representation").fetchall()
    frame = con.sql("select * from marts.representation_trends").pl()
    con.close()
    assert frame.height == representation_rows > 0
    return {
        (str(r["snapshot_date"]), r["reference_population"], r["ethnic_group"]): r
        for r in frame.filter(frame["scope"] == "trust").to_dicts()
    }


def test_comparison_snapshots(trends):
    latest = trends[("2025-03-31", "local", "Asian")]
    assert latest["previous_snapshot_date"] == dt.date(2024, 9, 30)
    assert latest["year_earlier_snapshot_date"] == dt.date(2024, 3, 31)
    middle = trends[("2024-09-30", "local", "Asian")]
    assert middle["previous_snapshot_date"] == dt.date(2024, 3, 31)
    assert middle["year_earlier_snapshot_date"] is None
    first = trends[("2024-03-31", "census2021", "White")]
    assert first["previous_snapshot_date"] is None
    assert first["previous_ratio"] is None


@pytest.mark.parametrize(
    (
        "group",
        "previous_share",
        "previous_ratio",
        "share_change",
        "ratio_change",
        "year_share_change",
        "year_ratio_change",
    ),
    [
        ("Asian", 0.3, 3.0, -0.1, -1.0, 0.0, 0.0),
        ("Black", 0.1, 1.0, 0.0, 0.0, 0.1, 1.0),
        ("White", 0.6, 0.75, 0.1, 0.125, -0.1, -0.125),
    ],
)
def test_changes_at_the_latest_snapshot(
    trends,
    group,
    previous_share,
    previous_ratio,
    share_change,
    ratio_change,
    year_share_change,
    year_ratio_change,
):
    row = trends[("2025-03-31", "local", group)]
    assert row["previous_workforce_share"] == pytest.approx(previous_share)
    assert row["previous_ratio"] == pytest.approx(previous_ratio)
    assert row["share_change_from_previous"] == pytest.approx(share_change, abs=1e-12)
    assert row["ratio_change_from_previous"] == pytest.approx(ratio_change, abs=1e-12)
    assert row["share_change_from_year_earlier"] == pytest.approx(year_share_change, abs=1e-12)
    assert row["ratio_change_from_year_earlier"] == pytest.approx(year_ratio_change, abs=1e-12)


def test_a_ratio_without_value_has_no_change(trends):
    mixed = trends[("2025-03-31", "local", "Mixed")]  # reference share 0: no ratio at any snapshot
    assert mixed["ratio"] is None
    assert mixed["ratio_change_from_previous"] is None
    assert mixed["share_change_from_previous"] == pytest.approx(0.0)


def test_both_sides_suppressed_flags_are_carried(trends):
    black = trends[("2025-03-31", "local", "Black")]
    # 1 Black person now and at the previous snapshot (hidden); 0 a year earlier (shown)
    assert (black["suppressed"], black["previous_suppressed"], black["year_earlier_suppressed"]) == (
        True,
        True,
        False,
    )
