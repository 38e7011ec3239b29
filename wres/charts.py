"""The weekly report's charts (CONTRACT section 3, "The publication").

Every chart is built from the published, disclosure-controlled frames only (``wres_indicators``,
``representation``): Altair writes a chart's data into the HTML page and the SVG, so row-level
data must never reach this module. A hidden figure (``suppressed`` true, value NULL) is left out
of the chart's data altogether: it draws no mark, and the chart's subtitle says how many figures
are hidden.

Each chart's title states its finding in words computed from the data, and its ``description``
(the alt text that Vega writes as the SVG's ``aria-label``) says what the chart shows. Colours come
from the Okabe-Ito palette, which stays distinguishable under the common colour-vision
deficiencies.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import altair as alt
import polars as pl
import vl_convert

from wres.bands import BAND_ORDER
from wres.config import Settings

# Okabe & Ito (2008), "Color Universal Design"
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
NEUTRAL_GREY = "#999999"

GROUP_LABELS = {
    "white": "White",
    "bme": "BME",
    "unknown": "Unknown",
    "asian": "Asian",
    "black": "Black",
    "mixed": "Mixed",
    "other": "Other",
}
GROUP_COLOURS = {"White": OKABE_ITO["blue"], "BME": OKABE_ITO["orange"], "Unknown": NEUTRAL_GREY}
CENSUS_GROUP_ORDER = ("Asian", "Black", "Mixed", "Other", "White")

INDICATOR_NAMES = {
    1: "Workforce by band",
    2: "Appointed from shortlisting",
    3: "Entering a formal disciplinary investigation",
    4: "Accessing non-mandatory training and CPD",
    5: "Harassment, bullying or abuse from patients or the public",
    6: "Harassment, bullying or abuse from staff",
    7: "Belief in equal opportunities for career progression",
    8: "Discrimination from a manager or colleagues",
    9: "Board membership",
}

# what a survey rate counts, as a phrase after "N% of BME staff ..."
_SURVEY_PHRASES = {
    5: "report harassment, bullying or abuse from patients or the public",
    6: "report harassment, bullying or abuse from staff",
    7: "believe the organisation offers equal opportunities for career progression",
    8: "report discrimination from a manager or colleagues",
}

_ROLE_GROUP_LABELS = {
    "midwives": "midwives",
    "neonatal_nursing": "neonatal nursing",
    "obstetric_medical": "obstetric medical staff",
    "support_workers": "maternity support workers",
    "other": "other maternity and neonatal staff",
}

READING_COLOURS = {
    "Adverse to BME": OKABE_ITO["vermillion"],
    "No adverse impact": OKABE_ITO["black"],
    "Adverse to white": OKABE_ITO["blue"],
}

FONT = "Liberation Sans, Arial, Helvetica, DejaVu Sans, sans-serif"
CHART_WIDTH = 460
HIDDEN_BECAUSE_SMALL = "hidden because numbers are small"


# --- words and numbers ---------------------------------------------------------------------------


def scope_label(scope: str) -> str:
    """Readable name of a scope.

    >>> scope_label("trust"), scope_label("maternity_neonatal"), scope_label("maternity:midwives")
    ('the trust', 'maternity and neonatal services', 'midwives')
    """
    if scope == "trust":
        return "the trust"
    if scope == "maternity_neonatal":
        return "maternity and neonatal services"
    if scope.startswith("maternity:"):
        group = scope.split(":", 1)[1]
        return _ROLE_GROUP_LABELS.get(group, group.replace("_", " "))
    return scope.replace("_", " ")


def format_share(value: float | None) -> str:
    """A fraction as a percentage with one decimal: 0.25112 -> '25.1%'."""
    return "" if value is None else f"{value * 100:.1f}%"


def format_ratio(value: float | None) -> str:
    """A relative likelihood or representation ratio with two decimals: 1.6 -> '1.60'."""
    return "" if value is None else f"{value:.2f}"


def format_points(change: float) -> str:
    """A change of a fraction in percentage points: 0.0125 -> '+1.2 points', -0.1 -> '−10.0 points'."""
    sign = "+" if change >= 0 else "\u2212"
    return f"{sign}{abs(change) * 100:.1f} points"


def format_date(day: dt.date) -> str:
    """'31 Mar 2025'."""
    return f"{day.day} {day:%b %Y}"


def is_significant(interpretation: str | None) -> bool:
    return bool(interpretation) and interpretation.endswith("; significant")


def reading_label(interpretation: str | None) -> str | None:
    """'adverse to bme; significant' -> 'Adverse to BME' (the interpretation without the flag)."""
    if not interpretation:
        return None
    base = interpretation.split(";", 1)[0].strip()
    return base[:1].upper() + base[1:].replace("bme", "BME")


def relative_likelihood_sentence(
    indicator: int,
    breakdown: str,
    value: float | None,
    interpretation: str | None,
    suppressed: bool,
    has_interval: bool = True,
) -> str:
    """The finding of one relative likelihood in words.

    >>> relative_likelihood_sentence(2, "", 1.5834, "adverse to bme; significant", False)
    'White applicants 1.58 times as likely to be appointed from shortlisting as BME applicants (significant)'
    >>> relative_likelihood_sentence(3, "", None, None, True)
    'Relative likelihood of entering a formal disciplinary investigation: hidden because numbers are small'
    """
    topic = {
        2: "being appointed from shortlisting",
        3: "entering a formal disciplinary investigation",
        4: "accessing non-mandatory training and CPD",
    }[indicator]
    subject = {
        2: "White applicants {rl} times as likely to be appointed from shortlisting as BME applicants",
        3: "BME staff {rl} times as likely to enter a formal disciplinary investigation as white staff",
        4: "White staff {rl} times as likely to access non-mandatory training and CPD as BME staff",
    }[indicator]
    prefix = "Excluding international recruits: " if breakdown == "excluding_international" else ""
    if suppressed:
        return f"{prefix}Relative likelihood of {topic}: {HIDDEN_BECAUSE_SMALL}"
    if value is None:
        return f"{prefix}Relative likelihood of {topic}: no value (a rate is zero)"
    text = subject.format(rl=format_ratio(value))
    if prefix:
        text = prefix + text[0].lower() + text[1:]
    if not has_interval:
        return f"{text} (no interval: a count is zero)"
    return f"{text} ({'significant' if is_significant(interpretation) else 'not significant'})"


# --- frames --------------------------------------------------------------------------------------


def _is_hidden(row: dict[str, Any], value_column: str = "value") -> bool:
    return bool(row.get("suppressed")) or row.get(value_column) is None


def visible(frame: pl.DataFrame, value_column: str = "value") -> pl.DataFrame:
    """The rows a chart may draw: not suppressed and with a value."""
    return frame.filter(~pl.col("suppressed").fill_null(False) & pl.col(value_column).is_not_null())


def _rows(frame: pl.DataFrame, **equal: Any) -> pl.DataFrame:
    for column, wanted in equal.items():
        if isinstance(wanted, list | tuple | set | frozenset):
            frame = frame.filter(pl.col(column).is_in(list(wanted)))
        else:
            frame = frame.filter(pl.col(column) == wanted)
    return frame


def _one(frame: pl.DataFrame, **equal: Any) -> dict[str, Any] | None:
    rows = _rows(frame, **equal)
    return rows.row(0, named=True) if rows.height else None


def _hidden_note(count: int) -> list[str]:
    if not count:
        return []
    figures = "figure is" if count == 1 else "figures are"
    return [f"{count} {figures} not drawn: {HIDDEN_BECAUSE_SMALL} (see the table)."]


def finish_chart(
    chart: alt.TopLevelMixin, title: str | Sequence[str], subtitle: Sequence[str], description: str
) -> alt.TopLevelMixin:
    params = alt.TitleParams(
        text=list(title) if not isinstance(title, str) else title,
        subtitle=list(subtitle) if subtitle else alt.Undefined,
        anchor="start",
        fontSize=13,
        subtitleFontSize=12,
        subtitleColor="#444444",
        offset=10,
    )
    return (
        chart.properties(title=params, description=description)
        .configure(font=FONT, background="white")
        .configure_axis(labelFontSize=11, titleFontSize=11, labelColor="#222222", titleColor="#222222")
        .configure_legend(labelFontSize=11, titleFontSize=11, orient="bottom")
        .configure_view(stroke=None)
    )


def _interval_band(lower: float, upper: float, axis: str = "x") -> alt.Chart:
    band = pl.DataFrame({"lower": [lower], "upper": [upper]})
    encode = {
        axis: alt.X("lower:Q") if axis == "x" else alt.Y("lower:Q"),
        f"{axis}2": alt.X2("upper:Q") if axis == "x" else alt.Y2("upper:Q"),
    }
    return alt.Chart(band).mark_rect(color=OKABE_ITO["bluish_green"], opacity=0.15).encode(**encode)


def _rule_at_one(axis: str = "x") -> alt.Chart:
    one = pl.DataFrame({"one": [1.0]})
    channel = alt.X("one:Q") if axis == "x" else alt.Y("one:Q")
    return alt.Chart(one).mark_rule(color="#333333", strokeDash=[4, 3]).encode(**{axis: channel})


def _log_domain(frame: pl.DataFrame, low: float = 0.25, high: float = 4.0) -> list[float]:
    """A log-scale domain around 1 that holds every value and interval end of ``frame``."""
    values = [
        v
        for c in ("value", "ci_low", "ci_high")
        if c in frame.columns
        for v in frame[c].drop_nulls().to_list()
        if v > 0
    ]
    lowest = min([low, *values])
    highest = max([high, *values])
    return [lowest * 0.9, highest * 1.1]


# --- (a) band profile ----------------------------------------------------------------------------

_WORKFORCE_LABELS = {"all": "All staff", "clinical": "Clinical", "non_clinical": "Non-clinical"}


def band_profile_finding(indicators: pl.DataFrame, scope: str) -> str:
    """'BME staff are 25.1% of the trust workforce (clinical 25.8%, non-clinical 22.1%)'."""
    share = _rows(indicators, indicator=1, measure="share", scope=scope, ethnic_group="bme")
    where = scope_label(scope)
    overall = _one(share, breakdown="all|all")
    if overall is None or _is_hidden(overall):
        return f"The BME share of the workforce of {where} is {HIDDEN_BECAUSE_SMALL}"
    parts = []
    for workforce in ("clinical", "non_clinical"):
        row = _one(share, breakdown=f"{workforce}|all")
        if row is not None:
            label = _WORKFORCE_LABELS[workforce].lower()
            parts.append(f"{label} {'hidden' if _is_hidden(row) else format_share(row['value'])}")
    detail = f" ({', '.join(parts)})" if parts else ""
    return f"BME staff are {format_share(overall['value'])} of the workforce of {where}{detail}"


def band_profile_chart(indicators: pl.DataFrame, scope: str) -> alt.TopLevelMixin:
    """Indicator 1: white, BME and unknown share of headcount by band (stacked bars), one facet for
    clinical and one for non-clinical staff, each with an ``All bands`` bar on top."""
    rows = (
        _rows(indicators, indicator=1, measure="share", scope=scope)
        .with_columns(
            pl.col("breakdown")
            .str.split_exact("|", 1)
            .struct.rename_fields(["workforce", "band"])
            .alias("cell")
        )
        .unnest("cell")
        .filter(pl.col("workforce").is_in(["clinical", "non_clinical"]))
    )
    shown = visible(rows)
    hidden = rows.height - shown.height
    band_names = {"all": "All bands"}
    present = set(rows["band"].to_list())
    order = [band_names.get(b, b) for b in ("all", *BAND_ORDER) if b in present]
    order += sorted(band_names.get(b, b) for b in present if b not in ("all", *BAND_ORDER))
    data = shown.select(
        pl.col("workforce").replace_strict(_WORKFORCE_LABELS, default=pl.col("workforce")).alias("workforce"),
        pl.col("band").replace("all", "All bands").alias("band"),
        pl.col("ethnic_group").replace_strict(GROUP_LABELS, default=pl.col("ethnic_group")).alias("group"),
        pl.col("ethnic_group")
        .replace_strict({"white": 0, "bme": 1, "unknown": 2}, default=3, return_dtype=pl.Int64)
        .alias("group_order"),
        pl.col("value"),
    )
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("band:N", sort=order, title=None),
            x=alt.X(
                "value:Q",
                stack="zero",
                title="Share of headcount",
                axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
                scale=alt.Scale(domain=[0, 1]),
            ),
            color=alt.Color(
                "group:N",
                title="Ethnic group",
                scale=alt.Scale(domain=list(GROUP_COLOURS), range=list(GROUP_COLOURS.values())),
            ),
            order=alt.Order("group_order:Q"),
            tooltip=[
                alt.Tooltip("workforce:N", title="Workforce"),
                alt.Tooltip("band:N", title="Band"),
                alt.Tooltip("group:N", title="Group"),
                alt.Tooltip("value:Q", title="Share", format=".1%"),
            ],
        )
        .properties(width=210, height=max(60, 22 * len(order)))
        .facet(
            column=alt.Column(
                "workforce:N",
                sort=["Clinical", "Non-clinical"],
                title=None,
                header=alt.Header(labelFontSize=12, labelFontWeight="bold"),
            )
        )
    )
    finding = band_profile_finding(indicators, scope)
    description = (
        f"Stacked bar chart: the white, BME and unknown shares of headcount in each pay band, clinical and "
        f"non-clinical staff, for {scope_label(scope)}. {finding}."
    )
    return finish_chart(chart, finding, _hidden_note(hidden), description)


# --- (b) relative likelihoods --------------------------------------------------------------------

_RL_SERIES = (
    (2, "", "2 Appointed from shortlisting (white / BME)"),
    (2, "excluding_international", "2 Same, excluding international recruits"),
    (3, "", "3 Formal disciplinary (BME / white)"),
    (4, "", "4 Non-mandatory training (white / BME)"),
)


def _rl_label(indicator: int, breakdown: str) -> str:
    for number, kind, label in _RL_SERIES:
        if (number, kind) == (indicator, breakdown):
            return label
    return f"{indicator} {INDICATOR_NAMES.get(indicator, '')} {breakdown}".strip()


def relative_likelihood_findings(indicators: pl.DataFrame, scope: str) -> list[str]:
    """One sentence per relative likelihood of ``scope``, in indicator order."""
    rows = _rows(indicators, measure="relative_likelihood", scope=scope, indicator=[2, 3, 4])
    sentences = []
    for number, kind, _ in _RL_SERIES:
        row = _one(rows, indicator=number, breakdown=kind)
        if row is not None:
            sentences.append(
                relative_likelihood_sentence(
                    number,
                    kind,
                    row["value"],
                    row["interpretation"],
                    bool(row["suppressed"]),
                    has_interval=row["ci_low"] is not None,
                )
            )
    return sentences


def relative_likelihood_chart(indicators: pl.DataFrame, scope: str, settings: Settings) -> alt.LayerChart:
    """Indicators 2-4: each relative likelihood with its Katz interval, on a log scale, against the
    shaded no-adverse-impact band (``settings.interpretation``) and a rule at 1."""
    rows = _rows(indicators, measure="relative_likelihood", scope=scope, indicator=[2, 3, 4])
    rows = rows.with_columns(
        pl.struct("indicator", "breakdown")
        .map_elements(lambda r: _rl_label(r["indicator"], r["breakdown"]), return_dtype=pl.String)
        .alias("series")
    )
    order = [
        label for number, kind, label in _RL_SERIES if _rows(rows, indicator=number, breakdown=kind).height
    ]
    shown = visible(rows)
    data = shown.select(
        "series",
        "value",
        "ci_low",
        "ci_high",
        pl.col("interpretation").map_elements(reading_label, return_dtype=pl.String).alias("reading"),
        pl.col("interpretation")
        .map_elements(
            lambda i: "significant" if is_significant(i) else "not significant", return_dtype=pl.String
        )
        .alias("significance"),
        pl.col("value").map_elements(format_ratio, return_dtype=pl.String).alias("label"),
    )
    band = settings.interpretation
    x_scale = alt.Scale(type="log", domain=_log_domain(shown), nice=False)
    y = alt.Y(
        "series:N", sort=order, title=None, scale=alt.Scale(domain=order), axis=alt.Axis(labelLimit=260)
    )
    base = alt.Chart(data).encode(y=y)
    interval = base.mark_rule(strokeWidth=2, color="#555555").encode(
        x=alt.X(
            "ci_low:Q", scale=x_scale, title="Relative likelihood (log scale; above 1 is worse for BME staff)"
        ),
        x2="ci_high:Q",
    )
    points = base.mark_point(filled=True, size=110, opacity=1).encode(
        x=alt.X("value:Q", scale=x_scale),
        color=alt.Color(
            "reading:N",
            title="Reading",
            scale=alt.Scale(domain=list(READING_COLOURS), range=list(READING_COLOURS.values())),
        ),
        tooltip=[
            alt.Tooltip("series:N", title="Indicator"),
            alt.Tooltip("value:Q", title="Relative likelihood", format=".2f"),
            alt.Tooltip("ci_low:Q", title="95% interval from", format=".2f"),
            alt.Tooltip("ci_high:Q", title="to", format=".2f"),
            alt.Tooltip("reading:N", title="Reading"),
            alt.Tooltip("significance:N", title="Interval"),
        ],
    )
    labels = base.mark_text(dy=-12, fontSize=11, color="#222222").encode(
        x=alt.X("value:Q", scale=x_scale), text="label:N"
    )
    chart = alt.layer(
        _interval_band(band.lower, band.upper), _rule_at_one(), interval, points, labels
    ).properties(width=CHART_WIDTH - 160, height=max(60, 44 * len(order)))
    findings = relative_likelihood_findings(indicators, scope) or [
        f"No relative likelihood for {scope_label(scope)} yet"
    ]
    subtitle = [
        f"Shaded: {band.lower:.2f} to {band.upper:.2f}, no adverse impact. Lines: 95% intervals (Katz).",
        *_hidden_note(rows.height - shown.height),
    ]
    description = (
        f"Dot plot of the relative likelihoods of WRES indicators 2 to 4 for {scope_label(scope)}, each with "
        f"its 95% interval, on a log scale with the band {band.lower:.2f} to {band.upper:.2f} shaded and a "
        "line at 1. " + " ".join(f"{s}." for s in findings)
    )
    return finish_chart(chart, findings, subtitle, description)


# --- (c) staff survey ----------------------------------------------------------------------------


def survey_finding(indicators: pl.DataFrame, scope: str) -> str:
    """The survey indicator with the largest visible gap between BME and white staff, in words."""
    rows = _rows(
        indicators, measure="rate", scope=scope, indicator=[5, 6, 7, 8], ethnic_group=["white", "bme"]
    )
    best: tuple[float, str] | None = None
    for number in (5, 6, 7, 8):
        white = _one(rows, indicator=number, ethnic_group="white")
        bme = _one(rows, indicator=number, ethnic_group="bme")
        if white is None or bme is None or _is_hidden(white) or _is_hidden(bme):
            continue
        gap = abs(bme["value"] - white["value"])
        period = f" ({bme['source_period']})" if bme.get("source_period") else ""
        sentence = (
            f"{format_share(bme['value'])} of BME staff {_SURVEY_PHRASES[number]}, against "
            f"{format_share(white['value'])} of white staff{period}"
        )
        if best is None or gap > best[0]:
            best = (gap, sentence)
    if best is None:
        return f"Staff survey results for {scope_label(scope)}: {HIDDEN_BECAUSE_SMALL}"
    return best[1]


def survey_chart(indicators: pl.DataFrame, scope: str) -> alt.LayerChart:
    """Indicators 5-8: white and BME rates with their Wilson intervals, side by side."""
    rows = _rows(
        indicators, measure="rate", scope=scope, indicator=[5, 6, 7, 8], ethnic_group=["white", "bme"]
    )
    shown = visible(rows)
    labels = {n: f"{n} {INDICATOR_NAMES[n]}" for n in (5, 6, 7, 8)}
    order = [labels[n] for n in (5, 6, 7, 8) if _rows(rows, indicator=n).height]
    data = shown.select(
        pl.col("indicator").replace_strict(labels, return_dtype=pl.String).alias("question"),
        pl.col("ethnic_group").replace_strict(GROUP_LABELS, return_dtype=pl.String).alias("group"),
        "value",
        "ci_low",
        "ci_high",
        "numerator",
        "denominator",
    )
    colour = alt.Color(
        "group:N",
        title="Ethnic group",
        scale=alt.Scale(domain=["White", "BME"], range=[GROUP_COLOURS["White"], GROUP_COLOURS["BME"]]),
    )
    y = alt.Y(
        "question:N", sort=order, title=None, scale=alt.Scale(domain=order), axis=alt.Axis(labelLimit=300)
    )
    offset = alt.YOffset("group:N", sort=["White", "BME"], scale=alt.Scale(domain=["White", "BME"]))
    x_scale = alt.Scale(domain=[0, 1])
    base = alt.Chart(data).encode(y=y, yOffset=offset)
    bars = base.mark_bar(height={"band": 0.8}).encode(
        x=alt.X("value:Q", scale=x_scale, title="Share of staff answering", axis=alt.Axis(format="%")),
        color=colour,
        tooltip=[
            alt.Tooltip("question:N", title="Question"),
            alt.Tooltip("group:N", title="Group"),
            alt.Tooltip("value:Q", title="Share", format=".1%"),
            alt.Tooltip("ci_low:Q", title="95% interval from", format=".1%"),
            alt.Tooltip("ci_high:Q", title="to", format=".1%"),
            alt.Tooltip("denominator:Q", title="Answers"),
        ],
    )
    interval = base.mark_rule(color="#222222", strokeWidth=1.5).encode(
        x=alt.X("ci_low:Q", scale=x_scale), x2="ci_high:Q"
    )
    chart = alt.layer(bars, interval).properties(width=CHART_WIDTH - 180, height=max(60, 52 * len(order)))
    finding = survey_finding(indicators, scope)
    subtitle = [
        "Bars: share of white and BME staff; lines: 95% intervals (Wilson).",
        *_hidden_note(rows.height - shown.height),
    ]
    description = (
        f"Bar chart of NHS Staff Survey indicators 5 to 8 for {scope_label(scope)}: the share of white "
        f"and of BME staff, each with its 95% interval. {finding}."
    )
    return finish_chart(chart, finding, subtitle, description)


# --- (d) representation --------------------------------------------------------------------------


def reference_label(name: str) -> str:
    return (
        "the catchment population (census 2021)"
        if name == "census2021"
        else f"the reference population {name}"
    )


def _excludes_one(row: dict[str, Any]) -> bool:
    return (
        row["ci_low"] is not None
        and row["ci_high"] is not None
        and not (row["ci_low"] <= 1 <= row["ci_high"])
    )


def representation_finding(representation: pl.DataFrame, scope: str) -> str:
    """The census group furthest from its reference share (interval excluding 1), in words, from
    the figures shown only: a group with no staff where the community has some is the furthest of
    all; with every figure hidden, the finding says so.

    >>> rows = pl.DataFrame({"scope": "trust", "reference_population": "census2021",
    ...     "ethnic_group": ["Asian", "White"], "workforce_share": [0.0, 0.7], "reference_share": [0.1, 0.7],
    ...     "ratio": [0.0, 1.0], "ci_low": [0.0, 0.86], "ci_high": [0.876, 1.16], "suppressed": False})
    >>> representation_finding(rows, "trust")
    'No Asian staff in the workforce of the trust against 10.0% of the catchment population (census 2021)'
    >>> representation_finding(rows.with_columns(suppressed=True), "trust").split(": ")[1]
    'hidden because numbers are small'
    """
    rows = _rows(representation, scope=scope)
    if not rows.height:
        return f"No representation figures for {scope_label(scope)}"
    names = sorted(set(rows["reference_population"].to_list()), key=lambda n: (n != "census2021", n))
    reference = names[0]
    shown = visible(_rows(rows, reference_population=reference), "ratio")
    if not shown.height:
        return (
            f"Representation of {scope_label(scope)} against {reference_label(reference)}: "
            f"{HIDDEN_BECAUSE_SMALL}"
        )
    candidates = [r for r in shown.iter_rows(named=True) if _excludes_one(r)]
    if not candidates:
        hidden = rows.filter(pl.col("reference_population") == reference).height - shown.height
        return (
            f"No census group's share of the workforce of {scope_label(scope)} differs from its share of "
            f"{reference_label(reference)} beyond chance{' among the groups shown' if hidden else ''}"
        )
    row = max(candidates, key=lambda r: math.inf if r["ratio"] == 0 else abs(math.log(r["ratio"])))
    if row["ratio"] == 0:
        return (
            f"No {row['ethnic_group']} staff in the workforce of {scope_label(scope)} against "
            f"{format_share(row['reference_share'])} of {reference_label(reference)}"
        )
    return (
        f"{row['ethnic_group']} staff are {format_share(row['workforce_share'])} of the workforce of "
        f"{scope_label(scope)} against {format_share(row['reference_share'])} of {reference_label(reference)}"
        f" ({format_ratio(row['ratio'])} times)"
    )


def representation_chart(representation: pl.DataFrame, scope: str) -> alt.LayerChart:
    """Each census group's workforce share over its reference share (the ratio) with its interval,
    one colour per reference population, on a log scale with a rule at 1."""
    rows = _rows(representation, scope=scope)
    shown = visible(rows, "ratio").filter(pl.col("ratio") > 0)
    names = sorted(set(rows["reference_population"].to_list()), key=lambda n: (n != "census2021", n))
    data = shown.select(
        pl.col("ethnic_group").alias("group"),
        "reference_population",
        pl.col("ratio").alias("value"),
        "ci_low",
        "ci_high",
        "workforce_share",
        "reference_share",
    )
    palette = [OKABE_ITO[c] for c in ("blue", "bluish_green", "reddish_purple", "orange", "sky_blue")]
    colour = alt.Color(
        "reference_population:N",
        title="Reference population",
        scale=alt.Scale(domain=names, range=palette[: len(names)] or palette[:1]),
    )
    x_scale = alt.Scale(type="log", domain=_log_domain(data, 0.5, 2.0), nice=False)
    groups = [g for g in CENSUS_GROUP_ORDER if g in set(rows["ethnic_group"].to_list())]
    y = alt.Y("group:N", sort=groups, title=None, scale=alt.Scale(domain=groups))
    offset = alt.YOffset("reference_population:N", scale=alt.Scale(domain=names))
    base = alt.Chart(data).encode(y=y, yOffset=offset)
    interval = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("ci_low:Q", scale=x_scale, title="Workforce share / reference share (log scale)"),
        x2="ci_high:Q",
        color=colour,
    )
    points = base.mark_point(filled=True, size=90, opacity=1).encode(
        x=alt.X("value:Q", scale=x_scale),
        color=colour,
        tooltip=[
            alt.Tooltip("group:N", title="Group"),
            alt.Tooltip("reference_population:N", title="Reference"),
            alt.Tooltip("workforce_share:Q", title="Workforce share", format=".1%"),
            alt.Tooltip("reference_share:Q", title="Reference share", format=".1%"),
            alt.Tooltip("value:Q", title="Ratio", format=".2f"),
            alt.Tooltip("ci_low:Q", title="95% interval from", format=".2f"),
            alt.Tooltip("ci_high:Q", title="to", format=".2f"),
        ],
    )
    chart = alt.layer(_rule_at_one(), interval, points).properties(
        width=CHART_WIDTH - 80, height=max(60, 34 * len(groups) * max(1, len(names)))
    )
    finding = representation_finding(representation, scope)
    # a group with no staff has a ratio of 0, which a log scale cannot draw: named, not "hidden"
    absent = visible(rows, "ratio").filter(pl.col("ratio") == 0)
    subtitle = [
        "1 means the same share as in the community; lines: 95% intervals.",
        *_hidden_note(rows.height - shown.height - absent.height),
    ]
    if absent.height:
        groups_without_staff = [g for g in CENSUS_GROUP_ORDER if g in set(absent["ethnic_group"].to_list())]
        subtitle.append(
            f"Not drawn, no staff (a ratio of 0 is off the log scale): {', '.join(groups_without_staff)}."
        )
    description = (
        f"Dot plot of each census 2021 ethnic group's share of the workforce of {scope_label(scope)} "
        f"divided by its share of the reference population, with 95% intervals and a line at 1. "
        f"{finding}."
    )
    return finish_chart(chart, finding, subtitle, description)


# --- (e) trends ----------------------------------------------------------------------------------


def _trend_data(rows: pl.DataFrame, series: pl.Expr) -> pl.DataFrame:
    return (
        visible(rows)
        .select(
            series.alias("series"),
            pl.col("snapshot_date").cast(pl.String).alias("snapshot"),
            "value",
            "ci_low",
            "ci_high",
        )
        .sort("series", "snapshot")
    )


def _trend_sentence(rows: pl.DataFrame, what: str, formatter: Any) -> str | None:
    shown = visible(rows).sort("snapshot_date")
    if shown.height == 0:
        return None
    first, last = shown.row(0, named=True), shown.row(-1, named=True)
    if first["snapshot_date"] == last["snapshot_date"]:
        when = format_date(last["snapshot_date"])
        return f"{what}: {formatter(last['value'])} on {when} (one snapshot so far)"
    return (
        f"{what}: {formatter(first['value'])} on {format_date(first['snapshot_date'])}, "
        f"{formatter(last['value'])} on {format_date(last['snapshot_date'])}"
    )


def bme_share_trend_chart(
    indicators: pl.DataFrame, scopes: Sequence[str] = ("trust", "maternity_neonatal")
) -> alt.LayerChart:
    """The BME share of all staff (indicator 1, ``all|all``) at every snapshot, one line per scope,
    with Wilson intervals. ``indicators`` holds every snapshot up to the report's."""
    rows = _rows(
        indicators, indicator=1, measure="share", ethnic_group="bme", breakdown="all|all", scope=list(scopes)
    )
    labels = {s: scope_label(s)[0].upper() + scope_label(s)[1:] for s in scopes}
    data = _trend_data(rows, pl.col("scope").replace_strict(labels, return_dtype=pl.String))
    x = alt.X(
        "snapshot:T",
        title="Snapshot",
        axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount="month"),
        scale=alt.Scale(type="utc", padding=16),
    )
    y_scale = alt.Scale(zero=True, nice=True)
    order = [labels[s] for s in scopes]
    colour = alt.Color(
        "series:N",
        title=None,
        sort=order,
        scale=alt.Scale(
            domain=order,
            range=[OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["bluish_green"]][: len(order)],
        ),
    )
    base = alt.Chart(data).encode(x=x, color=colour)
    lines = base.mark_line(strokeWidth=2).encode(
        y=alt.Y("value:Q", title="BME share of headcount", axis=alt.Axis(format="%"), scale=y_scale)
    )
    points = base.mark_point(filled=True, size=60, opacity=1).encode(
        y=alt.Y("value:Q", scale=y_scale),
        tooltip=[
            alt.Tooltip("series:N", title="Scope"),
            alt.Tooltip("snapshot:T", title="Snapshot", format="%d %b %Y"),
            alt.Tooltip("value:Q", title="BME share", format=".1%"),
        ],
    )
    interval = base.mark_rule(strokeWidth=1.5, opacity=0.6).encode(
        y=alt.Y("ci_low:Q", scale=y_scale), y2="ci_high:Q"
    )
    chart = alt.layer(interval, lines, points).properties(width=CHART_WIDTH, height=220)
    sentence = _trend_sentence(
        _rows(rows, scope=scopes[0]), f"BME share of the workforce of {scope_label(scopes[0])}", format_share
    )
    finding = (
        sentence or f"The BME share of the workforce of {scope_label(scopes[0])} is {HIDDEN_BECAUSE_SMALL}"
    )
    subtitle = ["Lines: 95% intervals (Wilson).", *_hidden_note(rows.height - visible(rows).height)]
    description = (
        f"Line chart of the BME share of headcount at each snapshot, for "
        f"{' and '.join(scope_label(s) for s in scopes)}, with 95% intervals. {finding}."
    )
    return finish_chart(chart, finding, subtitle, description)


def relative_likelihood_trend_chart(
    indicators: pl.DataFrame, scope: str, settings: Settings
) -> alt.LayerChart:
    """The relative likelihoods of indicators 2-4 (all applicants / staff) at every snapshot, on a
    log scale with the no-adverse-impact band shaded and a rule at 1."""
    rows = _rows(indicators, measure="relative_likelihood", scope=scope, indicator=[2, 3, 4], breakdown="")
    labels = {n: _rl_label(n, "") for n in (2, 3, 4)}
    data = _trend_data(rows, pl.col("indicator").replace_strict(labels, return_dtype=pl.String))
    order = [labels[n] for n in (2, 3, 4)]
    colour = alt.Color(
        "series:N",
        title=None,
        sort=order,
        scale=alt.Scale(
            domain=order, range=[OKABE_ITO["vermillion"], OKABE_ITO["blue"], OKABE_ITO["bluish_green"]]
        ),
        legend=alt.Legend(columns=1, labelLimit=320),
    )
    y_scale = alt.Scale(type="log", domain=_log_domain(data, 0.5, 2.0), nice=False)
    x = alt.X(
        "snapshot:T",
        title="Snapshot",
        axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount="month"),
        scale=alt.Scale(type="utc", padding=16),
    )
    base = alt.Chart(data).encode(x=x, color=colour)
    lines = base.mark_line(strokeWidth=2).encode(
        y=alt.Y("value:Q", scale=y_scale, title="Relative likelihood (log scale)")
    )
    points = base.mark_point(filled=True, size=60, opacity=1).encode(
        y=alt.Y("value:Q", scale=y_scale),
        tooltip=[
            alt.Tooltip("series:N", title="Indicator"),
            alt.Tooltip("snapshot:T", title="Snapshot", format="%d %b %Y"),
            alt.Tooltip("value:Q", title="Relative likelihood", format=".2f"),
        ],
    )
    band = settings.interpretation
    chart = alt.layer(
        _interval_band(band.lower, band.upper, "y"), _rule_at_one("y"), lines, points
    ).properties(width=CHART_WIDTH, height=220)
    sentence = _trend_sentence(
        _rows(rows, indicator=2), "Appointed from shortlisting, relative likelihood", format_ratio
    )
    finding = sentence or f"Relative likelihoods of {scope_label(scope)} over time"
    subtitle = [
        f"Shaded: {band.lower:.2f} to {band.upper:.2f}, no adverse impact; above 1 is worse for BME staff.",
        *_hidden_note(rows.height - visible(rows).height),
    ]
    description = (
        f"Line chart of the relative likelihoods of WRES indicators 2, 3 and 4 for {scope_label(scope)} "
        f"at each snapshot, on a log scale with the no-adverse-impact band shaded. {finding}."
    )
    return finish_chart(chart, finding, subtitle, description)


# --- (f) board -----------------------------------------------------------------------------------

_BOARD_LABELS = {"voting": "Voting board members", "executive": "Executive board members"}
WORKFORCE_LABEL = "Whole workforce"


def board_finding(indicators: pl.DataFrame) -> str:
    """'BME people are 35.7% of voting board members against 25.1% of the workforce (10.6 points higher)'."""
    share = _one(
        indicators, indicator=9, measure="share", scope="trust", ethnic_group="bme", breakdown="voting"
    )
    workforce = _one(
        indicators, indicator=1, measure="share", scope="trust", ethnic_group="bme", breakdown="all|all"
    )
    difference = _one(indicators, indicator=9, measure="difference", scope="trust", breakdown="voting")
    if share is None or _is_hidden(share) or workforce is None or _is_hidden(workforce):
        return f"The BME share of voting board members is {HIDDEN_BECAUSE_SMALL}"
    text = (
        f"BME people are {format_share(share['value'])} of voting board members against "
        f"{format_share(workforce['value'])} of the workforce"
    )
    if difference is not None and not _is_hidden(difference):
        direction = "higher" if difference["value"] >= 0 else "lower"
        text += f" ({format_points(difference['value']).lstrip('+').lstrip(chr(0x2212))} {direction})"
    return text


def board_chart(indicators: pl.DataFrame) -> alt.LayerChart:
    """Indicator 9: the BME share of voting and of executive board members beside the BME share of
    the whole workforce, with Wilson intervals."""
    board = _rows(
        indicators,
        indicator=9,
        measure="share",
        scope="trust",
        ethnic_group="bme",
        breakdown=list(_BOARD_LABELS),
    )
    workforce = _rows(
        indicators, indicator=1, measure="share", scope="trust", ethnic_group="bme", breakdown="all|all"
    )
    rows = pl.concat(
        [
            board.select("breakdown", "value", "ci_low", "ci_high", "suppressed"),
            workforce.select("breakdown", "value", "ci_low", "ci_high", "suppressed"),
        ]
    )
    labels = {**_BOARD_LABELS, "all|all": WORKFORCE_LABEL}
    order = [labels[b] for b in ("voting", "executive", "all|all") if b in set(rows["breakdown"].to_list())]
    data = visible(rows).select(
        pl.col("breakdown").replace_strict(labels, return_dtype=pl.String).alias("who"),
        "value",
        "ci_low",
        "ci_high",
    )
    x_scale = alt.Scale(domain=[0, 1])
    y = alt.Y("who:N", sort=order, title=None, scale=alt.Scale(domain=order))
    base = alt.Chart(data).encode(y=y)
    bars = base.mark_bar(height={"band": 0.6}).encode(
        x=alt.X("value:Q", scale=x_scale, title="BME share", axis=alt.Axis(format="%")),
        color=alt.Color(
            "who:N",
            legend=None,
            scale=alt.Scale(
                domain=[*_BOARD_LABELS.values(), WORKFORCE_LABEL],
                range=[OKABE_ITO["orange"], OKABE_ITO["orange"], NEUTRAL_GREY],
            ),
        ),
        tooltip=[
            alt.Tooltip("who:N", title="Who"),
            alt.Tooltip("value:Q", title="BME share", format=".1%"),
            alt.Tooltip("ci_low:Q", title="95% interval from", format=".1%"),
            alt.Tooltip("ci_high:Q", title="to", format=".1%"),
        ],
    )
    interval = base.mark_rule(color="#222222", strokeWidth=1.5).encode(
        x=alt.X("ci_low:Q", scale=x_scale), x2="ci_high:Q"
    )
    chart = alt.layer(bars, interval).properties(width=CHART_WIDTH - 140, height=max(60, 40 * len(order)))
    finding = board_finding(indicators)
    subtitle = [
        "Lines: 95% intervals (Wilson); shares over all members, unknown ethnicity included.",
        *_hidden_note(rows.height - visible(rows).height),
    ]
    description = (
        "Bar chart of the BME share of voting and of executive board members beside the BME share of the "
        f"whole workforce, with 95% intervals. {finding}."
    )
    return finish_chart(chart, finding, subtitle, description)


# --- (g) maternity role groups -------------------------------------------------------------------


def role_group_finding(indicators: pl.DataFrame) -> str:
    """The range of the BME share across the maternity role groups shown; a single group shown is
    named, and "hidden" is said only of groups whose share is hidden.

    >>> share = dict(indicator=1, measure="share", ethnic_group="bme", breakdown="all|all")
    >>> midwives = pl.DataFrame([dict(share, scope="maternity:midwives", value=0.5, suppressed=False)])
    >>> role_group_finding(midwives)
    'The BME share of midwives is 50.0%'
    >>> doctors = dict(share, scope="maternity:obstetric_medical", value=None, suppressed=True)
    >>> role_group_finding(pl.concat([midwives, pl.DataFrame([doctors])]))
    'The BME share of midwives is 50.0% (other role groups hidden because numbers are small)'
    """
    groups = _rows(indicators, indicator=1, measure="share", ethnic_group="bme", breakdown="all|all").filter(
        pl.col("scope").str.starts_with("maternity:")
    )
    rows = visible(groups).sort("value")
    if not groups.height:
        return "No one in the maternity role groups"
    if not rows.height:
        return f"BME shares of the maternity role groups: {HIDDEN_BECAUSE_SMALL}"
    if rows.height == 1:
        only = rows.row(0, named=True)
        others = f" (other role groups {HIDDEN_BECAUSE_SMALL})" if groups.height > 1 else ""
        return f"The BME share of {scope_label(only['scope'])} is {format_share(only['value'])}{others}"
    low, high = rows.row(0, named=True), rows.row(-1, named=True)
    return (
        f"The BME share ranges from {format_share(low['value'])} ({scope_label(low['scope'])}) to "
        f"{format_share(high['value'])} ({scope_label(high['scope'])}) across maternity role groups"
    )


def role_group_chart(indicators: pl.DataFrame) -> alt.LayerChart:
    """The BME share of each maternity role group, beside the whole maternity and neonatal scope."""
    rows = _rows(indicators, indicator=1, measure="share", ethnic_group="bme", breakdown="all|all").filter(
        pl.col("scope").str.starts_with("maternity")
    )
    scopes = ["maternity_neonatal", *(f"maternity:{g}" for g in _ROLE_GROUP_LABELS)]
    labels = {
        s: "All maternity and neonatal" if s == "maternity_neonatal" else scope_label(s).capitalize()
        for s in scopes
    }
    order = [labels[s] for s in scopes if s in set(rows["scope"].to_list())]
    data = (
        visible(rows)
        .filter(pl.col("scope").is_in(scopes))
        .select(
            pl.col("scope").replace_strict(labels, return_dtype=pl.String).alias("who"),
            "value",
            "ci_low",
            "ci_high",
        )
    )
    x_scale = alt.Scale(domain=[0, 1])
    base = alt.Chart(data).encode(
        y=alt.Y("who:N", sort=order, title=None, scale=alt.Scale(domain=order), axis=alt.Axis(labelLimit=260))
    )
    bars = base.mark_bar(height={"band": 0.6}).encode(
        x=alt.X("value:Q", scale=x_scale, title="BME share of headcount", axis=alt.Axis(format="%")),
        color=alt.condition(
            alt.datum.who == labels["maternity_neonatal"],
            alt.value(NEUTRAL_GREY),
            alt.value(OKABE_ITO["orange"]),
        ),
        tooltip=[
            alt.Tooltip("who:N", title="Role group"),
            alt.Tooltip("value:Q", title="BME share", format=".1%"),
            alt.Tooltip("ci_low:Q", title="95% interval from", format=".1%"),
            alt.Tooltip("ci_high:Q", title="to", format=".1%"),
        ],
    )
    interval = base.mark_rule(color="#222222", strokeWidth=1.5).encode(
        x=alt.X("ci_low:Q", scale=x_scale), x2="ci_high:Q"
    )
    chart = alt.layer(bars, interval).properties(width=CHART_WIDTH - 160, height=max(60, 32 * len(order)))
    finding = role_group_finding(indicators)
    subtitle = ["Lines: 95% intervals (Wilson).", *_hidden_note(rows.height - visible(rows).height)]
    description = (
        "Bar chart of the BME share of headcount in each maternity and neonatal role group, with 95% "
        f"intervals. {finding}."
    )
    return finish_chart(chart, finding, subtitle, description)


# --- the report's set of charts, and saving ------------------------------------------------------


def report_charts(
    tables: dict[str, pl.DataFrame], *, organisation: str, snapshot_date: dt.date, settings: Settings
) -> dict[str, alt.TopLevelMixin]:
    """Every chart of one organisation's report at ``snapshot_date``, by name (the names
    ``wres.report`` places). A chart whose figures are absent altogether (no survey loaded, say) is
    left out; one whose figures are all hidden is kept, its title saying so.

    ``tables["wres_indicators"]`` may hold every snapshot: the trend charts use those up to
    ``snapshot_date``, the rest only ``snapshot_date``.
    """
    indicators_all = tables["wres_indicators"].filter(
        (pl.col("organisation_code") == organisation) & (pl.col("snapshot_date") <= snapshot_date)
    )
    indicators = indicators_all.filter(pl.col("snapshot_date") == snapshot_date)
    representation = tables.get("representation")
    if representation is not None:
        representation = representation.filter(
            (pl.col("organisation_code") == organisation) & (pl.col("snapshot_date") == snapshot_date)
        )

    def has(**equal: Any) -> bool:
        return _rows(indicators, **equal).height > 0

    charts: dict[str, alt.TopLevelMixin] = {}
    if _rows(indicators_all, indicator=1, ethnic_group="bme", breakdown="all|all").height:
        charts["trend_bme_share"] = bme_share_trend_chart(indicators_all)
    if _rows(indicators_all, measure="relative_likelihood", scope="trust").height:
        charts["trend_relative_likelihood"] = relative_likelihood_trend_chart(
            indicators_all, "trust", settings
        )
    for prefix, scope in (("maternity", "maternity_neonatal"), ("trust", "trust")):
        if has(indicator=1, scope=scope):
            charts[f"{prefix}_band_profile"] = band_profile_chart(indicators, scope)
        if has(measure="relative_likelihood", scope=scope):
            charts[f"{prefix}_relative_likelihood"] = relative_likelihood_chart(indicators, scope, settings)
        if has(indicator=[5, 6, 7, 8], scope=scope):
            charts[f"{prefix}_survey"] = survey_chart(indicators, scope)
        if representation is not None and _rows(representation, scope=scope).height:
            charts[f"{prefix}_representation"] = representation_chart(representation, scope)
        if prefix == "maternity" and indicators.filter(pl.col("scope").str.starts_with("maternity:")).height:
            charts["maternity_role_groups"] = role_group_chart(indicators)
    if has(indicator=9):
        charts["board"] = board_chart(indicators)
    return charts


# vl-convert's name for the Vega-Lite version Altair writes ("v6.4.1" -> "v6_4"), as ``chart.save``
# pins it (altair.utils._importers.vl_version_for_vl_convert): the pictures stay those of chart.save
VEGA_LITE_VERSION = "_".join(alt.SCHEMA_VERSION.split(".")[:2])


def chart_spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The Vega-Lite spec of ``chart``, built once for its PNG, its SVG and the report.

    Not validated against the schema: validation does not change the spec and was a quarter of the
    publication's time when repeated per export; the unit tests validate every chart.
    """
    return chart.to_dict(validate=False)


def save_chart_spec(spec: dict[str, Any], folder: Path, name: str) -> dict[str, Path]:
    """Write the Vega-Lite ``spec`` as ``folder/name.svg`` and ``folder/name.png`` (twice the pixel
    density, for print; rasterised from that SVG) with vl-convert, byte for byte what
    ``chart.save`` writes; return the paths by format."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"png": folder / f"{name}.png", "svg": folder / f"{name}.svg"}
    svg = vl_convert.vegalite_to_svg(spec, vl_version=VEGA_LITE_VERSION)
    paths["png"].write_bytes(vl_convert.svg_to_png(svg, scale=2, ppi=72))
    paths["svg"].write_text(svg, encoding="utf-8")
    return paths


def save_chart(chart: alt.TopLevelMixin, folder: Path, name: str) -> dict[str, Path]:
    """Write ``chart`` as ``folder/name.png`` and ``folder/name.svg`` (see ``save_chart_spec``)."""
    return save_chart_spec(chart_spec(chart), folder, name)
