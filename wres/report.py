"""The weekly HTML report: one self-contained page per snapshot and organisation (CONTRACT section 3).

The page opens offline: the Vega, Vega-Lite and vega-embed JavaScript (from vl-convert) is embedded
once, each chart's Vega-Lite spec is embedded as JSON and drawn as SVG by ``vegaEmbed``; there are
no links to CDNs, web fonts or style sheets. Beside each chart sits a table with its numbers. A
hidden figure is shown as ``*`` with a footnote.

Everything that comes from the data (file names, messages, labels, the organisation code) is
escaped with ``html.escape``; the chart specs are embedded with ``<``, ``>`` and ``&`` written as
JSON unicode escapes, so no data-derived text can ever become markup or end a ``<script>``.

Sections, in order: what changed; maternity and neonatal; the trust; data quality; methods.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import altair as alt
import polars as pl

from wres.bands import BAND_ORDER
from wres.charts import (
    CENSUS_GROUP_ORDER,
    INDICATOR_NAMES,
    chart_spec,
    format_date,
    format_points,
    format_ratio,
    format_share,
    is_significant,
    reading_label,
    relative_likelihood_sentence,
    scope_label,
)
from wres.config import Settings
from wres.sdc import rounding_note
from wres.vega_bundle import vega_javascript

HIDDEN = "*"
# the page may run its own inline scripts and styles (Vega compiles expressions, hence eval) and
# nothing else: the browser refuses any request, so an offline page is also a private one
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:"
)
NO_VALUE = "\u2014"


# --- cells ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One table cell: plain text (escaped when written) and an optional CSS class."""

    text: str
    css: str = ""


Row = Sequence[Cell | str]


def value_cell(row: dict[str, Any] | None, formatter: Callable[[float], str], column: str = "value") -> Cell:
    if row is None:
        return Cell("", "num")
    if row.get("suppressed"):
        return Cell(HIDDEN, "num hidden")
    value = row.get(column)
    return Cell(NO_VALUE if value is None else formatter(value), "num")


def _interval_cell(row: dict[str, Any] | None, formatter: Callable[[float], str]) -> Cell:
    if row is None:
        return Cell("", "num")
    if row.get("suppressed"):
        return Cell(HIDDEN, "num hidden")
    if row.get("ci_low") is None or row.get("ci_high") is None:
        return Cell(NO_VALUE, "num")
    return Cell(f"{formatter(row['ci_low'])} \u2013 {formatter(row['ci_high'])}", "num")


def count_cell(value: int | None, suppressed: bool = False) -> Cell:
    if value is None:
        return Cell(HIDDEN if suppressed else "", "num hidden" if suppressed else "num")
    return Cell(f"{value:,}", "num")


def _rows(frame: pl.DataFrame, **equal: Any) -> pl.DataFrame:
    for column, wanted in equal.items():
        if isinstance(wanted, list | tuple):
            frame = frame.filter(pl.col(column).is_in(list(wanted)))
        else:
            frame = frame.filter(pl.col(column) == wanted)
    return frame


def _one(frame: pl.DataFrame, **equal: Any) -> dict[str, Any] | None:
    rows = _rows(frame, **equal)
    return rows.row(0, named=True) if rows.height else None


def _scopes(frame: pl.DataFrame) -> list[str]:
    present = set(frame["scope"].to_list()) if "scope" in frame.columns else set()
    ordered = [s for s in ("trust", "maternity_neonatal") if s in present]
    return ordered + sorted(s for s in present if s not in ordered)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- HTML pieces ---------------------------------------------------------------------------------


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def table_html(
    header: Sequence[str], rows: Sequence[Row], caption: str, min_count: int, survey_min: int
) -> str:
    if not rows:
        return f'<p class="empty">{_esc(caption)}: no figures.</p>'
    cells = [[c if isinstance(c, Cell) else Cell(c) for c in row] for row in rows]
    hidden = any(c.text == HIDDEN for row in cells for c in row)
    head = "".join(f'<th scope="col">{_esc(h)}</th>' for h in header)
    body = "\n".join(
        "<tr>"
        + "".join(
            (
                f'<th scope="row">{_esc(c.text)}</th>'
                if i == 0
                else f'<td class="{_esc(c.css)}">{_esc(c.text)}</td>'
                if c.css
                else f"<td>{_esc(c.text)}</td>"
            )
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in cells
    )
    note = (
        f'<p class="note">{HIDDEN} hidden: the figure rests on a count of 1 to {min_count - 1} (or, for the '
        f"staff survey, fewer than {survey_min} answers), or would let a hidden figure be worked out.</p>"
        if hidden
        else ""
    )
    return (
        f'<div class="table-wrap"><table><caption>{_esc(caption)}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>\n{body}\n</tbody></table>{note}</div>"
    )


def figure_html(name: str, spec: dict[str, Any] | None, table_html: str) -> str:
    if spec is None:
        return f'<div class="figure no-chart">{table_html}</div>'
    description = spec.get("description", "")
    return (
        f'<div class="figure"><div class="chart" id="chart-{_esc(name)}" data-chart="{_esc(name)}" '
        f'role="img" aria-label="{_esc(description)}"><p class="chart-fallback">{_esc(description)}</p></div>'
        f"{table_html}</div>"
    )


def json_for_script(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` characters."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


EMBED_SCRIPT = """
(function () {
  var specs = JSON.parse(document.getElementById("wres-chart-specs").textContent);
  var names = Object.keys(specs);
  var jobs = names.map(function (name) {
    var target = document.getElementById("chart-" + name);
    return vegaEmbed(target, specs[name], {renderer: "svg", actions: false}).then(function () {
      target.setAttribute("data-marks", String(target.querySelectorAll(".role-mark > *").length));
      target.setAttribute("data-rendered", "true");
    }).catch(function (error) {
      target.setAttribute("data-rendered", "error");
      target.textContent = "This chart could not be drawn; the table beside it holds its numbers.";
      console.error(error);
    });
  });
  Promise.all(jobs).then(function () {
    document.body.setAttribute("data-charts-done", String(names.length));
  });
})();
"""

PAGE_CSS = """
:root { --ink: #1d1d1b; --muted: #4c4c4c; --rule: #d9d9d9; --band: #f4f6f8; --accent: #005eb8; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.45;
  font: 15px/1.5 "Liberation Sans", Arial, Helvetica, "DejaVu Sans", sans-serif; }
header, main { max-width: 1240px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; border-bottom: 4px solid var(--accent); padding-bottom: 12px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 36px 0 8px; padding-top: 8px; border-top: 1px solid var(--rule); }
h3 { font-size: 17px; margin: 28px 0 8px; }
p.lead { color: var(--muted); margin: 0; }
nav ol { display: flex; flex-wrap: wrap; gap: 4px 20px; padding: 0; margin: 10px 0 0; list-style: none; }
nav a { color: var(--accent); }
.figure { display: flex; flex-wrap: wrap; gap: 16px 32px; align-items: flex-start; margin: 8px 0 24px; }
.chart { flex: 0 1 auto; max-width: 100%; overflow-x: auto; }
.chart-fallback { color: var(--muted); font-size: 13px; max-width: 520px; }
.table-wrap { flex: 1 1 380px; min-width: 320px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
caption { text-align: left; font-weight: bold; padding: 4px 0 6px; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); font-size: 12px; }
tbody tr:nth-child(even) { background: var(--band); }
tbody th { font-weight: normal; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.hidden { color: var(--muted); }
td.significant, li strong { color: #a33d00; }
.note, .empty { font-size: 12px; color: var(--muted); margin: 4px 0 0; }
ul.findings li { margin: 4px 0; }
.status-rejected { color: #a33d00; font-weight: bold; }
dl.methods dt { font-weight: bold; margin-top: 10px; }
dl.methods dd { margin: 2px 0 0 0; }
footer { max-width: 1240px; margin: 40px auto 24px; padding: 0 24px; color: var(--muted); font-size: 12px; }
@media print {
  body { font-size: 11pt; }
  nav { display: none; }
  .figure, table, li { break-inside: avoid; }
  h2 { break-before: page; }
  h2:first-of-type { break-before: avoid; }
  .chart { overflow: visible; }
}
"""


# --- the tables beside the charts -----------------------------------------------------------------

_WORKFORCE = {"all": "All staff", "clinical": "Clinical", "non_clinical": "Non-clinical"}


def _band_table(indicators: pl.DataFrame, scope: str) -> tuple[list[str], list[Row]]:
    rows = _rows(indicators, indicator=1, measure="share", scope=scope)
    cells = sorted(
        set(rows["breakdown"].to_list()),
        key=lambda b: (
            list(_WORKFORCE).index(b.split("|")[0]) if b.split("|")[0] in _WORKFORCE else 9,
            -1
            if b.split("|")[1] == "all"
            else (BAND_ORDER.index(b.split("|")[1]) if b.split("|")[1] in BAND_ORDER else 99),
            b,
        ),
    )
    table: list[Row] = []
    for breakdown in cells:
        workforce, band = breakdown.split("|", 1)
        cell_rows = _rows(rows, breakdown=breakdown)
        people = [d for d in cell_rows["denominator"].to_list() if d is not None]
        table.append(
            [
                f"{_WORKFORCE.get(workforce, workforce)}, {'all bands' if band == 'all' else band}",
                *(
                    value_cell(_one(cell_rows, ethnic_group=g), format_share)
                    for g in ("white", "bme", "unknown")
                ),
                count_cell(people[0] if people else None, suppressed=not people),
            ]
        )
    return ["Cell", "White", "BME", "Unknown", "People"], table


def _relative_likelihood_table(indicators: pl.DataFrame, scope: str) -> tuple[list[str], list[Row]]:
    table: list[Row] = []
    for number, breakdown, label in (
        (2, "", "2 Appointed from shortlisting"),
        (2, "excluding_international", "2 Excluding international recruits"),
        (3, "", "3 Formal disciplinary investigation"),
        (4, "", "4 Non-mandatory training and CPD"),
    ):
        rl = _one(
            indicators, indicator=number, measure="relative_likelihood", scope=scope, breakdown=breakdown
        )
        if rl is None:
            continue
        rates = _rows(indicators, indicator=number, measure="rate", scope=scope, breakdown=breakdown)
        reading = "" if rl["suppressed"] else (reading_label(rl["interpretation"]) or "")
        if is_significant(rl["interpretation"]) and not rl["suppressed"]:
            reading_cell = Cell(f"{reading}; significant", "significant")
        else:
            reading_cell = Cell(reading)
        table.append(
            [
                label,
                value_cell(_one(rates, ethnic_group="white"), format_share),
                value_cell(_one(rates, ethnic_group="bme"), format_share),
                value_cell(rl, format_ratio),
                _interval_cell(rl, format_ratio),
                reading_cell,
            ]
        )
    return ["Indicator", "White rate", "BME rate", "Likelihood", "95% interval", "Reading"], table


def _survey_table(indicators: pl.DataFrame, scope: str) -> tuple[list[str], list[Row]]:
    table: list[Row] = []
    for number in (5, 6, 7, 8):
        rows = _rows(indicators, indicator=number, measure="rate", scope=scope)
        if not rows.height:
            continue
        white, bme = _one(rows, ethnic_group="white"), _one(rows, ethnic_group="bme")
        table.append(
            [
                f"{number} {_SURVEY_SHORT[number]}",
                value_cell(white, format_share),
                _interval_cell(white, format_share),
                value_cell(bme, format_share),
                _interval_cell(bme, format_share),
            ]
        )
    return ["Question", "White", "95% interval", "BME", "95% interval"], table


_SURVEY_SHORT = {
    5: "Harassment from patients or public",
    6: "Harassment from staff",
    7: "Equal opportunities",
    8: "Discrimination at work",
}


def _source_periods(indicators: pl.DataFrame, scope: str, numbers: Sequence[int]) -> str:
    periods = sorted(
        {p for p in _rows(indicators, scope=scope, indicator=list(numbers))["source_period"].to_list() if p}
    )
    return ", ".join(periods)


def _representation_table(representation: pl.DataFrame, scope: str) -> tuple[list[str], list[Row]]:
    rows = _rows(representation, scope=scope)
    table: list[Row] = []
    references = sorted(set(rows["reference_population"].to_list()), key=lambda n: (n != "census2021", n))
    for reference in references:
        for group in CENSUS_GROUP_ORDER:
            row = _one(rows, reference_population=reference, ethnic_group=group)
            if row is None:
                continue
            table.append(
                [
                    f"{group} ({reference})",
                    count_cell(row["headcount"], bool(row["suppressed"])),
                    value_cell(row, format_share, "workforce_share"),
                    Cell(format_share(row["reference_share"]), "num"),
                    value_cell(row, format_ratio, "ratio"),
                    _interval_cell(row, format_ratio),
                ]
            )
    return [
        "Group (reference)",
        "Staff",
        "Workforce share",
        "Reference share",
        "Ratio",
        "95% interval",
    ], table


def _board_table(indicators: pl.DataFrame) -> tuple[list[str], list[Row]]:
    table: list[Row] = []
    for breakdown, label in (("voting", "Voting board members"), ("executive", "Executive board members")):
        share = _one(
            indicators, indicator=9, measure="share", scope="trust", ethnic_group="bme", breakdown=breakdown
        )
        if share is None:
            continue
        difference = _one(indicators, indicator=9, measure="difference", scope="trust", breakdown=breakdown)
        table.append(
            [
                label,
                value_cell(share, format_share),
                _interval_cell(share, format_share),
                value_cell(difference, format_points),
                share["source_period"] or "",
            ]
        )
    workforce = _one(
        indicators, indicator=1, measure="share", scope="trust", ethnic_group="bme", breakdown="all|all"
    )
    if workforce is not None:
        table.append(
            [
                "Whole workforce",
                value_cell(workforce, format_share),
                _interval_cell(workforce, format_share),
                "",
                workforce["source_period"] or "",
            ]
        )
    return ["Who", "BME share", "95% interval", "Difference from workforce", "Data"], table


def _role_group_table(indicators: pl.DataFrame) -> tuple[list[str], list[Row]]:
    rows = _rows(indicators, indicator=1, measure="share", breakdown="all|all").filter(
        pl.col("scope").str.starts_with("maternity")
    )
    table: list[Row] = []
    for scope in _scopes(rows):
        bme = _one(rows, scope=scope, ethnic_group="bme")
        people = [d for d in _rows(rows, scope=scope)["denominator"].to_list() if d is not None]
        table.append(
            [
                _capital(scope_label(scope)),
                value_cell(bme, format_share),
                _interval_cell(bme, format_share),
                count_cell(people[0] if people else None, suppressed=not people),
            ]
        )
    return ["Staff", "BME share", "95% interval", "People"], table


def _trend_table(
    indicators_all: pl.DataFrame,
    series: Sequence[tuple[str, dict[str, Any]]],
    formatter: Callable[[float], str],
) -> tuple[list[str], list[Row]]:
    dates = sorted(set(indicators_all["snapshot_date"].to_list()))
    table: list[Row] = []
    for label, equal in series:
        rows = _rows(indicators_all, **equal)
        if rows.height:
            table.append([label, *(value_cell(_one(rows, snapshot_date=d), formatter) for d in dates)])
    return ["Series", *(format_date(d) for d in dates)], table


# --- section 1: what changed ---------------------------------------------------------------------


def _change_cell(row: dict[str, Any], which: str, formatter: Callable[[float], str]) -> Cell:
    """A change, unless it rests on a hidden value (now or then): then ``*``."""
    if row.get(f"{which}_snapshot_date") is None:
        return Cell(NO_VALUE, "num")
    if row.get("suppressed") or row.get(f"{which}_suppressed"):
        return Cell(HIDDEN, "num hidden")
    change = row.get(f"change_from_{which}")
    return Cell(NO_VALUE if change is None else formatter(change), "num")


def _ratio_change(change: float) -> str:
    return f"{'+' if change >= 0 else chr(0x2212)}{abs(change):.2f}"


def _change_series(trends: pl.DataFrame) -> list[tuple[str, str, dict[str, Any], bool]]:
    """(scope, label, row, is_ratio) of each figure whose change the report lists."""
    listed = []
    for scope in _scopes(trends):
        for breakdown, label in (
            ("all|all", "BME share, all staff"),
            ("clinical|all", "BME share, clinical staff"),
            ("non_clinical|all", "BME share, non-clinical staff"),
        ):
            row = _one(
                trends, scope=scope, indicator=1, measure="share", ethnic_group="bme", breakdown=breakdown
            )
            if row is not None:
                listed.append((scope, label, row, False))
        for number, breakdown, label in (
            (2, "", "Relative likelihood, appointed from shortlisting"),
            (
                2,
                "excluding_international",
                "Relative likelihood, appointed (excluding international recruits)",
            ),
            (3, "", "Relative likelihood, formal disciplinary"),
            (4, "", "Relative likelihood, non-mandatory training"),
        ):
            row = _one(
                trends, scope=scope, indicator=number, measure="relative_likelihood", breakdown=breakdown
            )
            if row is not None:
                listed.append((scope, label, row, True))
        for breakdown, label in (
            ("voting", "BME share, voting board members"),
            ("executive", "BME share, executive board members"),
        ):
            row = _one(
                trends, scope=scope, indicator=9, measure="share", ethnic_group="bme", breakdown=breakdown
            )
            if row is not None:
                listed.append((scope, label, row, False))
    return listed


# the changes table comes in three parts, so that the many small role-group rows sit together
_CHANGE_FAMILIES: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("The trust", lambda scope: scope == "trust"),
    ("Maternity and neonatal services", lambda scope: scope == "maternity_neonatal"),
    ("Maternity role groups", lambda scope: scope.startswith("maternity:")),
)


def _shows_a_figure(cells: Sequence[Cell]) -> bool:
    return any(c.text not in (HIDDEN, NO_VALUE, "") for c in cells)


def _headline(trends: pl.DataFrame, indicators: pl.DataFrame) -> str:
    """The opening in words: the BME share of each scope and its change, then every relative
    likelihood of the trust and of maternity and neonatal services, significant or not."""
    sentences = []
    for scope in ("trust", "maternity_neonatal"):
        row = _one(trends, scope=scope, indicator=1, measure="share", ethnic_group="bme", breakdown="all|all")
        if row is None:
            continue
        if row["suppressed"] or row["value"] is None:
            sentences.append(f"The BME share of {scope_label(scope)} is hidden because numbers are small.")
            continue
        change = ""
        if row.get("previous_snapshot_date") is not None and row.get("change_from_previous") is not None:
            change = (
                f" ({format_points(row['change_from_previous'])} since "
                f"{format_date(row['previous_snapshot_date'])})"
            )
        sentences.append(
            f"BME staff are {format_share(row['value'])} of the workforce of {scope_label(scope)}{change}."
        )
    significant, other = [], []
    for scope in ("trust", "maternity_neonatal"):
        rl = _rows(indicators, scope=scope, measure="relative_likelihood")
        for row in rl.sort("indicator", "breakdown").iter_rows(named=True):
            if row["suppressed"] or row["value"] is None:
                continue
            sentence = relative_likelihood_sentence(
                row["indicator"], row["breakdown"], row["value"], row["interpretation"], False
            ).rsplit(" (", 1)[0]
            reading = (reading_label(row["interpretation"]) or "").replace("Adverse", "adverse")
            reading = reading.replace("No adverse", "no adverse")
            flag = "significant" if is_significant(row["interpretation"]) else "not significant"
            finding = (
                f"<li><strong>{_esc(_capital(scope_label(scope)))}:</strong> {_esc(sentence)} "
                f"({_esc(reading)}, {flag}).</li>"
            )
            (significant if is_significant(row["interpretation"]) else other).append(finding)
    parts = [f'<p class="headline">{_esc(" ".join(sentences))}</p>'] if sentences else []
    if significant:
        parts.append(
            "<p>Statistically significant at this snapshot (the 95% interval excludes 1):</p>"
            f'<ul class="findings">{"".join(significant)}</ul>'
        )
    else:
        parts.append("<p>No relative likelihood is statistically significant at this snapshot.</p>")
    if other:
        parts.append(
            "<p>Not statistically significant (the 95% interval includes 1, so the difference may be "
            f'chance):</p><ul class="findings">{"".join(other)}</ul>'
        )
    return "".join(parts)


def _changes_section(trends: pl.DataFrame, indicators: pl.DataFrame, settings: Settings) -> str:
    listed = _change_series(trends)
    previous = next(
        (r["previous_snapshot_date"] for _, _, r, _ in listed if r.get("previous_snapshot_date")), None
    )
    earlier = next(
        (r["year_earlier_snapshot_date"] for _, _, r, _ in listed if r.get("year_earlier_snapshot_date")),
        None,
    )
    # when the previous snapshot is the one a year earlier, one change column says it all
    one_change = all(
        r.get("previous_snapshot_date") == r.get("year_earlier_snapshot_date") for _, _, r, _ in listed
    )
    header = [
        "Figure",
        "Now",
        f"Change since {format_date(previous)}" if previous else "Change since previous snapshot",
    ]
    if not one_change:
        header.append(f"Change since {format_date(earlier)}" if earlier else "Change since a year earlier")
    header.append("Reading")
    tables = []
    for family, belongs in _CHANGE_FAMILIES:
        shown: list[Row] = []
        hidden = empty = 0
        for scope, label, row, is_ratio in listed:
            if not belongs(scope):
                continue
            formatter = format_ratio if is_ratio else format_share
            change_formatter = _ratio_change if is_ratio else format_points
            figures = [value_cell(row, formatter), _change_cell(row, "previous", change_formatter)]
            if not one_change:
                figures.append(_change_cell(row, "year_earlier", change_formatter))
            if not _shows_a_figure(figures):
                hidden += any(c.text == HIDDEN for c in figures)
                empty += not any(c.text == HIDDEN for c in figures)
                continue
            reading = ""
            if is_ratio and not row["suppressed"] and row.get("interpretation"):
                reading = (reading_label(row["interpretation"]) or "") + (
                    "; significant" if is_significant(row["interpretation"]) else ""
                )
            name = (
                label
                if scope in ("trust", "maternity_neonatal")
                else f"{_capital(scope_label(scope))}: {label}"
            )
            significant = is_significant(row.get("interpretation")) and reading
            shown.append([name, *figures, Cell(reading, "significant" if significant else "")])
        if not shown and not hidden and not empty:
            continue
        table = (
            table_html(
                header,
                shown,
                family,
                settings.disclosure.min_count,
                settings.disclosure.survey_min_denominator,
            )
            if shown
            else ""
        )
        summary = []
        if hidden:
            summary.append(
                f"{hidden} figure{'s' if hidden > 1 else ''} for small groups "
                f"{'are' if hidden > 1 else 'is'} hidden ({HIDDEN})"
            )
        if empty:
            summary.append(
                f"{empty} figure{'s' if empty > 1 else ''} {'have' if empty > 1 else 'has'} no value"
            )
        note = f'<p class="note">{_esc(family)}: {_esc("; ".join(summary))}.</p>' if summary else ""
        tables.append(table + note)
    note = (
        '<p class="note">Changes of shares are in percentage points. '
        "A change is not shown (*) when the value "
        "now or then is hidden; " + NO_VALUE + " means there is no earlier snapshot or no value.</p>"
    )
    return _headline(trends, indicators) + "".join(tables) + note


# --- section 4: data quality ---------------------------------------------------------------------


def _data_quality_section(quality: pl.DataFrame | None, indicators: pl.DataFrame, settings: Settings) -> str:
    parts = []
    completeness = []
    for scope in ("trust", "maternity_neonatal"):
        row = _one(
            indicators, scope=scope, indicator=1, measure="share", ethnic_group="unknown", breakdown="all|all"
        )
        if row is not None:
            shown = (
                "hidden (small numbers)"
                if row["suppressed"] or row["value"] is None
                else format_share(row["value"])
            )
            completeness.append(f"<li>{_esc(_capital(scope_label(scope)))}: {_esc(shown)}</li>")
    if completeness:
        parts.append(
            "<h3>Ethnicity completeness</h3><p>Share of staff whose ethnicity is not stated or not known "
            f"(indicator 1, all staff):</p><ul>{''.join(completeness)}</ul>"
        )
    if quality is None or quality.is_empty():
        parts.append("<p>No validation results were passed to this report.</p>")
        return "".join(parts)
    files: list[Row] = []
    rejected, warnings = [], []
    for (name, kind, status), rows in quality.group_by(["name", "kind", "status"], maintain_order=True):
        failures = rows.filter(pl.col("check_name").is_not_null())
        if status == "warning":  # about the data as a whole, not one file (no catchment, say)
            label = "warning"
        else:
            label = (
                "rejected"
                if status == "rejected"
                else ("loaded with warnings" if failures.height else "loaded")
            )
        files.append(
            [
                str(name),
                str(kind or ""),
                Cell(label, "status-rejected" if status == "rejected" else ""),
                Cell(str(failures.height), "num"),
            ]
        )
        for failure in failures.iter_rows(named=True):
            column = f" (column {failure['column_name']})" if failure["column_name"] else ""
            item = (
                f"<li><strong>{_esc(name)}</strong>{_esc(column)}: {_esc(failure['message'] or '')} "
                f'<span class="note">[{_esc(failure["severity"] or "")}, '
                f"{_esc(failure['check_name'])}]</span></li>"
            )
            (rejected if status == "rejected" else warnings).append(item)
    parts.append(
        table_html(
            ["File", "Kind", "Status", "Problems"],
            files,
            "Files behind this report",
            settings.disclosure.min_count,
            settings.disclosure.survey_min_denominator,
        )
    )
    parts.append(
        "<h3>Rejected files</h3>"
        + (
            "<p>These files changed nothing in the figures. Fix them and drop them into the inbox again.</p>"
            f"<ul>{''.join(rejected)}</ul>"
            if rejected
            else "<p>None.</p>"
        )
    )
    parts.append("<h3>Warnings</h3>" + (f"<ul>{''.join(warnings)}</ul>" if warnings else "<p>None.</p>"))
    return "".join(parts)


# --- section 5: methods ------------------------------------------------------------------------


def _methods_section(settings: Settings) -> str:
    band = settings.interpretation
    disclosure = settings.disclosure
    items = [
        (
            "Groups",
            "White: NHS ethnic categories A to C. BME (black and minority ethnic): D to S. Unknown: not "
            "stated (Z) or not known (99, blank); unknown people count in shares but in no relative "
            "likelihood. Headcount counts people, not posts; bank assignments are left out.",
        ),
        (
            "Indicators 1 to 4",
            "1: share of white, BME and unknown staff in each band, clinical and non-clinical. "
            "2: relative likelihood of white applicants being appointed from shortlisting "
            "compared with BME applicants. 3: relative likelihood of BME staff entering a "
            "formal disciplinary investigation compared with white staff. 4: relative "
            "likelihood of white staff accessing non-mandatory training and CPD compared with "
            "BME staff. Events count over the twelve months up to the snapshot date.",
        ),
        (
            "Indicators 5 to 9",
            "5 to 8 come from the NHS Staff Survey of the autumn before the snapshot's year: "
            "harassment from patients or the public (q14a), from staff (q14b, q14c), belief in "
            "equal opportunities (q15) and discrimination from a manager or colleagues (q16b). "
            "9: the BME share of voting and of executive board members minus the BME share of "
            "the whole workforce.",
        ),
        (
            "Intervals",
            "Every share and rate has a 95% Wilson score interval; every relative likelihood a 95% "
            "interval by the Katz log method (none when any of its four counts is zero); z = 1.959964. "
            "A representation ratio's interval is the Wilson interval of the workforce share divided "
            "by the reference share.",
        ),
        (
            "Reading a relative likelihood",
            f"Every relative likelihood is oriented so that above 1 is worse for "
            f"BME staff. From {band.lower:.2f} to {band.upper:.2f} it reads 'no "
            f"adverse impact'; above {band.upper:.2f} 'adverse to BME'; below "
            f"{band.lower:.2f} 'adverse to white'. 'Significant' is added when the "
            "95% interval excludes 1.",
        ),
        (
            "Hidden figures",
            f"A count from 1 to {disclosure.min_count - 1} is hidden, and so is every share, rate, "
            f"ratio or interval resting on one; a staff-survey rate with fewer than "
            f"{disclosure.survey_min_denominator} answers is hidden; a second figure is hidden "
            "wherever a hidden one could be worked out from a total (white, BME and unknown within "
            "a cell; bands within a workforce; clinical and non-clinical within all; census groups "
            "within a representation; role groups within maternity). Hidden figures are shown as * "
            "and are not drawn in the charts." + rounding_note(settings),
        ),
        (
            "Sources",
            "Office for National Statistics, Census 2021, table TS021 (ethnic group), for the "
            "representation reference. NHS England, Workforce Race Equality Standard technical guidance, "
            "for the indicator definitions. NHS Data Dictionary, ETHNIC CATEGORY.",
        ),
    ]
    return (
        '<dl class="methods">' + "".join(f"<dt>{_esc(t)}</dt><dd>{_esc(d)}</dd>" for t, d in items) + "</dl>"
    )


# --- the page ------------------------------------------------------------------------------------


def _filter(
    frame: pl.DataFrame | None, organisation: str, snapshot_date: dt.date | None
) -> pl.DataFrame | None:
    if frame is None:
        return None
    if "organisation_code" in frame.columns:
        frame = frame.filter(pl.col("organisation_code") == organisation)
    if snapshot_date is not None and "snapshot_date" in frame.columns:
        frame = frame.filter(pl.col("snapshot_date") == snapshot_date)
    return frame


Section = tuple[str, str, str]  # (anchor, heading, HTML content)


def page_html(
    *, title: str, heading: str, lead: str, sections: Sequence[Section], footer: str, specs: dict[str, Any]
) -> str:
    """A self-contained report page: the sections with a table of contents, the house style, the
    Content-Security-Policy, and the Vega bundle that draws ``specs`` offline. ``lead`` and
    ``footer`` are HTML; ``title`` and the section headings are text."""
    nav = "".join(f'<li><a href="#{key}">{_esc(name)}</a></li>' for key, name, _ in sections)
    body = "".join(
        f'<section id="{key}"><h2>{_esc(name)}</h2>{content}</section>' for key, name, content in sections
    )
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">
<title>{_esc(title)}</title>
<style>{PAGE_CSS}</style>
</head>
<body>
<header>
<h1>{_esc(heading)}</h1>
<p class="lead">{lead}</p>
<nav aria-label="Sections"><ol>{nav}</ol></nav>
</header>
<main>
{body}
</main>
<footer>{footer}</footer>
<script>{vega_javascript()}</script>
<script type="application/json" id="wres-chart-specs">{json_for_script(specs)}</script>
<script>{EMBED_SCRIPT}</script>
</body>
</html>
"""


def render_report(
    tables: dict[str, pl.DataFrame],
    charts: Mapping[str, alt.TopLevelMixin | dict[str, Any]],
    *,
    organisation: str,
    snapshot_date: dt.date,
    settings: Settings,
    path: Path,
) -> Path:
    """Write the self-contained HTML report of ``organisation`` at ``snapshot_date`` to ``path``.

    ``tables`` holds the published (disclosure-controlled) frames ``wres_indicators``,
    ``representation``, ``trends`` and ``data_quality``; they may hold other organisations and
    snapshots (the trend tables use every snapshot up to ``snapshot_date``). ``charts`` maps the
    names of ``wres.charts.report_charts`` to charts, or to their specs already built
    (``wres.charts.chart_spec``, as ``wres.publish`` passes them, so that no spec is built twice); a
    missing chart leaves its table alone.
    """
    chart_specs = {name: c if isinstance(c, dict) else chart_spec(c) for name, c in charts.items()}
    min_count = settings.disclosure.min_count
    survey_min = settings.disclosure.survey_min_denominator
    indicators_all = _filter(tables["wres_indicators"], organisation, None)
    indicators_all = indicators_all.filter(pl.col("snapshot_date") <= snapshot_date)
    indicators = indicators_all.filter(pl.col("snapshot_date") == snapshot_date)
    representation = _filter(tables.get("representation"), organisation, snapshot_date)
    trends = _filter(tables.get("trends"), organisation, snapshot_date)
    quality = tables.get("data_quality")
    placed: list[str] = []

    def figure(name: str, heading: str, table: tuple[list[str], list[Row]]) -> str:
        spec = chart_specs.get(name)
        if spec is not None:
            placed.append(name)
        header, rows = table
        if spec is None and not rows:
            return ""
        return f"<h3>{_esc(heading)}</h3>" + figure_html(
            name, spec, table_html(header, rows, heading, min_count, survey_min)
        )

    def scope_section(prefix: str, scope: str) -> str:
        parts = [
            figure(f"{prefix}_band_profile", "Indicator 1: workforce by band", _band_table(indicators, scope))
        ]
        if prefix == "maternity":
            parts.append(
                figure("maternity_role_groups", "BME share by role group", _role_group_table(indicators))
            )
        window = _source_periods(indicators, scope, (2, 3, 4))
        survey = _source_periods(indicators, scope, (5, 6, 7, 8))
        parts += [
            figure(
                f"{prefix}_relative_likelihood",
                "Indicators 2 to 4: relative likelihoods" + (f" ({window})" if window else ""),
                _relative_likelihood_table(indicators, scope),
            ),
            figure(
                f"{prefix}_survey",
                "Indicators 5 to 8: NHS Staff Survey" + (f" ({survey})" if survey else ""),
                _survey_table(indicators, scope),
            ),
        ]
        if representation is not None:
            parts.append(
                figure(
                    f"{prefix}_representation",
                    "Representation against the community",
                    _representation_table(representation, scope),
                )
            )
        if prefix == "trust":
            parts.append(figure("board", "Indicator 9: the board", _board_table(indicators)))
        content = "".join(parts)
        return content or f"<p>No figures for {_esc(scope_label(scope))} at this snapshot.</p>"

    trend_share = _trend_table(
        indicators_all,
        [
            (
                _capital(scope_label(s)),
                {
                    "scope": s,
                    "indicator": 1,
                    "measure": "share",
                    "ethnic_group": "bme",
                    "breakdown": "all|all",
                },
            )
            for s in ("trust", "maternity_neonatal")
        ],
        format_share,
    )
    trend_rl = _trend_table(
        indicators_all,
        [
            (
                INDICATOR_NAMES[n],
                {"scope": "trust", "indicator": n, "measure": "relative_likelihood", "breakdown": ""},
            )
            for n in (2, 3, 4)
        ],
        format_ratio,
    )
    changed = (
        _changes_section(trends, indicators, settings)
        if trends is not None and trends.height
        else "<p>No earlier figures to compare with.</p>"
    )
    changed += figure("trend_bme_share", "BME share over time", trend_share)
    changed += figure("trend_relative_likelihood", "Relative likelihoods over time (trust)", trend_rl)

    sections = [
        ("changed", "What changed", changed),
        ("maternity", "Maternity and neonatal services", scope_section("maternity", "maternity_neonatal")),
        ("trust", "The trust", scope_section("trust", "trust")),
        ("data-quality", "Data quality", _data_quality_section(quality, indicators, settings)),
        ("methods", "Methods", _methods_section(settings)),
    ]
    specs = {name: chart_specs[name] for name in placed}
    title = f"Workforce Race Equality Standard: {organisation}, {format_date(snapshot_date)}"
    lead = (
        f"{_esc(organisation)} &middot; snapshot at {_esc(format_date(snapshot_date))} &middot; figures\n"
        f"hidden because numbers are small are shown as {HIDDEN}"
    )
    footer = (
        "Made by the WRES monitor. Every figure here has been through disclosure control; the analyst "
        "warehouse\nholds the exact values."
    )
    page = page_html(
        title=title,
        heading="Workforce Race Equality Standard",
        lead=lead,
        sections=sections,
        footer=footer,
        specs=specs,
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
