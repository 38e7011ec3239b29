"""Small-number disclosure control (CONTRACT section 2, "Disclosure control").

The one definition of what is hidden. The marts SQL sets a first ``suppressed`` flag; this module
does not trust it: it recomputes the primary rule from the counts and adds secondary suppression,
then ``blank_hidden_cells`` / ``blank_hidden_representation`` make the published version.

**Primary rule** (``settings.disclosure``): a count (numerator, denominator, headcount) from 1 to
``min_count - 1`` (default 1-4) is hidden, and so is every row resting on it; a staff-survey rate
(indicators 5-8) whose denominator is under ``survey_min_denominator`` (default 11) is hidden.
0 is shown: it discloses nobody.

**Secondary rule**: wherever published counts add up to a published total, a single hidden count
could be worked back as "total minus the others"; so whenever exactly one member of such a sum
(the pieces and the total) is hidden, a second one is hidden too: the smallest other non-zero
piece, keeping a bme count visible where another non-zero piece will do, else the total (never
a zero piece while the total will do: a hidden 0 protects nothing where a published 0 elsewhere
forces it), ties broken in a fixed order (unknown, white, bme,
asian, black, mixed, other; then scope and breakdown alphabetically). Hiding one cell can leave
another sum with a single hidden member, so the rule is applied again until nothing changes.
A sum can also give away a hidden rate without its count: the rule hides a second member where
the blank members must add up to 0 (each hidden rate 0%), where hidden rates' numerators must
equal their bases (each 100%), and where a hidden share must be its whole cell (the other groups
shown as 0); see ``_secondary_suppression`` and docs/disclosure-control.md.

The sums (every one checked for every organisation, snapshot and scope):

- white + bme + unknown = the cell's people (indicator 1, each ``<workforce>|<band>`` cell; the
  board, indicator 9, publishes bme and its size only, so this sum never has all its members
  there);
- the bands of a workforce = its ``<workforce>|all`` cell, group by group and for the cell sizes;
- clinical + non_clinical (+ people of an unrecognised staff group) = all, band by band;
- the five ``maternity:<role group>`` scopes = ``maternity_neonatal``, for every count;
- asian + black + mixed + other = bme, for the numerators and the denominators of the rates of
  indicators 2-8, and for the headcounts of representation;
- the five census groups = the headcount with known ethnicity (representation);
- white + bme = known, and known + unknown = all people (when both tables are controlled together).

Clinical + non-clinical need not add up to all: people whose staff group is unrecognised count
in ``all`` only. The rule is applied anyway (decided, conservatively): the unrecognised remainder
is itself a difference of published totals (the cell sizes and the other groups), so a single
hidden clinical or non-clinical count can still be worked back from the sums taken together.

The same count published in two places is one count with one decision: the denominators of
indicators 3 and 4 are the headcounts of indicator 1's ``all|all`` cells (and, for the census
groups, of representation). A row is hidden when its numerator is hidden or its denominator is
hidden (a cell of 3 people hides all three of its groups), and the publication then blanks both.
A relative likelihood is hidden when either rate it rests on is; an indicator 9 difference when
the board share or the workforce share it rests on is.

Worked example (indicator 1, ``clinical|Band 8a`` midwives, total shown):

    white 12, bme 3, unknown 1, total 16:
        bme 3 and unknown 1 are hidden (primary). Two are hidden, so 16 - 12 = 4 gives only
        their sum: nothing else is needed.
    white 20, bme 3, unknown 6, total 29:
        bme 3 is hidden (primary), but 29 - 20 - 6 = 3 would give it back. The smallest other
        non-zero group, unknown 6, is hidden too (secondary): 29 - 20 = 9 is bme + unknown,
        which cannot be split.

>>> import polars as pl
>>> from wres.config import Settings
>>> cell = pl.DataFrame({
...     "organisation_code": "RXX", "snapshot_date": [None] * 3, "scope": "maternity:midwives",
...     "indicator": 1, "measure": "share", "ethnic_group": ["white", "bme", "unknown"],
...     "breakdown": "clinical|Band 8a", "numerator": [20, 3, 6], "denominator": 29,
...     "suppressed": False,
... })
>>> apply_disclosure_control(cell, Settings())["suppressed"].to_list()
[False, True, True]

The analyst warehouse keeps the exact values with the final flag (``apply_*``); the publication
blanks what is hidden (``blank_hidden_*``). The rule stops a hidden count being read back from any
one sum, as in NHS practice (NHS England's Friends and Family Test pipeline); then the sums taken
together are checked (``wres.sdc_system``: a count of the primary rule that their equations fix
gets one more hidden count beside it, and the rule runs again). Bounds (counts never negative) are
not solved.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from wres.config import Settings
from wres.sdc_system import Sums, hide_fixed

# the node key: one count, wherever it is published
_KEY = ("organisation_code", "snapshot_date", "scope", "family", "cell", "group")

# tie-break order among counts of the same size (first = hidden first)
_GROUP_ORDER = ("unknown", "white", "bme", "asian", "black", "mixed", "other", "known", "total")
_CENSUS_GROUPS = ("asian", "black", "mixed", "other")
_WRES_GROUPS = ("white", "bme", "unknown")
_SURVEY_INDICATORS = (5, 6, 7, 8)
_HEADCOUNT_DENOMINATORS = (3, 4)  # rates over the headcount at D: indicator 1's all|all counts
_MATERNITY = "maternity_neonatal"
_ROLE_PREFIX = "maternity:"

INDICATOR_COUNT_COLUMNS = ("numerator", "denominator")
INDICATOR_HIDDEN_COLUMNS = ("numerator", "denominator", "value", "ci_low", "ci_high", "interpretation")
REPRESENTATION_HIDDEN_COLUMNS = ("headcount", "workforce_share", "ratio", "ci_low", "ci_high")


def is_small_count(count: pl.Expr, min_count: int) -> pl.Expr:
    """The primary rule for one count: 1 to ``min_count - 1`` is hidden; 0 and NULL are not.

    >>> pl.select(is_small_count(pl.Series([0, 1, 4, 5, None]), 5)).to_series().to_list()
    [False, True, True, False, False]
    """
    return (count.is_between(1, min_count - 1)).fill_null(False)


def is_small_survey_base(indicator: pl.Expr, denominator: pl.Expr, survey_min_denominator: int) -> pl.Expr:
    """A staff-survey rate (indicators 5-8) over fewer than ``survey_min_denominator`` answers."""
    return indicator.is_in(_SURVEY_INDICATORS) & (denominator.fill_null(0) < survey_min_denominator)


# ---------------------------------------------------------------------------------------------
# counts as nodes


def _indicator_row_counts(indicators: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The numerator and denominator node keys of every share and rate row (``_row`` = row index)."""
    rows = indicators.with_row_index("_row").filter(pl.col("measure").is_in(["share", "rate"]))
    ind = pl.col("indicator")
    family_n = (
        pl.when(ind == 1)
        .then(pl.lit("headcount"))
        .when(ind == 9)
        .then(pl.lit("board"))
        .otherwise(pl.lit("indicator") + ind.cast(pl.String) + pl.lit(":numerator"))
    )
    headcount_denominator = ind.is_in(_HEADCOUNT_DENOMINATORS) & (pl.col("breakdown") == "")
    family_d = (
        pl.when(ind == 1)
        .then(pl.lit("headcount"))
        .when(ind == 9)
        .then(pl.lit("board"))
        .when(headcount_denominator)
        .then(pl.lit("headcount"))
        .otherwise(pl.lit("indicator") + ind.cast(pl.String) + pl.lit(":denominator"))
    )
    cell_d = pl.when(headcount_denominator).then(pl.lit("all|all")).otherwise(pl.col("breakdown"))
    group_d = pl.when(ind.is_in([1, 9])).then(pl.lit("total")).otherwise(pl.col("ethnic_group"))
    common = [pl.col("_row"), pl.col("organisation_code"), pl.col("snapshot_date"), pl.col("scope")]
    numerators = rows.select(
        *common,
        family_n.alias("family"),
        pl.col("breakdown").alias("cell"),
        pl.col("ethnic_group").alias("group"),
        pl.col("numerator").alias("count"),
        pl.col("indicator"),
        pl.col("denominator").alias("base"),
    )
    denominators = rows.select(
        *common,
        family_d.alias("family"),
        cell_d.alias("cell"),
        group_d.alias("group"),
        pl.col("denominator").alias("count"),
    )
    return numerators, denominators


def _representation_row_counts(representation: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The headcount and known-headcount node keys of every representation row.

    The known headcount is not a column but is published all the same: headcount / workforce_share.
    """
    rows = representation.with_row_index("_row")
    common = [
        pl.col("_row"),
        pl.col("organisation_code"),
        pl.col("snapshot_date"),
        pl.col("scope"),
        pl.lit("headcount").alias("family"),
        pl.lit("all|all").alias("cell"),
    ]
    known = (
        rows.group_by("organisation_code", "snapshot_date", "scope", "reference_population")
        .agg(pl.col("headcount").sum().alias("known_headcount"))
        .join(rows, on=["organisation_code", "snapshot_date", "scope", "reference_population"])
        .sort("_row")
    )
    headcounts = rows.select(
        *common, pl.col("ethnic_group").str.to_lowercase().alias("group"), pl.col("headcount").alias("count")
    )
    knowns = known.select(*common, pl.lit("known").alias("group"), pl.col("known_headcount").alias("count"))
    return headcounts, knowns


def _nodes(row_counts: list[pl.DataFrame]) -> pl.DataFrame:
    """One node per distinct count key, numbered in a fixed order (the tie-break of the rule)."""
    keys = pl.concat([f.select(*_KEY, "count") for f in row_counts], how="vertical_relaxed")
    group_rank = pl.col("group").replace_strict(
        {g: i for i, g in enumerate(_GROUP_ORDER)}, default=len(_GROUP_ORDER), return_dtype=pl.Int32
    )
    return (
        keys.group_by(list(_KEY))
        # the same count published twice should agree; if it ever did not, the larger is kept
        .agg(pl.col("count").max())
        .with_columns(group_rank.alias("_group_rank"))
        .sort(
            "organisation_code",
            "snapshot_date",
            "family",
            "_group_rank",
            "group",
            "scope",
            "cell",
            nulls_last=True,
        )
        .drop("_group_rank")
        .with_row_index("node")
    )


def _node_of(rows: pl.DataFrame, nodes: pl.DataFrame) -> np.ndarray:
    """The node number of each row of ``rows`` (in row order)."""
    joined = rows.select("_row", *_KEY).join(
        nodes.select("node", *_KEY), on=list(_KEY), how="left", nulls_equal=True, maintain_order="left"
    )
    return joined["node"].to_numpy().astype(np.int64)


# ---------------------------------------------------------------------------------------------
# the sums


def _sum(
    members: pl.DataFrame, name: str, key: list[pl.Expr], is_total: pl.Expr, complete: int | None = None
) -> pl.DataFrame:
    """Membership rows (relation, node, is_total) of one kind of sum over the selected nodes.

    ``complete``: the sum holds only when all its members are published (fixed groups); otherwise
    a missing piece is a zero (no band, role group or workforce row means nobody in it).
    """
    rel = pl.concat_str([pl.lit(name), *[k.cast(pl.String).fill_null("") for k in key]], separator="\x1f")
    out = members.select(rel.alias("relation"), pl.col("node"), is_total.alias("is_total"))
    sizes = out.group_by("relation").agg(
        pl.len().alias("_members"), pl.col("is_total").sum().alias("_totals")
    )
    keep = sizes.filter((pl.col("_totals") == 1) & (pl.col("_members") >= 2))
    if complete is not None:
        keep = keep.filter(pl.col("_members") == complete)
    return out.join(keep.select("relation"), on="relation", how="semi")


def _relations(nodes: pl.DataFrame) -> pl.DataFrame:
    """Every sum among the published counts (see the module docstring)."""
    org, snap, scope = pl.col("organisation_code"), pl.col("snapshot_date"), pl.col("scope")
    family, cell, group = pl.col("family"), pl.col("cell"), pl.col("group")
    headcount = nodes.filter(family == "headcount")
    indicator1_cells = (
        headcount.filter(cell.str.contains("|", literal=True))
        .with_columns(cell.str.split_exact("|", 1).struct.rename_fields(["workforce", "band"]).alias("_cell"))
        .unnest("_cell")
    )
    workforce, band = pl.col("workforce"), pl.col("band")
    in_maternity = (scope == _MATERNITY) | scope.str.starts_with(_ROLE_PREFIX)
    sums = [
        _sum(
            nodes.filter(family.is_in(["headcount", "board"]) & group.is_in([*_WRES_GROUPS, "total"])),
            "groups_in_cell",
            [org, snap, scope, family, cell],
            group == "total",
            complete=4,
        ),
        _sum(
            nodes.filter(group.is_in([*_CENSUS_GROUPS, "bme"])),
            "census_groups_in_bme",
            [org, snap, scope, family, cell],
            group == "bme",
            complete=5,
        ),
        _sum(
            headcount.filter(group.is_in([*_CENSUS_GROUPS, "white", "known"])),
            "census_groups_in_known",
            [org, snap, scope, cell],
            group == "known",
            complete=6,
        ),
        _sum(
            headcount.filter(group.is_in(["white", "bme", "known"])),
            "white_bme_in_known",
            [org, snap, scope, cell],
            group == "known",
            complete=3,
        ),
        _sum(
            headcount.filter(group.is_in(["known", "unknown", "total"])),
            "known_unknown_in_total",
            [org, snap, scope, cell],
            group == "total",
            complete=3,
        ),
        _sum(
            indicator1_cells.filter(workforce.is_in(["all", "clinical", "non_clinical"])),
            "bands_in_workforce",
            [org, snap, scope, workforce, group],
            band == "all",
        ),
        _sum(
            indicator1_cells.filter(workforce.is_in(["all", "clinical", "non_clinical"])),
            "workforces_in_all",
            [org, snap, scope, band, group],
            workforce == "all",
        ),
        _sum(
            nodes.filter(in_maternity),
            "role_groups_in_maternity",
            [org, snap, family, cell, group],
            scope == _MATERNITY,
        ),
    ]
    return pl.concat(sums)


# ---------------------------------------------------------------------------------------------
# the fixed point


@dataclass(frozen=True)
class _PublishedRows:
    """Every published row as the two counts it shows: a count is public when at least one row
    showing it is not hidden (a hidden row blanks both its counts, so a numerator of 0 in a row
    hidden for its denominator is not public, though 0 itself is never hidden)."""

    numerator: np.ndarray  # node of each row's numerator (or headcount)
    denominator: np.ndarray  # node of each row's denominator (or known headcount)
    forced: np.ndarray  # rows hidden whatever their counts (a survey rate on under 11 answers)

    def hidden(self, hidden_nodes: np.ndarray) -> np.ndarray:
        return hidden_nodes[self.numerator] | hidden_nodes[self.denominator] | self.forced

    def public(self, hidden_nodes: np.ndarray) -> np.ndarray:
        shown = ~self.hidden(hidden_nodes)
        public = np.zeros(len(hidden_nodes), dtype=bool)
        public[self.numerator[shown]] = True
        public[self.denominator[shown]] = True
        return public


def _first_per_relation(rel: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """The first of ``candidates`` (membership indices, in preference order) of each relation."""
    if not len(candidates):
        return candidates
    _, first = np.unique(rel[candidates], return_index=True)
    return candidates[first]


def _secondary_suppression(
    relations: pl.DataFrame,
    counts: np.ndarray,
    hidden: np.ndarray,
    kept: np.ndarray | None = None,
    rows: _PublishedRows | None = None,
) -> np.ndarray:
    """Hide counts until no hidden figure can be worked back from a sum. Monotone (it only ever
    hides), so it ends. Each round, in every sum:

    1. with exactly one count not to be given away (a hidden count, or a 0 left blank in a row
       with a rate), hide its preferred second member (``kept`` marks counts to
       keep visible where another will do: the bme counts, as WRES is about the bme figures and
       hiding white protects a small unknown just as well);
    2. with its total public, when the counts not public (blank in every row showing them: a
       numerator of 0 in a row hidden for its denominator, say) must add up to 0, each is 0 and
       its hidden rate 0% (where it has one: a base above 0): the smallest public non-zero piece
       is hidden too;
    3. of shares over one total (a cell's groups, representation's groups): when the total and
       exactly one piece are not public and every public piece is 0, that piece is the whole
       total (a share of 100%): another piece is hidden;
    4. of rates whose numerators and denominators both add up (bands, role groups, census groups):
       when the total's rate is public and the hidden rates' numerators must add up to their
       denominators, each hidden rate is 100%: the public rate with the smallest base below 100%
       is hidden too.

    A published total of 0 (or of 100%) says so of every part: that is what it means, and it
    stays. Without ``rows`` a count is public when it is not hidden."""
    hidden = hidden.copy()
    if relations.is_empty():
        return hidden
    members = relations.with_columns(
        pl.col("relation").rank("dense").cast(pl.Int64).alias("rel"), pl.col("node").cast(pl.Int64)
    )
    kept = np.zeros(len(counts), dtype=bool) if kept is None else kept
    members = (
        members.with_columns(
            pl.Series("_count", counts[members["node"].to_numpy()]),
            pl.Series("_kept", kept[members["node"].to_numpy()]),
        )
        # within a sum, the preferred second cell first: a non-zero piece, then the total, and a
        # zero piece last (a hidden 0 protects nothing where a published 0 elsewhere forces it:
        # 0 bme in all|Band 3 makes 0 bme in clinical|Band 3); then others before bme, smallest
        # first, then the fixed node order
        .sort(
            "rel",
            pl.when(pl.col("_count") == 0).then(2).when(pl.col("is_total")).then(1).otherwise(0),
            "_kept",
            "_count",
            "node",
        )
    )
    rel = members["rel"].to_numpy() - 1
    node = members["node"].to_numpy()
    is_total = members["is_total"].to_numpy()
    count = counts[node]
    one_total = np.array(
        [name.split("\x1f", 1)[0] in _SHARES_OF_ONE_TOTAL for name in members["relation"].to_list()],
        dtype=bool,
    )
    n_relations = int(rel.max()) + 1

    def per_relation(weights: np.ndarray) -> np.ndarray:
        return np.bincount(rel, weights=weights, minlength=n_relations)

    rates = _rate_relations(rel, node, is_total, counts, rows) if rows is not None else None
    # counts with a rate to give away: the numerator of a row whose base is above 0 (a hidden 0 of
    # 0 has no rate, so working its 0 back discloses nothing)
    has_rate = np.ones(len(counts), dtype=bool)
    if rows is not None:
        has_rate = np.zeros(len(counts), dtype=bool)
        has_rate[rows.numerator[counts[rows.denominator] > 0]] = True
    member_has_rate = has_rate[node]
    while True:
        member_hidden = hidden[node]
        public = rows.public(hidden) if rows is not None else ~hidden
        member_public = public[node]
        piece, public_piece = ~is_total, member_public & ~is_total
        # 1. one count not to be given away (hidden, or a 0 left blank in a row with a rate):
        # "total minus the others" gives it. A 0 left blank protects a hidden count beside it as
        # well as a hidden count does; a total shown as 0 says 0 of every part, so a blank 0
        # under it has nothing to protect
        blank_zero = ~member_hidden & ~member_public & (count == 0) & member_has_rate
        protected = member_hidden | blank_zero
        zero_total = per_relation(member_public & is_total & (count == 0))[rel] > 0
        only_blank_zeros = per_relation(member_hidden)[rel] == 0
        rule1 = (per_relation(protected)[rel] == 1) & ~protected & ~(only_blank_zeros & zero_total)
        # 2. the counts not public must add up to 0
        total_public = per_relation(member_public & is_total) > 0
        public_total = per_relation(np.where(member_public & is_total, count, 0))
        rest = public_total - per_relation(np.where(public_piece, count, 0))
        zeros = total_public & (per_relation(piece & ~member_public & member_has_rate) > 0) & (rest == 0)
        rule2 = zeros[rel] & public_piece & (count > 0)
        # 3. one share not public, beside public zeros and a total not public: 100%
        whole = (
            ~total_public
            & (per_relation(piece & ~member_public) == 1)
            & (per_relation(np.where(public_piece, count, 0)) == 0)
        )
        rule3 = one_total & whole[rel] & public_piece
        newly = [node[_first_per_relation(rel, np.flatnonzero(rule))] for rule in (rule1, rule2, rule3)]
        if rates is not None:
            newly.append(rates.to_hide(rows.hidden(hidden)))
        found = np.concatenate(newly)
        found = found[~hidden[found]]
        if not len(found):
            return hidden
        hidden[found] = True


# sums whose pieces are published as shares of the total (the total is every piece's denominator:
# indicator 1's groups of a cell, representation's census groups of those of known ethnicity)
_SHARES_OF_ONE_TOTAL = frozenset({"groups_in_cell", "census_groups_in_known"})


@dataclass(frozen=True)
class _RateRelations:
    """Sums whose members are each the numerator of one rate row, the rows' denominators adding up
    as well: the total row's rate and the public rates bound the hidden ones (rule 4 of
    ``_secondary_suppression``)."""

    rel: np.ndarray  # relation of each membership
    row: np.ndarray  # the rate row of each membership
    is_total: np.ndarray
    numerator: np.ndarray  # counts
    denominator: np.ndarray
    preference: np.ndarray  # memberships in the order a second rate is chosen (smallest base first)
    numerator_node: np.ndarray
    n_relations: int

    def to_hide(self, row_hidden: np.ndarray) -> np.ndarray:
        """Numerator nodes to hide: in each sum whose hidden rates must all be 100%, the public rate
        below 100% with the smallest base."""

        def per_relation(weights: np.ndarray) -> np.ndarray:
            return np.bincount(self.rel, weights=weights, minlength=self.n_relations)

        hidden = row_hidden[self.row]
        shown_piece = ~hidden & ~self.is_total
        total_shown = per_relation(~hidden & self.is_total) > 0
        any_hidden = per_relation(hidden & ~self.is_total) > 0
        hidden_n = per_relation(np.where(self.is_total, self.numerator, 0)) - per_relation(
            np.where(shown_piece, self.numerator, 0)
        )
        hidden_d = per_relation(np.where(self.is_total, self.denominator, 0)) - per_relation(
            np.where(shown_piece, self.denominator, 0)
        )
        all_full = total_shown & any_hidden & (hidden_d > 0) & (hidden_n == hidden_d)
        m = self.preference
        breaks = shown_piece[m] & all_full[self.rel[m]] & (self.numerator[m] < self.denominator[m])
        return self.numerator_node[_first_per_relation(self.rel, m[breaks])]


def _rate_relations(
    rel: np.ndarray, node: np.ndarray, is_total: np.ndarray, counts: np.ndarray, rows: _PublishedRows
) -> _RateRelations | None:
    """The sums of ``rel`` whose every member is the numerator of a rate row (the first such row)
    and whose rows' denominators add up too, with each member's denominator from its row."""
    row_of = np.full(len(counts), -1, dtype=np.int64)
    order = np.arange(len(rows.numerator))[::-1]  # the first row wins: assigned last
    row_of[rows.numerator[order]] = order
    member_row = row_of[node]
    n_relations = int(rel.max()) + 1
    complete = np.bincount(rel, weights=member_row < 0, minlength=n_relations) == 0
    keep = complete[rel]
    if not keep.any():
        return None
    rel, node, is_total, member_row = rel[keep], node[keep], is_total[keep], member_row[keep]
    numerator = counts[node]
    denominator = counts[rows.denominator[member_row]]
    # only where the rows' bases add up as their numerators do (role groups, bands, census groups
    # of a rate; not the census groups' headcounts, which are shares of those of known ethnicity)
    pieces_base = np.bincount(rel, weights=np.where(is_total, 0, denominator), minlength=n_relations)
    total_base = np.bincount(rel, weights=np.where(is_total, denominator, 0), minlength=n_relations)
    adds_up = (pieces_base == total_base)[rel]
    if not adds_up.any():
        return None
    rel, node, is_total, member_row = rel[adds_up], node[adds_up], is_total[adds_up], member_row[adds_up]
    numerator, denominator = numerator[adds_up], denominator[adds_up]
    preference = np.lexsort((node, denominator, rel))
    return _RateRelations(
        rel=rel,
        row=member_row,
        is_total=is_total,
        numerator=numerator,
        denominator=denominator,
        preference=preference,
        numerator_node=node,
        n_relations=n_relations,
    )


def _control(
    indicators: pl.DataFrame | None, representation: pl.DataFrame | None, settings: Settings
) -> tuple[pl.DataFrame | None, pl.DataFrame | None]:
    if all(frame is None or frame.is_empty() for frame in (indicators, representation)):
        return indicators, representation  # nothing published yet (an empty inbox): nothing to hide
    disclosure = settings.disclosure
    row_counts: list[pl.DataFrame] = []
    if indicators is not None:
        ind_n, ind_d = _indicator_row_counts(indicators)
        row_counts += [ind_n, ind_d]
    if representation is not None:
        rep_n, rep_d = _representation_row_counts(representation)
        row_counts += [rep_n, rep_d]
    if not row_counts or all(f.is_empty() for f in row_counts):
        nodes = pl.DataFrame(schema={"node": pl.UInt32, **{k: pl.String for k in _KEY}, "count": pl.Int64})
    else:
        nodes = _nodes(row_counts)

    # primary: small counts, and the numerators of small survey bases (their rate is hidden;
    # a base of 0 has no rate to hide and its numerator is 0 for certain)
    hidden = nodes.select(is_small_count(pl.col("count"), disclosure.min_count)).to_series().to_numpy().copy()
    if indicators is not None:
        n_nodes, d_nodes = _node_of(ind_n, nodes), _node_of(ind_d, nodes)
        survey = (
            ind_n.select(
                is_small_survey_base(pl.col("indicator"), pl.col("base"), disclosure.survey_min_denominator)
                & (pl.col("base").fill_null(0) > 0)
            )
            .to_series()
            .to_numpy()
        )
        hidden[n_nodes[survey]] = True
    if representation is not None:
        r_nodes, k_nodes = _node_of(rep_n, nodes), _node_of(rep_d, nodes)
    relations = (
        _relations(nodes)
        if len(nodes)
        else pl.DataFrame(schema={"relation": pl.String, "node": pl.UInt32, "is_total": pl.Boolean})
    )
    kept = (nodes["group"] == "bme").fill_null(False).to_numpy()
    published: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    if indicators is not None:
        survey_row = (
            ind_n.select(
                is_small_survey_base(pl.col("indicator"), pl.col("base"), disclosure.survey_min_denominator)
            )
            .to_series()
            .to_numpy()
        )
        published.append((n_nodes, d_nodes, survey_row))
    if representation is not None:
        published.append((r_nodes, k_nodes, np.zeros(len(r_nodes), dtype=bool)))
    rows = _PublishedRows(*(np.concatenate(parts) for parts in zip(*published, strict=True)))
    counts = nodes["count"].fill_null(0).to_numpy()
    primary = hidden.copy()
    hidden = _secondary_suppression(relations, counts, hidden, kept, rows)
    if not relations.is_empty():
        # the sums taken together (wres.sdc_system): while they fix a count the primary rule hid,
        # one more count is hidden where they do, and the one-sum rule runs again
        sums = Sums.of(
            relations["relation"].rank("dense").cast(pl.Int64).to_numpy() - 1,
            relations["node"].cast(pl.Int64).to_numpy(),
            relations["is_total"].to_numpy(),
            counts,
            kept,
        )
        # every sum lies within one organisation and snapshot: the one-sum rule runs again only
        # where a count was added
        block = nodes.select(pl.struct("organisation_code", "snapshot_date").rank("dense")).to_series()
        relation_block = block.to_numpy()[relations["node"].to_numpy()]
        suspects = primary
        while (step := hide_fixed(sums, suspects, hidden, rows.public)) is not None:
            more, suspects = step
            changed = np.isin(relation_block, block.to_numpy()[more & ~hidden])
            hidden = _secondary_suppression(relations.filter(pl.Series(changed)), counts, more, kept, rows)

    out_indicators = None
    if indicators is not None:
        row_hidden = hidden[n_nodes] | hidden[d_nodes] | survey_row
        flags = pl.DataFrame({"_row": ind_n["_row"], "_hidden": row_hidden})
        out_indicators = _follow_rates(indicators, flags)
    out_representation = None
    if representation is not None:
        row_hidden = hidden[r_nodes] | hidden[k_nodes]
        out_representation = representation.with_columns(pl.Series("suppressed", row_hidden, pl.Boolean))
    return out_indicators, out_representation


def _follow_rates(indicators: pl.DataFrame, rate_flags: pl.DataFrame) -> pl.DataFrame:
    """The final flag of every row: rates and shares from the counts; relative likelihoods from
    their white and bme rates; differences from the board share and the workforce share. A
    derived row whose rates are missing is hidden (nothing to show it on safely)."""
    rows = indicators.with_row_index("_row").join(rate_flags, on="_row", how="left", maintain_order="left")
    rates = rows.filter(pl.col("measure") == "rate").select(
        "organisation_code", "snapshot_date", "scope", "indicator", "breakdown", "ethnic_group", "_hidden"
    )
    by = ["organisation_code", "snapshot_date", "scope", "indicator", "breakdown"]
    rl_flags = (
        rates.filter(pl.col("ethnic_group").is_in(["white", "bme"]))
        .group_by(by)
        .agg((pl.col("_hidden").any() | (pl.col("ethnic_group").n_unique() < 2)).alias("_rl_hidden"))
        .with_columns(pl.lit("relative_likelihood").alias("measure"))
    )
    board = rows.filter(
        (pl.col("indicator") == 9) & (pl.col("measure") == "share") & (pl.col("ethnic_group") == "bme")
    ).select("organisation_code", "snapshot_date", "breakdown", pl.col("_hidden").alias("_board_hidden"))
    workforce = rows.filter(
        (pl.col("indicator") == 1)
        & (pl.col("scope") == "trust")
        & (pl.col("breakdown") == "all|all")
        & (pl.col("ethnic_group") == "bme")
    ).select("organisation_code", "snapshot_date", pl.col("_hidden").alias("_workforce_hidden"))
    rows = (
        rows.join(rl_flags, on=[*by, "measure"], how="left", nulls_equal=True, maintain_order="left")
        .join(
            board,
            on=["organisation_code", "snapshot_date", "breakdown"],
            how="left",
            nulls_equal=True,
            maintain_order="left",
        )
        .join(
            workforce,
            on=["organisation_code", "snapshot_date"],
            how="left",
            nulls_equal=True,
            maintain_order="left",
        )
    )
    measure = pl.col("measure")
    final = (
        pl.when(measure.is_in(["share", "rate"]))
        .then(pl.col("_hidden"))
        .when(measure == "relative_likelihood")
        .then(pl.col("_rl_hidden").fill_null(True))
        .when(measure == "difference")
        .then(pl.col("_board_hidden").fill_null(True) | pl.col("_workforce_hidden").fill_null(True))
        .otherwise(pl.lit(True))
    )
    return (
        rows.sort("_row").with_columns(final.fill_null(True).alias("suppressed")).select(indicators.columns)
    )


# ---------------------------------------------------------------------------------------------
# public


def apply_disclosure_control(indicators: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """``marts.wres_indicators`` with ``suppressed`` recomputed: primary and secondary rules.

    Values stay exact (this is what the analyst warehouse stores); the input's own ``suppressed``
    is ignored. Same rows, same order, same columns. See the module docstring for the rules and
    a worked example. To control the indicators and representation as one publication (they share
    the headcounts of indicators 3 and 4), use ``apply_joint_disclosure_control``.
    """
    out, _ = _control(indicators, None, settings)
    assert out is not None
    return out


def apply_representation_control(representation: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """``marts.representation`` with ``suppressed`` recomputed: a headcount or known headcount of
    1 to ``min_count - 1`` hides the row, and when exactly one of the five census groups of a scope
    is hidden, the next smallest non-zero one is hidden too.

    Example (known headcount 60): Asian 3, Black 7, Mixed 0, White 40, Other 10 → Asian (primary)
    and Black (secondary: 60 - 40 - 10 - 0 = 10 would otherwise give Asian 3 back) are hidden.
    """
    _, out = _control(None, representation, settings)
    assert out is not None
    return out


def apply_joint_disclosure_control(
    indicators: pl.DataFrame, representation: pl.DataFrame, settings: Settings
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Both tables controlled as one publication: a headcount published in both (a census group's
    headcount is the denominator of its indicator 3 and 4 rates and a representation headcount;
    white and bme headcounts are indicator 1's ``all|all`` counts) gets one decision, and the sums
    that span the tables (white + bme = known, known + unknown = all) are checked too. Prefer
    this to the two single-table functions when both tables are published."""
    out_indicators, out_representation = _control(indicators, representation, settings)
    assert out_indicators is not None and out_representation is not None
    return out_indicators, out_representation


def _rounded(column: str, round_to: int) -> pl.Expr:
    """A count rounded to the nearest multiple of ``round_to`` (halves up; 0 stays 0)."""
    c = pl.col(column)
    return (c + round_to // 2) // round_to * round_to if round_to > 1 else c


def rounding_note(settings: Settings) -> str:
    """The sentence a publication carries about rounded counts ("" when counts are not rounded).

    >>> from wres.config import settings_from_dict
    >>> rounding_note(settings_from_dict({"disclosure": {"round_to": 5}})).split(";")[0]
    ' Counts shown are rounded to the nearest 5'
    >>> rounding_note(settings_from_dict({}))
    ''
    """
    round_to = settings.disclosure.round_to
    if round_to <= 1:
        return ""
    return (
        f" Counts shown are rounded to the nearest {round_to}; shares, rates, ratios and intervals come "
        "from the exact counts."
    )


def blank_hidden_cells(indicators: pl.DataFrame, settings: Settings | None = None) -> pl.DataFrame:
    """The published indicators: every suppressed row keeps its place and its ``suppressed = true``
    but shows no numerator, denominator, value, interval or interpretation.

    The denominator of a hidden row is blanked too, always (decided, conservatively): it is either
    a small count itself, a survey base under 11, or a total that the secondary rule assumed
    could be shown; blanking it never reveals more.

    With ``settings.disclosure.round_to`` above 1 (e.g. 5), the counts still shown are rounded to
    the nearest multiple (NHS Digital's practice, codonPython ``round_value``), while values and
    intervals stay computed from the exact counts.

    >>> rows = pl.DataFrame({"numerator": [3, 12], "denominator": [16, 16], "value": [0.1875, 0.75],
    ...     "ci_low": [0.07, 0.5], "ci_high": [0.43, 0.9], "interpretation": [None, None],
    ...     "suppressed": [True, False]})
    >>> blank_hidden_cells(rows).select("numerator", "denominator", "value").rows()
    [(None, None, None), (12, 16, 0.75)]
    """
    round_to = settings.disclosure.round_to if settings is not None else 0
    hide = pl.col("suppressed").fill_null(True)
    counts = [_rounded(c, round_to).alias(c) for c in INDICATOR_COUNT_COLUMNS]
    blanked = [pl.when(hide).then(None).otherwise(pl.col(c)).alias(c) for c in INDICATOR_HIDDEN_COLUMNS]
    return indicators.with_columns(*counts).with_columns(*blanked)


def blank_hidden_representation(
    representation: pl.DataFrame, settings: Settings | None = None
) -> pl.DataFrame:
    """The published representation: a suppressed row shows no headcount, workforce share, ratio
    or interval. ``reference_share`` stays: it is public census data and says nothing of staff.
    Shown headcounts are rounded as in ``blank_hidden_cells`` when ``round_to`` is set."""
    round_to = settings.disclosure.round_to if settings is not None else 0
    hide = pl.col("suppressed").fill_null(True)
    blanked = [pl.when(hide).then(None).otherwise(pl.col(c)).alias(c) for c in REPRESENTATION_HIDDEN_COLUMNS]
    return representation.with_columns(_rounded("headcount", round_to).alias("headcount")).with_columns(
        *blanked
    )
