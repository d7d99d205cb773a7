"""Generate the demo company: structure, workforce, then customers chunk by chunk.

Memory is bounded by one chunk of customers plus the writer's row-group buffers; the
loop runs over chunks, and inside a chunk over check-ins -- never over rows.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pyarrow as pa

import kano
from kano.demo.comments import COMMENT_TEXTS
from kano.demo.company import BRANCH_SALES_TEAM_ID, CHANNELS, LANGUAGES, PRODUCTS, structure_tables
from kano.demo.customers import draw_customers
from kano.demo.feedback import (
    Responses,
    collect_responses,
    comment_positions,
    delivery_ratings,
    onboarding_ratings,
)
from kano.demo.fulfilment import Fulfilment, fulfil
from kano.demo.ground_truth import write_ground_truth
from kano.demo.money import OrderValue, Payment, order_values, payments
from kano.demo.operations import (
    ProcessEvents,
    delivery_events,
    onboard,
    onboard_late,
    onboarding_events,
    open_tickets,
    process_events,
)
from kano.demo.orders import simulate_orders
from kano.demo.people import build_workforce
from kano.demo.pilot import PilotTally
from kano.demo.prior_orders import edge_orders
from kano.demo.randomness import CUSTOMERS_PER_BLOCK, BlockStreams, company_generator
from kano.demo.schema import (
    PROCESS_MEASURES,
    PROCESSES,
    Coded,
    Masked,
    table_from_columns,
    vocabulary,
)
from kano.demo.sizes import SizePreset
from kano.demo.team_months import TeamMonths
from kano.demo.timeline import SPAN_DAYS, chronological_order, to_date32, to_timestamp_us
from kano.demo.writer import DatasetWriter, ProgressCallback

GROUND_TRUTH_FILE = "ground_truth.yaml"
_CHANNELS = vocabulary(CHANNELS)
_PRODUCTS = vocabulary([p.key for p in PRODUCTS])
_LANGUAGES = vocabulary(LANGUAGES)
_PROCESSES = vocabulary(PROCESSES)
_MEASURES = vocabulary(PROCESS_MEASURES)
_VALUE_FIELDS = ("product", "amount", "margin")
_PAY_FIELDS = ("due_day", "paid_day", "unpaid")


@dataclass(frozen=True)
class GenerationReport:
    """What was written: rows per table, wall time, where."""

    out_dir: Path
    size: str
    seed: int
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds > 0 else float("inf")


@dataclass
class _NextIds:
    """Running id counters across chunks (ids start at 1)."""

    transaction: int = 0
    response: int = 0
    event: int = 0
    pilot: PilotTally = field(default_factory=PilotTally)


def _chunks(preset: SizePreset) -> Iterator[tuple[int, np.ndarray]]:
    """(first block, customers per block) for every chunk of the company."""
    blocks = -(-preset.customers // CUSTOMERS_PER_BLOCK)
    sizes = np.full(blocks, CUSTOMERS_PER_BLOCK, dtype=np.int64)
    sizes[-1] = preset.customers - CUSTOMERS_PER_BLOCK * (blocks - 1)
    step = preset.customers_per_chunk // CUSTOMERS_PER_BLOCK
    for first in range(0, blocks, step):
        yield first, sizes[first : first + step]


def _chunk_tables(
    streams: BlockStreams,
    first_block: int,
    block_sizes: np.ndarray,
    months: TeamMonths,
    ids: _NextIds,
) -> dict[str, pa.Table]:
    first_customer = first_block * CUSTOMERS_PER_BLOCK + 1
    chunk = draw_customers(streams, first_customer, block_sizes)
    orders, checkins = simulate_orders(streams, chunk, months)
    customer, day, f = orders.customer, orders.day, orders.fulfilment
    ids.pilot.add(
        chunk.first_id + customer,
        chunk.segment[customer],
        f.promised_day,
        f.shipped & (f.promised_day < SPAN_DAYS),
        f.untreated_late_share,
    )
    value = order_values(streams, chunk, customer, day, orders.spend_level)
    payment = payments(streams, chunk, customer, day)
    tickets = open_tickets(streams, chunk, customer, day, f, months)
    onboarding = onboard(streams, chunk)
    events = process_events(customer, f, tickets, onboarding)
    responses = collect_responses(streams, chunk, customer, day, f, checkins, tickets, onboarding)
    responses = responses.take(chronological_order(responses.customer, responses.day))
    comment, language = comment_positions(streams, chunk, responses)
    # drawn last, so that the window's own data keep their numbers
    active = np.zeros(chunk.count, dtype=bool)
    active[customer] = True
    active[responses.customer] = True
    active[events.customer] = True
    edges = edge_orders(streams, chunk, active)
    before, before_day = edges.customer, edges.day
    before_f = fulfil(streams, chunk, months, before, before_day)
    before_value = order_values(streams, chunk, before, before_day, np.full(before.size, -1))
    before_payment = payments(streams, chunk, before, before_day)
    # their deliveries inside the window are measured like every other (a late customer's
    # first order above all: without them OX by customer would leave new customers out)
    before_events = delivery_events(before, before_f)
    ids.pilot.add(
        chunk.first_id + before,
        chunk.segment[before],
        before_f.promised_day,
        before_f.shipped & (before_f.promised_day >= 0.0) & (before_f.promised_day < SPAN_DAYS),
        before_f.untreated_late_share,
    )
    # the customers won in the last days: their accounts are set up, and they rate the
    # set-up and their first delivery, like every other new customer (drawn after the
    # rest, so the window's own data keep their numbers)
    late_onboarding = onboard_late(streams, chunk, edges.late, edges.late_created)
    late_events = onboarding_events(late_onboarding)
    first_orders = np.flatnonzero(np.isin(before, edges.late))
    late_delivery = delivery_ratings(
        streams, chunk, before[first_orders], before_f.take(first_orders)
    )
    late_ratings = Responses.concat(
        [onboarding_ratings(streams, chunk, late_onboarding), late_delivery]
    )
    late_ratings = late_ratings.take(chronological_order(late_ratings.customer, late_ratings.day))
    late_comment, late_language = comment_positions(streams, chunk, late_ratings)

    # the transactions: the edges' orders first, then sorted by customer and time
    customer = np.concatenate([before, customer])
    day = np.concatenate([before_day, day])
    f = Fulfilment.concat([before_f, f])
    value = OrderValue(
        *(np.concatenate([getattr(before_value, n), getattr(value, n)]) for n in _VALUE_FIELDS)
    )
    payment = Payment(
        *(np.concatenate([getattr(before_payment, n), getattr(payment, n)]) for n in _PAY_FIELDS)
    )
    sequence = chronological_order(customer, day)
    customer, day, f = customer[sequence], day[sequence], f.take(sequence)
    value = OrderValue(*(getattr(value, n)[sequence] for n in _VALUE_FIELDS))
    payment = Payment(*(getattr(payment, n)[sequence] for n in _PAY_FIELDS))
    position = np.empty(sequence.size, dtype=np.int64)
    position[sequence] = np.arange(sequence.size)
    window_position = position[before.size :]
    # the process events, their order rows made positions in the sorted transactions
    no_orders = np.zeros(1, dtype=np.int64)  # the onboarding events name no order
    events = _events_at(
        [events, before_events, late_events],
        [window_position, position[: before.size], no_orders],
    )
    event_order = chronological_order(events.customer, events.day)
    # the responses, their order rows made positions in the sorted transactions
    at_before = position[: before.size][first_orders]
    responses = Responses.concat([
        replace(responses, order_row=_at(window_position, responses.order_row)),
        replace(late_ratings, order_row=_at(at_before, late_ratings.order_row)),
    ])  # fmt: skip
    comment = np.concatenate([comment, late_comment])
    language = np.concatenate([language, late_language])
    by_time = chronological_order(responses.customer, responses.day)
    responses, comment, language = responses.take(by_time), comment[by_time], language[by_time]

    n_orders = customer.size
    transaction_id = ids.transaction + 1 + np.arange(n_orders, dtype=np.int64)
    customer_id = chunk.first_id + customer

    def order_ids(at: np.ndarray) -> Masked:
        """Transaction ids of positions in the sorted transactions (-1: none)."""
        return Masked(ids.transaction + 1 + np.maximum(at, 0), at < 0)

    event_order_position = events.order_row[event_order]

    tables = {
        "customers": edges.customers,
        "transactions": table_from_columns(
            "transactions",
            {
                "transaction_id": transaction_id,
                "customer_id": customer_id,
                "occurred_at": to_timestamp_us(day),
                "amount": value.amount,
                "margin": value.margin,
                "product": Coded(value.product, _PRODUCTS),
                "channel": Coded(f.channel, _CHANNELS),
                "team_id": np.where(f.shipped, f.team + 1, BRANCH_SALES_TEAM_ID),
            },
        ),
        "payments": table_from_columns(
            "payments",
            {
                "payment_id": transaction_id,
                "transaction_id": transaction_id,
                "customer_id": customer_id,
                "amount": value.amount,
                "due_on": to_date32(payment.due_day),
                "paid_on": Masked(to_date32(payment.paid_day), payment.unpaid),
            },
        ),
        "process_events": table_from_columns(
            "process_events",
            {
                "event_id": ids.event + 1 + np.arange(event_order.size, dtype=np.int64),
                "touchpoint_id": events.touchpoint[event_order] + 1,
                "team_id": events.team[event_order] + 1,
                "customer_id": chunk.first_id + events.customer[event_order],
                "transaction_id": Masked(
                    ids.transaction + 1 + event_order_position, event_order_position < 0
                ),
                "process": Coded(events.process[event_order], _PROCESSES),
                "measure": Coded(events.measure[event_order], _MEASURES),
                "value": events.value[event_order],
                "occurred_at": to_timestamp_us(events.day[event_order]),
            },
        ),
        "responses": table_from_columns(
            "responses",
            {
                "response_id": ids.response + 1 + np.arange(responses.day.size, dtype=np.int64),
                "survey_id": responses.survey + 1,
                "customer_id": chunk.first_id + responses.customer,
                "touchpoint_id": responses.touchpoint + 1,
                "channel": Coded(responses.channel, _CHANNELS),
                "submitted_at": to_timestamp_us(responses.day),
                "nps": Masked(responses.nps, responses.nps < 0),
                "csat": Masked(responses.csat, responses.csat < 0),
                "ces": Masked(responses.ces, responses.ces < 0),
                "rating": Masked(responses.rating, responses.rating < 0),
                "comment": Coded(comment, COMMENT_TEXTS),
                "language": Coded(language, _LANGUAGES),
                "transaction_id": order_ids(responses.order_row),
            },
        ),
    }
    ids.transaction += n_orders
    ids.response += responses.day.size
    ids.event += event_order.size
    return tables


def _at(positions: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``rows`` (of some orders, -1 none) as those orders' ``positions`` (-1 kept)."""
    if positions.size == 0:
        return np.full(rows.size, -1, dtype=np.int64)
    return np.where(rows < 0, -1, positions[np.maximum(rows, 0)])


def _events_at(parts: list[ProcessEvents], positions: list[np.ndarray]) -> ProcessEvents:
    """The parts' events as one, each ``order_row`` (a row of its part's orders, -1 none)
    replaced by that order's position in ``positions`` (the sorted transactions)."""
    rows = [
        np.where(p.order_row < 0, -1, at[np.maximum(p.order_row, 0)])
        for p, at in zip(parts, positions, strict=True)
    ]
    return ProcessEvents(
        *(
            np.concatenate(rows if name == "order_row" else [getattr(p, name) for p in parts])
            for name in ProcessEvents.__dataclass_fields__
        )
    )


def generate_with_preset(
    preset: SizePreset,
    seed: int,
    out_dir: Path,
    on_progress: ProgressCallback | None = None,
) -> GenerationReport:
    """Generate a company of any preset (the sizes S-XL, or a custom one in tests)."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    writer = DatasetWriter(out_dir, preset.row_group_rows, on_progress)
    try:
        for name, table in structure_tables().items():
            writer.write(name, table)
        workforce = build_workforce(company_generator(seed), preset.headcount_scale)
        writer.write("employees", workforce.employees)
        writer.write("pulses", workforce.pulses)
        ids = _NextIds()
        for first_block, block_sizes in _chunks(preset):
            streams = BlockStreams(seed, first_block, block_sizes.size)
            tables = _chunk_tables(streams, first_block, block_sizes, workforce.team_months, ids)
            for name, table in tables.items():
                writer.write(name, table)
    finally:
        rows = writer.close()
    write_ground_truth(out_dir / GROUND_TRUTH_FILE, seed, preset.name, kano.__version__, ids.pilot)
    return GenerationReport(out_dir, preset.name, seed, rows, time.perf_counter() - started)
