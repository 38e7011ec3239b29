"""Disclosure control with the sums taken together (wres/sdc_system.py): which hidden counts a set
of sums fixes, worked out by hand on small systems, and the case an audit found (a trust whose
maternity role groups and bands, each sum with two or more hidden counts, gave back one person's
band and ethnicity together)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import wres.sdc as sdc
from tests.contract_schemas import INDICATOR_SCHEMA, REPRESENTATION_SCHEMA
from wres.config import Settings
from wres.sdc import apply_joint_disclosure_control
from wres.sdc_system import Sums

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "sdc_linked_sums"
D_FIXTURE = dt.date(2024, 3, 31)


def sums(equations: list[dict[int, int]], n_nodes: int) -> Sums:
    """Sums from equations {node: +1 piece / -1 total}."""
    rel, node, is_total = [], [], []
    for number, equation in enumerate(equations):
        for member, coefficient in equation.items():
            rel.append(number)
            node.append(member)
            is_total.append(coefficient < 0)
    counts = np.ones(n_nodes, dtype=np.int64)
    return Sums.of(np.array(rel), np.array(node), np.array(is_total), counts, np.zeros(n_nodes, dtype=bool))


def fixed_nodes(s: Sums, unknown: list[int]) -> set[int]:
    mask = np.zeros(s.n_nodes, dtype=bool)
    mask[unknown] = True
    return set(np.flatnonzero(s.fixed(mask, mask, s.components(mask))).tolist())


def test_three_sums_over_three_hidden_counts_fix_each():
    # x0 + x1 = T3, x1 + x2 = T4, x0 + x2 = T5 (totals shown): x0 = (T3 - T4 + T5) / 2, and so on
    s = sums([{0: 1, 1: 1, 3: -1}, {1: 1, 2: 1, 4: -1}, {0: 1, 2: 1, 5: -1}], 6)
    assert fixed_nodes(s, [0, 1, 2]) == {0, 1, 2}


def test_two_hidden_counts_in_each_of_two_separate_sums_fix_nothing():
    s = sums([{0: 1, 1: 1, 4: -1}, {2: 1, 3: 1, 5: -1}], 6)
    assert fixed_nodes(s, [0, 1, 2, 3]) == set()


def test_the_audits_chain_fixes_the_one_count_it_gives_back():
    # nodes: 0 other, 1 neonatal, 2 other Band 6, 3 neonatal Band 6, 4 other Band 2 (hidden);
    # 5 maternity less the other role groups (shown), 6 Band 6 less midwives (shown)
    s = sums(
        [
            {0: 1, 1: 1, 5: -1},  # role groups at all|all: other + neonatal = 4
            {2: 1, 3: 1, 6: -1},  # role groups at Band 6: other + neonatal = 3
            {3: 1, 1: -1},  # neonatal's bands: Band 6 only
            {4: 1, 2: 1, 0: -1},  # other's bands: Band 2 + Band 6
        ],
        7,
    )
    # other Band 2 = (other + neonatal) - (other B6 + neonatal B6) = 4 - 3; nothing else is fixed
    assert fixed_nodes(s, [0, 1, 2, 3, 4]) == {4}
    # one more unknown in the first sum (say neonatal's total hidden beside another role group's)
    s_more = sums([{0: 1, 1: 1, 5: -1, 7: 1}, {2: 1, 3: 1, 6: -1}, {3: 1, 1: -1}, {4: 1, 2: 1, 0: -1}], 8)
    assert fixed_nodes(s_more, [0, 1, 2, 3, 4, 7]) == set()


def test_a_lone_unknown_in_a_sum_is_fixed_and_an_unknown_in_no_sum_is_not():
    s = sums([{0: 1, 1: 1, 2: -1}], 4)
    assert fixed_nodes(s, [0]) == {0}
    assert fixed_nodes(s, [3]) == set()


# ---------------------------------------------------------------------------------------------
# the audit's case: one synthetic trust (RXX05 at 2024-03-31 of a 12-trust run of 300 staff each),
# its exact marts rows as the warehouse held them


def fixture_frames() -> tuple[pl.DataFrame, pl.DataFrame]:
    indicators = pl.read_csv(FIXTURE / "indicators.csv", schema=INDICATOR_SCHEMA)
    representation = pl.read_csv(FIXTURE / "representation.csv", schema=REPRESENTATION_SCHEMA)
    return indicators, representation


def size(frame: pl.DataFrame, scope: str, breakdown: str) -> tuple[int, bool]:
    """An indicator 1 cell's size (its white row's denominator) and whether it is hidden."""
    (found,) = frame.filter(
        (pl.col("indicator") == 1)
        & (pl.col("scope") == scope)
        & (pl.col("breakdown") == breakdown)
        & (pl.col("ethnic_group") == "white")
    ).rows(named=True)
    return found["denominator"], found["suppressed"]


CHAIN = [
    ("maternity_neonatal", "all|all"),
    ("maternity:midwives", "all|all"),
    ("maternity:obstetric_medical", "all|all"),
    ("maternity:support_workers", "all|all"),
    ("maternity_neonatal", "all|Band 6"),
    ("maternity:midwives", "all|Band 6"),
]


def bands_of(frame: pl.DataFrame, scope: str) -> set[str]:
    rows = frame.filter((pl.col("indicator") == 1) & (pl.col("scope") == scope))
    return {b.split("|")[1] for b in rows["breakdown"].to_list() if b.startswith("all|")} - {"all"}


def test_the_fixture_gives_a_count_back_without_the_sums_taken_together(monkeypatch):
    indicators, representation = fixture_frames()
    monkeypatch.setattr(sdc, "hide_fixed", lambda *args: None)  # the one-sum rule alone
    out, _ = apply_joint_disclosure_control(indicators, representation, Settings())
    shown = [size(out, scope, breakdown) for scope, breakdown in CHAIN]
    assert [hidden for _, hidden in shown] == [False] * 6
    (maternity, midwives, obstetric, support, maternity_b6, midwives_b6) = (n for n, _ in shown)
    assert (maternity, midwives, obstetric, support, maternity_b6, midwives_b6) == (28, 11, 5, 8, 10, 7)
    # the other role groups in each sum are empty (no row), neonatal nursing is Band 6 only and
    # "other" Bands 2 and 6 only: other Band 2 = (28 - 11 - 5 - 8) - (10 - 7) = 1
    assert bands_of(out, "maternity:neonatal_nursing") == {"Band 6"}
    assert bands_of(out, "maternity:other") == {"Band 2", "Band 6"}
    assert size(out, "maternity:other", "all|Band 2") == (1, True)  # hidden, yet worked back
    assert (maternity - midwives - obstetric - support) - (maternity_b6 - midwives_b6) == 1


def test_the_sums_taken_together_hide_one_more_count_of_the_chain():
    indicators, representation = fixture_frames()
    out, _ = apply_joint_disclosure_control(indicators, representation, Settings())
    assert any(size(out, scope, breakdown)[1] for scope, breakdown in CHAIN)
    # the one it hides: the obstetric doctors' cell of 5 (the first published member of the
    # chain's sums in the one-sum rule's order that frees the count)
    assert size(out, "maternity:obstetric_medical", "all|all") == (5, True)
    assert size(out, "maternity:other", "all|Band 2") == (1, True)


@pytest.mark.parametrize("scope", ["maternity:midwives", "maternity:support_workers"])
def test_cells_the_chain_does_not_need_stay_shown(scope):
    indicators, representation = fixture_frames()
    out, _ = apply_joint_disclosure_control(indicators, representation, Settings())
    assert size(out, scope, "all|all")[1] is False


# ---------------------------------------------------------------------------------------------
# an independent check, from the published indicator 1 rows alone: the equalities that hold among
# them (groups within a cell, bands within a workforce, role groups within maternity; clinical +
# non-clinical is left out, as it need not add up to all), solved by least squares


def determined_small_counts(published: pl.DataFrame, exact: pl.DataFrame) -> list[tuple]:
    """Hidden indicator 1 counts of 1-4 (exact values from ``exact``) that the published rows'
    equalities determine."""
    rows = published.filter(pl.col("indicator") == 1).with_columns(
        pl.col("breakdown").str.split_exact("|", 1).struct.rename_fields(["workforce", "band"]).alias("_b")
    )
    rows = rows.unnest("_b")
    values: dict[tuple, float | None] = {}
    for r in rows.iter_rows(named=True):
        cell = (r["organisation_code"], r["snapshot_date"], r["scope"], r["workforce"], r["band"])
        values[(*cell, r["ethnic_group"])] = None if r["suppressed"] else r["numerator"]
        if not r["suppressed"] or (*cell, "total") not in values:
            values[(*cell, "total")] = None if r["suppressed"] else r["denominator"]
    equations: list[tuple[tuple, list[tuple]]] = []  # (total key, piece keys)
    cells = {key[:5] for key in values}
    for cell in cells:
        equations.append(((*cell, "total"), [(*cell, g) for g in ("white", "bme", "unknown")]))
    groups = ("white", "bme", "unknown", "total")
    for org, date, scope, workforce, band in cells:
        if band == "all":
            for g in groups:
                pieces = [
                    k
                    for k in values
                    if k[:4] == (org, date, scope, workforce) and k[4] != "all" and k[5] == g
                ]
                equations.append(((org, date, scope, workforce, "all", g), pieces))
        if scope == "maternity_neonatal":
            for g in groups:
                pieces = [
                    k
                    for k in values
                    if k[:2] == (org, date)
                    and k[2].startswith("maternity:")
                    and k[3:5] == (workforce, band)
                    and k[5] == g
                ]
                equations.append(((org, date, scope, workforce, band, g), pieces))
    unknown = sorted(k for k, v in values.items() if v is None)
    column = {k: i for i, k in enumerate(unknown)}
    matrix = np.zeros((len(equations), len(unknown)))
    for number, (total, pieces) in enumerate(equations):
        for key, sign in [(total, -1.0)] + [(p, 1.0) for p in pieces]:
            if key in column:
                matrix[number, column[key]] += sign
    projection = np.linalg.pinv(matrix) @ matrix  # onto the row space
    truth = {}
    for r in exact.filter(pl.col("indicator") == 1).iter_rows(named=True):
        workforce, band = r["breakdown"].split("|")
        cell = (r["organisation_code"], r["snapshot_date"], r["scope"], workforce, band)
        truth[(*cell, r["ethnic_group"])] = r["numerator"]
        truth[(*cell, "total")] = r["denominator"]
    return [key for key, i in column.items() if abs(projection[i, i] - 1.0) < 1e-6 and 1 <= truth[key] <= 4]


def test_the_independent_check_finds_the_fixtures_count_with_the_one_sum_rule_alone(monkeypatch):
    indicators, representation = fixture_frames()
    monkeypatch.setattr(sdc, "hide_fixed", lambda *args: None)
    out, _ = apply_joint_disclosure_control(indicators, representation, Settings())
    found = determined_small_counts(out, indicators)
    assert ("RXX05", D_FIXTURE, "maternity:other", "all", "Band 2", "total") in found


def test_the_independent_check_finds_no_small_count_after_the_sums_taken_together():
    indicators, representation = fixture_frames()
    out, _ = apply_joint_disclosure_control(indicators, representation, Settings())
    assert determined_small_counts(out, indicators) == []


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_property_no_small_count_is_determined_in_a_random_trust(seed):
    from tests.unit.test_sdc import random_trust

    indicators, representation = random_trust(seed)
    out, _ = apply_joint_disclosure_control(indicators, representation, Settings())
    assert 0 < out["suppressed"].sum() < len(out)
    assert determined_small_counts(out, indicators) == []
