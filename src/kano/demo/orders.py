"""When customers order: a seasonal Poisson process bent by the relationship check-ins.

Each customer orders as a Poisson process on the seasonal clock. At every check-in the
customer's NPS is drawn (from the delay of their last delivery, see :mod:`chain`) and
decides what happens in the 180 days after it:

* churn (probability linear in NPS): no order ever again;
* otherwise repurchase within 90 days (probability linear in NPS): at least one order in
  (t, t+90], the first one carrying the spend shift; or no order there but at least one
  in (t+90, t+180] -- so "no order within 180 days" is exactly the churn event;
* after t+180 the ordinary process resumes until the next check-in.

The loop runs over check-ins (at most five), never over customers or orders.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from kano.demo.arrays import AnyArray, BoolArray, FloatArray, IntArray
from kano.demo.chain import CHAIN
from kano.demo.company import SEGMENTS
from kano.demo.customers import (
    ACQUISITION_ORDER_WITHIN_DAYS,
    CHECKINS_PER_CUSTOMER,
    CustomerChunk,
)
from kano.demo.fulfilment import Fulfilment, fulfil
from kano.demo.randomness import BlockStreams, binomial_quantile, strata
from kano.demo.team_months import TeamMonths
from kano.demo.timeline import SPAN_DAYS, calendar_time, chronological_order, seasonal_time

RELATIONSHIP_RESPONSE_RATE = np.array([0.6, 0.45, 0.3])
NPS_LEVELS = 11
SPEND_LEVELS = 2 * len(SEGMENTS) * NPS_LEVELS
"""Number of (answered, segment, NPS) strata an order's ``spend_level`` can take."""
_DELAY_LEVELS = CHAIN.max_delay_days + 1


@dataclass(frozen=True)
class Orders:
    """Orders with their fulfilment; rows are grouped by customer until concatenated."""

    customer: IntArray
    day: FloatArray
    spend_level: IntArray
    """On the first order of a repurchase window, the stratum (answered, segment, NPS) of
    the check-in just before it; else -1."""
    fulfilment: Fulfilment

    def take(self, rows: AnyArray) -> Orders:
        return Orders(
            self.customer[rows], self.day[rows], self.spend_level[rows], self.fulfilment.take(rows)
        )

    @staticmethod
    def concat(parts: list[Orders]) -> Orders:
        return Orders(
            np.concatenate([p.customer for p in parts]),
            np.concatenate([p.day for p in parts]),
            np.concatenate([p.spend_level for p in parts]),
            Fulfilment.concat([p.fulfilment for p in parts]),
        )


@dataclass(frozen=True)
class Checkins:
    """Relationship check-ins: the NPS every customer would give, and who answered."""

    customer: IntArray
    day: FloatArray
    nps: IntArray
    responded: BoolArray

    @staticmethod
    def concat(parts: list[Checkins]) -> Checkins:
        return Checkins(
            *(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Checkins))
        )


class _OrderProcess:
    def __init__(self, streams: BlockStreams, chunk: CustomerChunk, months: TeamMonths) -> None:
        self.streams = streams
        self.chunk = chunk
        self.months = months

    def arrivals(
        self, who: IntArray, start: FloatArray, end: FloatArray, force: BoolArray
    ) -> tuple[Orders, BoolArray]:
        """Poisson arrivals in (start, end] for customers ``who`` (sorted); ``force`` ones
        get at least one. The first arrival comes from a (truncated) exponential, the rest
        are uniform after it on the seasonal clock -- together an exact Poisson process.
        Also returns which rows are each customer's first arrival."""
        layout = self.streams.layout(self.chunk.block[who])
        rate = self.chunk.order_rate[who]
        g_start, g_end = seasonal_time(start), seasonal_time(end)
        span = g_end - g_start
        u = self.streams.uniform(layout)
        reach = np.where(force, -np.expm1(-rate * span), 1.0)
        first = -np.log1p(-u * reach) / rate
        has_first = first <= span
        later_mass = np.where(has_first, rate * (span - first), 0.0)
        later = self.streams.poisson(layout, later_mass)
        counts = has_first.astype(np.int64) + later
        owner = np.repeat(np.arange(who.size), later)
        later_layout = self.streams.layout(self.chunk.block[who][owner])
        g_first = g_start + first
        g_later = g_first[owner] + self.streams.uniform(later_layout) * (g_end - g_first)[owner]
        total = int(counts.sum())
        starts = np.cumsum(counts) - counts
        is_first = np.zeros(total, dtype=bool)
        is_first[starts[has_first]] = True
        g = np.empty(total)
        g[is_first] = g_first[has_first]
        g[~is_first] = g_later
        customer = np.repeat(who, counts)
        day = calendar_time(g)
        fulfilment = fulfil(self.streams, self.chunk, self.months, customer, day)
        return Orders(customer, day, np.full(total, -1), fulfilment), is_first

    def acquisition_orders(self) -> Orders:
        who = np.flatnonzero(self.chunk.created_day >= 0.0)
        layout = self.streams.layout(self.chunk.block[who])
        day = self.chunk.created_day[who] + ACQUISITION_ORDER_WITHIN_DAYS * self.streams.uniform(
            layout
        )
        return Orders(
            who, day, np.full(who.size, -1), fulfil(self.streams, self.chunk, self.months, who, day)
        )


def spend_nps(spend_level: IntArray) -> FloatArray:
    """The check-in NPS encoded in a ``spend_level`` (the last component of the stratum)."""
    return (spend_level % NPS_LEVELS).astype(np.float64)


def last_delivery_delay(
    candidates: list[Orders], checkin_day: FloatArray, customers: int
) -> tuple[FloatArray, FloatArray]:
    """Delay of each customer's last delivery promised in [t - 90 days, t), and whether
    there was one (``exposed``)."""
    customer, promised, delay_days = (
        np.concatenate(parts)
        for parts in zip(
            *((o.customer, o.fulfilment.promised_day, o.fulfilment.delay_days) for o in candidates),
            strict=True,
        )
    )
    shipped = np.concatenate([o.fulfilment.shipped for o in candidates])
    t = checkin_day[customer]
    eligible = shipped & (promised < t) & (promised >= t - CHAIN.nps_delay_window_days)
    rows = np.flatnonzero(eligible)
    order = rows[np.lexsort((promised[rows], customer[rows]))]
    who = customer[order]
    is_last = np.r_[who[1:] != who[:-1], True] if who.size else np.empty(0, dtype=bool)
    delay = np.zeros(customers)
    exposed = np.zeros(customers)
    delay[who[is_last]] = delay_days[order[is_last]]
    exposed[who[is_last]] = 1.0
    return delay, exposed


def simulate_orders(
    streams: BlockStreams, chunk: CustomerChunk, months: TeamMonths
) -> tuple[Orders, Checkins]:
    """All orders of the chunk inside the window, sorted by customer and time."""
    process = _OrderProcess(streams, chunk, months)
    n = chunk.count
    active = np.ones(n, dtype=bool)
    acquisition = process.acquisition_orders()
    cursor = np.maximum(chunk.created_day, 0.0)
    cursor[acquisition.customer] = acquisition.day
    parts = [acquisition]
    recent = [acquisition]
    checkins: list[Checkins] = []
    for k in range(CHECKINS_PER_CUSTOMER):
        t_all = chunk.checkin_day[:, k]
        who = np.flatnonzero(active & np.isfinite(t_all))
        t = t_all[who]
        free, _ = process.arrivals(who, cursor[who], t, np.zeros(who.size, dtype=bool))
        parts.append(free)
        delay, exposed = last_delivery_delay([*recent, free], t_all, n)
        layout = streams.layout(chunk.block[who])
        segment = chunk.segment[who]
        responded = streams.bernoulli(layout, RELATIONSHIP_RESPONSE_RATE[segment])
        p = CHAIN.nps_probability(chunk.nps_baseline[who], delay[who], exposed[who])
        delay_level = strata(
            (responded, 2), (segment, len(SEGMENTS)), (exposed[who], 2), (delay[who], _DELAY_LEVELS)
        )
        nps = binomial_quantile(streams.stratified_uniform(layout, delay_level), 10, p)
        churn_p = CHAIN.churn_probability(segment, nps.astype(np.float64))
        repurchase_p = CHAIN.repurchase_probability(segment, nps.astype(np.float64))
        nps_level = strata((responded, 2), (segment, len(SEGMENTS)), (nps, NPS_LEVELS))
        u = streams.stratified_uniform(layout, nps_level)
        churned = u < churn_p
        repurchased = ~churned & (u < churn_p + repurchase_p)
        checkins.append(Checkins(who, t, nps, responded))

        buyers = who[repurchased]
        window_a, first_in_window = process.arrivals(
            buyers,
            t[repurchased],
            t[repurchased] + CHAIN.repurchase_window_days,
            np.ones(buyers.size, dtype=bool),
        )
        level_of_customer = np.full(n, -1)
        level_of_customer[who] = nps_level
        spend_level = np.where(first_in_window, level_of_customer[window_a.customer], -1)
        window_a = Orders(window_a.customer, window_a.day, spend_level, window_a.fulfilment)
        stays = ~churned
        window_b, _ = process.arrivals(
            who[stays],
            t[stays] + CHAIN.repurchase_window_days,
            t[stays] + CHAIN.churn_window_days,
            ~repurchased[stays],
        )
        parts += [window_a, window_b]
        recent = [window_a, window_b]
        cursor[who] = t + CHAIN.churn_window_days
        active[who[churned]] = False
    rest = np.flatnonzero(active & (cursor < SPAN_DAYS))
    tail, _ = process.arrivals(
        rest, cursor[rest], np.full(rest.size, SPAN_DAYS), np.zeros(rest.size, dtype=bool)
    )
    parts.append(tail)
    everything = Orders.concat(parts)
    inside = np.flatnonzero(everything.day < SPAN_DAYS)
    order = inside[chronological_order(everything.customer[inside], everything.day[inside])]
    return everything.take(order), Checkins.concat(checkins)
