"""The report's charts (wres/charts.py), on small published frames built by hand.

``report_fixture_tables`` is a realistic set of disclosure-controlled frames for one trust at
three snapshots (31 Mar 2024, 31 Dec 2024, 31 Mar 2025); the browser test renders a report from it
too. The counts are chosen so that the findings can be checked by hand, e.g. BME share of the trust
at 31 Mar 2025 = 112 / 446 = 25.1%.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import polars as pl
import pytest

from tests.contract_schemas import INDICATOR_SCHEMA
from wres import charts
from wres.config import Settings

ORGANISATION = "RXX"
NOW = dt.date(2025, 3, 31)
PREVIOUS = dt.date(2024, 12, 31)
YEAR_EARLIER = dt.date(2024, 3, 31)
Z = 1.959964
WINDOW = {
    NOW: "2024-04-01..2025-03-31",
    PREVIOUS: "2024-01-01..2024-12-31",
    YEAR_EARLIER: "2023-04-01..2024-03-31",
}


def wilson(x: int, n: int) -> tuple[float, float]:
    p = x / n
    denominator = 1 + Z * Z / n
    centre = (p + Z * Z / (2 * n)) / denominator
    half = Z / denominator * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return centre - half, centre + half


def _small(count: int) -> bool:
    return 1 <= count <= 4


def _row(
    snapshot,
    scope,
    indicator,
    measure,
    group,
    breakdown,
    numerator,
    denominator,
    value,
    ci,
    suppressed,
    period,
    interpretation=None,
):
    if suppressed:  # published: hidden cells are blank
        numerator, value, ci, interpretation = None, None, (None, None), None
        denominator = None if denominator is not None and _small(denominator) else denominator
    return {
        "organisation_code": ORGANISATION,
        "snapshot_date": snapshot,
        "scope": scope,
        "indicator": indicator,
        "measure": measure,
        "ethnic_group": group,
        "breakdown": breakdown,
        "numerator": numerator,
        "denominator": denominator,
        "value": value,
        "ci_low": ci[0],
        "ci_high": ci[1],
        "interpretation": interpretation,
        "suppressed": suppressed,
        "source_period": period,
    }


def band_cell(snapshot, scope, breakdown, white, bme, unknown, hidden=()):
    """Indicator 1 rows of one cell; ``hidden`` names the groups hidden (small or secondary)."""
    total = white + bme + unknown
    return [
        _row(
            snapshot,
            scope,
            1,
            "share",
            group,
            breakdown,
            count,
            total,
            count / total,
            wilson(count, total),
            group in hidden,
            snapshot.isoformat(),
        )
        for group, count in (("white", white), ("bme", bme), ("unknown", unknown))
    ]


def rates(snapshot, scope, indicator, counts, period, min_denominator=0):
    """Rate rows: ``counts`` maps group -> (numerator, denominator)."""
    rows = []
    for group, (x, n) in counts.items():
        hidden = _small(x) or _small(n) or n < min_denominator
        rows.append(
            _row(snapshot, scope, indicator, "rate", group, "", x, n, x / n, wilson(x, n), hidden, period)
        )
    return rows


def relative_likelihood(snapshot, scope, indicator, a, n1, c, n2, breakdown=""):
    """(a / n1) / (c / n2) with its Katz interval and interpretation (0.80-1.25)."""
    value = (a / n1) / (c / n2)
    half = Z * math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    low, high = value * math.exp(-half), value * math.exp(half)
    reading = (
        "no adverse impact"
        if 0.8 <= value <= 1.25
        else ("adverse to bme" if value > 1.25 else "adverse to white")
    )
    if not low <= 1 <= high:
        reading += "; significant"
    group = "bme_vs_white" if indicator == 3 else "white_vs_bme"
    hidden = any(_small(k) for k in (a, n1, c, n2))
    return _row(
        snapshot,
        scope,
        indicator,
        "relative_likelihood",
        group,
        breakdown,
        None,
        None,
        value,
        (low, high),
        hidden,
        WINDOW[snapshot],
        reading,
    )


def _indicators() -> list[dict]:
    rows: list[dict] = []
    # indicator 1, trust, 31 Mar 2025: 446 people, 112 BME
    rows += band_cell(NOW, "trust", "all|all", 297, 112, 37)
    rows += band_cell(NOW, "trust", "clinical|all", 235, 93, 32)
    rows += band_cell(NOW, "trust", "non_clinical|all", 62, 19, 5)
    rows += band_cell(NOW, "trust", "clinical|Band 5", 120, 60, 20)
    rows += band_cell(NOW, "trust", "clinical|Band 6", 90, 30, 10)
    rows += band_cell(NOW, "trust", "clinical|Band 8a", 25, 3, 2, hidden={"bme", "unknown"})
    rows += band_cell(NOW, "trust", "non_clinical|Band 3", 50, 15, 5)
    rows += band_cell(NOW, "trust", "non_clinical|Band 8a", 12, 4, 0, hidden={"white", "bme"})
    # maternity and neonatal: 90 people, 25 BME
    rows += band_cell(NOW, "maternity_neonatal", "all|all", 60, 25, 5)
    rows += band_cell(NOW, "maternity_neonatal", "clinical|all", 54, 23, 5)
    rows += band_cell(NOW, "maternity_neonatal", "non_clinical|all", 6, 2, 0, hidden={"white", "bme"})
    rows += band_cell(NOW, "maternity_neonatal", "clinical|Band 5", 20, 12, 2, hidden={"white", "unknown"})
    rows += band_cell(NOW, "maternity_neonatal", "clinical|Band 6", 25, 9, 3, hidden={"bme", "unknown"})
    rows += band_cell(NOW, "maternity_neonatal", "clinical|Band 7", 9, 2, 0, hidden={"white", "bme"})
    rows += band_cell(NOW, "maternity:midwives", "all|all", 40, 15, 3, hidden={"unknown", "white"})
    rows += band_cell(NOW, "maternity:support_workers", "all|all", 12, 8, 2, hidden={"unknown", "white"})
    rows += band_cell(NOW, "maternity:obstetric_medical", "all|all", 8, 2, 0, hidden={"white", "bme"})
    # earlier snapshots (for the trends)
    rows += band_cell(PREVIOUS, "trust", "all|all", 300, 105, 35)
    rows += band_cell(YEAR_EARLIER, "trust", "all|all", 300, 95, 25)
    rows += band_cell(PREVIOUS, "maternity_neonatal", "all|all", 60, 23, 5)
    rows += band_cell(YEAR_EARLIER, "maternity_neonatal", "all|all", 60, 20, 5)
    # indicators 2-4, trust
    window = WINDOW[NOW]
    rows += rates(NOW, "trust", 2, {"white": (60, 300), "bme": (25, 200)}, window)
    rows.append(relative_likelihood(NOW, "trust", 2, 60, 300, 25, 200))  # 1.60 [1.04, 2.46]
    rows.append(relative_likelihood(NOW, "trust", 2, 55, 270, 15, 120, "excluding_international"))  # 1.63
    rows += rates(NOW, "trust", 3, {"white": (9, 297), "bme": (6, 112)}, window)
    rows.append(relative_likelihood(NOW, "trust", 3, 6, 112, 9, 297))  # 1.77 [0.64, 4.85]
    rows += rates(NOW, "trust", 4, {"white": (150, 297), "bme": (50, 112)}, window)
    rows.append(relative_likelihood(NOW, "trust", 4, 150, 297, 50, 112))  # 1.13 [0.89, 1.44]
    rows.append(relative_likelihood(PREVIOUS, "trust", 2, 57, 300, 25, 200))  # 1.52
    rows.append(relative_likelihood(YEAR_EARLIER, "trust", 2, 58, 300, 24, 180))  # 1.45
    rows.append(relative_likelihood(PREVIOUS, "trust", 3, 3, 105, 9, 300))  # hidden
    rows.append(relative_likelihood(YEAR_EARLIER, "trust", 3, 5, 95, 8, 300))  # 1.97
    rows.append(relative_likelihood(PREVIOUS, "trust", 4, 145, 300, 45, 105))  # 1.13
    rows.append(relative_likelihood(YEAR_EARLIER, "trust", 4, 140, 300, 40, 95))  # 1.11
    # indicators 2-4, maternity and neonatal
    rows.append(relative_likelihood(NOW, "maternity_neonatal", 2, 12, 40, 3, 20))  # hidden: 3 appointed
    rows.append(relative_likelihood(NOW, "maternity_neonatal", 3, 2, 25, 1, 60))  # hidden
    rows.append(relative_likelihood(NOW, "maternity_neonatal", 4, 30, 60, 10, 25))  # 1.25 [0.73, 2.15]
    rows.append(relative_likelihood(PREVIOUS, "maternity_neonatal", 4, 30, 60, 4, 23))  # hidden
    rows.append(relative_likelihood(YEAR_EARLIER, "maternity_neonatal", 4, 28, 60, 9, 20))  # 1.04
    # staff survey (NSS 2024), trust and maternity
    survey = {
        5: ((60, 250), (30, 100)),
        6: ((50, 250), (28, 100)),
        7: ((150, 250), (45, 100)),
        8: ((15, 250), (16, 100)),
    }
    for number, (white, bme) in survey.items():
        rows += rates(NOW, "trust", number, {"white": white, "bme": bme}, "NSS 2024", min_denominator=11)
    maternity_survey = {
        5: ((12, 40), (5, 9)),
        6: ((10, 40), (6, 12)),
        7: ((24, 40), (6, 12)),
        8: ((3, 40), (2, 12)),
    }
    for number, (white, bme) in maternity_survey.items():
        rows += rates(
            NOW, "maternity_neonatal", number, {"white": white, "bme": bme}, "NSS 2024", min_denominator=11
        )
    # indicator 9: 5 of 14 voting members BME, 2 of 8 executives (hidden)
    rows += [
        _row(NOW, "trust", 9, "share", "bme", "voting", 5, 14, 5 / 14, wilson(5, 14), False, "2025-02-01"),
        _row(NOW, "trust", 9, "share", "bme", "executive", 2, 8, 2 / 8, wilson(2, 8), True, "2025-02-01"),
        _row(
            NOW,
            "trust",
            9,
            "difference",
            "bme",
            "voting",
            None,
            None,
            5 / 14 - 112 / 446,
            (None, None),
            False,
            "2025-02-01",
        ),
        _row(
            NOW,
            "trust",
            9,
            "difference",
            "bme",
            "executive",
            None,
            None,
            2 / 8 - 112 / 446,
            (None, None),
            True,
            "2025-02-01",
        ),
    ]
    return rows


def _representation() -> list[dict]:
    rows = []
    references = {
        "census2021": {"White": 0.80, "Asian": 0.11, "Black": 0.05, "Mixed": 0.025, "Other": 0.015},
        "labour_market": {"White": 0.75, "Asian": 0.14, "Black": 0.06, "Mixed": 0.03, "Other": 0.02},
    }
    workforce = {
        "trust": {"White": 297, "Asian": 60, "Black": 35, "Mixed": 10, "Other": 7},
        "maternity_neonatal": {"White": 60, "Asian": 12, "Black": 8, "Mixed": 3, "Other": 2},
    }
    for scope, counts in workforce.items():
        known = sum(counts.values())
        for name, shares in references.items():
            if scope != "trust" and name != "census2021":
                continue
            for group, count in counts.items():
                low, high = wilson(count, known)
                hidden = _small(count) or (scope == "maternity_neonatal" and group == "Asian")  # secondary
                share = count / known
                rows.append(
                    {
                        "organisation_code": ORGANISATION,
                        "snapshot_date": NOW,
                        "scope": scope,
                        "reference_population": name,
                        "ethnic_group": group,
                        "headcount": None if hidden else count,
                        "workforce_share": None if hidden else share,
                        "reference_share": shares[group],
                        "ratio": None if hidden else share / shares[group],
                        "ci_low": None if hidden else low / shares[group],
                        "ci_high": None if hidden else high / shares[group],
                        "suppressed": hidden,
                    }
                )
    return rows


def _trends(indicators: pl.DataFrame) -> pl.DataFrame:
    """The trends mart over the fixture (previous = 31 Dec 2024, a year earlier = 31 Mar 2024)."""
    keys = ["scope", "indicator", "measure", "ethnic_group", "breakdown"]
    current = indicators.filter(pl.col("snapshot_date") == NOW)

    def at(day: dt.date, prefix: str) -> pl.DataFrame:
        return indicators.filter(pl.col("snapshot_date") == day).select(
            *keys,
            pl.col("value").alias(f"{prefix}_value"),
            pl.col("suppressed").alias(f"{prefix}_suppressed"),
        )

    return (
        current.join(at(PREVIOUS, "previous"), on=keys, how="left")
        .join(at(YEAR_EARLIER, "year_earlier"), on=keys, how="left")
        .with_columns(
            pl.lit(PREVIOUS).alias("previous_snapshot_date"),
            (pl.col("value") - pl.col("previous_value")).alias("change_from_previous"),
            pl.lit(YEAR_EARLIER).alias("year_earlier_snapshot_date"),
            (pl.col("value") - pl.col("year_earlier_value")).alias("change_from_year_earlier"),
        )
    )


def _data_quality() -> pl.DataFrame:
    rows = [
        ("staff_in_post_2025-03-31.csv", "staff_in_post", "loaded", None, None, None, None),
        (
            "recruitment_2025-03-31.csv",
            "recruitment",
            "loaded",
            "unknown_ethnicity_share",
            "ethnic_origin",
            "warning",
            "12.5% of rows have unknown ethnicity (more than 10%)",
        ),
        ("staff_survey_2024.csv", "staff_survey", "loaded", None, None, None, None),
        (
            "disciplinary_2025-03-31 <script>alert(1)</script>.csv",
            "disciplinary",
            "rejected",
            "parse_dates",
            "investigation_start_date",
            "critical",
            "investigation_start_date: 3 values are not dates (rows 4, 9, 12): <b>fix</b> & drop the file again",
        ),
    ]
    columns = ["name", "kind", "status", "check_name", "column_name", "severity", "message"]
    return pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String), orient="row")


def report_fixture_tables() -> dict[str, pl.DataFrame]:
    """The published frames of the fixture trust: wres_indicators (three snapshots), representation,
    trends and data_quality."""
    indicators = pl.DataFrame(_indicators(), schema=INDICATOR_SCHEMA)
    representation = pl.DataFrame(
        _representation(),
        schema={
            "organisation_code": pl.String,
            "snapshot_date": pl.Date,
            "scope": pl.String,
            "reference_population": pl.String,
            "ethnic_group": pl.String,
            "headcount": pl.Int64,
            "workforce_share": pl.Float64,
            "reference_share": pl.Float64,
            "ratio": pl.Float64,
            "ci_low": pl.Float64,
            "ci_high": pl.Float64,
            "suppressed": pl.Boolean,
        },
    )
    return {
        "wres_indicators": indicators,
        "representation": representation,
        "trends": _trends(indicators),
        "data_quality": _data_quality(),
    }


# --- tests ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tables() -> dict[str, pl.DataFrame]:
    return report_fixture_tables()


@pytest.fixture(scope="module")
def now(tables) -> pl.DataFrame:
    return tables["wres_indicators"].filter(pl.col("snapshot_date") == NOW)


def _data_rows(chart) -> list[dict]:
    """Every data row the chart's spec carries (what would be written into the HTML)."""
    spec = chart.to_dict()
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def _title(chart) -> list[str] | str:
    return chart.to_dict()["title"]["text"]


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        # 112/446, 93/360, 19/86
        ("trust", "BME staff are 25.1% of the workforce of the trust (clinical 25.8%, non-clinical 22.1%)"),
        # 25/90, 23/82, non-clinical hidden
        (
            "maternity_neonatal",
            "BME staff are 27.8% of the workforce of maternity and neonatal services "
            "(clinical 28.0%, non-clinical hidden)",
        ),
        (
            "maternity:obstetric_medical",
            "The BME share of the workforce of obstetric medical staff is hidden because numbers are small",
        ),
    ],
)
def test_band_profile_finding(now, scope, expected):
    assert charts.band_profile_finding(now, scope) == expected


def test_band_profile_draws_only_visible_clinical_and_non_clinical_cells(now):
    chart = charts.band_profile_chart(now, "trust")
    rows = _data_rows(chart)
    # clinical|all 3 + Band 5 3 + Band 6 3 + Band 8a 1 (white) + non_clinical|all 3 + Band 3 3 + Band 8a 1 (unknown)
    assert len(rows) == 17
    assert all(r["value"] is not None for r in rows)
    assert {r["workforce"] for r in rows} == {"Clinical", "Non-clinical"}
    band_8a = sorted((r["workforce"], r["group"]) for r in rows if r["band"] == "Band 8a")
    assert band_8a == [("Clinical", "White"), ("Non-clinical", "Unknown")]
    assert chart.to_dict()["title"]["subtitle"] == [
        "4 figures are not drawn: hidden because numbers are small (see the table)."
    ]  # two in each Band 8a


def test_relative_likelihood_findings_trust(now):
    assert charts.relative_likelihood_findings(now, "trust") == [
        # 0.20 / 0.125 = 1.60, Katz interval 1.04 to 2.46 excludes 1
        "White applicants 1.60 times as likely to be appointed from shortlisting as BME applicants (significant)",
        # (55/270) / (15/120) = 1.63, interval 0.96 to 2.77
        "Excluding international recruits: white applicants 1.63 times as likely to be appointed from "
        "shortlisting as BME applicants (not significant)",
        # (6/112) / (9/297) = 1.77, interval 0.64 to 4.85
        "BME staff 1.77 times as likely to enter a formal disciplinary investigation as white staff (not significant)",
        # (150/297) / (50/112) = 1.13
        "White staff 1.13 times as likely to access non-mandatory training and CPD as BME staff (not significant)",
    ]


def test_relative_likelihood_chart_leaves_hidden_figures_out(now):
    chart = charts.relative_likelihood_chart(now, "maternity_neonatal", Settings())
    assert _title(chart) == [
        "Relative likelihood of being appointed from shortlisting: hidden because numbers are small",
        "Relative likelihood of entering a formal disciplinary investigation: hidden because numbers are small",
        "White staff 1.25 times as likely to access non-mandatory training and CPD as BME staff (not significant)",
    ]
    drawn = [r for r in _data_rows(chart) if "series" in r]
    assert [(r["series"], r["label"]) for r in drawn] == [("4 Non-mandatory training (white / BME)", "1.25")]
    # the shaded band comes from the settings
    band = [r for r in _data_rows(chart) if "lower" in r]
    assert band == [{"lower": 0.8, "upper": 1.25}]


@pytest.mark.parametrize(
    ("indicator", "breakdown", "value", "interpretation", "suppressed", "expected"),
    [
        (
            2,
            "",
            1.5834,
            "adverse to bme; significant",
            False,
            "White applicants 1.58 times as likely to be appointed from shortlisting as BME applicants (significant)",
        ),
        (
            3,
            "",
            0.7,
            "adverse to white",
            False,
            "BME staff 0.70 times as likely to enter a formal disciplinary investigation as white staff (not significant)",
        ),
        (
            4,
            "",
            None,
            None,
            True,
            "Relative likelihood of accessing non-mandatory training and CPD: hidden because numbers are small",
        ),
        (
            2,
            "",
            None,
            None,
            False,
            "Relative likelihood of being appointed from shortlisting: no value (a rate is zero)",
        ),
    ],
)
def test_relative_likelihood_sentence(indicator, breakdown, value, interpretation, suppressed, expected):
    assert (
        charts.relative_likelihood_sentence(indicator, breakdown, value, interpretation, suppressed)
        == expected
    )


def test_survey_finding_names_the_largest_gap(now):
    # gaps: 5: 6 points, 6: 8 points, 7: 15 points, 8: 10 points
    assert charts.survey_finding(now, "trust") == (
        "45.0% of BME staff believe the organisation offers equal opportunities for career progression, "
        "against 60.0% of white staff (NSS 2024)"
    )
    # maternity: BME answers 9 (q14a, under 11) hidden; 6 of 12 and 6 of 12 visible; q16b 3 of 40 and 2 of 12 hidden
    # gaps: 6: 50% vs 25% = 25 points, 7: 50% vs 60% = 10 points
    assert charts.survey_finding(now, "maternity_neonatal") == (
        "50.0% of BME staff report harassment, bullying or abuse from staff, against 25.0% of white staff "
        "(NSS 2024)"
    )


def test_survey_chart_draws_white_and_bme_only_where_visible(now):
    rows = _data_rows(charts.survey_chart(now, "maternity_neonatal"))
    assert sorted((r["question"][0], r["group"]) for r in rows) == [
        ("5", "White"),
        ("6", "BME"),
        ("6", "White"),
        ("7", "BME"),
        ("7", "White"),
    ]  # q16b: 3 of 40 and 2 of 12 hidden


def test_representation_finding_and_chart(tables):
    representation = tables["representation"]
    # Black 35/409 = 8.6% against 5.0%: ratio 1.71, Wilson 0.062-0.117 / 0.05 = 1.24-2.33
    assert charts.representation_finding(representation, "trust") == (
        "Black staff are 8.6% of the workforce of the trust against 5.0% of the catchment population "
        "(census 2021) (1.71 times)"
    )
    rows = _data_rows(charts.representation_chart(representation, "maternity_neonatal"))
    drawn = sorted(r["group"] for r in rows if "group" in r)
    assert drawn == ["Black", "White"]  # Mixed 3 and Other 2 hidden, Asian hidden second


def _representation_of(counts: dict[str, int], reference: dict[str, float], hidden: set[str]) -> pl.DataFrame:
    known = sum(counts.values())
    rows = []
    for group, count in counts.items():
        low, high = wilson(count, known)
        share = count / known
        shown = group not in hidden
        rows.append(
            {
                "scope": "trust",
                "reference_population": "census2021",
                "ethnic_group": group,
                "headcount": count if shown else None,
                "workforce_share": share if shown else None,
                "reference_share": reference[group],
                "ratio": share / reference[group] if shown else None,
                "ci_low": low / reference[group] if shown else None,
                "ci_high": high / reference[group] if shown else None,
                "suppressed": not shown,
            }
        )
    return pl.DataFrame(rows)


def test_a_group_with_no_staff_is_the_finding_when_its_interval_is_below_1():
    # 28 white, 12 black, no Asian staff of 40 against 10% Asian: Wilson upper 0.0876 / 0.10 = 0.876 < 1,
    # while black 12/40 = 30% against 20% (ratio 1.5, Wilson 0.181-0.454 / 0.2 = 0.90-2.27) is chance
    representation = _representation_of(
        {"White": 28, "Black": 12, "Asian": 0}, {"White": 0.7, "Black": 0.2, "Asian": 0.1}, hidden=set()
    )
    assert charts.representation_finding(representation, "trust") == (
        "No Asian staff in the workforce of the trust against 10.0% of the catchment population (census 2021)"
    )
    chart = charts.representation_chart(representation, "trust").to_dict()
    assert "Not drawn, no staff (a ratio of 0 is off the log scale): Asian." in chart["title"]["subtitle"]
    assert not any("hidden" in line for line in chart["title"]["subtitle"])


def test_the_representation_finding_never_speaks_for_hidden_figures():
    # every row hidden (as when 2 people's ethnicity is unknown): no finding from what is not shown
    counts, reference = {"White": 10, "Asian": 5}, {"White": 0.9, "Asian": 0.1}
    hidden = _representation_of(counts, reference, hidden={"White", "Asian"})
    assert charts.representation_finding(hidden, "trust") == (
        "Representation of the trust against the catchment population (census 2021): "
        "hidden because numbers are small"
    )
    # Asian hidden, white shown and within chance: 10/15 = 66.7% against 75%, Wilson 0.417-0.848 / 0.75
    # = 0.56-1.13
    partly = _representation_of(counts, {"White": 0.75, "Asian": 0.25}, hidden={"Asian"})
    assert charts.representation_finding(partly, "trust") == (
        "No census group's share of the workforce of the trust differs from its share of the "
        "catchment population (census 2021) beyond chance among the groups shown"
    )


def test_board_finding(now):
    # 5/14 = 35.7%; 35.7% - 25.1% = 10.6 points
    assert charts.board_finding(now) == (
        "BME people are 35.7% of voting board members against 25.1% of the workforce (10.6 points higher)"
    )
    rows = _data_rows(charts.board_chart(now))
    assert sorted(r["who"] for r in rows if "who" in r) == ["Voting board members", "Whole workforce"]


def test_role_group_finding(now):
    # midwives 15/58 = 25.9%, support workers 8/22 = 36.4%; obstetric medical hidden
    assert charts.role_group_finding(now) == (
        "The BME share ranges from 25.9% (midwives) to 36.4% (maternity support workers) across maternity "
        "role groups"
    )


def test_trend_charts(tables):
    indicators = tables["wres_indicators"]
    share = charts.bme_share_trend_chart(indicators)
    # 95/420 = 22.6% at 31 Mar 2024, 112/446 = 25.1% at 31 Mar 2025
    assert (
        _title(share) == "BME share of the workforce of the trust: 22.6% on 31 Mar 2024, 25.1% on 31 Mar 2025"
    )
    assert len([r for r in _data_rows(share) if "series" in r]) == 6
    likelihood = charts.relative_likelihood_trend_chart(indicators, "trust", Settings())
    # (58/300)/(24/180) = 1.45, 1.60 now
    assert _title(likelihood) == (
        "Appointed from shortlisting, relative likelihood: 1.45 on 31 Mar 2024, 1.60 on 31 Mar 2025"
    )
    drawn = [r for r in _data_rows(likelihood) if "series" in r]
    assert len(drawn) == 8  # 3 snapshots x 3 indicators, less the hidden disciplinary one of 31 Dec 2024
    assert {r["snapshot"] for r in drawn} == {"2024-03-31", "2024-12-31", "2025-03-31"}


def test_report_charts_have_titles_descriptions_and_no_hidden_values(tables):
    made = charts.report_charts(tables, organisation=ORGANISATION, snapshot_date=NOW, settings=Settings())
    assert set(made) == {
        "trend_bme_share",
        "trend_relative_likelihood",
        "maternity_band_profile",
        "maternity_relative_likelihood",
        "maternity_survey",
        "maternity_representation",
        "maternity_role_groups",
        "trust_band_profile",
        "trust_relative_likelihood",
        "trust_survey",
        "trust_representation",
        "board",
    }
    for name, chart in made.items():
        spec = chart.to_dict()
        assert spec["description"], name
        assert spec["title"]["text"], name
        for row in _data_rows(chart):
            # no row carries a hidden marker, and no drawn value is missing
            assert row.get("suppressed") is None, name
            assert all(row[c] is not None for c in ("value", "ratio") if c in row), name


def test_report_charts_leave_out_absent_figures(tables):
    no_survey = {
        **tables,
        "wres_indicators": tables["wres_indicators"].filter(~pl.col("indicator").is_in([5, 6, 7, 8])),
    }
    made = charts.report_charts(no_survey, organisation=ORGANISATION, snapshot_date=NOW, settings=Settings())
    assert "trust_survey" not in made and "maternity_survey" not in made
    other = charts.report_charts(tables, organisation="RYY", snapshot_date=NOW, settings=Settings())
    assert other == {}


def test_save_chart_writes_png_and_svg(now, tmp_path: Path):
    chart = charts.board_chart(now)
    paths = charts.save_chart(chart, tmp_path / "charts", "board")
    assert paths == {"png": tmp_path / "charts" / "board.png", "svg": tmp_path / "charts" / "board.svg"}
    assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = paths["svg"].read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<svg")
    assert "35.7% of voting board members" in svg
    assert json.dumps(chart.to_dict())  # the spec stays serialisable


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ("trust", "the trust"),
        ("maternity_neonatal", "maternity and neonatal services"),
        ("maternity:midwives", "midwives"),
        ("maternity:neonatal_nursing", "neonatal nursing"),
        ("maternity:new_group", "new group"),
    ],
)
def test_scope_label(scope, expected):
    assert charts.scope_label(scope) == expected


@pytest.mark.parametrize(
    ("change", "expected"), [(0.012485, "+1.2 points"), (-0.1, "\u221210.0 points"), (0.0, "+0.0 points")]
)
def test_format_points(change, expected):
    assert charts.format_points(change) == expected
