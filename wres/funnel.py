"""Funnel plots of the WRES indicators across organisations: the statistics (no charts here).

A funnel plot sets each organisation's figure against its size, around the national value, with
control limits that narrow as organisations grow: a small trust's figure swings further by chance
alone. An organisation outside the 99.8% limits is unlikely to differ from the national value by
chance (Spiegelhalter, "Funnel plots for comparing institutional performance", Statistics in
Medicine 24, 2005). ``docs/national-report.md`` explains the method to users.

Everything here works on the *published* indicators (``wres.publish.published_tables``): a hidden
cell (``suppressed`` true) has no value, numerator or denominator, so it is left out of the plot
and out of the national value, and only counted.

Per indicator, what is plotted (one figure per organisation and scope):

====  ==========================================  =====================  ===========================
 #    value                                       kind                   national value (centre)
====  ==========================================  =====================  ===========================
 1    BME share of headcount (``all|all``)        proportion             sum of BME / sum of people
 2-4  relative likelihood (all applicants/staff)  relative likelihood    pooled rate / pooled rate
 5-8  % of BME staff (survey)                     proportion             pooled BME rate
 9    voting board BME share - workforce share    difference             pooled share - pooled share
====  ==========================================  =====================  ===========================

**Size.** An organisation's size in a scope is the scope's headcount at the snapshot: the
denominator of indicator 1's ``share`` rows with breakdown ``all|all`` in that scope (white, BME
and unknown rows carry the same denominator: the first one shown is taken). For scope ``trust``
that is the trust's headcount, all ethnic groups; for ``maternity_neonatal`` the maternity and
neonatal headcount. Where all three rows are hidden the size is unknown and the organisation is
counted as hidden.

**Limits at size n.** Each indicator's figure rests on a denominator that grows with the
organisation (people, applicants, survey answers, board members). The national denominator per
head, ``d = sum of denominators / sum of sizes`` over the organisations pooled, turns a size ``n``
into the denominator expected at that size, ``d * n``:

- proportion: ``p0 +/- z * sqrt(p0 (1 - p0) / (d n))`` (normal approximation to the binomial),
  clipped to [0, 1]. For indicator 1, ``d`` is exactly 1.
- relative likelihood ``RL0 = pA / pB``: on the log scale, with the Katz variance
  ``(1 - pA) / (pA dA n) + (1 - pB) / (pB dB n)``, limits ``RL0 * exp(+/- z * sqrt(variance))``.
- board difference ``pb - pw``: ``sqrt(pb (1 - pb) / m + pw (1 - pw) / n)`` with ``m`` the
  national mean voting board size (boards do not grow with trusts).

``z`` is the normal quantile from the standard library's ``statistics.NormalDist`` (1.959964 for
95%, 3.090232 for 99.8%; the same as ``scipy.stats.norm`` to the last bit or one, without
scipy's 2 to 3 s of imports in every publication worker).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

import polars as pl

LEVELS = (0.95, 0.998)
FUNNEL_SCOPES = ("trust", "maternity_neonatal")

Kind = Literal["proportion", "relative_likelihood", "difference"]

ABOVE_998 = "above_998"
ABOVE_95 = "above_95"
INSIDE = "inside"
BELOW_95 = "below_95"
BELOW_998 = "below_998"
POSITIONS = (ABOVE_998, ABOVE_95, INSIDE, BELOW_95, BELOW_998)
OUTSIDE_998 = (ABOVE_998, BELOW_998)


@dataclass(frozen=True)
class FunnelMeasure:
    """What one indicator's funnel plots."""

    indicator: int
    kind: Kind
    measure: str  # the wres_indicators ``measure`` of the plotted row
    ethnic_group: str  # the plotted row's ``ethnic_group``
    breakdown: str  # the plotted row's ``breakdown``
    label: str  # what the y axis shows
    # for a relative likelihood: the ethnic groups of its numerator and denominator rates
    rate_groups: tuple[str, str] | None = None


FUNNEL_MEASURES: dict[int, FunnelMeasure] = {
    1: FunnelMeasure(1, "proportion", "share", "bme", "all|all", "BME share of headcount"),
    2: FunnelMeasure(
        2,
        "relative_likelihood",
        "relative_likelihood",
        "white_vs_bme",
        "",
        "Relative likelihood of appointment from shortlisting, white : BME",
        ("white", "bme"),
    ),
    3: FunnelMeasure(
        3,
        "relative_likelihood",
        "relative_likelihood",
        "bme_vs_white",
        "",
        "Relative likelihood of entering formal disciplinary, BME : white",
        ("bme", "white"),
    ),
    4: FunnelMeasure(
        4,
        "relative_likelihood",
        "relative_likelihood",
        "white_vs_bme",
        "",
        "Relative likelihood of accessing non-mandatory training, white : BME",
        ("white", "bme"),
    ),
    5: FunnelMeasure(5, "proportion", "rate", "bme", "", "BME staff reporting harassment from patients"),
    6: FunnelMeasure(6, "proportion", "rate", "bme", "", "BME staff reporting harassment from staff"),
    7: FunnelMeasure(7, "proportion", "rate", "bme", "", "BME staff believing in equal opportunities"),
    8: FunnelMeasure(8, "proportion", "rate", "bme", "", "BME staff reporting discrimination"),
    9: FunnelMeasure(
        9, "difference", "difference", "bme", "voting", "BME share of voting board minus of workforce"
    ),
}


def z_value(level: float) -> float:
    """The two-sided normal quantile of a confidence level.

    >>> round(z_value(0.95), 6), round(z_value(0.998), 6)
    (1.959964, 3.090232)
    """
    return NormalDist().inv_cdf(1 - (1 - level) / 2)


def level_name(level: float) -> str:
    """'95' for 0.95, '998' for 0.998: the suffix of the limit columns."""
    return f"{level * 100:g}".replace(".", "")


# --- the variance of a figure at size n (one definition each) -------------------------------------


def proportion_variance(p0: float, per_head: float) -> Callable[[pl.Expr], pl.Expr]:
    """Binomial variance of a proportion ``p0`` over ``per_head * n`` people, as a function of n."""
    return lambda n: p0 * (1 - p0) / (per_head * n)


def log_relative_likelihood_variance(
    rate_a: float, rate_b: float, per_head_a: float, per_head_b: float
) -> Callable[[pl.Expr], pl.Expr]:
    """Katz variance of log(rate_a / rate_b) with denominators ``per_head_a * n`` and ``per_head_b * n``
    and the expected counts at the national rates, as a function of n."""
    return lambda n: (1 - rate_a) / (rate_a * per_head_a * n) + (1 - rate_b) / (rate_b * per_head_b * n)


def difference_variance(board_share: float, board_size: float, workforce_share: float) -> Callable:
    """Variance of board share minus workforce share: a board of ``board_size`` members and a
    workforce of n people, each binomial at its national share, as a function of n."""
    return lambda n: (
        board_share * (1 - board_share) / board_size + workforce_share * (1 - workforce_share) / n
    )


@dataclass(frozen=True)
class FunnelModel:
    """The national value of one indicator and the spread expected around it at size n."""

    centre: float
    variance: Callable[[pl.Expr], pl.Expr]
    log_scale: bool = False  # limits symmetric around log(centre)
    bounds: tuple[float, float] | None = None  # limits clipped to these

    def limit_columns(self, size: pl.Expr) -> list[pl.Expr]:
        """``low_95``, ``high_95``, ``low_998``, ``high_998`` at the sizes in ``size``."""
        columns = []
        spread = self.variance(size.cast(pl.Float64)).sqrt()
        for level in LEVELS:
            z = z_value(level)
            if self.log_scale:
                low = self.centre * (-z * spread).exp()
                high = self.centre * (z * spread).exp()
            else:
                low, high = self.centre - z * spread, self.centre + z * spread
            if self.bounds is not None:
                low, high = low.clip(*self.bounds), high.clip(*self.bounds)
            columns += [low.alias(f"low_{level_name(level)}"), high.alias(f"high_{level_name(level)}")]
        return columns

    def limits_at(self, size: float) -> dict[str, float]:
        """The limits at one size, e.g. ``{"low_95": 0.1216, "high_95": 0.2784, ...}``."""
        frame = pl.DataFrame({"size": [float(size)]}).select(self.limit_columns(pl.col("size")))
        return frame.row(0, named=True)


def proportion_limits(p0: float, n: float, level: float) -> tuple[float, float]:
    """Spiegelhalter's limits of a proportion ``p0`` over ``n`` people (normal approximation).

    >>> [round(x, 4) for x in proportion_limits(0.2, 100, 0.95)]
    [0.1216, 0.2784]
    """
    limits = FunnelModel(p0, proportion_variance(p0, 1.0), bounds=(0.0, 1.0)).limits_at(n)
    return limits[f"low_{level_name(level)}"], limits[f"high_{level_name(level)}"]


# --- the frames ---------------------------------------------------------------------------------


def _visible() -> pl.Expr:
    return ~pl.col("suppressed").fill_null(True)


def _at(indicators: pl.DataFrame, snapshot: dt.date, scope: str) -> pl.DataFrame:
    return indicators.filter((pl.col("snapshot_date") == snapshot) & (pl.col("scope") == scope))


def organisation_sizes(indicators: pl.DataFrame, *, snapshot: dt.date, scope: str) -> pl.DataFrame:
    """``organisation_code, size``: each organisation's headcount in ``scope`` at ``snapshot``, from
    the denominator of indicator 1's ``all|all`` share rows (null where all three are hidden).

    >>> rows = pl.DataFrame({"organisation_code": ["A", "A", "B"], "scope": ["trust"] * 3,
    ...     "snapshot_date": [dt.date(2025, 3, 31)] * 3, "indicator": [1] * 3, "measure": ["share"] * 3,
    ...     "ethnic_group": ["white", "bme", "bme"], "breakdown": ["all|all"] * 3,
    ...     "denominator": [None, 120, None], "suppressed": [True, False, True]})
    >>> organisation_sizes(rows, snapshot=dt.date(2025, 3, 31), scope="trust").rows()
    [('A', 120), ('B', None)]
    """
    rows = _at(indicators, snapshot, scope).filter(
        (pl.col("indicator") == 1) & (pl.col("measure") == "share") & (pl.col("breakdown") == "all|all")
    )
    return (
        rows.group_by("organisation_code")
        .agg(pl.col("denominator").filter(_visible()).drop_nulls().first().alias("size"))
        .sort("organisation_code")
    )


@dataclass(frozen=True)
class Funnel:
    """One indicator's funnel in one scope at one snapshot.

    ``points``: one row per organisation drawn: organisation_code, size, value, the four limits at
    its size and ``position`` (one of ``POSITIONS``). ``limits``: the limit curves on a grid of
    sizes (size, centre, low_95, high_95, low_998, high_998). ``hidden``: organisations whose
    figure (or size) is hidden because numbers are small; ``no_value``: organisations with a row but
    no value (a rate of zero under a relative likelihood, say). ``pooled``: organisations whose
    counts make up the national value. ``centre`` is None (and there are no limits) when no
    organisation's counts are shown, or when the pooled proportion is 0 or 1 (no spread to draw).
    """

    measure: FunnelMeasure
    scope: str
    snapshot: dt.date
    centre: float | None
    points: pl.DataFrame
    limits: pl.DataFrame
    hidden: int
    no_value: int
    pooled: int

    @property
    def organisations(self) -> int:
        """Organisations with a row for this indicator and scope (drawn, hidden or without value)."""
        return self.points.height + self.hidden + self.no_value

    def outside(self, position: str) -> pl.DataFrame:
        return self.points.filter(pl.col("position") == position).sort("value", descending=True)


def _rate_counts(rows: pl.DataFrame, indicator: int, group: str, prefix: str) -> pl.DataFrame:
    picked = rows.filter(
        (pl.col("indicator") == indicator)
        & (pl.col("measure").is_in(["rate", "share"]))
        & (pl.col("ethnic_group") == group)
        & _visible()
        & pl.col("numerator").is_not_null()
        & pl.col("denominator").is_not_null()
    )
    return picked.select(
        "organisation_code",
        pl.col("numerator").alias(f"{prefix}_numerator"),
        pl.col("denominator").alias(f"{prefix}_denominator"),
    )


def _model(
    measure: FunnelMeasure, rows: pl.DataFrame, sizes: pl.DataFrame, trust_rows: pl.DataFrame
) -> tuple[FunnelModel | None, int]:
    """The national model of ``measure`` from the organisations whose counts are shown, and how
    many organisations that is."""
    known = sizes.filter(pl.col("size").is_not_null())
    if measure.kind == "proportion":
        counts = _rate_counts(
            rows.filter(pl.col("breakdown") == measure.breakdown),
            measure.indicator,
            measure.ethnic_group,
            "x",
        ).join(known, on="organisation_code")
        if counts.is_empty() or counts["x_denominator"].sum() == 0:
            return None, 0
        p0 = counts["x_numerator"].sum() / counts["x_denominator"].sum()
        if p0 in (0.0, 1.0):  # no spread under the normal approximation: no limits to draw
            return None, counts.height
        per_head = counts["x_denominator"].sum() / counts["size"].sum()
        return FunnelModel(p0, proportion_variance(p0, per_head), bounds=(0.0, 1.0)), counts.height
    if measure.kind == "relative_likelihood":
        group_a, group_b = measure.rate_groups or ("white", "bme")
        main = rows.filter(pl.col("breakdown") == measure.breakdown)
        counts = (
            _rate_counts(main, measure.indicator, group_a, "a")
            .join(_rate_counts(main, measure.indicator, group_b, "b"), on="organisation_code")
            .join(known, on="organisation_code")
        )
        if counts.is_empty():
            return None, 0
        total = {c: counts[c].sum() for c in counts.columns if c != "organisation_code"}
        if (
            min(total["a_numerator"], total["b_numerator"], total["a_denominator"], total["b_denominator"])
            == 0
        ):
            return None, counts.height
        rate_a = total["a_numerator"] / total["a_denominator"]
        rate_b = total["b_numerator"] / total["b_denominator"]
        variance = log_relative_likelihood_variance(
            rate_a, rate_b, total["a_denominator"] / total["size"], total["b_denominator"] / total["size"]
        )
        return FunnelModel(rate_a / rate_b, variance, log_scale=True), counts.height
    # the board difference: board share of voting members minus the workforce's BME share
    board = _rate_counts(rows.filter(pl.col("breakdown") == measure.breakdown), 9, "bme", "board")
    workforce = _rate_counts(trust_rows.filter(pl.col("breakdown") == "all|all"), 1, "bme", "workforce")
    counts = board.join(workforce, on="organisation_code").join(known, on="organisation_code")
    if counts.is_empty() or counts["board_denominator"].sum() == 0:
        return None, 0
    board_share = counts["board_numerator"].sum() / counts["board_denominator"].sum()
    if board_share in (0.0, 1.0):
        return None, counts.height
    workforce_share = counts["workforce_numerator"].sum() / counts["workforce_denominator"].sum()
    board_size = counts["board_denominator"].sum() / counts.height
    variance = difference_variance(board_share, board_size, workforce_share)
    return FunnelModel(board_share - workforce_share, variance, bounds=(-1.0, 1.0)), counts.height


def _position(value: pl.Expr) -> pl.Expr:
    return (
        pl.when(value > pl.col("high_998"))
        .then(pl.lit(ABOVE_998))
        .when(value < pl.col("low_998"))
        .then(pl.lit(BELOW_998))
        .when(value > pl.col("high_95"))
        .then(pl.lit(ABOVE_95))
        .when(value < pl.col("low_95"))
        .then(pl.lit(BELOW_95))
        .otherwise(pl.lit(INSIDE))
    )


def size_grid(smallest: float, largest: float, points: int = 80) -> list[float]:
    """``points`` sizes evenly spaced on a log scale from ``smallest`` to ``largest``.

    >>> size_grid(10, 1000, 3)
    [10.0, 100.0, 1000.0]
    """
    smallest, largest = max(1.0, float(smallest)), max(1.0, float(largest))
    if largest <= smallest or points < 2:
        return [smallest]
    ratio = (largest / smallest) ** (1 / (points - 1))
    return [smallest * ratio**i for i in range(points - 1)] + [largest]


_LIMIT_COLUMNS = [f"{side}_{level_name(level)}" for level in LEVELS for side in ("low", "high")]


def funnel(
    indicators: pl.DataFrame, *, snapshot: dt.date, scope: str, indicator: int, grid_points: int = 80
) -> Funnel:
    """The funnel of ``indicator`` in ``scope`` at ``snapshot`` from the published indicators.

    The centre pools the counts of the organisations whose counts are shown (for a relative
    likelihood: both rates shown; for the board difference: the board share and the workforce
    share shown), whether or not their own figure is drawn.
    """
    measure = FUNNEL_MEASURES[indicator]
    scoped = _at(indicators, snapshot, scope)
    trust_rows = _at(indicators, snapshot, "trust")
    sizes = organisation_sizes(indicators, snapshot=snapshot, scope=scope)
    rows = scoped.filter(pl.col("indicator") == indicator)
    model, pooled = _model(measure, rows, sizes, trust_rows)
    figures = rows.filter(
        (pl.col("measure") == measure.measure)
        & (pl.col("ethnic_group") == measure.ethnic_group)
        & (pl.col("breakdown") == measure.breakdown)
    ).join(sizes, on="organisation_code", how="left")
    hidden_rows = figures.filter(pl.col("suppressed").fill_null(True) | pl.col("size").is_null())
    shown = figures.filter(~pl.col("suppressed").fill_null(True) & pl.col("size").is_not_null())
    no_value = shown.filter(pl.col("value").is_null()).height
    points = shown.filter(pl.col("value").is_not_null()).select("organisation_code", "size", "value")
    if model is None:
        points = points.with_columns(
            *(pl.lit(None, pl.Float64).alias(c) for c in _LIMIT_COLUMNS),
            pl.lit(None, pl.String).alias("position"),
        )
        limits = pl.DataFrame(
            schema={"size": pl.Float64, "centre": pl.Float64, **dict.fromkeys(_LIMIT_COLUMNS, pl.Float64)}
        )
    else:
        points = points.with_columns(model.limit_columns(pl.col("size"))).with_columns(
            _position(pl.col("value")).alias("position")
        )
        span = points["size"] if points.height else sizes["size"].drop_nulls()
        grid = size_grid(span.min() * 0.8, span.max() * 1.25, grid_points) if span.len() else []
        limits = pl.DataFrame({"size": grid}, schema={"size": pl.Float64}).with_columns(
            pl.lit(model.centre).alias("centre"), *model.limit_columns(pl.col("size"))
        )
    return Funnel(
        measure=measure,
        scope=scope,
        snapshot=snapshot,
        centre=None if model is None else model.centre,
        points=points.sort("organisation_code"),
        limits=limits,
        hidden=hidden_rows.height,
        no_value=no_value,
        pooled=pooled,
    )


def national_funnels(indicators: pl.DataFrame, *, snapshot: dt.date) -> list[Funnel]:
    """Every funnel of ``snapshot``: scopes ``trust`` and ``maternity_neonatal``, indicators 1-9
    (9: trust only), leaving out those with no rows at all (no survey loaded, say)."""
    funnels = []
    at_snapshot = indicators.filter(pl.col("snapshot_date") == snapshot)
    for scope in FUNNEL_SCOPES:
        scoped = at_snapshot.filter(pl.col("scope") == scope)
        for number, measure in FUNNEL_MEASURES.items():
            present = scoped.filter(
                (pl.col("indicator") == number)
                & (pl.col("measure") == measure.measure)
                & (pl.col("breakdown") == measure.breakdown)
            )
            if present.height:
                funnels.append(funnel(indicators, snapshot=snapshot, scope=scope, indicator=number))
    return funnels
