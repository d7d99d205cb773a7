"""The one definition of a customer's 12-month facts, and the table that keeps them.

**12-month revenue** (and margin, orders) of a customer *as of* a moment ``T`` is the sum
over their orders with ``T − 12 calendar months ≤ occurred_at < T`` — "the 12 months to
T": as of 7 Dec 2026 05:40 UTC, the orders from 7 Dec 2025 05:40 up to (not including)
7 Dec 2026 05:40. 12 months before 29 February is 28 February. The *last order* is the
latest order before ``T``. :func:`window_start` and :func:`facts_query` are the only place
this is written: segment rules (``revenue_12m``, ``margin_12m``, ``orders_12m``,
``days_since_last_order``), value tiers and the customer list (page, CSV, XLSX) all read
it, so a rule "revenue_12m ≥ 50,000" and the list's revenue column show the same number.

Stored: :func:`refresh_facts` writes every customer's facts as of ``T`` to
``customer_facts`` (one DELETE and one INSERT … SELECT, set-based), with a
``customer_facts_runs`` row saying ``T`` and the newest order and customer it saw. The
segment refresh calls it (the daily worker job, after each warehouse load, the Refresh
buttons), then compiles rules against the table, so members and list agree exactly.

Freshness: :func:`facts_status` tells as of when the facts hold and how many orders and
customers were recorded after they were computed (by id: an order deleted or edited in
place since is not noticed until the next refresh). The list states its "as of" and says
when newer orders exist; it never hides that its numbers are older than the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, delete, func, insert, literal, select, text
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
    """Recompute and store every customer's facts as of ``as_of`` (two statements)."""
    if session.get_bind().dialect.name == "postgresql":  # one refresh of a workspace at a time
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                        {"key": _LOCK_BASE + workspace_id})
    last_transaction, last_customer = _newest(session, workspace_id)
    table = CustomerFactsRow.__table__
    session.execute(delete(table).where(table.c.workspace_id == workspace_id))
    session.execute(insert(table).from_select(list(FACT_COLUMNS),
                                              facts_query(workspace_id, as_of)))
    runs = CustomerFactsRunRow.__table__
    session.execute(delete(runs).where(runs.c.workspace_id == workspace_id))
    now = utcnow()
    session.execute(insert(runs).values(
        workspace_id=workspace_id, as_of=as_of, computed_at=now,
        last_transaction_id=last_transaction, last_customer_id=last_customer))  # fmt: skip
    return FactsStatus(as_of, now, 0, 0)


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
