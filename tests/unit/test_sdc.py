"""Disclosure control (wres/sdc.py): every expected flag below was worked out by hand from the
rules in docs/disclosure-control.md; the randomised test checks the rule's promise as a property."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import numpy as np
import polars as pl
import pytest

from tests.contract_schemas import INDICATOR_SCHEMA, REPRESENTATION_SCHEMA
from wres.config import Settings, settings_from_dict
from wres.sdc import (
    apply_disclosure_control,
    apply_joint_disclosure_control,
    apply_representation_control,
    blank_hidden_cells,
    blank_hidden_representation,
)

D = dt.date(2025, 3, 31)
DEFAULTS = Settings()


def row(
    indicator,
    ethnic_group,
    numerator,
    denominator,
    *,
    scope="trust",
    breakdown="",
    measure=None,
    org="RXX",
    date=D,
    suppressed=False,
):
    if measure is None:
        measure = "share" if indicator in (1, 9) else "rate"
    value = numerator / denominator if numerator is not None and denominator else None
    return {
        "organisation_code": org,
        "snapshot_date": date,
        "scope": scope,
        "indicator": indicator,
        "measure": measure,
        "ethnic_group": ethnic_group,
        "breakdown": breakdown,
        "numerator": numerator,
        "denominator": denominator,
        "value": value,
        "ci_low": value,
        "ci_high": value,
        "interpretation": "adverse to bme" if measure == "relative_likelihood" else None,
        # the input flag is deliberately the opposite of a sensible one: it must be ignored
        "suppressed": suppressed,
        "source_period": "2025-03-31",
    }


def cell(breakdown, white, bme, unknown, *, scope="trust", indicator=1, org="RXX", date=D):
    """The three share rows of an indicator 1 (or 9) cell: white, bme, unknown over their total."""
    total = white + bme + unknown
    return [
        row(indicator, group, count, total, scope=scope, breakdown=breakdown, org=org, date=date)
        for group, count in (("white", white), ("bme", bme), ("unknown", unknown))
    ]


def frame(rows) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=INDICATOR_SCHEMA, orient="row")


def hidden(out: pl.DataFrame) -> set[tuple]:
    return {
        (r["scope"], r["breakdown"], r["ethnic_group"])
        for r in out.filter(pl.col("suppressed")).iter_rows(named=True)
    }


# ---------------------------------------------------------------------------------------------
# primary rule


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (0, 100, False),  # 0 discloses nobody
        (1, 100, True),
        (4, 100, True),
        (5, 100, False),
        (0, 4, True),  # the denominator is a count too
        (0, 5, False),
        (0, 0, False),
    ],
)
def test_primary_rule_on_counts(numerator, denominator, expected):
    out = apply_disclosure_control(frame([row(2, "white", numerator, denominator)]), DEFAULTS)
    assert out["suppressed"].to_list() == [expected]


@pytest.mark.parametrize(
    ("indicator", "numerator", "denominator", "expected"),
    [
        (5, 6, 10, True),  # survey base under 11
        (5, 6, 11, False),
        (8, 0, 10, True),  # a rate of 0% on 10 answers is hidden too
        (7, 11, 11, False),
        (2, 6, 10, False),  # the survey rule is for indicators 5-8 only
    ],
)
def test_survey_base_rule(indicator, numerator, denominator, expected):
    out = apply_disclosure_control(frame([row(indicator, "white", numerator, denominator)]), DEFAULTS)
    assert out["suppressed"].to_list() == [expected]


@pytest.mark.parametrize(
    ("settings", "numerator", "denominator", "expected"),
    [
        ({"disclosure": {"min_count": 3}}, 2, 100, True),
        ({"disclosure": {"min_count": 3}}, 3, 100, False),
        ({"disclosure": {"min_count": 8}}, 7, 100, True),  # NHS Digital's 1-7
        ({"disclosure": {"min_count": 8}}, 8, 100, False),
    ],
)
def test_thresholds_are_configurable(settings, numerator, denominator, expected):
    out = apply_disclosure_control(
        frame([row(2, "white", numerator, denominator)]), settings_from_dict(settings)
    )
    assert out["suppressed"].to_list() == [expected]


@pytest.mark.parametrize(("denominator", "expected"), [(19, True), (20, False)])
def test_survey_threshold_is_configurable(denominator, expected):
    settings = settings_from_dict({"disclosure": {"survey_min_denominator": 20}})
    out = apply_disclosure_control(frame([row(6, "bme", 9, denominator)]), settings)
    assert out["suppressed"].to_list() == [expected]


def test_input_flag_is_not_trusted():
    rows = [row(2, "white", 50, 100, suppressed=True), row(2, "bme", 3, 100, suppressed=False)]
    assert apply_disclosure_control(frame(rows), DEFAULTS)["suppressed"].to_list() == [False, True]


def test_rows_columns_and_order_are_kept():
    rows = cell("all|all", 20, 3, 6) + [row(2, "white", 50, 100)]
    source = frame(rows)
    out = apply_disclosure_control(source, DEFAULTS)
    assert out.columns == source.columns
    assert out.drop("suppressed").equals(source.drop("suppressed"))


# ---------------------------------------------------------------------------------------------
# secondary rule: white, bme and unknown within a cell


@pytest.mark.parametrize(
    ("white", "bme", "unknown", "expected"),
    [
        (12, 3, 1, {"bme", "unknown"}),  # two primary: the sum 4 cannot be split
        (20, 3, 6, {"bme", "unknown"}),  # 29 - 20 - 6 would give bme: unknown, the smallest other, too
        (20, 3, 0, {"bme", "white"}),  # the smallest other non-zero is white; a shown 0 protects nothing
        (7, 3, 7, {"bme", "unknown"}),  # a tie: unknown is hidden before white
        (2, 1, 0, {"white", "bme", "unknown"}),  # total 3 hidden: the whole cell goes
        (20, 10, 6, set()),
        (0, 0, 0, set()),
    ],
)
def test_groups_within_a_cell(white, bme, unknown, expected):
    out = apply_disclosure_control(frame(cell("clinical|Band 8a", white, bme, unknown)), DEFAULTS)
    assert {group for _, _, group in hidden(out)} == expected


def test_board_groups_within_a_membership():
    # voting: white 8, bme 3, unknown 0 -> bme (primary) and white (the only other non-zero)
    out = apply_disclosure_control(frame(cell("voting", 8, 3, 0, indicator=9)), DEFAULTS)
    assert hidden(out) == {("trust", "voting", "bme"), ("trust", "voting", "white")}


# ---------------------------------------------------------------------------------------------
# bands within a workforce, and the fixed point


def test_bands_within_a_workforce_iterate_to_a_fixed_point():
    # Band 7 bme 3 is hidden (primary). Round 1: in the Band 7 cell the smallest other, unknown 8,
    # is hidden; among the bme bands the next smallest, Band 5 bme 10. Round 2: Band 7 unknown is
    # now the one hidden unknown band, so Band 5 unknown 5 goes too. Band 5's cell then has two
    # hidden: stable.
    rows = (
        cell("all|Band 5", 30, 10, 5)
        + cell("all|Band 6", 20, 12, 6)
        + cell("all|Band 7", 10, 3, 8)
        + cell("all|all", 60, 25, 19)
    )
    out = apply_disclosure_control(frame(rows), DEFAULTS)
    assert hidden(out) == {
        ("trust", "all|Band 7", "bme"),
        ("trust", "all|Band 7", "unknown"),
        ("trust", "all|Band 5", "bme"),
        ("trust", "all|Band 5", "unknown"),
    }


def test_a_hidden_band_size_hides_the_next_smallest_band():
    # Band 8a has 4 people (all white): its size and its white count are hidden, so all three of
    # its rows are. The band sizes add up to all|all's 42 (31 + 7 + 4), and so do the white counts
    # (20 + 7 + 4 = 31): the next smallest band, Band 6 (7 people, 7 white), goes on both counts.
    # That is not enough: Band 5's shown 6 bme and 5 unknown are all|all's, so Band 6 and 8a hold
    # none (rule 2: their hidden bme and unknown shares would read 0%), and the white rates left
    # hidden add up to 11 of 11 people (rule 4: Band 6 and 8a would read 100% white). Band 5's
    # bme and unknown go (rule 2), then its white share (rule 4); all|all stays shown (the bme
    # bands now hold Band 5's hidden 6 and the blank zeros of Band 6 and 8a: nothing to single out).
    rows = (
        cell("all|Band 5", 20, 6, 5)
        + cell("all|Band 6", 7, 0, 0)
        + cell("all|Band 8a", 4, 0, 0)
        + cell("all|all", 31, 6, 5)
    )
    out = apply_disclosure_control(frame(rows), DEFAULTS)
    assert hidden(out) == {
        ("trust", band, group)
        for band in ("all|Band 5", "all|Band 6", "all|Band 8a")
        for group in ("white", "bme", "unknown")
    }


# ---------------------------------------------------------------------------------------------
# clinical and non-clinical within all


@pytest.mark.parametrize("unrecognised_white", [0, 2])
def test_clinical_and_non_clinical_within_all(unrecognised_white):
    # clinical bme 3 (primary) -> clinical unknown 7 (cell); then among the workforces the
    # non-clinical bme 6 and unknown 5. Two white people of an unrecognised staff group count in
    # all only: the pieces no longer add up, and the rule is applied all the same.
    rows = (
        cell("clinical|Band 5", 30, 3, 7)
        + cell("non_clinical|Band 5", 10, 6, 5)
        + cell("all|Band 5", 40 + unrecognised_white, 9, 12)
    )
    out = apply_disclosure_control(frame(rows), DEFAULTS)
    assert hidden(out) == {
        ("trust", "clinical|Band 5", "bme"),
        ("trust", "clinical|Band 5", "unknown"),
        ("trust", "non_clinical|Band 5", "bme"),
        ("trust", "non_clinical|Band 5", "unknown"),
    }


# ---------------------------------------------------------------------------------------------
# role groups within maternity


def test_role_groups_within_maternity_for_rates():
    # indicator 2, white only: maternity:other's numerator 3 is hidden; the role groups' numerators
    # add up to maternity_neonatal's 28, so the smallest other non-zero one (neonatal nursing, 8;
    # support workers' 0 protects nothing) is hidden too.
    rows = [
        row(2, "white", 28, 95, scope="maternity_neonatal"),
        row(2, "white", 17, 50, scope="maternity:midwives"),
        row(2, "white", 8, 30, scope="maternity:neonatal_nursing"),
        row(2, "white", 0, 5, scope="maternity:support_workers"),
        row(2, "white", 3, 10, scope="maternity:other"),
    ]
    out = apply_disclosure_control(frame(rows), DEFAULTS)
    assert hidden(out) == {("maternity:other", "", "white"), ("maternity:neonatal_nursing", "", "white")}


def test_role_groups_within_maternity_for_headcounts():
    # support workers' bme 3 -> their unknown 5 (cell) -> midwives' bme 10 and unknown 6 (roles)
    rows = (
        cell("all|all", 60, 13, 11, scope="maternity_neonatal")
        + cell("all|all", 40, 10, 6, scope="maternity:midwives")
        + cell("all|all", 20, 3, 5, scope="maternity:support_workers")
    )
    out = apply_disclosure_control(frame(rows), DEFAULTS)
    assert hidden(out) == {
        ("maternity:support_workers", "all|all", "bme"),
        ("maternity:support_workers", "all|all", "unknown"),
        ("maternity:midwives", "all|all", "bme"),
        ("maternity:midwives", "all|all", "unknown"),
    }


# ---------------------------------------------------------------------------------------------
# census groups within bme; relative likelihoods follow their rates


def indicator2_rates(black=(3, 20)):
    # bme = asian + black + mixed + other, numerators and denominators alike
    groups = {"asian": (10, 40), "black": black, "mixed": (0, 5), "other": (7, 15)}
    bme = (sum(n for n, _ in groups.values()), sum(d for _, d in groups.values()))
    rows = [row(2, "white", 100, 200), row(2, "bme", *bme), row(2, "unknown", 5, 10)]
    rows += [row(2, group, *counts) for group, counts in groups.items()]
    rows.append(row(2, "white_vs_bme", None, None, measure="relative_likelihood", suppressed=True))
    return rows


def test_census_groups_within_bme():
    # black's 3 appointed is hidden; 20 - 10 - 0 - 7 would give it back, so other (7, the smallest
    # non-zero) is hidden too. white and bme stay, and so does their relative likelihood.
    out = apply_disclosure_control(frame(indicator2_rates()), DEFAULTS)
    assert hidden(out) == {("trust", "", "black"), ("trust", "", "other")}
    assert out.filter(pl.col("measure") == "relative_likelihood")["suppressed"].to_list() == [False]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # the bme rate rests on 3 appointed: hidden, and the relative likelihood with it
        ([row(3, "white", 10, 300), row(3, "bme", 3, 90)], True),
        ([row(3, "white", 10, 300), row(3, "bme", 6, 90)], False),
        # a white denominator of 4 shortlisted
        ([row(2, "white", 2, 4), row(2, "bme", 20, 90)], True),
        # one of its rates missing: nothing safe to show it on
        ([row(4, "white", 10, 300)], True),
    ],
)
def test_relative_likelihood_follows_its_rates(rows, expected):
    indicator = rows[0]["indicator"]
    comparison = "bme_vs_white" if indicator == 3 else "white_vs_bme"
    rl = row(indicator, comparison, None, None, measure="relative_likelihood", suppressed=not expected)
    out = apply_disclosure_control(frame([*rows, rl]), DEFAULTS)
    assert out.filter(pl.col("measure") == "relative_likelihood")["suppressed"].to_list() == [expected]


@pytest.mark.parametrize(
    ("board_bme", "workforce_bme", "expected"),
    [
        (5, 25, False),
        (3, 25, True),  # the board share is hidden
        (5, 3, True),  # the workforce share is hidden
    ],
)
def test_difference_follows_its_shares(board_bme, workforce_bme, expected):
    difference = row(9, "bme", None, None, breakdown="voting", measure="difference")
    rows = (
        cell("voting", 8, board_bme, 0, indicator=9) + cell("all|all", 60, workforce_bme, 10) + [difference]
    )
    out = apply_disclosure_control(frame(rows), DEFAULTS)
    assert out.filter(pl.col("measure") == "difference")["suppressed"].to_list() == [expected]


def test_headcount_denominators_share_the_decision_of_indicator_1():
    # The denominators of indicator 3 are indicator 1's all|all headcounts. unknown 3 hides a second
    # count in indicator 1: white 50 (bme is kept visible where another count will do), so the white
    # disciplinary rate (over those 50 people) is hidden too, and the relative likelihood with it;
    # the bme rate 0 / 6 stays.
    rows = cell("all|all", 50, 6, 3) + [
        row(3, "white", 5, 50),
        row(3, "bme", 0, 6),
        row(3, "unknown", 0, 3),
        row(3, "bme_vs_white", None, None, measure="relative_likelihood"),
    ]
    out = apply_disclosure_control(frame(rows), DEFAULTS)
    assert out.filter(pl.col("indicator") == 3)["suppressed"].to_list() == [True, False, True, True]


# ---------------------------------------------------------------------------------------------
# representation


def representation_rows(counts: dict[str, int], *, scope="trust", references=("census2021", "local")):
    known = sum(counts.values())
    return pl.DataFrame(
        [
            {
                "organisation_code": "RXX",
                "snapshot_date": D,
                "scope": scope,
                "reference_population": ref,
                "ethnic_group": group,
                "headcount": n,
                "workforce_share": n / known if known else None,
                "reference_share": 0.2,
                "ratio": n / known / 0.2 if known else None,
                "ci_low": 0.1,
                "ci_high": 0.3,
                "suppressed": False,
            }
            for ref in references
            for group, n in counts.items()
        ],
        schema=REPRESENTATION_SCHEMA,
        orient="row",
    )


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # Asian 3 (primary), then Black 7, the next smallest non-zero (Mixed is 0)
        ({"Asian": 3, "Black": 7, "Mixed": 0, "White": 40, "Other": 10}, {"Asian", "Black"}),
        ({"Asian": 3, "Black": 2, "Mixed": 0, "White": 40, "Other": 10}, {"Asian", "Black"}),
        ({"Asian": 8, "Black": 7, "Mixed": 5, "White": 40, "Other": 10}, set()),
        # a known headcount of 4: every share rests on it
        (
            {"Asian": 1, "Black": 0, "Mixed": 0, "White": 3, "Other": 0},
            {"Asian", "Black", "Mixed", "White", "Other"},
        ),
    ],
)
def test_census_groups_within_representation(counts, expected):
    out = apply_representation_control(representation_rows(counts), DEFAULTS)
    for reference in ("census2021", "local"):
        shown = out.filter((pl.col("reference_population") == reference) & pl.col("suppressed"))
        assert set(shown["ethnic_group"]) == expected


def test_joint_control_closes_sums_across_the_tables():
    # Representation alone: Other 3 is hidden (primary), then Mixed 5, the next smallest.
    counts = {"Asian": 7, "Black": 6, "Mixed": 5, "White": 50, "Other": 3}
    representation = representation_rows(counts, references=("census2021",))
    alone = apply_representation_control(representation, DEFAULTS)
    assert set(alone.filter("suppressed")["ethnic_group"]) == {"Other", "Mixed"}
    # Published beside indicator 1 (white 50, bme 21, unknown 2; 73 people), the known headcount 71
    # (= headcount / workforce share) would give the hidden unknown back: 73 - 71 = 2. So the known
    # headcount is hidden, and with it every representation share of the scope. In indicator 1,
    # unknown 2 (primary) and white 50 are hidden (bme is kept visible where another count will do:
    # 73 - 21 = 52 is white and unknown together); bme 21 stays.
    indicators = frame(cell("all|all", 50, 21, 2))
    out_indicators, out_representation = apply_joint_disclosure_control(indicators, representation, DEFAULTS)
    assert out_representation["suppressed"].to_list() == [True] * 5
    assert hidden(out_indicators) == {("trust", "all|all", "unknown"), ("trust", "all|all", "white")}


def test_joint_control_of_census_headcounts():
    # the census headcounts are the denominators of indicator 3's census-group rates: one decision.
    # Representation: Asian 3 (primary) and Mixed 5 (next smallest non-zero); the indicator 3 rates
    # over those headcounts are hidden with them.
    counts = {"Asian": 3, "Black": 9, "Mixed": 5, "White": 60, "Other": 8}
    representation = representation_rows(counts, references=("census2021",))
    rates = [row(3, "white", 6, 60), row(3, "bme", 1 + 0 + 1 + 0, 25), row(3, "unknown", 0, 10)]
    rates += [
        row(3, g.lower(), n, d)
        for g, n, d in (("Asian", 1, 3), ("Black", 0, 9), ("Mixed", 1, 5), ("Other", 0, 8))
    ]
    indicators = frame(cell("all|all", 60, 25, 10) + rates)
    out_indicators, out_representation = apply_joint_disclosure_control(indicators, representation, DEFAULTS)
    assert set(out_representation.filter("suppressed")["ethnic_group"]) == {"Asian", "Mixed"}
    shown_rates = out_indicators.filter((pl.col("indicator") == 3) & ~pl.col("suppressed"))
    # bme's 2 cases are hidden (primary), so the numerators of the census groups must not give them
    # back: asian (1) and mixed (1) are hidden anyway; black 0 and other 0 are shown
    assert set(shown_rates["ethnic_group"]) == {"white", "unknown", "black", "other"}


# ---------------------------------------------------------------------------------------------
# the publication


def test_blank_hidden_cells():
    out = apply_disclosure_control(frame(cell("all|all", 20, 3, 6)), DEFAULTS)
    published = blank_hidden_cells(out)
    assert published.select("ethnic_group", "numerator", "denominator", "value", "suppressed").rows() == [
        ("white", 20, 29, 20 / 29, False),
        ("bme", None, None, None, True),
        ("unknown", None, None, None, True),
    ]
    assert published["ci_low"].null_count() == 2 and published["ci_high"].null_count() == 2


def test_blank_hidden_relative_likelihood_interpretation():
    rows = [
        row(3, "white", 10, 300),
        row(3, "bme", 3, 90),
        row(3, "bme_vs_white", None, None, measure="relative_likelihood"),
    ]
    published = blank_hidden_cells(apply_disclosure_control(frame(rows), DEFAULTS))
    assert published.filter(pl.col("measure") == "relative_likelihood").select(
        "value", "interpretation", "suppressed"
    ).rows() == [(None, None, True)]


@pytest.mark.parametrize(
    ("count", "rounded"),
    [(0, 0), (5, 5), (7, 5), (8, 10), (12, 10), (13, 15), (29, 30)],
)
def test_rounding_of_published_counts(count, rounded):
    settings = settings_from_dict({"disclosure": {"round_to": 5}})
    rows = frame([row(2, "white", count, 100)])
    published = blank_hidden_cells(apply_disclosure_control(rows, settings), settings)
    assert published.select("numerator", "denominator").row(0) == (rounded, 100)
    # the value stays computed from the exact counts
    assert published["value"].to_list() == [count / 100]


def test_blank_hidden_representation_keeps_the_reference_share():
    counts = {"Asian": 3, "Black": 7, "Mixed": 0, "White": 40, "Other": 10}
    out = apply_representation_control(representation_rows(counts, references=("census2021",)), DEFAULTS)
    published = blank_hidden_representation(out)
    assert published.select("ethnic_group", "headcount", "workforce_share", "ratio", "ci_low").rows()[:3] == [
        ("Asian", None, None, None, None),
        ("Black", None, None, None, None),
        ("Mixed", 0, 0.0, 0.0, 0.1),
    ]
    assert published["reference_share"].to_list() == [0.2] * 5


# ---------------------------------------------------------------------------------------------
# property: a randomised trust, checked against the rule's promise

BANDS = ("Band 2", "Band 3", "Band 5", "Band 6", "Band 7", "Band 8a")
ROLES = ("midwives", "neonatal_nursing", "support_workers", "other")
CENSUS = {"white": "White", "asian": "Asian", "black": "Black", "mixed": "Mixed", "other": "Other"}


def random_trust(seed: int):
    """Indicator 1 and representation frames counted, by plain Python, from random people."""
    rng = random.Random(seed)
    people = []
    for org in ("RAA", "RBB"):
        for snapshot in (dt.date(2024, 3, 31), dt.date(2025, 3, 31)):
            for _ in range(rng.randint(40, 160)):
                census = rng.choices(
                    ["white", "asian", "black", "mixed", "other", None], [60, 12, 8, 4, 3, 8]
                )[0]
                group = "unknown" if census is None else ("white" if census == "white" else "bme")
                workforce = rng.choices(["clinical", "non_clinical", None], [65, 30, 5])[0]
                maternity = rng.random() < 0.35
                role = rng.choice(ROLES) if maternity else None
                people.append((org, snapshot, group, census, workforce, rng.choice(BANDS), maternity, role))
    cells: Counter = Counter()
    census_counts: Counter = Counter()
    for org, snapshot, group, census, workforce, band, maternity, role in people:
        scopes = ["trust"] + (["maternity_neonatal", f"maternity:{role}"] if maternity else [])
        for scope in scopes:
            for wf in ["all"] + ([workforce] if workforce else []):
                for b in (band, "all"):
                    cells[(org, snapshot, scope, f"{wf}|{b}", group)] += 1
                    cells[(org, snapshot, scope, f"{wf}|{b}", "total")] += 1
            if scope in ("trust", "maternity_neonatal") and census:
                census_counts[(org, snapshot, scope, CENSUS[census])] += 1
    cell_keys = sorted({k[:4] for k in cells})
    indicator_rows = [
        row(
            1,
            group,
            cells[(*key, group)],
            cells[(*key, "total")],
            scope=key[2],
            breakdown=key[3],
            org=key[0],
            date=key[1],
        )
        for key in cell_keys
        for group in ("white", "bme", "unknown")
    ]
    scope_keys = sorted({k[:3] for k in census_counts})
    representation = []
    for org, snapshot, scope in scope_keys:
        known = sum(census_counts[(org, snapshot, scope, g)] for g in CENSUS.values())
        for group in CENSUS.values():
            n = census_counts[(org, snapshot, scope, group)]
            representation.append(
                {
                    "organisation_code": org,
                    "snapshot_date": snapshot,
                    "scope": scope,
                    "reference_population": "census2021",
                    "ethnic_group": group,
                    "headcount": n,
                    "workforce_share": n / known,
                    "reference_share": 0.2,
                    "ratio": n / known / 0.2,
                    "ci_low": None,
                    "ci_high": None,
                    "suppressed": False,
                }
            )
    return frame(indicator_rows), pl.DataFrame(representation, schema=REPRESENTATION_SCHEMA, orient="row")


def no_single_hidden(rows: pl.DataFrame, key: list[str], is_total: pl.Expr) -> pl.DataFrame:
    """Groups of rows that add up to a shown total row yet have exactly one hidden row."""
    return (
        rows.with_columns(is_total.alias("_total"))
        .group_by(key)
        .agg(
            (pl.col("_total") & ~pl.col("suppressed")).any().alias("total_shown"),
            (~pl.col("_total") & pl.col("suppressed")).sum().alias("hidden_pieces"),
            pl.col("_total").any().alias("has_total"),
        )
        .filter(pl.col("has_total") & pl.col("total_shown") & (pl.col("hidden_pieces") == 1))
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("joint", [False, True])
def test_property_no_hidden_cell_can_be_worked_back(seed, joint):
    indicators, representation = random_trust(seed)
    if joint:
        out, rep = apply_joint_disclosure_control(indicators, representation, DEFAULTS)
    else:
        out = apply_disclosure_control(indicators, DEFAULTS)
        rep = apply_representation_control(representation, DEFAULTS)
    # the fixture must exercise the rule: some cells hidden by the primary rule, some shown
    assert 0 < out["suppressed"].sum() < len(out)

    # nothing published shows a count of 1-4
    published = blank_hidden_cells(out)
    for column in ("numerator", "denominator"):
        assert published.filter(pl.col(column).is_between(1, 4)).is_empty()
    assert blank_hidden_representation(rep).filter(pl.col("headcount").is_between(1, 4)).is_empty()

    cells = out.with_columns(
        pl.col("breakdown").str.split_exact("|", 1).struct.rename_fields(["workforce", "band"]).alias("_b")
    ).unnest("_b")
    base = ["organisation_code", "snapshot_date"]
    # white, bme and unknown within a cell whose total is shown (some row of it is shown)
    within = cells.group_by([*base, "scope", "breakdown"]).agg(
        (~pl.col("suppressed")).any().alias("total_shown"), pl.col("suppressed").sum().alias("hidden")
    )
    assert within.filter(pl.col("total_shown") & (pl.col("hidden") == 1)).is_empty()
    # the bands within a workforce; clinical and non-clinical within all; role groups within maternity
    assert no_single_hidden(
        cells, [*base, "scope", "workforce", "ethnic_group"], pl.col("band") == "all"
    ).is_empty()
    assert no_single_hidden(
        cells, [*base, "scope", "band", "ethnic_group"], pl.col("workforce") == "all"
    ).is_empty()
    maternity = cells.filter(pl.col("scope").str.starts_with("maternity"))
    assert no_single_hidden(
        maternity, [*base, "breakdown", "ethnic_group"], pl.col("scope") == "maternity_neonatal"
    ).is_empty()
    # the census groups within a representation whose known headcount is shown
    groups = rep.group_by([*base, "scope", "reference_population"]).agg(
        (~pl.col("suppressed")).any().alias("total_shown"), pl.col("suppressed").sum().alias("hidden")
    )
    assert groups.filter(pl.col("total_shown") & (pl.col("hidden") == 1)).is_empty()


def test_property_is_not_vacuous():
    # the same checks fail on the primary rule alone: the secondary rule is doing the work
    indicators, _ = random_trust(1)
    primary_only = indicators.with_columns(pl.col("numerator").is_between(1, 4).alias("suppressed"))
    cells = primary_only.group_by("organisation_code", "snapshot_date", "scope", "breakdown").agg(
        (~pl.col("suppressed")).any().alias("total_shown"), pl.col("suppressed").sum().alias("hidden")
    )
    assert not cells.filter(pl.col("total_shown") & (pl.col("hidden") == 1)).is_empty()


def test_a_small_unknown_count_is_protected_by_hiding_white_not_bme():
    # white 100, bme 20, unknown 3 (total 123): unknown is hidden (rule 1); the smallest other
    # group would be bme 20, but bme is kept visible where another count will do, so white 100 goes:
    # the reader sees bme 20 of 123, and 103 for white and unknown together.
    out = apply_disclosure_control(frame(cell("all|all", 100, 20, 3)), DEFAULTS)
    assert hidden(out) == {("trust", "all|all", "unknown"), ("trust", "all|all", "white")}


def test_a_second_cell_is_never_a_zero_while_the_total_will_do():
    """A sum whose one hidden piece (7, itself hidden as a second cell elsewhere) sits beside a 0:
    hiding the 0 protects nothing wherever a published 0 forces it (0 bme in all|Band 3 forces 0
    bme in clinical|Band 3), so the total is hidden instead (auditors recovered counts of 1-4
    through such zeros)."""
    from wres.sdc import _secondary_suppression

    relations = pl.DataFrame(
        {"relation": ["r", "r", "r"], "node": [0, 1, 2], "is_total": [False, False, True]}
    )
    counts = np.array([7, 0, 7])
    hidden = _secondary_suppression(relations, counts, np.array([True, False, False]))
    assert hidden.tolist() == [True, False, True]
    # a non-zero piece is still preferred to the total
    relations = pl.DataFrame(
        {"relation": ["r"] * 4, "node": [0, 1, 2, 3], "is_total": [False, False, False, True]}
    )
    hidden = _secondary_suppression(relations, np.array([7, 0, 5, 12]), np.array([True, False, False, False]))
    assert hidden.tolist() == [True, False, True, False]


# ---------------------------------------------------------------------------------------------
# hidden rates that sums would show to be 0% or 100% (audit O's derivations, worked by hand)


def test_hidden_survey_rates_that_must_be_100_percent():
    # indicator 7, white: obstetric medical 1 of 1 and support workers 3 of 3 are hidden (fewer than
    # 11 answers). Maternity's 31 of 48 less midwives' 27 of 44 leaves 4 of 4 for the two: each
    # would read 100%. Midwives' rate (below 100%) is hidden too (rule 4); then 31 of 48 is all
    # the three hidden rates give, and they cannot be told apart.
    rows = [
        row(7, "white", 31, 48, scope="maternity_neonatal"),
        row(7, "white", 27, 44, scope="maternity:midwives"),
        row(7, "white", 1, 1, scope="maternity:obstetric_medical"),
        row(7, "white", 3, 3, scope="maternity:support_workers"),
    ]
    out = apply_disclosure_control(frame(rows), DEFAULTS)
    assert hidden(out) == {
        ("maternity:midwives", "", "white"),
        ("maternity:obstetric_medical", "", "white"),
        ("maternity:support_workers", "", "white"),
    }


def test_hidden_survey_rates_that_must_be_0_percent():
    # indicator 8, white: 6 of 49 in maternity, 6 of 45 among midwives, so the hidden 0 of 1 and
    # 0 of 3 must both be 0% (rule 2): midwives' rate is hidden too
    rows = [
        row(8, "white", 6, 49, scope="maternity_neonatal"),
        row(8, "white", 6, 45, scope="maternity:midwives"),
        row(8, "white", 0, 1, scope="maternity:obstetric_medical"),
        row(8, "white", 0, 3, scope="maternity:support_workers"),
    ]
    out = apply_disclosure_control(frame(rows), DEFAULTS)
    assert hidden(out) == {
        ("maternity:midwives", "", "white"),
        ("maternity:obstetric_medical", "", "white"),
        ("maternity:support_workers", "", "white"),
    }


def test_a_small_cell_shown_by_its_zeros_elsewhere_to_be_all_bme():
    # maternity:other has 3 people, all bme: its indicator 1 shares are hidden (3 people). Its
    # indicator 3 rates over the same headcounts show white 0 of 0 and unknown 0 of 0, so bme would
    # be the whole cell: 100% (rule 3). A zero group is hidden too (unknown, first in the fixed
    # order of ties), and with it its indicator 3 row: then bme + unknown = 3 cannot be split.
    rows = cell("all|all", 0, 3, 0, scope="maternity:other") + [
        row(3, group, 0, count, scope="maternity:other")
        for group, count in (("white", 0), ("bme", 3), ("unknown", 0))
    ]
    out = apply_disclosure_control(frame(rows), DEFAULTS)
    hidden_rows = {
        (r["indicator"], r["ethnic_group"]) for r in out.filter(pl.col("suppressed")).iter_rows(named=True)
    }
    assert hidden_rows == {(1, "white"), (1, "bme"), (1, "unknown"), (3, "unknown"), (3, "bme")}


def test_census_groups_without_answers_do_not_hide_the_bme_survey_rate():
    # all 12 bme respondents are asian; black, mixed and other have no answers (0 of 0, hidden as
    # under 11 answers). Their numerators are 0 for certain, but a 0 of 0 has no rate to give away:
    # asian and bme stay shown
    rows = [
        row(7, "white", 6, 12),
        row(7, "bme", 5, 12),
        row(7, "asian", 5, 12),
        row(7, "black", 0, 0),
        row(7, "mixed", 0, 0),
        row(7, "other", 0, 0),
    ]
    out = apply_disclosure_control(frame(rows), DEFAULTS)
    assert hidden(out) == {("trust", "", "black"), ("trust", "", "mixed"), ("trust", "", "other")}
