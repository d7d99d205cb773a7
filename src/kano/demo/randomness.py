"""Random numbers that depend on the seed and the customer, never on the chunk size.

Customers are cut into fixed *blocks* of ``CUSTOMERS_PER_BLOCK``; every block owns a
random generator seeded from ``(seed, block)``. The generator works on *chunks* of whole
blocks (the unit of memory), but each vectorised draw is served block by block: the rows
of block ``b`` always receive the next numbers of block ``b``'s generator, in the same
order, whatever other blocks share the chunk. So the files are byte-identical whether
XL streams 64 blocks at a time or the test streams one — the property that lets a test
prove the streaming path on a small company.

Rule for callers: every array drawn for must be grouped by customer (customer-sorted),
so that its rows are contiguous per block; filtering such an array keeps it grouped.

Planted effects use *stratified* noise (:meth:`BlockStreams.stratified_uniform`): within
a block, the rows that share a level of the cause get a Latin-hypercube sample of
uniforms in random order. Each row's uniform is still exactly U(0, 1) -- every outcome
has precisely its planted conditional distribution -- but the noise of a level sums to
almost nothing, so a regression on the files lands on the planted size far inside its
confidence interval in every sample, not just in 95 % of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from kano.demo.arrays import AnyArray, BoolArray, FloatArray, IntArray

CUSTOMERS_PER_BLOCK = 4096
_CUSTOMER_DOMAIN = 1
_COMPANY_DOMAIN = 2


def company_generator(seed: int) -> np.random.Generator:
    """The generator for company-wide draws (employees, pulses, team months)."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, _COMPANY_DOMAIN])))


@dataclass(frozen=True)
class RowLayout:
    """How many rows of a customer-grouped array fall into each block of the chunk."""

    bounds: tuple[tuple[int, int], ...]

    @property
    def rows(self) -> int:
        return self.bounds[-1][1] if self.bounds else 0


class BlockStreams:
    """Per-block random generators for one chunk of consecutive customer blocks."""

    def __init__(self, seed: int, first_block: int, block_count: int) -> None:
        self._generators = [
            np.random.Generator(
                np.random.PCG64(np.random.SeedSequence([seed, _CUSTOMER_DOMAIN, block]))
            )
            for block in range(first_block, first_block + block_count)
        ]

    @property
    def block_count(self) -> int:
        return len(self._generators)

    def layout_of_blocks(self, rows_per_block: IntArray) -> RowLayout:
        ends = np.cumsum(rows_per_block)
        starts = ends - rows_per_block
        return RowLayout(tuple(zip(starts.tolist(), ends.tolist(), strict=True)))

    def layout(self, block_of_row: IntArray) -> RowLayout:
        """Layout of an array whose rows carry (non-decreasing) block numbers."""
        counts = np.bincount(block_of_row, minlength=self.block_count).astype(np.int64)
        return self.layout_of_blocks(counts)

    def _draw(
        self,
        layout: RowLayout,
        draw: Callable[[np.random.Generator, int, Sequence[Any]], AnyArray],
        params: Sequence[Any],
        dtype: type,
    ) -> AnyArray:
        parts: list[AnyArray] = []
        for generator, (start, end) in zip(self._generators, layout.bounds, strict=True):
            if end == start:
                continue  # a block without rows draws nothing, as if it were not asked
            sliced = [p[start:end] if isinstance(p, np.ndarray) else p for p in params]
            parts.append(draw(generator, end - start, sliced))
        if not parts:
            return np.empty(0, dtype=dtype)
        return np.concatenate(parts)

    def uniform(self, layout: RowLayout) -> FloatArray:
        return self._draw(layout, lambda g, n, _: g.random(n), (), np.float64)

    def normal(self, layout: RowLayout) -> FloatArray:
        return self._draw(layout, lambda g, n, _: g.standard_normal(n), (), np.float64)

    def poisson(self, layout: RowLayout, mean: FloatArray) -> IntArray:
        return self._draw(layout, lambda g, n, p: g.poisson(p[0], n), (mean,), np.int64)

    def binomial(self, layout: RowLayout, trials: int, probability: FloatArray | float) -> IntArray:
        return self._draw(
            layout, lambda g, n, p: g.binomial(trials, p[0], n), (probability,), np.int64
        )

    def gamma(self, layout: RowLayout, shape: float, scale: float) -> FloatArray:
        return self._draw(layout, lambda g, n, _: g.gamma(shape, scale, n), (), np.float64)

    def stratified_uniform(self, layout: RowLayout, stratum: IntArray) -> FloatArray:
        """U(0, 1) per row, Latin-hypercube stratified among the rows of a block that share
        ``stratum`` (a non-negative code, e.g. the level of the cause): the ``m`` rows of a
        stratum get one uniform from each of ``[0, 1/m), [1/m, 2/m) ...`` in random order."""
        jitter = self.uniform(layout)
        rows = jitter.size
        if rows == 0:
            return jitter
        per_block = np.array([end - start for start, end in layout.bounds])
        first_row = np.repeat(np.cumsum(per_block) - per_block, per_block)
        shuffled = first_row + self._draw(layout, lambda g, n, _: g.permutation(n), (), np.int64)
        block = np.repeat(np.arange(self.block_count), per_block)
        key = block * (int(stratum.max()) + 1) + stratum
        # a stable sort of randomly permuted rows: strata in order, random order inside;
        # 16-bit keys get numpy's linear-time radix sort
        key = key.astype(np.int16 if key.max() < np.iinfo(np.int16).max else np.int64)
        order = shuffled[np.argsort(key[shuffled], kind="stable")]
        sorted_key = key[order]
        starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
        sizes = np.diff(np.r_[starts, rows])
        rank = np.arange(rows) - np.repeat(starts, sizes)
        u = np.empty(rows)
        u[order] = (rank + jitter[order]) / np.repeat(sizes, sizes)
        return u

    def neighbourhoods(
        self, layout: RowLayout, group: IntArray, cause: FloatArray, size: int
    ) -> IntArray:
        """Strata of ``size`` rows that are neighbours in ``cause`` within each group of a
        block: stratifying an outcome's noise on them balances it along a continuous
        cause (e.g. CSAT along call wait) the way levels do for a discrete one."""
        if group.size == 0:
            return group
        per_block = np.array([end - start for start, end in layout.bounds])
        block = np.repeat(np.arange(self.block_count), per_block)
        order = np.lexsort((cause, group, block))
        run_key = (block * (int(group.max()) + 1) + group)[order]
        starts = np.flatnonzero(np.r_[True, run_key[1:] != run_key[:-1]])
        lengths = np.diff(np.r_[starts, group.size])
        position = np.arange(group.size) - np.repeat(starts, lengths)
        neighbourhood = np.empty(group.size, dtype=np.int64)
        neighbourhood[order] = position // size
        return group * (int(neighbourhood.max()) + 1) + neighbourhood

    def bernoulli(self, layout: RowLayout, probability: AnyArray | float) -> BoolArray:
        return self.uniform(layout) < probability

    def categorical(self, layout: RowLayout, cumulative: FloatArray, group: IntArray) -> IntArray:
        """One category per row from ``cumulative[group[row]]`` (rows of cumulative probs)."""
        return categorical_at(self.uniform(layout), cumulative, group)


def cumulative_table(probabilities: Sequence[Sequence[float]]) -> FloatArray:
    """Row-normalised cumulative probabilities for :meth:`BlockStreams.categorical`."""
    table = np.asarray(probabilities, dtype=np.float64)
    table = table / table.sum(axis=1, keepdims=True)
    return np.cumsum(table, axis=1)


def strata(*codes: tuple[AnyArray, int]) -> IntArray:
    """One non-negative stratum code from several (code, number of levels) pairs."""
    combined = np.zeros(np.asarray(codes[0][0]).shape, dtype=np.int64)
    for code, levels in codes:
        combined = combined * levels + np.asarray(code, dtype=np.int64)
    return combined


def binomial_quantile(u: FloatArray, trials: int, probability: AnyArray | float) -> IntArray:
    """Binomial(trials, p) by inversion of its CDF at ``u`` (vectorised over rows)."""
    p = np.broadcast_to(np.asarray(probability, dtype=np.float64), u.shape)
    q = 1.0 - p
    ratio = p / np.where(q > 0.0, q, 1.0)
    mass = q**trials
    cdf = mass.copy()
    k = (u >= cdf).astype(np.int64)
    for j in range(1, trials):
        mass = mass * ((trials - j + 1) / j) * ratio
        cdf = cdf + mass
        k += u >= cdf
    return k


def normal_quantile(u: FloatArray) -> FloatArray:
    return np.asarray(special.ndtri(np.clip(u, 1e-12, 1.0 - 1e-12)), dtype=np.float64)


def beta_quantile(u: FloatArray, a: float, b: float) -> FloatArray:
    return np.asarray(special.betaincinv(a, b, u), dtype=np.float64)


def categorical_at(u: FloatArray, cumulative: FloatArray, group: IntArray) -> IntArray:
    """Category at ``u`` of each row's cumulative distribution ``cumulative[group[row]]``."""
    chosen = np.zeros(u.shape[0], dtype=np.int64)
    for row_group in range(cumulative.shape[0]):
        rows = group == row_group
        chosen[rows] = np.searchsorted(cumulative[row_group, :-1], u[rows], side="right")
    return chosen
