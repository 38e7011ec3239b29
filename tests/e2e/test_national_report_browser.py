"""The national report of a real multi-trust run (synthetic trusts, through the real flow) in Debian's
headless chromium with networking disabled: every funnel plot draws its marks, nothing is logged to
the console, and the outlier tables name only trusts the warehouse has.

The screenshot is kept as ``test-artifacts/national_report.png`` (gitignored) for a person to look at.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_wres
from tests.e2e.test_report_browser import ARTIFACTS, _chromium, _chromium_or_skip, _rendered_marks
from wres.synthetic import generate_inbox

pytestmark = pytest.mark.browser

TRUSTS = 4


@pytest.fixture(scope="module")
def national_run(tmp_path_factory: pytest.TempPathFactory, prefect_server: str) -> Path:
    work = tmp_path_factory.mktemp("national")
    generate_inbox(work / "inbox", trusts=TRUSTS, staff_per_trust=400)
    result = run_wres(
        ["run", "--inbox", "inbox", "--warehouse", "wh/wres.duckdb", "--out", "out", "--state", "state"],
        cwd=work,
        prefect_api=prefect_server,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return work


def _specs(report: Path) -> dict:
    text = report.read_text(encoding="utf-8")
    marker = '<script type="application/json" id="wres-chart-specs">'
    return json.loads(text.split(marker)[1].split("</script>")[0])


def test_every_date_has_a_national_report_beside_the_trusts(national_run):
    out = national_run / "out"
    for snapshot in ("2024-03-31", "2025-03-31"):
        folder = out / snapshot
        assert (folder / "national_report.html").is_file()
        trusts = sorted(p.name for p in folder.iterdir() if p.is_dir())
        assert trusts == [f"RXX0{i}" for i in range(1, TRUSTS + 1)]


def test_national_report_renders_every_funnel_offline(national_run, tmp_path):
    binary = _chromium_or_skip()
    report = national_run / "out" / "latest" / "national_report.html"
    names = list(_specs(report))
    # indicator 1 of the trust scope always has counts to show at 400 staff a trust
    assert "trust-1" in names and len(names) >= 9
    url = report.resolve().as_uri()
    result = _chromium(binary, tmp_path / "profile-dom", "--dump-dom", url)
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert f'data-charts-done="{len(names)}"' in dom
    drawn = _rendered_marks(dom, names)
    # a funnel whose every trust is hidden at 400 staff a trust (and so has no limits) draws nothing;
    # every funnel with data to draw draws it
    specs = _specs(report)
    with_data = {name for name, spec in specs.items() if any(spec.get("datasets", {}).values())}
    assert "trust-1" in with_data
    assert all(drawn[name] > 0 for name in with_data), drawn
    assert [line for line in result.stderr.splitlines() if ":CONSOLE" in line] == []

    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "national_report.png"
    shot = _chromium(
        binary, tmp_path / "profile-shot", f"--screenshot={screenshot}", "--window-size=1280,6000", url
    )
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_trust_points_are_the_warehouse_values_shown(national_run):
    """Each trust's point on the indicator 1 funnel is its published BME share (all staff, all
    bands, trust scope), and no trust is drawn whose share is hidden."""
    report = national_run / "out" / "latest" / "national_report.html"
    spec = _specs(report)["trust-1"]
    points = {
        row["organisation_code"]: row["value"]
        for data in spec.get("datasets", {}).values()
        for row in data
        if "organisation_code" in row and row.get("value") is not None
    }
    con = duckdb.connect(str(national_run / "wh" / "wres.duckdb"), read_only=True)
    try:
        shown = dict(
            con.execute(
                """select organisation_code, value from marts.wres_indicators
                   where indicator = 1 and scope = 'trust' and ethnic_group = 'bme'
                     and breakdown = 'all|all' and snapshot_date = date '2025-03-31' and not suppressed"""
            ).fetchall()
        )
    finally:
        con.close()
    assert points and points.keys() <= shown.keys()
    for organisation, value in points.items():
        assert value == pytest.approx(shown[organisation]), organisation
