"""How an order reaches the customer: channel, delivery touchpoint, promised date, delay.

Key accounts (and a quarter of SMB shipments) get site delivery by the company's own
fleet; everyone else gets parcels; branch-counter orders are carried away. The delay
depends only on the engagement of the region's delivery team in the month before the
promised date -- not on segment or touchpoint -- which keeps every downstream regression
on delay unconfounded; the one exception is the demo's pilot (:mod:`kano.demo.pilot`),
which halves the late share of SMB orders from March 2026. Site delivery is the planted
*bad touchpoint*: it damages or short-ships goods far more often (defects), which lowers
its CSAT.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from kano.demo.arrays import AnyArray, BoolArray, FloatArray, IntArray
from kano.demo.chain import CHAIN
from kano.demo.company import (
    DELIVERY_TEAM_ID_BY_REGION,
    KEY_ACCOUNT,
    SMB,
    STORE,
    TEAMS,
    touchpoint_id,
)
from kano.demo.customers import CustomerChunk
from kano.demo.pilot import late_share_factor
from kano.demo.randomness import BlockStreams, binomial_quantile, cumulative_table, strata
from kano.demo.team_months import TeamMonths
from kano.demo.timeline import MONTHS, month_of

BAD_TOUCHPOINT = "delivery-field"
SITE_DELIVERY = touchpoint_id("delivery-field") - 1
PARCEL_DELIVERY = touchpoint_id("delivery-courier") - 1
NOT_SHIPPED = -1
# order channel shares by segment: web, phone, email, field, store, courier
_CHANNEL_SHARES = cumulative_table(
    [
        [0.10, 0.15, 0.35, 0.40, 0.00, 0.0],
        [0.40, 0.30, 0.10, 0.05, 0.15, 0.0],
        [0.55, 0.10, 0.00, 0.00, 0.35, 0.0],
    ]
)
_SMB_SITE_DELIVERY_SHARE = 0.25
_DEFECTIVE_SHARE = {SITE_DELIVERY: 0.35, PARCEL_DELIVERY: 0.04}
_DELIVERY_TEAM_INDEX = np.asarray(DELIVERY_TEAM_ID_BY_REGION) - 1


@dataclass(frozen=True)
class Fulfilment:
    channel: IntArray
    touchpoint: IntArray
    """Index into ``TOUCHPOINTS`` of the delivery touchpoint, or ``NOT_SHIPPED``."""
    team: IntArray
    """Index into ``TEAMS`` of the delivery team of the customer's region."""
    promised_day: FloatArray
    delay_days: FloatArray
    defects: IntArray
    untreated_late_share: FloatArray
    """The late share of the order's team-month without the demo's pilot (for its truth)."""

    @property
    def shipped(self) -> BoolArray:
        return self.touchpoint != NOT_SHIPPED

    def take(self, rows: AnyArray) -> Fulfilment:
        return Fulfilment(*(getattr(self, f.name)[rows] for f in fields(Fulfilment)))

    @staticmethod
    def concat(parts: list[Fulfilment]) -> Fulfilment:
        return Fulfilment(
            *(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Fulfilment))
        )


def fulfil(
    streams: BlockStreams,
    chunk: CustomerChunk,
    months: TeamMonths,
    customer: IntArray,
    day: FloatArray,
) -> Fulfilment:
    """Fulfilment of orders placed by ``customer`` (grouped) on ``day``."""
    layout = streams.layout(chunk.block[customer])
    segment = chunk.segment[customer]
    channel = streams.categorical(layout, _CHANNEL_SHARES, segment)
    shipped = channel != STORE
    route = streams.uniform(layout)
    to_site = (segment == KEY_ACCOUNT) | ((segment == SMB) & (route < _SMB_SITE_DELIVERY_SHARE))
    touchpoint = np.where(shipped, np.where(to_site, SITE_DELIVERY, PARCEL_DELIVERY), NOT_SHIPPED)
    # promised lead time: 2-5 days to site, 1-3 days by parcel (uniform)
    lead = streams.uniform(layout)
    promised = day + np.where(to_site, 2 + np.floor(4 * lead), 1 + np.floor(3 * lead))
    team = _DELIVERY_TEAM_INDEX[chunk.region[customer]]
    month = np.clip(month_of(promised), 0, MONTHS - 1)
    late_share = CHAIN.late_share(months.engagement[team, month])
    untreated_late_share = late_share + months.late_share_shock[team, month]
    # the demo's pilot (kano.demo.pilot): SMB orders from March 2026 are late half as often
    late_share = untreated_late_share * late_share_factor(segment, month)
    # delay = 0 with probability 1 - late share, else 1 + Binomial(9, 1/3), inverted from
    # one uniform stratified by team and month (the cause's level)
    u = streams.stratified_uniform(
        layout, strata((shipped, 2), (team, len(TEAMS)), (month, MONTHS))
    )
    on_time = 1.0 - late_share
    late_u = np.clip((u - on_time) / late_share, 0.0, 1.0 - 1e-12)
    extra_days = binomial_quantile(
        late_u, CHAIN.late_extra_day_trials, CHAIN.late_extra_day_probability
    )
    delay = np.where((u >= on_time) & shipped, 1 + extra_days, 0).astype(np.float64)
    defective_share = np.where(
        touchpoint == SITE_DELIVERY,
        _DEFECTIVE_SHARE[SITE_DELIVERY],
        _DEFECTIVE_SHARE[PARCEL_DELIVERY],
    )
    damage = streams.uniform(layout)
    defective = (damage < defective_share) & shipped
    # 1-3 defects (uniform) from the position of the draw inside the defective share
    defects = np.where(defective, 1 + np.floor(3 * damage / defective_share), 0).astype(np.int64)
    return Fulfilment(channel, touchpoint, team, promised, delay, defects, untreated_late_share)
