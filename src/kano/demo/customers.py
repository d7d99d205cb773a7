"""Customers of one chunk: who they are, how often they buy, and when they are asked.

Key accounts are few and buy big and often; SMB accounts buy mid-sized orders monthly;
consumers (persons) buy small orders a few times a year. About a third of the customers
are acquired during the window, at a steady pace to its last day (the last ``LATE_DAYS``
ones are added at the end, see :mod:`kano.demo.prior_orders`); the others carry their
last order before it. Every customer has relationship *check-ins* (the moments
the relationship NPS survey is sent) at least 180 days apart, so the 90-day repurchase
and 180-day churn windows that follow a check-in never overlap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kano.demo.arrays import BoolArray, FloatArray, IntArray
from kano.demo.chain import CHAIN
from kano.demo.company import CONSUMER, INDUSTRIES, REGIONS, SEGMENTS
from kano.demo.names import COMPANY_NAMES, PERSON_NAMES
from kano.demo.randomness import BlockStreams, RowLayout, cumulative_table
from kano.demo.schema import Coded, table_from_columns, vocabulary
from kano.demo.timeline import SPAN_DAYS, to_date32

CHECKINS_PER_CUSTOMER = 5
SEGMENT_SHARES = (0.025, 0.275, 0.70)
_REGION_SHARES = cumulative_table([[0.18, 0.20, 0.16, 0.18, 0.28]] * len(SEGMENTS))
_LANGUAGE_SHARES = cumulative_table([[0.5, 0.25, 0.25]] * len(SEGMENTS))
_INDUSTRY_SHARES = cumulative_table([[0.22, 0.24, 0.1, 0.1, 0.1, 0.08, 0.1, 0.06]] * 3)
_SEGMENT_TABLE = cumulative_table([SEGMENT_SHARES])
_MEDIAN_ORDERS_PER_MONTH = np.array([5.0, 1.1, 0.3])
_ORDER_RATE_SPREAD = 0.5
_ACCOUNT_SIZE_SPREAD = 0.4
_ACQUIRED_IN_WINDOW = 0.35
LATE_DAYS = 30.0
"""The last days of the window, whose new customers are won in :mod:`prior_orders`."""
ACQUISITION_ORDER_WITHIN_DAYS = 3.0
"""A new customer's first order follows their creation within this many days."""
_CONSENT = np.array([0.92, 0.92, 0.70])

_KINDS = vocabulary(["account", "person"])
_REGIONS = vocabulary(REGIONS)
_INDUSTRIES = vocabulary(INDUSTRIES)
_NAMES = vocabulary(COMPANY_NAMES.names + PERSON_NAMES.names)
_SLUGS = pa.array([s.replace(".", "-") for s in COMPANY_NAMES.slugs] + list(PERSON_NAMES.slugs))


@dataclass(frozen=True)
class CustomerChunk:
    """Per-customer attributes of one chunk (arrays in customer order)."""

    first_id: int
    block: IntArray
    layout: RowLayout
    segment: IntArray
    region: IntArray
    language: IntArray
    created_day: FloatArray
    order_rate: FloatArray
    """Orders per day of the seasonal clock."""
    size_log: FloatArray
    """Log order-size offset of accounts (0 for consumers)."""
    nps_baseline: FloatArray
    payment_delay_mean: FloatArray
    checkin_day: FloatArray
    """Shape (customers, CHECKINS_PER_CUSTOMER); ``inf`` past the window."""
    table: pa.Table

    @property
    def count(self) -> int:
        return int(self.segment.size)

    @property
    def ids(self) -> IntArray:
        return np.arange(self.first_id, self.first_id + self.count, dtype=np.int64)

    @property
    def is_account(self) -> BoolArray:
        return self.segment != CONSUMER


def _checkins(streams: BlockStreams, layout: RowLayout, created: FloatArray) -> FloatArray:
    new = created >= 0.0
    first_delay = np.where(
        new, 45.0 + 105.0 * streams.uniform(layout), 20.0 + 180.0 * streams.uniform(layout)
    )
    days = np.empty((created.size, CHECKINS_PER_CUSTOMER))
    days[:, 0] = np.maximum(created, 0.0) + first_delay
    for k in range(1, CHECKINS_PER_CUSTOMER):
        days[:, k] = days[:, k - 1] + 180.0 + 90.0 * streams.uniform(layout)
    return np.where(days < SPAN_DAYS, days, np.inf)


def _customer_table(
    ids: IntArray,
    segment: IntArray,
    region: IntArray,
    industry: IntArray,
    name_position: IntArray,
    consent: BoolArray,
    created: FloatArray,
) -> pa.Table:
    account = segment != CONSUMER
    id_text = pc.cast(pa.array(ids), pa.string())
    external_id = pc.binary_join_element_wise("C-", pc.utf8_lpad(id_text, 7, "0"), "")
    slug = _SLUGS.take(pa.array(name_position))
    person_email = pc.binary_join_element_wise(slug, ".", id_text, "@mail.example", "")
    account_email = pc.binary_join_element_wise("purchasing.", id_text, "@", slug, ".example", "")
    email = pc.if_else(pa.array(account), account_email, person_email)
    return table_from_columns(
        "customers",
        {
            "customer_id": ids,
            "external_id": external_id,
            "kind": Coded(np.where(account, 0, 1), _KINDS),
            "name": Coded(name_position, _NAMES),
            "email": email,
            "segment_id": segment + 1,
            "region": Coded(region, _REGIONS),
            "industry": Coded(np.where(account, industry, -1), _INDUSTRIES),
            "consent_contact": consent,
            "created_on": to_date32(created),
        },
    )


def draw_customers(streams: BlockStreams, first_id: int, block_sizes: IntArray) -> CustomerChunk:
    """Attributes and the ``customers`` table rows for a chunk of consecutive blocks."""
    layout = streams.layout_of_blocks(block_sizes)
    n = layout.rows
    block = np.repeat(np.arange(block_sizes.size), block_sizes)
    everyone = np.zeros(n, dtype=np.int64)
    segment = streams.categorical(layout, _SEGMENT_TABLE, everyone)
    region = streams.categorical(layout, _REGION_SHARES, segment)
    language = streams.categorical(layout, _LANGUAGE_SHARES, segment)
    industry = streams.categorical(layout, _INDUSTRY_SHARES, segment)
    acquired = streams.bernoulli(layout, _ACQUIRED_IN_WINDOW)
    created = np.where(
        acquired,
        (SPAN_DAYS - LATE_DAYS) * streams.uniform(layout),
        -(1.0 + 3000.0 * streams.uniform(layout)),
    )
    monthly = _MEDIAN_ORDERS_PER_MONTH[segment] * np.exp(
        _ORDER_RATE_SPREAD * streams.normal(layout)
    )
    size_log = np.where(segment != CONSUMER, _ACCOUNT_SIZE_SPREAD * streams.normal(layout), 0.0)
    # stratified by segment, so every segment has the same spread of loyal and lukewarm
    # customers (segment intercepts of the TX effects stay uncorrelated with NPS)
    baseline = CHAIN.nps_baseline_low + (
        CHAIN.nps_baseline_high - CHAIN.nps_baseline_low
    ) * streams.stratified_uniform(layout, segment)
    payment_delay_mean = -1.0 + 5.0 * streams.normal(layout)
    consent = streams.bernoulli(layout, _CONSENT[segment])
    is_person = segment == CONSUMER
    book_offset = np.where(is_person, len(COMPANY_NAMES.names), 0)
    group_offset = np.where(
        is_person,
        np.asarray(PERSON_NAMES.offsets)[language],
        np.asarray(COMPANY_NAMES.offsets)[language],
    )
    group_size = np.where(
        is_person,
        np.asarray(PERSON_NAMES.counts)[language],
        np.asarray(COMPANY_NAMES.counts)[language],
    )
    name_position = (
        book_offset + group_offset + (streams.uniform(layout) * group_size).astype(np.int64)
    )
    checkin_day = _checkins(streams, layout, created)
    ids = np.arange(first_id, first_id + n, dtype=np.int64)
    table = _customer_table(ids, segment, region, industry, name_position, consent, created)
    return CustomerChunk(
        first_id=first_id,
        block=block,
        layout=layout,
        segment=segment,
        region=region,
        language=language,
        created_day=created,
        order_rate=monthly / 30.4,
        size_log=size_log,
        nps_baseline=baseline,
        payment_delay_mean=payment_delay_mean,
        checkin_day=checkin_day,
        table=table,
    )
