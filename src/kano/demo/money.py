"""What an order is worth: product line, amount, gross margin, and how it is paid.

Amounts are lognormal around a segment median scaled by the product line's price level;
accounts also have a size of their own. Consumer amounts are i.i.d. (no customer-level
size, no NPS shift) so that a consumer's revenue per quarter is *exactly* orders x the
planted mean order value. Accounts pay on net-30 terms -- some late, a few never;
consumers pay at the till.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kano.demo.arrays import BoolArray, FloatArray, IntArray
from kano.demo.chain import CHAIN
from kano.demo.company import CONSUMER, PRODUCTS
from kano.demo.customers import CustomerChunk
from kano.demo.orders import SPEND_LEVELS, spend_nps
from kano.demo.randomness import (
    BlockStreams,
    categorical_at,
    cumulative_table,
    normal_quantile,
)
from kano.demo.timeline import SPAN_DAYS, quarter_of

_MEDIAN_ORDER_VALUE = np.array([4200.0, 650.0, 70.0])
_ORDER_VALUE_SPREAD = np.array([0.8, 0.8, 0.7])
_SEGMENT_DISCOUNT = np.array([0.07, 0.03, 0.0])
_PRODUCT_SHARES = (
    # fasteners .. packaging, by segment (key accounts, SMB, consumers)
    (12, 6, 6, 8, 10, 10, 12, 9, 10, 8, 6, 3),
    (14, 9, 9, 8, 8, 9, 7, 7, 8, 10, 6, 5),
    (16, 14, 16, 8, 4, 9, 2, 3, 3, 11, 8, 6),
)
_PRODUCT_TABLE = cumulative_table(_PRODUCT_SHARES)
_PRICE_LEVEL = np.array([p.price_level for p in PRODUCTS])
_MARGIN_RATE = np.array([p.margin_rate for p in PRODUCTS])
NET_DAYS_FOR_ACCOUNTS = 30
_NEVER_PAID_SHARE = 0.015
_QUARTER_COUNT_LEVELS = 12


@dataclass(frozen=True)
class OrderValue:
    product: IntArray
    amount: FloatArray
    margin: FloatArray


@dataclass(frozen=True)
class Payment:
    due_day: FloatArray
    paid_day: FloatArray
    unpaid: BoolArray


def consumer_mean_order_value() -> float:
    """The planted mean consumer order value: the size of ``orders -> revenue``."""
    shares = np.asarray(_PRODUCT_SHARES[CONSUMER], dtype=np.float64)
    shares /= shares.sum()
    lognormal_mean = float(np.exp(_ORDER_VALUE_SPREAD[CONSUMER] ** 2 / 2.0))
    return float(_MEDIAN_ORDER_VALUE[CONSUMER] * lognormal_mean * (shares @ _PRICE_LEVEL))


def _orders_in_same_quarter(customer: IntArray, day: FloatArray) -> IntArray:
    """For orders sorted by customer and time: how many orders share the row's
    customer and quarter."""
    cell = customer * 16 + quarter_of(day)
    starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
    sizes = np.diff(np.r_[starts, cell.size])
    return np.repeat(sizes, sizes)


def order_values(
    streams: BlockStreams,
    chunk: CustomerChunk,
    customer: IntArray,
    day: FloatArray,
    spend_level: IntArray,
) -> OrderValue:
    """Product, amount and margin of orders (sorted by customer and time).

    The product and the lognormal noise are each drawn from a uniform stratified by the
    check-in NPS on the orders that carry the spend shift, and by the number of orders in
    the customer-quarter on consumer orders, so that both planted TX effects are realised
    almost exactly (the log amount is additive in the two, so both balance).
    """
    layout = streams.layout(chunk.block[customer])
    segment = chunk.segment[customer]
    consumer = segment == CONSUMER
    shifted = (spend_level >= 0) & ~consumer
    in_quarter = np.minimum(_orders_in_same_quarter(customer, day), _QUARTER_COUNT_LEVELS - 1)
    stratum = np.where(
        shifted, 1 + spend_level, np.where(consumer, 1 + SPEND_LEVELS + in_quarter, 0)
    )
    product = categorical_at(streams.stratified_uniform(layout, stratum), _PRODUCT_TABLE, segment)
    noise = normal_quantile(streams.stratified_uniform(layout, stratum))
    log_amount = (
        np.log(_MEDIAN_ORDER_VALUE[segment] * _PRICE_LEVEL[product])
        + chunk.size_log[customer]
        + _ORDER_VALUE_SPREAD[segment] * noise
    )
    log_amount += np.where(shifted, CHAIN.spend_log_shift(spend_nps(spend_level)), 0.0)
    amount = np.round(np.exp(log_amount), 2)
    rate = _MARGIN_RATE[product] - _SEGMENT_DISCOUNT[segment] + 0.02 * streams.normal(layout)
    margin = np.round(amount * np.clip(rate, 0.02, 0.6), 2)
    return OrderValue(product, amount, margin)


def payments(
    streams: BlockStreams, chunk: CustomerChunk, customer: IntArray, day: FloatArray
) -> Payment:
    """Due and paid dates (whole days) of each order's payment."""
    layout = streams.layout(chunk.block[customer])
    account = chunk.is_account[customer]
    order_date = np.floor(day)
    due = order_date + np.where(account, NET_DAYS_FOR_ACCOUNTS, 0)
    lateness = np.round(chunk.payment_delay_mean[customer] + 4.0 * streams.normal(layout))
    never = streams.bernoulli(layout, _NEVER_PAID_SHARE) & account
    paid = np.where(account, np.maximum(due + lateness, order_date), order_date)
    return Payment(due, paid, never | (paid >= SPAN_DAYS))
