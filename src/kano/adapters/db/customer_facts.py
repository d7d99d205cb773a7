"""The one definition of a customer's 12-month facts, and the table that keeps them.

**12-month revenue** (and margin, orders) of a customer *as of* a moment ``T`` is the sum
over their orders with ``T − 12 calendar months ≤ occurred_at < T`` — "the 12 months to
T": as of 7 Dec 2026 05:40 UTC, the orders from 7 Dec 2025 05:40 up to (not including)
7 Dec 2026 05:40. 12 months before 29 February is 28 February. The *last order* is the
latest order before ``T``. :func:`window_start` and :func:`facts_query` are the only place
this is written: segment rules (``revenue_12m``, ``margin_12m``, ``orders_12m``,
``days_since_last_order``), value tiers and the customer list (page, CSV, XLSX) all read
it, so a rule "revenue_12m ≥ 50,000" and the list's revenue column show the same number.

Stored: :func:`refresh_facts` computes every customer's facts as of ``T`` (one
aggregate over the orders, set-based) and writes to ``customer_facts`` only the rows whose
values differ from those stored — an upsert of the changed and new customers — with a
``customer_facts_runs`` row saying ``T`` and the newest order and customer it saw. The
segment refresh calls it (the daily worker job, after each warehouse load, the Refresh
buttons), then compiles rules against the table, so members and list agree exactly.
Rewriting every row cost more than the aggregate itself (10⁵ customers, 10⁶ orders on
PostgreSQL: the aggregate ≈ 5 s, the DELETE + INSERT of 10⁵ rows with their three indexes
and two foreign-key checks ≈ 8 s); a refresh a day later changes a few per cent of the
rows. The aggregate gets enough ``work_mem`` for an in-memory hash aggregate over a
sequential scan (≈ 2.5 s) instead of an index scan visiting the orders' heap in customer
order. Figures: bench/RESULTS.md, ``bench/customer_list.py``.

Freshness: :func:`facts_status` tells as of when the facts hold and how many orders and
customers were recorded after they were computed (by id: an order deleted or edited in
place since is not noticed until the next refresh). The list states its "as of" and says
when newer orders exist; it never hides that its numbers are older than the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, delete, func, insert, literal, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kano.adapters.db.orm import (
    Customer,
    CustomerFactsRow,
    CustomerFactsRunRow,
    Transaction,
    utcnow,
)

WINDOW_MONTHS = 12
#: Counting orders recorded since the facts stops here ("more than 10,000").
NEW_ORDERS_CAP = 10_000
FACT_COLUMNS = ("customer_id", "workspace_id", "revenue_12m", "margin_12m", "orders_12m",
                "last_order_at")  # fmt: skip
_LOCK_BASE = 0x4B414E4F_0000  # "KANO" ≪ 16: PostgreSQL advisory locks per workspace
#: PostgreSQL memory for the refresh's hash aggregate: 10⁵ customers' groups take ≈ 25 MB;
#: with the default 4 MB the planner walks the (customer, time) index through the heap.
AGGREGATE_WORK_MEM = "64MB"
#: Stored revenue and margin are rewritten when they differ by more than this share of
#: the fresh value (sums of the same amounts in another order differ in the last bits, a
#: few parts in 10**16 a term: at a key account's 10**10 forints or yen that is more than
#: a millionth of the unit, and an absolute bound alone rewrote unchanged rows) …
MONEY_RELATIVE_TOLERANCE = 1e-12
#: … and by more than this amount, for values near zero.
MONEY_TOLERANCE = 1e-6


def window_start(as_of: datetime) -> datetime:
    """The first moment of the 12 months to ``as_of``: the same day and time a year
    earlier (28 February for 29 February)."""
    months = as_of.year * 12 + as_of.month - 1 - WINDOW_MONTHS
    year, month = divmod(months, 12)
    month += 1
    day = as_of.day
    while True:
        try:
            return as_of.replace(year=year, month=month, day=day)
        except ValueError:  # 29–31 in a shorter month
            day -= 1


def facts_query(workspace_id: int, as_of: datetime,
                only: Select[Any] | None = None) -> Select[Any]:
    """Every customer of the workspace (or those ``only`` selects) with their facts as of
    ``as_of``: columns as in :data:`FACT_COLUMNS`; customers without orders have zeros
    and no last order."""
    recent = and_(Transaction.occurred_at >= window_start(as_of),
                  Transaction.occurred_at < as_of)
    orders = (
        select(Transaction.customer_id.label("customer_id"),
               func.sum(case((recent, Transaction.amount), else_=0.0)).label("revenue"),
               func.sum(case((recent, Transaction.margin), else_=0.0)).label("margin"),
               func.sum(case((recent, 1), else_=0)).label("orders"),
               func.max(Transaction.occurred_at).label("last_order_at"))
        .where(Transaction.workspace_id == workspace_id, Transaction.occurred_at < as_of)
        .group_by(Transaction.customer_id)
    )  # fmt: skip
    if only is not None:
        orders = orders.where(Transaction.customer_id.in_(only))
    grouped = orders.subquery("orders")
    query = (
        select(Customer.id.label("customer_id"), Customer.workspace_id.label("workspace_id"),
               func.coalesce(grouped.c.revenue, 0.0).label("revenue_12m"),
               func.coalesce(grouped.c.margin, 0.0).label("margin_12m"),
               func.coalesce(grouped.c.orders, 0).label("orders_12m"),
               grouped.c.last_order_at.label("last_order_at"))
        .outerjoin(grouped, grouped.c.customer_id == Customer.id)
        .where(Customer.workspace_id == workspace_id)
    )  # fmt: skip
    if only is not None:
        query = query.where(Customer.id.in_(only))
    return query


def stored_facts(workspace_id: int) -> Any:
    """The stored facts of the workspace, as a subquery with :data:`FACT_COLUMNS`."""
    table = CustomerFactsRow.__table__
    return (select(*(table.c[name] for name in FACT_COLUMNS))
            .where(table.c.workspace_id == workspace_id).subquery("facts"))


@dataclass(frozen=True)
class FactsStatus:
    as_of: datetime
    computed_at: datetime
    new_orders: int  # recorded after the facts were computed (capped at NEW_ORDERS_CAP + 1)
    new_customers: int  # created after: the stored facts have no row for them

    @property
    def window_start(self) -> datetime:
        return window_start(self.as_of)

    @property
    def stale(self) -> bool:
        return bool(self.new_orders or self.new_customers)


def _newest(session: Session, workspace_id: int) -> tuple[int, int]:
    last_transaction = session.scalar(select(func.max(Transaction.id))
                                      .where(Transaction.workspace_id == workspace_id))
    last_customer = session.scalar(select(func.max(Customer.id))
                                   .where(Customer.workspace_id == workspace_id))
    return int(last_transaction or 0), int(last_customer or 0)


def refresh_facts(session: Session, workspace_id: int, as_of: datetime) -> FactsStatus:
    """Recompute every customer's facts as of ``as_of`` and store those that changed.

    Afterwards the table holds exactly :func:`facts_query` for the workspace: rows of new
    customers are inserted, rows whose values differ are updated, rows of customers no
    longer in the workspace are deleted, and the others are not written at all."""
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:  # one refresh of a workspace at a time
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                        {"key": _LOCK_BASE + workspace_id})
    last_transaction, last_customer = _newest(session, workspace_id)
    table = CustomerFactsRow.__table__
    session.execute(delete(table).where(
        table.c.workspace_id == workspace_id,
        table.c.customer_id.not_in(select(Customer.id).where(
            Customer.workspace_id == workspace_id))))  # fmt: skip
    if postgres:
        previous = session.scalar(text("SELECT current_setting('work_mem')"))
        session.execute(text("SELECT set_config('work_mem', :value, true)"),
                        {"value": AGGREGATE_WORK_MEM})  # for the upsert only
    session.execute(_upsert_changed(postgres, workspace_id, as_of))
    if postgres:
        session.execute(text("SELECT set_config('work_mem', :value, true)"),
                        {"value": previous})
    runs = CustomerFactsRunRow.__table__
    session.execute(delete(runs).where(runs.c.workspace_id == workspace_id))
    now = utcnow()
    session.execute(insert(runs).values(
        workspace_id=workspace_id, as_of=as_of, computed_at=now,
        last_transaction_id=last_transaction, last_customer_id=last_customer))  # fmt: skip
    return FactsStatus(as_of, now, 0, 0)


def _upsert_changed(postgres: bool, workspace_id: int, as_of: datetime) -> Any:
    """INSERT … SELECT of the fresh facts that differ from the stored ones (or have no
    stored row), ON CONFLICT updating the stored row."""
    table = CustomerFactsRow.__table__
    fresh = facts_query(workspace_id, as_of).subquery("fresh")
    values = [name for name in FACT_COLUMNS if name != "customer_id"]
    differs = [table.c[name].is_distinct_from(fresh.c[name])
               for name in ("workspace_id", "orders_12m", "last_order_at")]
    # sums of the same amounts in another order (a parallel aggregate) differ in the last
    # bits: a change below a millionth of the currency unit, or below a trillionth of the
    # value, is no change
    for name in ("revenue_12m", "margin_12m"):
        change = func.abs(table.c[name] - fresh.c[name])
        differs.append(and_(change > MONEY_TOLERANCE,
                            change > MONEY_RELATIVE_TOLERANCE * func.abs(fresh.c[name])))
    changed = (
        select(*(fresh.c[name] for name in FACT_COLUMNS))
        .outerjoin(table, table.c.customer_id == fresh.c.customer_id)
        .where(or_(table.c.customer_id.is_(None), *differs))
    )  # fmt: skip
    dialect: Any = postgresql if postgres else sqlite
    statement = dialect.insert(table).from_select(list(FACT_COLUMNS), changed)
    return statement.on_conflict_do_update(
        index_elements=[table.c.customer_id],
        set_={name: statement.excluded[name] for name in values})


def facts_status(session: Session, workspace_id: int) -> FactsStatus | None:
    """As of when the workspace's stored facts hold and what was recorded since; None
    when they were never computed."""
    run = session.get(CustomerFactsRunRow, workspace_id)
    if run is None:
        return None
    newer_orders = (select(literal(1)).where(Transaction.workspace_id == workspace_id,
                                             Transaction.id > run.last_transaction_id)
                    .limit(NEW_ORDERS_CAP + 1).subquery())  # fmt: skip
    new_orders = session.scalar(select(func.count()).select_from(newer_orders)) or 0
    new_customers = session.scalar(select(func.count()).select_from(Customer).where(
        Customer.workspace_id == workspace_id, Customer.id > run.last_customer_id)) or 0
    return FactsStatus(run.as_of, run.computed_at, int(new_orders), int(new_customers))
