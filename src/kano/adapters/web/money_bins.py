"""Bins of money on a logarithmic scale, for a histogram of amounts that span orders of
magnitude (a consumer's CLV of €200 beside a key account's €1.3M).

Four bins a decade, of (almost) equal width on the log axis so that a bar's area tells
its customers: the edges are the quarter decades rounded to two digits (…, 100, 180, 320,
560, 1,000, 1,800, …), so each bin reads as round money ("€1,000 – €1,800") and every
power of ten is an edge, where the axis puts its ticks. The first edge is never below 10
(a CLV of a few euros is nothing to split); smaller amounts, zero included, fall into the
first bin, which then says "under …".
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

STEPS = (10, 18, 32, 56)  # 10 ** (k / 4) to two digits: 10, 17.8, 31.6, 56.2
LOWEST = 10


@dataclass(frozen=True)
class MoneyBins:
    """The edges of the bins (whole currency units, ascending) and whether the first bin
    also holds amounts below its lower edge."""

    edges: tuple[int, ...]
    first_holds_less: bool

    def index(self, amount: float) -> int:
        """The bin of ``amount``: [edge, next edge); below the first edge, the first bin."""
        return min(max(bisect_right(self.edges, amount) - 1, 0), len(self.edges) - 2)

    def ticks(self) -> list[int]:
        """Where a log axis over the bins puts its labels: the powers of ten, or every edge
        when the bins span fewer than three of them."""
        tens = [edge for edge in self.edges if edge == 10 ** round(math.log10(edge))]
        return tens if len(tens) >= 3 else list(self.edges)


def _edge_at_or_below(amount: float) -> int:
    power = 10 ** (math.floor(math.log10(amount)) - 1)
    return max(power * step for step in STEPS if power * step <= amount)


def _next_edge(edge: int) -> int:
    power = 10 ** (math.floor(math.log10(edge)) - 1)
    lead = edge // power
    return power * STEPS[STEPS.index(lead) + 1] if lead != STEPS[-1] else power * 100


def money_bins(amounts: Iterable[float]) -> MoneyBins:
    """Quarter-decade bins from the edge at or below the smallest amount (but not below
    ``LOWEST``) up to the first edge above the largest amount."""
    values = [float(a) for a in amounts]
    counted = [v for v in values if v >= LOWEST]
    low = _edge_at_or_below(min(counted)) if counted else LOWEST
    edges = [low, _next_edge(low)]
    top = max(counted, default=0.0)
    while edges[-1] <= top:
        edges.append(_next_edge(edges[-1]))
    return MoneyBins(tuple(edges), any(v < low for v in values))
