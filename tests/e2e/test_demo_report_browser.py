"""The real report of ``wres demo`` (the synthetic trust, through the real flow) in Debian's headless
chromium with networking disabled: every chart draws marks, nothing is logged to the console.

The screenshot is kept as ``test-artifacts/demo_report.png`` (gitignored) for a person to look at.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_wres
from tests.e2e.test_report_browser import ARTIFACTS, _chromium, _chromium_or_skip, _rendered_marks

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory, prefect_server: str) -> Path:
    work = tmp_path_factory.mktemp("demo")
    # a trust's settings beside it: the demo must still use the default warehouse and outputs
    # (CONTRACT section 4) and keep the synthetic trust out of the trust's state
    (work / "wres.toml").write_text(
        '[paths]\nwarehouse = "trust/wres.duckdb"\nout = "trust/outputs"\nstate = "trust/state"\n',
        encoding="utf-8",
    )
    result = run_wres(["demo"], cwd=work, prefect_api=prefect_server)
    assert result.returncode == 0, result.stderr[-4000:]
    report = work / "data" / "outputs" / "latest" / "wres_report.html"
    assert f"Report:      {report}" in result.stdout
    return report


def test_the_demo_uses_the_default_paths_and_a_state_of_its_own(demo_report):
    work = demo_report.parents[3]
    assert (work / "data" / "warehouse" / "wres.duckdb").is_file()
    assert (work / "data" / "demo-state" / "state.duckdb").is_file()
    assert not (work / "trust").exists()
    assert not (work / "data" / "state").exists()


def _chart_names(report: Path) -> list[str]:
    text = report.read_text(encoding="utf-8")
    marker = '<script type="application/json" id="wres-chart-specs">'
    return list(json.loads(text.split(marker)[1].split("</script>")[0]))


def test_demo_report_renders_every_chart_offline(demo_report, tmp_path):
    binary = _chromium_or_skip()
    names = _chart_names(demo_report)
    # the demo trust has every kind of extract: both scopes' charts, the trends and the board
    assert {
        "trend_bme_share",
        "trend_relative_likelihood",
        "maternity_band_profile",
        "maternity_role_groups",
        "maternity_relative_likelihood",
        "maternity_survey",
        "maternity_representation",
        "trust_band_profile",
        "trust_relative_likelihood",
        "trust_survey",
        "trust_representation",
        "board",
    } <= set(names)
    url = demo_report.as_uri()
    result = _chromium(binary, tmp_path / "profile-dom", "--dump-dom", url)
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert f'data-charts-done="{len(names)}"' in dom
    drawn = _rendered_marks(dom, names)
    assert all(count > 0 for count in drawn.values()), drawn
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []

    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "demo_report.png"
    shot = _chromium(
        binary, tmp_path / "profile-shot", f"--screenshot={screenshot}", "--window-size=1280,9000", url
    )
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [line for line in shot.stderr.splitlines() if ":CONSOLE" in line] == []
    shutil.copy(demo_report, ARTIFACTS / "demo_report.html")
