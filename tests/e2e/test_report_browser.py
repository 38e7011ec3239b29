"""The HTML report (wres/report.py): its structure and escaping, and, in Debian's headless
chromium with networking disabled, that every chart draws and nothing is logged to the console.

The browser test keeps a screenshot under ``test-artifacts/`` (gitignored).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest

from tests.unit.test_charts import NOW, ORGANISATION, report_fixture_tables
from wres import charts, report
from wres.config import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    tables = report_fixture_tables()
    made = charts.report_charts(tables, organisation=ORGANISATION, snapshot_date=NOW, settings=Settings())
    path = tmp_path_factory.mktemp("report") / "report.html"
    report.render_report(
        tables, made, organisation=ORGANISATION, snapshot_date=NOW, settings=Settings(), path=path
    )
    return path, made


@pytest.fixture(scope="module")
def whole_page(rendered) -> str:
    return rendered[0].read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page(whole_page) -> str:
    """The page's markup, before the scripts at the end of its body (Vega's bundle holds markup-like text)."""
    return whole_page.split("<script>")[0]


def test_sections_come_in_order(page):
    headings = re.findall(r"<h2>([^<]*)</h2>", page)
    assert headings == [
        "What changed",
        "Maternity and neonatal services",
        "The trust",
        "Data quality",
        "Methods",
    ]


def test_vega_is_embedded_once_and_nothing_is_fetched(whole_page, page):
    assert whole_page.count("window.vegaEmbed=") == 1
    assert whole_page.count('id="wres-chart-specs"') == 1
    # no element loads anything: no src, no stylesheet link, no CSS import or url()
    assert not re.search(
        r"<(script|img|iframe|link|source|video|audio)\b[^>]*\b(src|href)=", page, re.IGNORECASE
    )
    assert "@import" not in page and "url(" not in page
    assert "default-src 'none'" in page  # and the browser is told to refuse any request


def test_every_chart_has_a_place(rendered, page, whole_page):
    _, made = rendered
    for name in made:
        assert page.count(f'id="chart-{name}"') == 1, name
    specs = whole_page.split('<script type="application/json" id="wres-chart-specs">')[1].split("</script>")[
        0
    ]
    assert json.loads(specs).keys() == made.keys()


def test_data_text_is_escaped(page, tmp_path):
    # the rejected file's name and message carry markup: it must arrive as text
    assert "<script>alert(1)</script>" not in page
    assert "disciplinary_2025-03-31 &lt;script&gt;alert(1)&lt;/script&gt;.csv" in page
    assert "&lt;b&gt;fix&lt;/b&gt; &amp; drop the file again" in page
    tables = report_fixture_tables()
    hostile = "R</script><b>X"
    tables = {
        k: (
            v.with_columns(pl.lit(hostile).alias("organisation_code"))
            if "organisation_code" in v.columns
            else v
        )
        for k, v in tables.items()
    }
    made = charts.report_charts(tables, organisation=hostile, snapshot_date=NOW, settings=Settings())
    text = report.render_report(
        tables, made, organisation=hostile, snapshot_date=NOW, settings=Settings(), path=tmp_path / "r.html"
    ).read_text(encoding="utf-8")
    assert hostile not in text
    assert "R&lt;/script&gt;&lt;b&gt;X" in text


def test_changes_hide_what_rests_on_hidden_values(page):
    changes = page.split('<section id="changed">')[1].split("</section>")[0]
    trust = changes.split("<caption>The trust</caption>")[1].split("</table>")[0]
    # trust BME share: 112/446 - 105/440 = +1.2 points; - 95/420 = +2.5 points
    assert re.search(
        r"BME share, all staff</th><td class=\"num\">25.1%</td><td class=\"num\">"
        r"\+1.2 points</td><td class=\"num\">\+2.5 points</td>",
        trust,
    )
    # disciplinary RL: 31 Dec 2024 hidden (3 BME cases) so that change is *, the year-earlier one shown:
    # 1.7679 - 1.9737 = -0.21
    assert re.search(
        r"formal disciplinary</th><td class=\"num\">1.77</td><td class=\"num hidden\">\*</td>"
        r"<td class=\"num\">\u22120.21</td>",
        trust,
    )
    # the only significant relative likelihood is listed as significant, the four others apart
    significant, others = changes.split("Statistically significant at this snapshot")[1].split(
        "Not statistically"
    )
    assert significant.count("<li>") == 1
    assert "White applicants 1.60 times as likely to be appointed from shortlisting" in significant
    assert others.split("</ul>")[0].count("<li>") == 4


def test_changes_list_visible_figures_and_count_the_hidden(page):
    changes = page.split('<section id="changed">')[1].split("</section>")[0]
    # the opening in words: trust 112/446 = 25.1%, +1.2 points; maternity 25/90 = 27.8%, 23/88 = 26.1% before
    assert (
        "BME staff are 25.1% of the workforce of the trust (+1.2 points since 31 Dec 2024). "
        "BME staff are 27.8% of the workforce of maternity and neonatal services (+1.6 points since 31 Dec 2024)."
    ) in changes
    # rows that show nothing but * are counted, not listed: the trust's executive board share; maternity's
    # non-clinical share and its appointment (3 appointed) and disciplinary (1 case) likelihoods; the
    # obstetric medical staff's share (2 BME of 8)
    assert "The trust: 1 figure for small groups is hidden (*)." in changes
    assert "Maternity and neonatal services: 3 figures for small groups are hidden (*)." in changes
    assert "Maternity role groups: 1 figure for small groups is hidden (*)." in changes
    assert "executive board members" not in changes and "Obstetric" not in changes
    roles = changes.split("<caption>Maternity role groups</caption>")[1].split("</table>")[0]
    assert re.findall(r'<th scope="row">([^<]*)</th>', roles) == [
        "Midwives: BME share, all staff",
        "Maternity support workers: BME share, all staff",
    ]


def test_one_change_column_when_the_previous_snapshot_is_the_year_earlier_one(tmp_path):
    tables = report_fixture_tables()
    trends = tables["trends"]
    tables["trends"] = trends.with_columns(
        pl.col("year_earlier_snapshot_date").alias("previous_snapshot_date"),
        pl.col("year_earlier_value").alias("previous_value"),
        pl.col("change_from_year_earlier").alias("change_from_previous"),
        pl.col("year_earlier_suppressed").alias("previous_suppressed"),
    )
    text = report.render_report(
        tables,
        {},
        organisation=ORGANISATION,
        snapshot_date=NOW,
        settings=Settings(),
        path=tmp_path / "r.html",
    ).read_text(encoding="utf-8")
    trust = text.split("<caption>The trust</caption>")[1].split("</table>")[0]
    assert re.findall(r'<th scope="col">([^<]*)</th>', trust) == [
        "Figure",
        "Now",
        "Change since 31 Mar 2024",
        "Reading",
    ]
    # 112/446 - 95/420 = +2.5 points, now in the only change column
    assert re.search(
        r'BME share, all staff</th><td class="num">25.1%</td><td class="num">\+2.5 points</td><td>', trust
    )


def test_data_quality_section(page):
    quality = page.split('<section id="data-quality">')[1].split("</section>")[0]
    # unknown ethnicity: trust 37/446 = 8.3%, maternity 5/90 = 5.6%
    assert "The trust: 8.3%" in quality and "Maternity and neonatal services: 5.6%" in quality
    assert quality.count('class="status-rejected">rejected') == 1
    assert "12.5% of rows have unknown ethnicity" in quality


def test_hidden_cells_are_starred_with_a_footnote(page):
    maternity = page.split('<section id="maternity">')[1].split("</section>")[0]
    assert '<td class="num hidden">*</td>' in maternity
    assert "* hidden: the figure rests on a count of 1 to 4" in maternity


def _chromium_or_skip() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing, and CI=true requires the browser test to run")
    pytest.skip(f"{CHROMIUM} is not installed")


def _rendered_marks(dom: str, names) -> dict[str, int]:
    """Each chart's count of drawn marks, read from the page's DOM after rendering (0 when it drew
    none); asserts that every chart's element is there and says it rendered."""
    drawn = {}
    for name in names:
        element = re.search(rf'<div[^>]* id="chart-{re.escape(name)}"[^>]*>', dom)
        assert element, name
        assert 'data-rendered="true"' in element.group(0), name
        marks = re.search(r'data-marks="(\d+)"', element.group(0))
        drawn[name] = int(marks.group(1)) if marks else 0
    return drawn


def _chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    flags = [
        "--headless",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--disable-extensions",
        f"--user-data-dir={profile}",
        # no network at all: every host resolves to nothing, and every connection goes to a dead proxy
        "--proxy-server=127.0.0.1:9",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=20000",
        "--hide-scrollbars",
    ]
    if os.geteuid() == 0:
        flags.append("--no-sandbox")
    return subprocess.run([binary, *flags, *args], capture_output=True, text=True, timeout=180)


@pytest.mark.browser
def test_report_renders_offline_in_chromium(rendered, tmp_path):
    binary = _chromium_or_skip()
    path, made = rendered
    url = path.as_uri()
    result = _chromium(binary, tmp_path / "profile-dom", "--dump-dom", url)
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert f'data-charts-done="{len(made)}"' in dom
    drawn = _rendered_marks(dom, made)
    assert all(drawn[name] > 0 for name in made), drawn
    # each chart drew an SVG carrying its alt text
    assert dom.count('class="marks"') == len(made)
    # nothing logged by the page: no error, warning or failed request
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []

    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "report_browser.png"
    shot = _chromium(
        binary, tmp_path / "profile-shot", f"--screenshot={screenshot}", "--window-size=1280,4000", url
    )
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [line for line in shot.stderr.splitlines() if ":CONSOLE" in line] == []
    shutil.copy(path, ARTIFACTS / "report_browser.html")
