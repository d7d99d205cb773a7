"""The window's two edges: the history existing customers carry in, and the customers
still being won in its last month.

* Before: a customer created before the window has bought before it (the repurchase rate
  looks up a customer's first order over the whole history; without one, a loyal
  customer's first order in the window read as their first purchase ever). The demo's
  existing customers are its active ones, so each has its last order in the quarter
  before the window, as the last arrival of their own Poisson process, conditioned on one
  (and never before they were created). One order is enough for every metric that asks
  "bought before?", and keeps the data's months before the window few and thin.
* After: the window's acquisitions run to ``SPAN_DAYS - LATE_DAYS``, so the last month
  would have no new customer (its repurchase rate read 100 %). About half of the dormant
  existing customers (no order, response or event in the window) are instead won in the
  last ``LATE_DAYS`` days -- about the pace of the rest of the window -- with their
  acquisition order within three days, like every other new customer. Their accounts are
  set up like every other new account's, so those whose set-up ends inside the window have
  its onboarding event and, where the rating e-mail's two days allow, its rating
  (:func:`kano.demo.operations.onboard_late`).

Both kinds of order are fulfilled like any other, and a delivery promised inside the window
is measured (delay and defect check, :func:`kano.demo.operations.delivery_events`): a late
customer's first order, or an order placed in the last days before the window. Without
them OX by customer left out the newest customers. Before the window nothing is measured.

Everything here is drawn after the rest of the chunk, so the window's own data keep their
numbers (the planted effects, the pilot and the case inbox depend on them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from kano.demo.arrays import BoolArray, FloatArray, IntArray
from kano.demo.customers import ACQUISITION_ORDER_WITHIN_DAYS, LATE_DAYS, CustomerChunk
from kano.demo.randomness import BlockStreams
from kano.demo.timeline import SPAN_DAYS, to_date32

LOOKBACK_DAYS = 91.0
"""How far before the window an existing customer's last order can lie (one quarter)."""
LATE_WIN_SHARE = 0.5
"""Share of the dormant existing customers re-cast as won in the last month: dormant
customers are about 3 % of all, and the window wins about 1.5 % of all a month."""
_ONE_SECOND = 1.0 / 86_400.0


@dataclass(frozen=True)
class EdgeOrders:
    """Orders at the window's edges (customer rows grouped, days) and the customers
    table with the late acquisitions' ``created_on``."""

    customer: IntArray
    day: FloatArray
    customers: pa.Table
    late: IntArray
    """Rows of the customers won in the window's last ``LATE_DAYS`` days."""
    late_created: FloatArray
    """Their creation day."""


def edge_orders(streams: BlockStreams, chunk: CustomerChunk, active: BoolArray) -> EdgeOrders:
    """``active``: per customer, whether they have any order, response or event inside
    the window."""
    who = np.flatnonzero(chunk.created_day < 0.0)
    layout = streams.layout(chunk.block[who])
    rate = chunk.order_rate[who]
    span = np.minimum(LOOKBACK_DAYS, -chunk.created_day[who])
    # the time back to the last arrival is exponential; truncated to the span by inversion
    u = streams.uniform(layout)
    back = -np.log1p(-u * -np.expm1(-rate * span)) / rate
    before_day = -np.clip(back, _ONE_SECOND, span)
    late = (streams.uniform(layout) < LATE_WIN_SHARE) & ~active[who]
    created = SPAN_DAYS - LATE_DAYS * streams.uniform(layout)
    won_day = created + ACQUISITION_ORDER_WITHIN_DAYS * streams.uniform(layout)
    day = np.where(late, won_day, before_day)
    keep = day < SPAN_DAYS
    created_day = chunk.created_day.copy()
    created_day[who[late]] = created[late]
    table = chunk.table.set_column(
        chunk.table.schema.get_field_index("created_on"),
        chunk.table.schema.field("created_on"),
        pa.array(to_date32(created_day), pa.date32()),
    )
    return EdgeOrders(who[keep], day[keep], table, who[late], created[late])
