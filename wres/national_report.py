"""The national report: every organisation side by side at one snapshot, with a funnel plot of each
indicator against size (issue 6; the statistics are in ``wres.funnel``).

One self-contained HTML page that opens offline, built like the per-organisation report
(``wres.report``): the Vega bundle embedded once, each chart's Vega-Lite spec embedded as JSON with
``<``, ``>`` and ``&`` escaped, a Content-Security-Policy that refuses every request, and every
piece of text from the data escaped. Only published, disclosure-controlled frames come in; a hidden
figure draws no point, is counted under its chart and shows as ``*`` in the tables.

Sections: how to read a funnel plot; the trust (a funnel per indicator); maternity and neonatal
services (the same); all organisations (a table of headline figures); methods.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import Any

import altair as alt
import polars as pl

from wres.charts import (
    INDICATOR_NAMES,
    NEUTRAL_GREY,
    OKABE_ITO,
    chart_spec,
    finish_chart,
    format_date,
    format_points,
    format_ratio,
    format_share,
    scope_label,
)
from wres.config import Settings
from wres.funnel import (
    ABOVE_95,
    ABOVE_998,
    BELOW_95,
    BELOW_998,
    FUNNEL_SCOPES,
    INSIDE,
    OUTSIDE_998,
    Funnel,
    national_funnels,
    organisation_sizes,
)
from wres.report import (
    HIDDEN,
    Cell,
    Row,
    count_cell,
    figure_html,
    page_html,
    table_html,
    value_cell,
)

POSITION_LABELS = {
    ABOVE_998: "Above the upper 99.8% limit",
    ABOVE_95: "Above the upper 95% limit",
    INSIDE: "Within the 95% limits",
    BELOW_95: "Below the lower 95% limit",
    BELOW_998: "Below the lower 99.8% limit",
}
_POSITION_COLOURS = {
    ABOVE_998: OKABE_ITO["vermillion"],
    ABOVE_95: OKABE_ITO["orange"],
    INSIDE: NEUTRAL_GREY,
    BELOW_95: OKABE_ITO["sky_blue"],
    BELOW_998: OKABE_ITO["blue"],
}
_POSITION_SHAPES = {
    ABOVE_998: "triangle-up",
    ABOVE_95: "triangle-up",
    INSIDE: "circle",
    BELOW_95: "triangle-down",
    BELOW_998: "triangle-down",
}
_LINES = {  # label: (colour, dash)
    "National value": (OKABE_ITO["black"], [1, 0]),
    "95% limits": (OKABE_ITO["bluish_green"], [6, 4]),
    "99.8% limits": (OKABE_ITO["reddish_purple"], [1, 0]),
}

# what a point above the funnel means, per indicator
_ABOVE_MEANS = {
    1: "a higher BME share of staff than the national value",
    2: "white applicants more likely to be appointed, relative to BME applicants, than nationally",
    3: "BME staff more likely to enter a formal disciplinary investigation, relative to white staff",
    4: "white staff more likely to access non-mandatory training, relative to BME staff",
    5: "more BME staff reporting harassment from patients or the public",
    6: "more BME staff reporting harassment from staff",
    7: "more BME staff believing in equal opportunities for career progression",
    8: "more BME staff reporting discrimination from a manager or colleagues",
    9: "a board whose BME share exceeds the workforce's by more than nationally",
}


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def format_funnel_value(funnel: Funnel, value: float | None) -> str:
    """A funnel's value in words: a share as '25.1%', a likelihood as '1.60', a difference in points."""
    if value is None:
        return ""
    if funnel.measure.kind == "relative_likelihood":
        return format_ratio(value)
    if funnel.measure.kind == "difference":
        return format_points(value)
    return format_share(value)


def funnel_finding(funnel: Funnel) -> str:
    """The chart's title: how many organisations lie outside the 99.8% limits.

    For example '4 of 220 trusts lie above the upper 99.8% limit and 2 below the lower'.
    """
    drawn = funnel.points.height
    if funnel.centre is None:
        return "No national limits: too few trusts' counts are shown"
    above = funnel.points.filter(pl.col("position") == ABOVE_998).height
    below = funnel.points.filter(pl.col("position") == BELOW_998).height
    if not above and not below:
        return f"All {_plural(drawn, 'trust')} shown lie within the 99.8% limits"
    of = f"of {_plural(drawn, 'trust')}"
    if above and below:
        verb = "lies" if above == 1 else "lie"
        return f"{above} {of} {verb} above the upper 99.8% limit and {below} below the lower"
    count, side = (above, "above the upper") if above else (below, "below the lower")
    return f"{count} {of} {'lies' if count == 1 else 'lie'} {side} 99.8% limit"


def _notes(funnel: Funnel, not_drawn: int) -> list[str]:
    notes = [f"{funnel.measure.label}, {scope_label(funnel.scope)}, {format_date(funnel.snapshot)}."]
    if funnel.centre is not None:
        notes.append(
            f"National value {format_funnel_value(funnel, funnel.centre)}, pooled from the counts of "
            f"{_plural(funnel.pooled, 'trust')} whose counts are shown."
        )
    if funnel.hidden:
        notes.append(f"{_plural(funnel.hidden, 'trust')} hidden because numbers are small.")
    if funnel.no_value:
        notes.append(f"{_plural(funnel.no_value, 'trust')} with no value (a rate is zero).")
    if not_drawn:
        notes.append(f"{_plural(not_drawn, 'trust')} at 0, not drawn on the log scale.")
    return notes


def _size_title(scope: str) -> str:
    return (
        "Trust headcount (log scale)"
        if scope == "trust"
        else f"Headcount of {scope_label(scope)} (log scale)"
    )


def funnel_chart(funnel: Funnel) -> alt.TopLevelMixin:
    """Points (organisations) against size, with the national value and the 95% and 99.8% limits."""
    log_values = funnel.measure.kind == "relative_likelihood"
    points = funnel.points
    drawable = points.filter(pl.col("value") > 0) if log_values else points
    point_data = drawable.select(
        "organisation_code",
        pl.col("size").cast(pl.Float64),
        "value",
        pl.col("position").replace_strict(POSITION_LABELS, default="No limits").alias("position"),
    )
    lines = pl.concat(
        [
            funnel.limits.select("size", pl.col(column).alias("value")).with_columns(
                pl.lit(label).alias("line"), pl.lit(column).alias("curve")
            )
            for column, label in (
                ("centre", "National value"),
                ("low_95", "95% limits"),
                ("high_95", "95% limits"),
                ("low_998", "99.8% limits"),
                ("high_998", "99.8% limits"),
            )
        ]
    ).filter(pl.col("value").is_not_null() & ((pl.col("value") > 0) if log_values else pl.lit(True)))
    value_format = {"relative_likelihood": ".2f", "difference": "+.1%", "proportion": ".1%"}[
        funnel.measure.kind
    ]
    x = alt.X("size:Q", title=_size_title(funnel.scope), scale=alt.Scale(type="log", nice=False))
    y_scale = alt.Scale(type="log", nice=False) if log_values else alt.Scale(zero=False, nice=True)
    y_axis = alt.Axis(format=".2f" if log_values else ("+%" if funnel.measure.kind == "difference" else "%"))
    curve_layer = (
        alt.Chart(lines)
        .mark_line(strokeWidth=1.5)
        .encode(
            x=x,
            y=alt.Y("value:Q", scale=y_scale, axis=y_axis, title=funnel.measure.label),
            detail="curve:N",
            color=alt.Color(
                "line:N",
                title="Lines",
                scale=alt.Scale(domain=list(_LINES), range=[c for c, _ in _LINES.values()]),
            ),
            strokeDash=alt.StrokeDash(
                "line:N",
                title="Lines",
                scale=alt.Scale(domain=list(_LINES), range=[d for _, d in _LINES.values()]),
            ),
        )
    )
    labels = [*POSITION_LABELS.values()]
    point_layer = (
        alt.Chart(point_data)
        .mark_point(filled=True, size=50, opacity=0.9)
        .encode(
            x=x,
            y=alt.Y("value:Q", scale=y_scale),
            color=alt.Color(
                "position:N",
                title="Trusts",
                scale=alt.Scale(domain=labels, range=list(_POSITION_COLOURS.values())),
                legend=alt.Legend(columns=1, labelLimit=260),
            ),
            # the same title and legend as the colour: Vega-Lite merges the two into one legend
            shape=alt.Shape(
                "position:N",
                title="Trusts",
                scale=alt.Scale(domain=labels, range=list(_POSITION_SHAPES.values())),
                legend=alt.Legend(columns=1, labelLimit=260),
            ),
            tooltip=[
                alt.Tooltip("organisation_code:N", title="Organisation"),
                alt.Tooltip("value:Q", title="Value", format=value_format),
                alt.Tooltip("size:Q", title="Headcount", format=",.0f"),
                alt.Tooltip("position:N", title="Position"),
            ],
        )
    )
    # a layer without rows is left out: Vega warns about the infinite extent of its empty data
    layers = [layer for layer, rows in ((curve_layer, lines), (point_layer, point_data)) if rows.height]
    chart = (
        alt.layer(*layers)
        .resolve_scale(color="independent", shape="independent", strokeDash="independent")
        .properties(width=420, height=280)
    )
    finding = funnel_finding(funnel)
    notes = _notes(funnel, points.height - drawable.height)
    description = (
        f"Funnel plot of {funnel.measure.label.lower()} for {scope_label(funnel.scope)} against headcount, "
        f"one point per trust, with the national value and its 95% and 99.8% limits. {finding}. "
        + " ".join(notes[1:])
    )
    return finish_chart(chart, finding, notes, description)


def chart_name(funnel: Funnel) -> str:
    """The chart's name in the page (and its element id after 'chart-'): 'trust-2'."""
    return f"{funnel.scope}-{funnel.measure.indicator}"


def funnel_charts(indicators: pl.DataFrame, *, snapshot: dt.date) -> dict[str, alt.TopLevelMixin]:
    """Every funnel chart of ``snapshot`` by ``chart_name`` (to save as PNG and SVG, say)."""
    return {chart_name(f): funnel_chart(f) for f in national_funnels(indicators, snapshot=snapshot)}


# --- the tables ---------------------------------------------------------------------------------


def outlier_rows(funnel: Funnel) -> list[Row]:
    """The organisations outside the 99.8% limits: above first (highest value first), then below."""
    rows: list[Row] = []
    for position in OUTSIDE_998:
        for point in funnel.outside(position).iter_rows(named=True):
            rows.append(
                [
                    point["organisation_code"],
                    Cell(format_funnel_value(funnel, point["value"]), "num"),
                    Cell(f"{point['size']:,}", "num"),
                    POSITION_LABELS[position],
                ]
            )
    return rows


def _outlier_table(funnel: Funnel, settings: Settings) -> str:
    rows = outlier_rows(funnel)
    caption = "Trusts outside the 99.8% limits"
    means = f"Above the funnel means {_ABOVE_MEANS[funnel.measure.indicator]}."
    if funnel.centre is None:
        table = f'<p class="empty">{_esc(funnel_finding(funnel))}.</p>'
    elif not rows:
        table = '<p class="empty">No trust lies outside the 99.8% limits.</p>'
    else:
        table = table_html(
            ["Trust", "Value", "Headcount", "Position"],
            rows,
            caption,
            settings.disclosure.min_count,
            settings.disclosure.survey_min_denominator,
        )
    return f'<div class="table-wrap">{table}<p class="note">{_esc(means)}</p></div>'


def _headline_rows(indicators: pl.DataFrame, snapshot: dt.date) -> list[Row]:
    at = indicators.filter(pl.col("snapshot_date") == snapshot)
    sizes = dict(organisation_sizes(indicators, snapshot=snapshot, scope="trust").iter_rows())

    def one(organisation: str, **equal: Any) -> dict[str, Any] | None:
        frame = at.filter(pl.col("organisation_code") == organisation)
        for column, wanted in equal.items():
            frame = frame.filter(pl.col(column) == wanted)
        return frame.row(0, named=True) if frame.height else None

    rows: list[Row] = []
    for organisation in sorted(at["organisation_code"].unique().to_list()):
        size = sizes.get(organisation)
        cells: list[Cell | str] = [organisation, count_cell(size, suppressed=size is None)]
        for scope in FUNNEL_SCOPES:
            share = one(
                organisation,
                scope=scope,
                indicator=1,
                measure="share",
                ethnic_group="bme",
                breakdown="all|all",
            )
            cells.append(value_cell(share, format_share))
        for number in (2, 3, 4):
            likelihood = one(
                organisation, scope="trust", indicator=number, measure="relative_likelihood", breakdown=""
            )
            cells.append(value_cell(likelihood, format_ratio))
        rows.append(cells)
    return rows


HEADLINE_HEADER = [
    "Trust",
    "Headcount",
    "BME share",
    "BME share, maternity and neonatal",
    "2 Appointed from shortlisting (white : BME)",
    "3 Formal disciplinary (BME : white)",
    "4 Non-mandatory training (white : BME)",
]


# --- the page -----------------------------------------------------------------------------------


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


_HOW_TO_READ = (
    "Each point is one trust: across, its size (headcount, on a log scale); up, its figure. The solid "
    "black line is the national value. The funnel around it shows how far a trust's figure can be "
    "from the national value by chance alone, for a trust of that size: 95% of trusts would lie "
    "within the dashed lines and 99.8% within the solid purple ones if every trust were like the "
    "nation. Small trusts' figures swing more, so the funnel is wider on the left. A trust beyond the "
    "99.8% limits is unlikely to differ by chance; it is worth asking why (its data, its population, "
    "its practice). Where many trusts lie outside, trusts genuinely differ, and the limits show "
    "chance variation only. Figures hidden because numbers are small are not drawn; they are counted "
    "under each chart."
)


def _methods(settings: Settings) -> str:
    items = [
        (
            "Size",
            "A trust's size is its headcount at the snapshot (people, not posts; bank staff left out): "
            "the denominator of indicator 1 (all staff, all bands). For maternity and neonatal "
            "services, the headcount of those services.",
        ),
        (
            "Figures",
            "1: BME share of headcount. 2 to 4: relative likelihood for all applicants or staff, "
            "oriented so that above 1 is worse for BME staff. 5 to 8: percentage of BME staff (NHS Staff "
            "Survey). 9: BME share of voting board members minus BME share of the workforce.",
        ),
        (
            "National value",
            "Pooled over the trusts whose counts are shown: the sum of numerators over the sum of "
            "denominators (for a relative likelihood, the ratio of the two pooled rates). Hidden counts "
            "are not in it, so it can differ from a national figure computed from exact counts.",
        ),
        (
            "Limits",
            "Proportions: national value p plus or minus z times the square root of p(1 - p)/n, n the "
            "denominator expected at that size (Spiegelhalter 2005, normal approximation). Relative "
            "likelihoods: on the log scale with the Katz variance, each group's denominator at size n "
            "being n times the national denominator per head of that group. Board difference: a board "
            "of the national mean voting size and a workforce of n people. z = 1.959964 (95%) and "
            "3.090232 (99.8%). No allowance is made for differences between trusts beyond chance "
            "(over-dispersion).",
        ),
        (
            "Hidden figures",
            f"A count from 1 to {settings.disclosure.min_count - 1} is hidden, and every figure resting "
            f"on one; a staff-survey figure with fewer than {settings.disclosure.survey_min_denominator} "
            "answers is hidden; a second figure is hidden where a hidden one could be worked out. Hidden "
            f"figures show as {HIDDEN} and draw no point.",
        ),
    ]
    return (
        '<dl class="methods">' + "".join(f"<dt>{_esc(t)}</dt><dd>{_esc(d)}</dd>" for t, d in items) + "</dl>"
    )


def _nothing_to_draw(funnel: Funnel) -> bool:
    """No trust's point and no limits: an empty plot would say nothing (and Vega warns about it)."""
    drawable = funnel.points
    if funnel.measure.kind == "relative_likelihood":  # a zero cannot sit on the log scale
        drawable = drawable.filter(pl.col("value") > 0)
    return drawable.is_empty() and funnel.limits.is_empty()


def _nothing_drawn_note(funnel: Funnel) -> str:
    return (
        f"No funnel plot: none of the {funnel.organisations} trusts' figures can be shown "
        f"({funnel.hidden} hidden because numbers are small, {funnel.no_value} without a value)."
    )


def render_national_report(
    tables: dict[str, pl.DataFrame], *, snapshot: dt.date, settings: Settings, path: Path
) -> None:
    """Write the self-contained national report of ``snapshot`` to ``path``.

    ``tables["wres_indicators"]`` is the published (disclosure-controlled) indicators frame of
    every organisation; it may hold other snapshots, which are ignored. Other frames are not read.
    """
    indicators = tables["wres_indicators"].filter(pl.col("snapshot_date") == snapshot)
    funnels = national_funnels(indicators, snapshot=snapshot)
    organisations = indicators["organisation_code"].n_unique()
    specs: dict[str, dict[str, Any]] = {}
    sections = []
    for scope, key in (("trust", "trust"), ("maternity_neonatal", "maternity")):
        parts = []
        for funnel in (f for f in funnels if f.scope == scope):
            name = chart_name(funnel)
            heading = f"Indicator {funnel.measure.indicator}: {INDICATOR_NAMES[funnel.measure.indicator]}"
            if _nothing_to_draw(funnel):
                parts.append(f"<h3>{_esc(heading)}</h3><p>{_esc(_nothing_drawn_note(funnel))}</p>")
                continue
            specs[name] = chart_spec(funnel_chart(funnel))
            parts.append(
                f"<h3>{_esc(heading)}</h3>" + figure_html(name, specs[name], _outlier_table(funnel, settings))
            )
        content = "".join(parts) or f"<p>No figures for {_esc(scope_label(scope))} at this snapshot.</p>"
        sections.append(
            (key, "The trust" if scope == "trust" else "Maternity and neonatal services", content)
        )
    headline = table_html(
        HEADLINE_HEADER,
        _headline_rows(indicators, snapshot),
        f"Headline figures of every trust at {format_date(snapshot)}",
        settings.disclosure.min_count,
        settings.disclosure.survey_min_denominator,
    )
    sections = [
        ("how-to-read", "How to read a funnel plot", f"<p>{_esc(_HOW_TO_READ)}</p>"),
        *sections,
        ("all-trusts", "All trusts", headline),
        ("methods", "Methods", _methods(settings)),
    ]
    title = (
        f"Workforce Race Equality Standard: national report, {format_date(snapshot)}, "
        f"{_plural(organisations, 'organisation')}"
    )
    lead = (
        f"{_esc(_plural(organisations, 'organisation'))} &middot;\n"
        f"snapshot at {_esc(format_date(snapshot))} &middot;\n"
        f"figures hidden because numbers are small are shown as {HIDDEN}"
    )
    page = page_html(
        title=title,
        heading="Workforce Race Equality Standard: national report",
        lead=lead,
        sections=sections,
        footer="Made by the WRES monitor. Every figure here has been through disclosure control.",
        specs=specs,
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
