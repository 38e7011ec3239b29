"""The statistics macros of sql/macros (Wilson, Katz, interpretation, small counts) against
published worked examples and hand arithmetic. z = 1.959964 throughout."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import duckdb
import pytest
from statsmodels.stats.proportion import proportion_confint

from wres.config import Disclosure, Interpretation, Settings
from wres.models import write_settings

MACRO_DIR = Path(__file__).resolve().parents[2] / "sql" / "macros"


def macro_connection(settings: Settings | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    write_settings(con, settings or Settings())
    for path in sorted(MACRO_DIR.glob("*.sql")):
        con.execute(path.read_text(encoding="utf-8"))
    return con


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return macro_connection()


def one(con: duckdb.DuckDBPyConnection, expression: str):
    return con.execute(f"select {expression}").fetchone()[0]


# --- relative likelihood and Katz interval: published trust reports -----------------------------


def test_christie_2022_23_appointment_relative_likelihood(con):
    # The Christie 2022-23: white shortlisted 46.99% appointed, BAME 14.65% -> "3.2 times".
    # Counts chosen to reproduce those rates: white 312 / 664 = 0.469880 (46.99%),
    # BAME 57 / 389 = 0.146530 (14.65%). RL = 0.469880 / 0.146530 = 3.2067.
    # Katz: 1/312 - 1/664 + 1/57 - 1/389 = 0.0032051 - 0.0015060 + 0.0175439 - 0.0025707
    #       = 0.0166723; se = sqrt(0.0166723) = 0.129121; z*se = 0.253073
    #       ln 3.2067 = 1.165249; exp(1.165249 -/+ 0.253073) = 2.4897 .. 4.1302
    rl, low, high = con.execute(
        "select relative_likelihood(312, 664, 57, 389), katz_low(312, 664, 57, 389), "
        "katz_high(312, 664, 57, 389)"
    ).fetchone()
    assert round(rl, 1) == 3.2
    assert rl == pytest.approx(3.206722, abs=1e-6)
    assert low == pytest.approx(2.489735, abs=1e-5)
    assert high == pytest.approx(4.130184, abs=1e-5)
    assert one(con, f"interpret_rl({rl}, {low}, {high})") == "adverse to bme; significant"


def test_west_lancashire_2019_20_appointment_relative_likelihood(con):
    # West Lancashire 2019-20: white 117 of 389 shortlisted appointed, BME 2 of 10.
    # RL = (117/389) / (2/10) = 0.300771 / 0.2 = 1.503856 (published 0.3008 / 0.20 = 1.50).
    # Katz: 1/117 - 1/389 + 1/2 - 1/10 = 0.0085470 - 0.0025707 + 0.5 - 0.1 = 0.4059763;
    #       z * sqrt(0.4059763) = 1.959964 * 0.637163 = 1.248816
    #       ln 1.503856 = 0.408033; exp(0.408033 - 1.248816) = exp(-0.840783) = 0.43137
    #       exp(0.408033 + 1.248816) = exp(1.656849) = 5.24276
    rl, low, high = con.execute(
        "select relative_likelihood(117, 389, 2, 10), katz_low(117, 389, 2, 10), katz_high(117, 389, 2, 10)"
    ).fetchone()
    assert rl == pytest.approx(1.503856, abs=1e-6)
    assert low == pytest.approx(0.431372, abs=1e-5)
    assert high == pytest.approx(5.242763, abs=1e-5)
    # above 1.25, but the interval holds 1: not significant
    assert one(con, f"interpret_rl({rl}, {low}, {high})") == "adverse to bme"


def test_kmpt_disciplinary_relative_likelihood(con):
    # KMPT indicator 3: BAME 1.2% vs white 0.7% entering formal disciplinary -> "1.7 times";
    # KMPT notes the figure rests on 9 BAME and 17 white staff. Headcounts chosen to match:
    # BAME 9 / 750 = 0.0120, white 17 / 2429 = 0.0069988. RL(bme_vs_white) = 0.012 / 0.0069988 = 1.71459
    # Katz: 1/9 - 1/750 + 1/17 - 1/2429 = 0.111111 - 0.001333 + 0.058824 - 0.000412 = 0.168190;
    #       z * sqrt(0.168190) = 0.803799; ln 1.714588 = 0.539173
    #       exp(0.539173 - 0.803799) = 0.76749; exp(0.539173 + 0.803799) = 3.83041
    rl, low, high = con.execute(
        "select relative_likelihood(9, 750, 17, 2429), katz_low(9, 750, 17, 2429), "
        "katz_high(9, 750, 17, 2429)"
    ).fetchone()
    assert round(rl, 1) == 1.7
    assert rl == pytest.approx(1.714588, abs=1e-6)
    assert low == pytest.approx(0.767493, abs=1e-5)
    assert high == pytest.approx(3.830412, abs=1e-5)
    assert one(con, f"interpret_rl({rl}, {low}, {high})") == "adverse to bme"


@pytest.mark.parametrize(
    ("a", "n1", "c", "n2", "rl"),
    [
        (0, 10, 2, 10, 0.0),  # first rate 0: a value of 0, but no interval (a count is 0)
        (2, 10, 0, 10, None),  # second rate 0: no value
        (2, 0, 2, 10, None),  # no first group
        (2, 10, 2, 0, None),  # no second group
        (5, 10, 5, 10, 1.0),
    ],
)
def test_relative_likelihood_edges(con, a, n1, c, n2, rl):
    value, low, high = con.execute(
        f"select relative_likelihood({a}, {n1}, {c}, {n2}), katz_low({a}, {n1}, {c}, {n2}), "
        f"katz_high({a}, {n1}, {c}, {n2})"
    ).fetchone()
    assert value == rl
    if 0 in (a, n1, c, n2):
        assert low is None and high is None  # SQL NULL, not NaN
    else:
        assert low < 1 < high


def test_katz_interval_when_both_groups_are_all_events(con):
    # a = n1 and c = n2: variance 1/5 - 1/5 + 1/8 - 1/8 = 0, so the interval is the point RL = 1
    assert con.execute("select katz_low(5, 5, 8, 8), katz_high(5, 5, 8, 8)").fetchone() == (1.0, 1.0)


def test_katz_interval_when_a_count_exceeds_its_denominator(con):
    # indicator 3 can count leavers above the headcount. CONTRACT: every relative likelihood has a
    # Katz interval unless a count is 0. 3 of 2 against 2 of 10: RL 7.5, variance
    # 1/3 - 1/2 + 1/2 - 1/10 = 0.233333, half-width 1.959964 * 0.483046 = 0.946753, so
    # exp(ln 7.5 -/+ 0.946753) = 2.909992 .. 19.329948 (worked by hand), and it excludes 1
    value, low, high = con.execute(
        "select relative_likelihood(3, 2, 2, 10), katz_low(3, 2, 2, 10), katz_high(3, 2, 2, 10)"
    ).fetchone()
    assert value == pytest.approx(7.5)
    assert low == pytest.approx(2.909992, abs=1e-5)
    assert high == pytest.approx(19.329948, abs=1e-4)
    assert one(con, "interpret_rl(7.5, katz_low(3, 2, 2, 10), katz_high(3, 2, 2, 10))") == (
        "adverse to bme; significant"
    )


def test_katz_has_no_interval_where_its_variance_is_negative(con):
    # 6 of 2 against 5 of 5: variance 1/6 - 1/2 + 1/5 - 1/5 = -1/3 has no square root: NULL, not NaN
    assert con.execute("select katz_low(6, 2, 5, 5), katz_high(6, 2, 5, 5)").fetchone() == (None, None)
    assert one(con, "relative_likelihood(6, 2, 5, 5)") == pytest.approx((6 / 2) / (5 / 5))


# --- Wilson score interval -----------------------------------------------------------------------


def test_wilson_textbook_case_matches_statsmodels(con):
    # 81 of 263: an independent reference is statsmodels' Wilson interval (it uses the exact
    # normal quantile; z = 1.959964 differs from it by 1e-8, far below the tolerance)
    expected_low, expected_high = proportion_confint(81, 263, alpha=0.05, method="wilson")
    low, high = con.execute("select wilson_low(81, 263), wilson_high(81, 263)").fetchone()
    assert low == pytest.approx(expected_low, abs=1e-7)
    assert high == pytest.approx(expected_high, abs=1e-7)
    # and by hand: p = 81/263 = 0.307985; centre = (p + z^2/526) / (1 + z^2/263)
    #   = (0.307985 + 3.841459/526) / (1 + 3.841459/263) = 0.315288 / 1.014606 = 0.310749
    assert (low + high) / 2 == pytest.approx(0.310749, abs=1e-6)


def test_wilson_for_no_successes(con):
    # x = 0: lower bound 0; upper bound z^2 / (n + z^2) = 3.841459 / 13.841459 = 0.277533 for n = 10
    low, high = con.execute("select wilson_low(0, 10), wilson_high(0, 10)").fetchone()
    assert low == 0.0
    assert high == pytest.approx(0.277533, abs=1e-6)


def test_wilson_for_all_successes(con):
    # x = n: lower bound n / (n + z^2) = 10 / 13.841459 = 0.722467; upper bound 1
    low, high = con.execute("select wilson_low(10, 10), wilson_high(10, 10)").fetchone()
    assert low == pytest.approx(0.722467, abs=1e-6)
    assert high == 1.0


@pytest.mark.parametrize(("x", "n"), [(0, 0), (3, 0), (6, 5), ("null", 5), (2, "null")])
def test_wilson_undefined_is_null_not_nan(con, x, n):
    row = con.execute(
        f"select wilson_low({x}, {n}), wilson_high({x}, {n}), safe_fraction({x}, {n}) is null"
    ).fetchone()
    assert row[:2] == (None, None)
    if n == 0 or "null" in (x, n):
        assert row[2] is True


def test_safe_fraction(con):
    assert con.execute("select safe_fraction(1, 4), safe_fraction(0, 4), safe_fraction(1, 0)").fetchone() == (
        0.25,
        0.0,
        None,
    )


# --- interpretation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rl", "low", "high", "expected"),
    [
        ("1.0", "0.8", "1.2", "no adverse impact"),
        ("0.80", "0.5", "1.3", "no adverse impact"),  # bounds are inclusive
        ("1.25", "0.9", "1.7", "no adverse impact"),
        ("1.26", "0.9", "1.7", "adverse to bme"),
        ("1.5", "1.1", "2.0", "adverse to bme; significant"),
        ("0.79", "0.5", "1.2", "adverse to white"),
        ("0.5", "0.3", "0.9", "adverse to white; significant"),
        ("1.1", "1.05", "1.2", "no adverse impact; significant"),  # within the band, interval above 1
        ("3.0", "null", "null", "adverse to bme"),  # no interval: never significant
        ("null", "null", "null", None),
    ],
)
def test_interpretation(con, rl, low, high, expected):
    assert one(con, f"interpret_rl({rl}, {low}, {high})") == expected


def test_interpretation_reads_the_configured_band():
    settings = Settings(interpretation=Interpretation(lower=0.9, upper=1.1))
    con = macro_connection(settings)
    assert one(con, "interpret_rl(1.2, 0.9, 1.5)") == "adverse to bme"
    assert one(con, "interpret_rl(0.85, 0.5, 1.5)") == "adverse to white"
    assert one(con, "interpret_rl(1.05, 0.5, 1.5)") == "no adverse impact"


# --- small counts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "small"), [(0, False), (1, True), (4, True), (5, False), (120, False), ("null", False)]
)
def test_small_count_default(con, n, small):
    assert one(con, f"is_small_count({n})") is small


def test_small_count_reads_min_count():
    settings = dataclasses.replace(Settings(), disclosure=Disclosure(min_count=3, survey_min_denominator=20))
    con = macro_connection(settings)
    assert [one(con, f"is_small_count({n})") for n in (1, 2, 3)] == [True, True, False]
    assert [one(con, f"is_small_survey_base({n})") for n in (0, 19, 20)] == [True, True, False]


@pytest.mark.parametrize(("n", "small"), [(0, True), (10, True), (11, False), (400, False)])
def test_small_survey_base_default(con, n, small):
    assert one(con, f"is_small_survey_base({n})") is small


def test_z_is_the_975th_normal_percentile(con):
    assert one(con, "stats_z()") == pytest.approx(1.959964)
    assert math.isclose(one(con, "stats_z()"), 1.959964, abs_tol=1e-12)


@pytest.mark.parametrize(
    ("a", "n1", "c", "n2", "value"),
    [
        (12, 20, 15, 20, 0.8),  # (12/20) / (15/20): two divided rates give 0.7999999999999999
        (25, 30, 20, 30, 1.25),  # (25/30) / (20/30): two divided rates give 1.2500000000000002
        (8, 13, 10, 13, 0.8),
        (3, 10, 3, 12, 1.2),
    ],
)
def test_relative_likelihood_exactly_on_a_bound_is_that_bound(con, a, n1, c, n2, value):
    assert one(con, f"relative_likelihood({a}, {n1}, {c}, {n2})") == value
    low, high = one(con, f"katz_low({a}, {n1}, {c}, {n2})"), one(con, f"katz_high({a}, {n1}, {c}, {n2})")
    expected = "no adverse impact"
    rl = f"relative_likelihood({a}, {n1}, {c}, {n2})"
    assert one(con, f"interpret_rl({rl}, {low}, {high})") == expected
