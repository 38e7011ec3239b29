"""The national report page (wres.national_report): self-contained, every funnel embedded, no hidden
figure in it, and the outlier tables listing exactly the trusts outside the 99.8% limits."""

from __future__ import annotations

import datetime as dt
import json
import re

import altair as alt
import polars as pl
import pytest

from tests.unit.test_funnel import D, frame, rl_rows, row, share
from wres.config import load_settings
from wres.funnel import funnel
from wres.national_report import funnel_charts, funnel_finding, render_national_report

# A hidden BME share that the page must never show, in any form. The published frames already
# blank hidden cells; this one is left in on purpose (as if blanking had been skipped) so that the
# test can fail if the report ever reads a suppressed row's value.
SECRET_VALUE = 0.4321987


def national_rows():
    rows = [
        # trust scope, indicator 1: five trusts of 100 people, centre 0.25 (test_funnel's example):
        # LOW (0.10) below the 99.8% limit, HIGH (0.40) above it
        *share("LOW", 10, 100),
        *share("LOWISH", 15, 100),
        *share("MID", 25, 100),
        *share("HIGHISH", 35, 100),
        *share("HIGH", 40, 100),
        # maternity scope, indicator 1
        *share("LOW", 5, 40, scope="maternity_neonatal"),
        *share("MID", 6, 40, scope="maternity_neonatal"),
        # indicator 2: both at the pooled 1.5, inside
        *rl_rows("MID", (15, 50), (5, 25), 1.5),
        *rl_rows("HIGH", (15, 50), (5, 25), 1.5),
    ]
    secret = row("SECRETIVE", 1, "share", "bme", "all|all", 41, 95, SECRET_VALUE)
    secret["suppressed"] = True
    rows += [secret, row("SECRETIVE", 1, "share", "white", "all|all", None, None, hidden=True)]
    return frame(rows)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    path = tmp_path_factory.mktemp("national") / "national.html"
    render_national_report(
        {"wres_indicators": national_rows()}, snapshot=D, settings=load_settings(None), path=path
    )
    return path.read_text(encoding="utf-8")


def embedded_specs(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="wres-chart-specs">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def test_page_is_self_contained(page):
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';' in page
    assert not re.search(r'(?:src|href)\s*=\s*["\']?\s*(?:https?:)?//', page, re.I)
    assert (
        "<title>Workforce Race Equality Standard: national report, 31 Mar 2025, 6 organisations</title>"
        in page
    )


def test_every_funnel_is_embedded_with_its_alt_text(page):
    specs = embedded_specs(page)
    assert set(specs) == {"trust-1", "trust-2", "maternity_neonatal-1"}
    for name, spec in specs.items():
        assert f'id="chart-{name}"' in page
        assert spec["description"].startswith("Funnel plot of ")
    assert (
        specs["trust-1"]["title"]["text"]
        == "1 of 5 trusts lies above the upper 99.8% limit and 1 below the lower"
    )


def test_no_hidden_value_in_the_page(page):
    assert "0.4321987" not in page
    assert "0.4322" not in page
    assert "43.2%" not in page
    specs = json.dumps(embedded_specs(page))
    assert "SECRETIVE" not in specs  # no point drawn for it
    # the headline table shows it as hidden
    secretive = re.search(r'<th scope="row">SECRETIVE</th>(.*?)</tr>', page, re.S).group(1)
    assert secretive.count(">*<") == 2  # headcount and BME share


def test_hidden_trusts_are_counted_under_the_chart(page):
    subtitle = embedded_specs(page)["trust-1"]["title"]["subtitle"]
    assert "1 trust hidden because numbers are small." in subtitle
    assert "National value 25.0%, pooled from the counts of 5 trusts whose counts are shown." in subtitle


def outlier_codes(page: str, name: str) -> list[str]:
    start = page.index(f'id="chart-{name}"')
    end = page.find("<h3>", start)
    return re.findall(r'<th scope="row">([^<]+)</th>', page[start : end if end > 0 else None])


def test_outlier_tables_list_exactly_the_trusts_outside(page):
    assert outlier_codes(page, "trust-1") == ["HIGH", "LOW"]  # above first, then below
    assert "No trust lies outside the 99.8% limits." in page  # indicator 2


def test_finding_words():
    rows = frame([*share("A", 10, 100), *share("B", 25, 100), *share("C", 40, 100)])
    result = funnel(rows, snapshot=D, scope="trust", indicator=1)
    # centre 0.25; at 100 the 99.8% limits are 0.1162 / 0.3838: A below, C above
    assert funnel_finding(result) == "1 of 3 trusts lies above the upper 99.8% limit and 1 below the lower"
    inside = funnel(
        frame([*share("A", 24, 100), *share("B", 26, 100)]), snapshot=D, scope="trust", indicator=1
    )
    assert funnel_finding(inside) == "All 2 trusts shown lie within the 99.8% limits"


def test_charts_are_valid_vega_lite():
    for chart in funnel_charts(national_rows(), snapshot=D).values():
        chart.to_dict(validate=True)  # raises on an invalid spec
        assert isinstance(chart, alt.TopLevelMixin)


def test_other_snapshots_are_ignored(tmp_path):
    older = national_rows().with_columns(pl.lit(dt.date(2024, 3, 31)).alias("snapshot_date"))
    path = tmp_path / "n.html"
    render_national_report(
        {"wres_indicators": pl.concat([older, national_rows()])},
        snapshot=D,
        settings=load_settings(None),
        path=path,
    )
    assert "6 organisations" in path.read_text(encoding="utf-8")
