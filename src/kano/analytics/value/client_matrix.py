"""The 3 × 3 client matrix: account attractiveness × relationship strength (Fiocca 1982).

Each axis is a weighted mean of criteria. Criteria come in different units (revenue in
money, tenure in days, NPS on −100…100), so each is first turned into its percentile rank
among the accounts (ties share a rank) — the weights then mean what a consultant means by
them, and one huge account does not flatten everyone else. An account missing a criterion
is scored on the criteria it has (weights renormalised), not dropped.

Each axis is split low / medium / high at its terciles unless fixed cut points are given;
each cell carries the recommended strategy worded as in issue 8.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kano.analytics.value.matrix_levels import LEVELS as LEVELS  # re-exported

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Criterion:
    """One input of an axis: a column name, its weight and its direction."""

    name: str
    weight: float
    higher_is_better: bool = True


ATTRACTIVENESS: tuple[Criterion, ...] = (
    Criterion("revenue", 0.35),
    Criterion("margin", 0.25),
    Criterion("growth", 0.15),
    Criterion("ltv", 0.25),
)
RELATIONSHIP: tuple[Criterion, ...] = (
    Criterion("tenure", 0.25),
    Criterion("share_of_wallet", 0.25),
    Criterion("nps", 0.3),
    Criterion("contact_breadth", 0.1),
    Criterion("cases", 0.1, higher_is_better=False),
)

STRATEGIES: dict[tuple[str, str], str] = {
    **{("low", rel): "Protect income: low priority, no upsell investment" for rel in LEVELS},
    **{("medium", rel): "Invest selectively" for rel in LEVELS},
    ("high", "low"): "Invest: raise loyalty",
    ("high", "medium"): "Invest: raise loyalty and deepen service",
    ("high", "high"): "Invest: deepen service, collect feedback, cross-sell",
}
"""Keyed by (attractiveness level, relationship level)."""


def percentile_ranks(values: ArrayLike, *, higher_is_better: bool = True) -> FloatArray:
    """Share of accounts strictly worse, plus half the ties — in [0, 1); NaN stays NaN."""
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    keyed = array if higher_is_better else -array
    present = ~np.isnan(keyed)
    ranks = np.full(array.shape, np.nan)
    known = np.sort(keyed[present])
    if known.size:
        below = np.searchsorted(known, keyed[present], side="left")
        upto = np.searchsorted(known, keyed[present], side="right")
        ranks[present] = (below + upto) / 2.0 / known.size
    return ranks


def axis_score(columns: dict[str, ArrayLike], criteria: tuple[Criterion, ...]) -> FloatArray:
    """Weighted mean of the criteria's percentile ranks (weights renormalised per account)."""
    missing = [c.name for c in criteria if c.name not in columns]
    if missing:
        raise ValueError(f"client matrix: criterion {missing[0]!r} has no data column")
    if any(c.weight < 0 for c in criteria) or sum(c.weight for c in criteria) <= 0:
        raise ValueError("client matrix: weights must be ≥ 0 and not all zero")
    weighted = None
    weights = None
    for criterion in criteria:
        ranks = percentile_ranks(
            columns[criterion.name], higher_is_better=criterion.higher_is_better
        )
        have = ~np.isnan(ranks)
        term = np.where(have, ranks * criterion.weight, 0.0)
        mass = np.where(have, criterion.weight, 0.0)
        weighted = term if weighted is None else weighted + term
        weights = mass if weights is None else weights + mass
    assert weighted is not None and weights is not None
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(weights > 0, weighted / np.where(weights > 0, weights, 1.0), np.nan)


def levels(score: FloatArray, cuts: tuple[float, float] | None = None) -> NDArray[np.int64]:
    """0 / 1 / 2 for low / medium / high; terciles of the scores unless ``cuts`` are given.

    Accounts with no data on an axis are put in the low level.
    """
    if cuts is None:
        known = score[~np.isnan(score)]
        if known.size == 0:
            return np.zeros(score.shape, dtype=np.int64)
        cuts = (float(np.quantile(known, 1 / 3)), float(np.quantile(known, 2 / 3)))
    low_max, high_min = cuts
    result = np.where(score > high_min, 2, np.where(score > low_max, 1, 0))
    return np.asarray(np.where(np.isnan(score), 0, result), dtype=np.int64)


@dataclass(frozen=True)
class ClientMatrix:
    """Each account's two axis scores, its cell and the cell's strategy."""

    attractiveness: FloatArray
    relationship: FloatArray
    attractiveness_level: NDArray[np.object_]
    relationship_level: NDArray[np.object_]
    strategy: NDArray[np.object_]

    def cell_counts(self) -> dict[tuple[str, str], int]:
        counts = Counter(zip(self.attractiveness_level, self.relationship_level, strict=True))
        return {(a, r): counts.get((a, r), 0) for a in LEVELS for r in LEVELS}


def client_matrix(
    columns: dict[str, ArrayLike],
    *,
    attractiveness: tuple[Criterion, ...] = ATTRACTIVENESS,
    relationship: tuple[Criterion, ...] = RELATIONSHIP,
    cuts: tuple[float, float] | None = None,
) -> ClientMatrix:
    """Place every account in a cell of the 3 × 3 matrix."""
    attr = axis_score(columns, attractiveness)
    rel = axis_score(columns, relationship)
    names = np.asarray(LEVELS, dtype=object)
    a_index, r_index = levels(attr, cuts), levels(rel, cuts)
    table = np.empty((3, 3), dtype=object)
    for i, a in enumerate(LEVELS):
        for j, r in enumerate(LEVELS):
            table[i, j] = STRATEGIES[(a, r)]
    strategy = table[a_index, r_index]
    return ClientMatrix(
        attr, rel, names[a_index], names[r_index], np.asarray(strategy, dtype=object)
    )


def cell_movements(
    before: dict[object, tuple[str, str]], after: dict[object, tuple[str, str]]
) -> dict[tuple[tuple[str, str], tuple[str, str]], int]:
    """Accounts moving between cells from one period to the next (stayers included)."""
    moves: Counter[tuple[tuple[str, str], tuple[str, str]]] = Counter()
    for account in before.keys() & after.keys():
        moves[(before[account], after[account])] += 1
    return dict(moves)
