"""Disclosure control with the published sums taken together (CONTRACT section 2, "Disclosure
control"; ``wres.sdc`` applies it).

``wres.sdc``'s secondary rule looks at one sum at a time: no sum is left with a single hidden
count. Two or more sums can still give a hidden count back together. An audit that solved every
published sum of an organisation at once found such counts in 1 of 24 small synthetic trusts
(150 or 300 staff), in both of its snapshots:

    maternity role groups at all|all:   other + neonatal nursing = 28 - 11 - 5 - 8 = 4
    role groups at all|Band 6:          other Band 6 + neonatal nursing Band 6 = 10 - 7 = 3
    neonatal nursing has only Band 6:   neonatal nursing = neonatal nursing Band 6
    other has only Bands 2 and 6:       other Band 2 = other - other Band 6 = 4 - 3 = 1

Every one of those sums has two or more hidden counts, yet the one person in Band 2 of the
"other" role group is worked back (and, with maternity's published 0 bme and 0 unknown, their
ethnicity). So, after the one-sum rule, every count the primary rule hid (a count of 1-4, the
answers behind a survey rate on too few answers) is checked against all the sums together: it is
*fixed* when the sums' equations alone determine it, i.e. when its unit vector lies in the row
space of the sums restricted to the counts not published (the published counts are constants).
While any is fixed, one more count is hidden in each set of sums that ties it (a connected
component of the counts not published and their sums): the published member the one-sum rule
would choose first (a non-zero piece before the total before a zero, others before bme, smallest
first); then the one-sum rule runs again. Each round hides a count, so it ends.

Bounds from counts never being negative (or a numerator never above its base) can narrow a hidden
count further than the equations do; that is not solved here (docs/disclosure-control.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

# share of the largest eigenvalue of a Gram matrix below which an eigenvalue counts as zero (the
# sums' coefficients are 1 and -1, so the nonzero ones are far above it)
_RANK_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Sums:
    """The published sums as memberships: relation, node and coefficient (+1 a piece, -1 the total),
    with each membership's preference rank for being hidden next (lower first)."""

    rel: np.ndarray
    node: np.ndarray
    coefficient: np.ndarray
    preference: np.ndarray
    n_relations: int
    n_nodes: int

    @classmethod
    def of(
        cls, rel: np.ndarray, node: np.ndarray, is_total: np.ndarray, counts: np.ndarray, kept: np.ndarray
    ) -> Sums:
        count = counts[node]
        # the one-sum rule's order: a non-zero piece, then the total, a zero last; others before
        # the kept (bme) counts; smallest first; then the fixed node order
        tier = np.where(count == 0, 2, np.where(is_total, 1, 0))
        preference = np.lexsort((node, count, kept[node], tier))
        rank = np.empty(len(node), dtype=np.int64)
        rank[preference] = np.arange(len(node))
        return cls(
            rel=rel,
            node=node,
            coefficient=np.where(is_total, -1.0, 1.0),
            preference=rank,
            n_relations=int(rel.max()) + 1 if len(rel) else 0,
            n_nodes=len(counts),
        )

    def components(self, unknown: np.ndarray) -> np.ndarray:
        """A label per node: nodes not published that share a sum, directly or through others,
        share a label (components of the graph of sums and their unknown members)."""
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        m = unknown[self.node]
        size = self.n_relations + self.n_nodes
        graph = coo_matrix(
            (np.ones(int(m.sum())), (self.rel[m], self.n_relations + self.node[m])), shape=(size, size)
        )
        _, labels = connected_components(graph, directed=False)
        return labels[self.n_relations :]

    def fixed(self, unknown: np.ndarray, of_interest: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """Which nodes of ``of_interest`` (all not published) the sums' equations determine;
        ``labels``: ``components(unknown)``."""
        fixed = np.zeros(self.n_nodes, dtype=bool)
        if not of_interest.any():
            return fixed
        member_label = labels[self.node]
        members = np.flatnonzero(unknown[self.node] & np.isin(member_label, labels[of_interest]))
        # each component's equations as a matrix: its relations x its unknowns, numbered from 0
        numbered = pl.DataFrame(
            {
                "component": member_label[members],
                "node": self.node[members],
                "rel": self.rel[members],
                "coefficient": self.coefficient[members],
            }
        ).with_columns(
            (pl.col("node").rank("dense").over("component") - 1).alias("column"),
            (pl.col("rel").rank("dense").over("component") - 1).alias("row"),
        )
        numbered = numbered.with_columns(
            pl.col("column").max().over("component").alias("width"),
            pl.col("row").max().over("component").alias("height"),
        )
        # one equation fixes its only unknown and none of two or more (each has two coefficients)
        single = numbered.filter(pl.col("width") == 0)["node"].to_numpy()
        fixed[single] = True
        numbered = numbered.filter((pl.col("width") > 0) & (pl.col("height") > 0))
        # components of the same width solved together, their matrices padded with empty rows
        # (an empty row changes no solution)
        for (width,), group in numbered.group_by("width"):
            component = group["component"].to_numpy()
            order, index = np.unique(component, return_inverse=True)
            matrices = np.zeros((len(order), int(group["height"].max()) + 1, int(width) + 1))
            matrices[index, group["row"].to_numpy(), group["column"].to_numpy()] = group[
                "coefficient"
            ].to_numpy()
            determined = _determined(matrices)
            fixed[group["node"].to_numpy()[determined[index, group["column"].to_numpy()]]] = True
        return fixed & of_interest

    def first_candidates(self, unknown: np.ndarray, labels: np.ndarray, of_labels: np.ndarray) -> np.ndarray:
        """For each component of ``of_labels``: the published member of its sums that the one-sum
        rule would hide first."""
        member_unknown = unknown[self.node]
        relation_label = np.full(self.n_relations, -1, dtype=np.int64)
        relation_label[self.rel[member_unknown]] = labels[self.node[member_unknown]]
        member_label = relation_label[self.rel]
        members = np.flatnonzero(np.isin(member_label, of_labels) & ~member_unknown)
        members = members[np.lexsort((self.preference[members], member_label[members]))]
        _, first = np.unique(member_label[members], return_index=True)
        return self.node[members[first]]


def _determined(matrices: np.ndarray) -> np.ndarray:
    """For each matrix of equations x unknowns (stacked) and each of its columns: whether the
    equations fix that unknown, i.e. its unit vector lies in their row space. The projection onto
    the row space, from the eigenvectors of the Gram matrix (quicker than a singular value
    decomposition of the equations), keeps such a unit vector whole: its diagonal entry is 1."""
    gram = np.matmul(matrices.transpose(0, 2, 1), matrices)
    eigenvalues, eigenvectors = np.linalg.eigh(gram)
    kept = eigenvalues > _RANK_TOLERANCE * np.maximum(eigenvalues[:, -1:], 1.0)
    diagonal = (eigenvectors**2 * kept[:, None, :]).sum(axis=2)
    return np.abs(diagonal - 1.0) < 1e-6


def hide_fixed(
    sums: Sums, suspects: np.ndarray, hidden: np.ndarray, public: Callable[[np.ndarray], np.ndarray]
) -> tuple[np.ndarray, np.ndarray] | None:
    """If counts of ``suspects`` are fixed by the sums taken together (see the module docstring):
    ``hidden`` with one more count hidden in each set of sums that fixes one, and the counts that
    were fixed (the only ones that can still be: hiding more only ever frees counts, never fixes
    one). None when none is fixed. ``public(hidden)``: the counts still shown somewhere."""
    unknown = ~public(hidden)
    labels = sums.components(unknown)
    fixed = sums.fixed(unknown, suspects & unknown, labels)
    if not fixed.any():
        return None
    chosen = sums.first_candidates(unknown, labels, np.unique(labels[fixed]))
    if not len(chosen):  # nothing published is tied to them: nothing to add (cannot happen)
        return None
    out = hidden.copy()
    out[chosen] = True
    return out, fixed
