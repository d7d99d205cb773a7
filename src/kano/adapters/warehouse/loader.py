"""``load_warehouse``: fill one workspace's warehouse tables from a source, incrementally.

Per table and workspace the load state remembers the source, the highest id loaded (the
high-water mark) and the row count. A fact table is then loaded *incrementally* — only
rows with a higher id are appended — when the source is the same and still holds
exactly the rows counted up to the mark (nothing deleted or replaced, e.g. by a refreshed
``kano demo``); otherwise, or with ``full=True``, the workspace's rows of that table are
replaced. Dimensions are small and editable (a customer changes segment, an employee
leaves), so they are replaced on every load. The calendar is rebuilt from the first to
the last fact date, and the customer-month rollup (:mod:`.rollups`) from the transactions
whenever they change.

Segment membership spans came later than the other tables: a workspace last loaded by an
older version has none, and in a warehouse shared by several workspaces the table exists
(another workspace's load made it) while that workspace's segments stay empty until its
own next load. So every load also *backfills* the spans of each other workspace whose load
state has no spans yet and whose customers came from the same source (the same app
database): its current memberships, read from that source, in the same transaction.

Everything happens in one store transaction (see each store for how its engine makes
that atomic): a load that fails leaves the previous warehouse and load state intact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc

from kano.adapters.warehouse.rollups import ORDER_COLUMNS, customer_months
from kano.adapters.warehouse.sources import Source
from kano.adapters.warehouse.store import StoreWriter, TableState, WarehouseStore
from kano.metrics.warehouse_schema import (
    CALENDAR,
    CUSTOMER_MONTHS,
    CUSTOMERS,
    DERIVED_TABLES,
    SEGMENT_MEMBERSHIPS,
    TABLES,
    TRANSACTIONS,
    WarehouseTable,
)

ProgressCallback = Callable[[str, int], None]


@dataclass
class LoadReport:
    workspace_id: int
    appended: dict[str, int] = field(default_factory=dict)
    replaced: list[str] = field(default_factory=list)
    backfilled: list[int] = field(default_factory=list)
    """Other workspaces whose membership spans this load backfilled (see the module text)."""

    @property
    def total_rows(self) -> int:
        return sum(self.appended.values())


@dataclass(frozen=True)
class _Plan:
    table: WarehouseTable
    after: int | None  # None: replace the workspace's rows
    previous: TableState | None


def plan_load(
    store: WarehouseStore, source: Source, workspace_id: int, full: bool = False
) -> list[_Plan]:
    """For each table: append after the high-water mark, or replace."""
    state = store.read_state(workspace_id)
    plans = []
    for table in TABLES:
        if table in DERIVED_TABLES:
            continue
        previous = state.get(table.name)
        incremental = (
            table.is_fact
            and not full
            and previous is not None
            and previous.source == source.identity
            and previous.high_water is not None
            and source.count(table, workspace_id, up_to=previous.high_water) == previous.row_count
        )
        after = previous.high_water if incremental and previous is not None else None
        plans.append(_Plan(table, after, previous))
    return plans


def rows_to_load(source: Source, workspace_id: int, plans: list[_Plan]) -> int:
    return sum(source.count(plan.table, workspace_id, after=plan.after) for plan in plans)


def pending_rows(
    store: WarehouseStore, source: Source, workspace_id: int, full: bool = False
) -> int:
    """How many rows a load would read now (the total of a progress bar), the spans it
    backfills for other workspaces included."""
    store.ensure_tables()
    backfill = workspaces_without_spans(store, source, exclude=workspace_id)
    return rows_to_load(source, workspace_id, plan_load(store, source, workspace_id, full)) + sum(
        source.count(SEGMENT_MEMBERSHIPS, other) for other in backfill
    )


def load_warehouse(
    store: WarehouseStore,
    source: Source,
    workspace_id: int,
    *,
    full: bool = False,
    on_progress: ProgressCallback | None = None,
) -> LoadReport:
    """Load one workspace from ``source`` into ``store``; all or nothing."""
    progress = on_progress or (lambda _table, _rows: None)
    store.ensure_tables()
    before = store.read_state(workspace_id)
    plans = plan_load(store, source, workspace_id, full)
    without_spans = workspaces_without_spans(store, source, exclude=workspace_id)
    report = LoadReport(workspace_id)
    states: dict[str, TableState] = {}
    orders: list[pa.Table] = []  # the rollup's columns of the transactions loaded
    with store.transaction() as writer:
        for plan in plans:
            keep = orders if plan.table is TRANSACTIONS else None
            states[plan.table.name] = _load_table(
                writer, source, workspace_id, plan, progress, keep
            )
            report.appended[plan.table.name] = states[plan.table.name].row_count - (
                plan.previous.row_count if plan.after is not None and plan.previous else 0
            )
            if plan.after is None:
                report.replaced.append(plan.table.name)
        states[CALENDAR.name] = _write_calendar(writer, workspace_id, states)
        states[CUSTOMER_MONTHS.name] = _write_customer_months(
            writer, source, workspace_id, report, before, orders
        )
        writer.save_state(workspace_id, states)
        for other, state in without_spans.items():
            spans = _load_table(writer, source, other, _Plan(SEGMENT_MEMBERSHIPS, None, None),
                                progress)  # fmt: skip
            writer.save_state(other, {**state, SEGMENT_MEMBERSHIPS.name: spans})
            report.backfilled.append(other)
    return report


def workspaces_without_spans(
    store: WarehouseStore, source: Source, exclude: int | None = None
) -> dict[int, dict[str, TableState]]:
    """Load states of the workspaces loaded from ``source`` (their customers) before
    membership spans were: those a load of ``source`` backfills."""
    found = {}
    for workspace_id in store.loaded_workspaces():
        if workspace_id == exclude:
            continue
        state = store.read_state(workspace_id)
        customers = state.get(CUSTOMERS.name)
        if (SEGMENT_MEMBERSHIPS.name not in state and customers is not None
                and customers.source == source.identity):  # fmt: skip
            found[workspace_id] = state
    return found


def _load_table(
    writer: StoreWriter,
    source: Source,
    workspace_id: int,
    plan: _Plan,
    progress: ProgressCallback,
    keep: list[pa.Table] | None = None,
) -> TableState:
    table = plan.table
    incremental = plan.after is not None and plan.previous is not None
    if not incremental:
        writer.delete_workspace(table.name, workspace_id)
    high_water = plan.after if incremental else None
    rows = plan.previous.row_count if incremental and plan.previous else 0
    low_date = plan.previous.min_date if incremental and plan.previous else None
    high_date = plan.previous.max_date if incremental and plan.previous else None
    for batch in source.batches(table, workspace_id, plan.after):
        writer.append(table.name, batch)
        if keep is not None:
            keep.append(batch.select(ORDER_COLUMNS))
        rows += batch.num_rows
        if table.id_column:
            batch_max = pc.max(batch[table.id_column]).as_py()
            high_water = batch_max if high_water is None else max(high_water, batch_max)
        if table.time_column:
            bounds = pc.min_max(batch[table.time_column]).as_py()
            low_date = _earliest(low_date, _day(bounds["min"]))
            high_date = _latest(high_date, _day(bounds["max"]))
        progress(table.name, batch.num_rows)
    return TableState(source.identity, high_water, rows, low_date, high_date)


def _write_calendar(
    writer: StoreWriter, workspace_id: int, states: dict[str, TableState]
) -> TableState:
    """One row per day from the first to the last fact date of the workspace."""
    writer.delete_workspace(CALENDAR.name, workspace_id)
    facts = [states[t.name] for t in TABLES if t.is_fact and t.name in states]
    first = min((s.min_date for s in facts if s.min_date), default=None)
    last = max((s.max_date for s in facts if s.max_date), default=None)
    if first is None or last is None:
        return TableState("calendar", None, 0)
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    batch = pa.table(
        {
            "workspace_id": pa.array([workspace_id] * len(days), pa.int64()),
            "date": pa.array(days, pa.date32()),
        },
        schema=CALENDAR.schema,
    )
    writer.append(CALENDAR.name, batch)
    return TableState("calendar", None, len(days), first, last)


def _write_customer_months(
    writer: StoreWriter,
    source: Source,
    workspace_id: int,
    report: LoadReport,
    before: dict[str, TableState],
    loaded: list[pa.Table],
) -> TableState:
    """Rebuild the rollup when the transactions changed (or it was never built): from
    the batches just loaded if they replaced the transactions, else from the source."""
    previous = before.get(CUSTOMER_MONTHS.name)
    replaced = TRANSACTIONS.name in report.replaced
    if previous is not None and not replaced and not report.appended.get(TRANSACTIONS.name):
        return previous
    orders = loaded if replaced else source.batches(TRANSACTIONS, workspace_id, None)
    writer.delete_workspace(CUSTOMER_MONTHS.name, workspace_id)
    rollup = customer_months(orders, workspace_id)
    writer.append(CUSTOMER_MONTHS.name, rollup)
    return TableState(CUSTOMER_MONTHS.name, None, rollup.num_rows)


def _day(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


def _earliest(a: date | None, b: date | None) -> date | None:
    return b if a is None else a if b is None else min(a, b)


def _latest(a: date | None, b: date | None) -> date | None:
    return b if a is None else a if b is None else max(a, b)
