"""Funnel-plot statistics (wres.funnel), on small published-indicator frames built by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from tests.contract_schemas import INDICATOR_SCHEMA
from wres.funnel import (
    ABOVE_95,
    ABOVE_998,
    BELOW_95,
    BELOW_998,
    INSIDE,
    funnel,
    national_funnels,
    organisation_sizes,
    proportion_limits,
    size_grid,
    z_value,
)

D = dt.date(2025, 3, 31)
# the published indicator columns these tests fill (tests/contract_schemas.py has the table's types)
SCHEMA = {
    name: INDICATOR_SCHEMA[name]
    for name in (
        "organisation_code",
        "snapshot_date",
        "scope",
        "indicator",
        "measure",
        "ethnic_group",
        "breakdown",
        "numerator",
        "denominator",
        "value",
        "suppressed",
    )
}


def row(
    org,
    indicator,
    measure,
    group,
    breakdown,
    numerator,
    denominator,
    value=None,
    *,
    scope="trust",
    hidden=False,
):
    if value is None and numerator is not None and denominator:
        value = numerator / denominator
    if hidden:  # as published: a hidden cell keeps its row and shows nothing
        numerator = denominator = value = None
    return {
        "organisation_code": org,
        "snapshot_date": D,
        "scope": scope,
        "indicator": indicator,
        "measure": measure,
        "ethnic_group": group,
        "breakdown": breakdown,
        "numerator": numerator,
        "denominator": denominator,
        "value": value,
        "suppressed": hidden,
    }


def frame(rows):
    return pl.DataFrame(rows, schema=SCHEMA)


def share(org, bme, people, *, scope="trust", hidden=False):
    """Indicator 1, all|all: the BME row, and a white row carrying the same denominator (the size)."""
    return [
        row(org, 1, "share", "bme", "all|all", bme, people, scope=scope, hidden=hidden),
        row(org, 1, "share", "white", "all|all", people - bme, people, scope=scope, hidden=hidden),
    ]


def test_z_values_are_the_normal_quantiles():
    assert z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_value(0.998) == pytest.approx(3.090232, abs=1e-6)


@pytest.mark.parametrize(
    ("p0", "n", "level", "low", "high"),
    [
        # 0.2 +/- 1.959964 * sqrt(0.2 * 0.8 / 100) = 0.2 +/- 1.959964 * 0.04
        (0.2, 100, 0.95, 0.1216014, 0.2783986),
        # 0.2 +/- 3.090232 * 0.04
        (0.2, 100, 0.998, 0.0763907, 0.3236093),
        # 0.5 +/- 1.959964 * sqrt(0.25 / 400) = 0.5 +/- 1.959964 * 0.025
        (0.5, 400, 0.95, 0.4510009, 0.5489991),
        # 0.02 - 3.090232 * sqrt(0.0196 / 10) < 0: clipped to 0
        (0.02, 10, 0.998, 0.0, 0.02 + 3.090232 * (0.0196 / 10) ** 0.5),
    ],
)
def test_proportion_limits(p0, n, level, low, high):
    assert proportion_limits(p0, n, level) == pytest.approx((low, high), abs=1e-6)


def test_pooled_centre_of_three_trusts_leaves_out_the_hidden_one_and_counts_it():
    rows = [
        *share("A", 30, 100),
        *share("B", 50, 200),
        *share("C", 20, 100),
        *share("D", 3, 60, hidden=True),
    ]
    result = funnel(frame(rows), snapshot=D, scope="trust", indicator=1)
    assert result.centre == pytest.approx(100 / 400)  # (30 + 50 + 20) / (100 + 200 + 100)
    assert result.pooled == 3
    assert result.hidden == 1
    assert result.no_value == 0
    assert result.points["organisation_code"].to_list() == ["A", "B", "C"]
    assert result.organisations == 4
    # A's limits at its size 100 (indicator 1: one person per head): 0.25 +/- z * sqrt(0.1875 / 100)
    a = result.points.row(0, named=True)
    assert (a["low_95"], a["high_95"]) == pytest.approx((0.1651311, 0.3348689), abs=1e-6)
    assert (a["low_998"], a["high_998"]) == pytest.approx((0.1161890, 0.3838110), abs=1e-6)


def test_positions_against_the_limits():
    # five trusts of 100 people, 125 BME in all: centre 0.25, limits as in the test above
    rows = [
        *share("LOW", 10, 100),  # 0.10 < 0.1162: below the 99.8% limit
        *share("LOWISH", 15, 100),  # 0.1162 < 0.15 < 0.1651: below the 95% limit only
        *share("MID", 25, 100),  # inside
        *share("HIGHISH", 35, 100),  # 0.3349 < 0.35 < 0.3838: above the 95% limit only
        *share("HIGH", 40, 100),  # 0.40 > 0.3838: above the 99.8% limit
    ]
    result = funnel(frame(rows), snapshot=D, scope="trust", indicator=1)
    assert result.centre == pytest.approx(0.25)
    positions = dict(result.points.select("organisation_code", "position").iter_rows())
    assert positions == {
        "LOW": BELOW_998,
        "LOWISH": BELOW_95,
        "MID": INSIDE,
        "HIGHISH": ABOVE_95,
        "HIGH": ABOVE_998,
    }
    assert result.outside(ABOVE_998)["organisation_code"].to_list() == ["HIGH"]
    assert result.outside(BELOW_998)["organisation_code"].to_list() == ["LOW"]


def rl_rows(org, white, bme, value, *, hidden_rates=False, hidden=False):
    """Indicator 2 rows: white and BME rates (appointed / shortlisted) and the relative likelihood."""
    return [
        row(org, 2, "rate", "white", "", *white, hidden=hidden_rates or hidden),
        row(org, 2, "rate", "bme", "", *bme, hidden=hidden_rates or hidden),
        row(org, 2, "relative_likelihood", "white_vs_bme", "", None, None, value, hidden=hidden),
    ]


def test_relative_likelihood_limits_on_the_log_scale():
    rows = [
        *share("T1", 200, 1000),
        *share("T2", 200, 1000),
        *share("T3", 200, 1000),
        *share("T4", 200, 1000),
        *rl_rows("T1", (150, 500), (50, 250), 1.5),
        *rl_rows("T2", (150, 500), (50, 250), 1.5),
        # rates hidden (a second cell), likelihood shown: drawn, not pooled
        *rl_rows("T3", (0, 0), (0, 0), 2.5, hidden_rates=True),
        *rl_rows("T4", (0, 0), (0, 0), 9.9, hidden=True),
    ]
    result = funnel(frame(rows), snapshot=D, scope="trust", indicator=2)
    # pooled over T1 and T2: white 300 / 1000 = 0.3, BME 100 / 500 = 0.2, RL0 = 0.3 / 0.2 = 1.5
    assert result.centre == pytest.approx(1.5)
    assert result.pooled == 2
    assert result.hidden == 1
    assert result.points["organisation_code"].to_list() == ["T1", "T2", "T3"]
    # per head: white 1000 / 2000 = 0.5, BME 500 / 2000 = 0.25 shortlisted; at n = 1000, 500 and 250.
    # Katz: var = (1 - 0.3) / (0.3 * 500) + (1 - 0.2) / (0.2 * 250) = 0.0046667 + 0.016 = 0.0206667,
    # sd = 0.1437591; 95%: 1.5 * exp(-/+ 1.959964 * 0.1437591) = 1.5 * exp(-/+ 0.2817626)
    # = 1.131679 / 1.988196; 99.8%: 1.5 * exp(-/+ 0.4442488) = 0.961959 / 2.338978
    t3 = result.points.filter(pl.col("organisation_code") == "T3").row(0, named=True)
    assert (t3["low_95"], t3["high_95"]) == pytest.approx((1.131679, 1.988196), abs=1e-5)
    assert (t3["low_998"], t3["high_998"]) == pytest.approx((0.961959, 2.338978), abs=1e-5)
    assert t3["position"] == ABOVE_998  # 2.5 > 2.338978
    assert result.points.filter(pl.col("organisation_code") == "T1")["position"].item() == INSIDE


def test_board_difference_centre_and_limits():
    rows = [
        *share("A", 100, 400),
        *share("B", 300, 600),
        row("A", 9, "share", "bme", "voting", 5, 10),
        row("B", 9, "share", "bme", "voting", 0, 10),
        row("A", 9, "difference", "bme", "voting", None, None, 0.5 - 0.25),
        row("B", 9, "difference", "bme", "voting", None, None, 0.0 - 0.5),
    ]
    result = funnel(frame(rows), snapshot=D, scope="trust", indicator=9)
    # board 5 / 20 = 0.25, workforce 400 / 1000 = 0.4: centre -0.15
    assert result.centre == pytest.approx(-0.15)
    # at A's size 400 with the mean board of 10: var = 0.25 * 0.75 / 10 + 0.4 * 0.6 / 400
    # = 0.01875 + 0.0006 = 0.01935, sd = 0.1391043; 95%: -0.15 -/+ 1.959964 * 0.1391043 = -/+ 0.2726394
    a = result.points.filter(pl.col("organisation_code") == "A").row(0, named=True)
    assert (a["low_95"], a["high_95"]) == pytest.approx((-0.4226394, 0.1226394), abs=1e-6)
    assert a["position"] == ABOVE_95  # 0.25 lies between 0.1226 and -0.15 + 3.090232 * 0.1391043 = 0.2799


def test_no_limits_when_the_national_proportion_is_zero():
    rows = [
        row("A", 5, "rate", "bme", "", 0, 40),
        row("B", 5, "rate", "bme", "", 0, 50),
        *share("A", 60, 300),
        *share("B", 70, 350),
    ]
    result = funnel(frame(rows), snapshot=D, scope="trust", indicator=5)
    assert result.centre is None
    assert result.limits.is_empty()
    assert result.points["position"].to_list() == [None, None]


def test_survey_limits_use_the_national_answers_per_head():
    # 100 of 400 answers over 2000 people: p0 = 0.25, 0.2 answers per head; at size 1000, n = 200
    rows = [
        row("A", 8, "rate", "bme", "", 40, 200),
        row("B", 8, "rate", "bme", "", 60, 200),
        *share("A", 100, 1000),
        *share("B", 100, 1000),
    ]
    result = funnel(frame(rows), snapshot=D, scope="trust", indicator=8)
    a = result.points.row(0, named=True)
    assert a["high_95"] == pytest.approx(0.25 + 1.959964 * (0.1875 / 200) ** 0.5, abs=1e-6)


def test_size_is_the_scope_headcount_and_unknown_when_all_rows_are_hidden():
    rows = [
        *share("A", 30, 300),
        *share("A", 6, 40, scope="maternity_neonatal"),
        *share("B", 30, 300),
        *share("B", 2, 8, scope="maternity_neonatal", hidden=True),
        row("B", 1, "share", "unknown", "all|all", 0, 8, scope="maternity_neonatal"),  # shown: size 8
        *share("C", 30, 300),
        *share("C", 1, 6, scope="maternity_neonatal", hidden=True),
    ]
    sizes = organisation_sizes(frame(rows), snapshot=D, scope="maternity_neonatal")
    assert sizes.rows() == [("A", 40), ("B", 8), ("C", None)]
    result = funnel(frame(rows), snapshot=D, scope="maternity_neonatal", indicator=1)
    assert result.hidden == 2  # B's BME share and C's are hidden
    assert result.points["organisation_code"].to_list() == ["A"]


def test_national_funnels_cover_the_indicators_present_in_each_scope():
    rows = [
        *share("A", 30, 300),
        *share("A", 6, 40, scope="maternity_neonatal"),
        *rl_rows("A", (10, 50), (5, 20), 0.8),
    ]
    found = [(f.scope, f.measure.indicator) for f in national_funnels(frame(rows), snapshot=D)]
    assert found == [("trust", 1), ("trust", 2), ("maternity_neonatal", 1)]


def test_size_grid_is_geometric():
    assert size_grid(10, 1000, 3) == pytest.approx([10, 100, 1000])
    assert size_grid(0.2, 4, 3) == pytest.approx([1, 2, 4])  # sizes below one person are not drawn
