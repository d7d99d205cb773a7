"""The points a chart draws when there are more rows than it can show: a deterministic,
representative sample.

A scatter of every account of a 10⁵-customer workspace put ~67,000 points into
/value/matrix (a 9.9 MB page, 1.2–1.5 s warm) and drew them on top of one another. Past
``cap`` rows the chart gets a sample instead:

- every group (a client-matrix cell) in proportion to its size, to within one point, and
  at least one point for a group that has rows, so no cell vanishes from the picture;
- in each group its weightiest rows (the highest revenue: the accounts a manager looks for
  first), ``KEPT_SHARE`` of the group's points;
- the group's other points spread over the rest of it by a fixed scramble of the row's
  identity (not a random draw), so the same data gives the same picture on every visit and
  every server.

The counts, the tables and the exports read the full rows, never the sample; the page says
how many of how many rows the chart shows and where the rest are.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
KEPT_SHARE = 0.25  # of each group's points: its weightiest rows; the rest spread over it
_SCRAMBLE = 0x9E3779B1  # Knuth's multiplicative hash (2³² / golden ratio): spreads ids evenly


@dataclass(frozen=True)
class ChartSample(Generic[T]):
    """The rows a chart draws (in the order given) and how many rows there are in all."""

    rows: list[T]
    total: int

    @property
    def shown(self) -> int:
        return len(self.rows)

    @property
    def partial(self) -> bool:
        """Whether the chart leaves rows out (and the page must say so)."""
        return self.shown < self.total


def _scrambled(identity: int) -> int:
    return (identity * _SCRAMBLE) & 0xFFFFFFFF


def group_quotas(sizes: dict[K, int], cap: int) -> dict[K, int]:
    """Each group's number of points, ``cap`` in all: its share of ``cap`` rounded by the
    largest remainder, at least one for a group with rows (taken from the largest quota),
    never more than its rows. Every group gets its full size when they fit."""
    total = sum(sizes.values())
    if total <= cap:
        return dict(sizes)
    # The groups in an order of their own (by name), not the rows': same data, same sample.
    exact = {group: cap * sizes[group] / total for group in sorted(sizes, key=str) if sizes[group]}
    quotas = {group: math.floor(share) for group, share in exact.items()}
    # The points rounding left over: first to a group that would show none, then by the
    # largest remainder.
    order = sorted(exact, key=lambda g: (quotas[g] > 0, -(exact[g] - quotas[g])))
    for group in order[: cap - sum(quotas.values())]:
        quotas[group] += 1
    for group in (g for g in order if quotas[g] == 0):
        largest = max(quotas, key=lambda g: quotas[g])
        if quotas[largest] <= 1:
            break  # fewer points than groups: the largest groups keep theirs
        quotas[largest] -= 1
        quotas[group] = 1
    return quotas


def representative_sample(
    rows: Sequence[T],
    cap: int,
    group: Callable[[T], Hashable],
    weight: Callable[[T], float],
    identity: Callable[[T], int],
) -> ChartSample[T]:
    """At most ``cap`` of ``rows`` (all of them when they fit), chosen as the module says:
    ``group`` names a row's group, ``weight`` ranks the rows kept first, ``identity`` (a
    stable number such as the customer id) orders the spread of the rest."""
    if len(rows) <= cap:
        return ChartSample(list(rows), len(rows))
    members: dict[Hashable, list[int]] = {}
    for index, row in enumerate(rows):
        members.setdefault(group(row), []).append(index)
    chosen: set[int] = set()
    quotas = group_quotas({key: len(indexes) for key, indexes in members.items()}, cap)
    for key, indexes in members.items():
        quota = quotas.get(key, 0)
        kept = heapq.nlargest(math.ceil(quota * KEPT_SHARE), indexes,
                              key=lambda i: (weight(rows[i]), -identity(rows[i])))  # fmt: skip
        chosen.update(kept)
        others = [i for i in indexes if i not in chosen]
        spread = heapq.nsmallest(quota - len(kept), others,
                                 key=lambda i: (_scrambled(identity(rows[i])), i))
        chosen.update(spread)
    return ChartSample([row for index, row in enumerate(rows) if index in chosen], len(rows))
