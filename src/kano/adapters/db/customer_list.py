"""The customer list a CX lead works from: filtered, sorted, paged, and exported whole.

Filters: a text found in the name, e-mail or external id; kind (account | person); region;
industry; the primary business segment (``Customer.segment_id``, ``-`` for none); and
membership now of any segment (rule, computed or manual, through
:func:`kano.adapters.db.segments.customers_in_segment`). Every query is bound to the
workspace.

Two behaviour columns come from the transactions: revenue in the last 12 months — the
twelve calendar months that end with the month of the workspace's latest transaction, as
on the home page, so a demo generated last year still shows a full year — and the day of
the last order (of any age).

Speed on 10⁵ customers: a page is one query (plus the count and the data end). Sorted by
a customer column, the page's 50 ids are chosen first and only their transactions are
summed (the ``(workspace, customer, time)`` index); sorted by revenue or last order, the
(filtered) customers' transactions are summed once, grouped by customer, in the same query.
``bench/customer_list.py`` on PostgreSQL, 10⁵ customers and 10⁶ orders, a busy 2-core
machine (2026-12-07): a page by name 0.3 s (page 1,000: 0.6–0.9 s); filtered pages and
their download 0.2–0.7 s, sorted by revenue too; but the whole list by revenue or by last
order 3–6 s: that sort aggregates every order. A per-customer facts table kept by the
segment refresh would make it an index read (not done yet).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import Customer, Segment, Transaction

PAGE_SIZE = 50
NO_SEGMENT = "-"  # the primary-segment filter's value for "no segment"
KINDS = ("account", "person")
SORTS = ("name", "external_id", "kind", "region", "industry", "segment", "revenue_12m",
         "last_order")
FACT_SORTS = ("revenue_12m", "last_order")
WINDOW_MONTHS = 12


@dataclass(frozen=True)
class CustomerFilters:
    """What the list shows, as the page's GET form (and a download link) asks for it."""

    search: str = ""
    kind: str | None = None
    region: str | None = None
    industry: str | None = None
    segment: str | None = None  # the primary segment's key, or NO_SEGMENT
    member_of: str | None = None  # a segment key: customers in it now
    sort: str = "name"
    descending: bool = False

    def cleaned(self) -> CustomerFilters:
        """Unknown values fall back to "any" / the default order instead of failing."""
        return replace(
            self, search=self.search.strip()[:200],
            kind=self.kind if self.kind in KINDS else None,
            region=(self.region or "")[:64] or None,
            industry=(self.industry or "")[:64] or None,
            segment=(self.segment or "")[:64] or None,
            member_of=(self.member_of or "")[:64] or None,
            sort=self.sort if self.sort in SORTS else "name",
        )  # fmt: skip


@dataclass(frozen=True)
class CustomerRow:
    id: int
    external_id: str
    name: str
    kind: str
    email: str | None
    region: str | None
    industry: str | None
    segment_key: str | None
    segment_name: str | None
    revenue_12m: float
    last_order: datetime | None


@dataclass(frozen=True)
class FilterChoices:
    regions: list[str]
    industries: list[str]
    segments: list[tuple[str, str]]  # key, name


def window_start(latest: datetime | None) -> datetime | None:
    """The first moment of the 12 calendar months that end with ``latest``'s month."""
    if latest is None:
        return None
    months = latest.year * 12 + latest.month - 1 - (WINDOW_MONTHS - 1)
    return datetime(months // 12, months % 12 + 1, 1)


def revenue_window(session: Session, workspace_id: int) -> tuple[date, date] | None:
    """The first and last day of the revenue window (None: the workspace has no orders)."""
    latest = _latest_order(session, workspace_id)
    start = window_start(latest)
    return None if start is None or latest is None else (start.date(), latest.date())


def _latest_order(session: Session, workspace_id: int) -> datetime | None:
    return session.scalar(select(func.max(Transaction.occurred_at))
                          .where(Transaction.workspace_id == workspace_id))


def filter_choices(session: Session, workspace_id: int) -> FilterChoices:
    def distinct(column: Any) -> list[str]:
        return [str(value) for value in session.scalars(
            select(column).where(Customer.workspace_id == workspace_id, column.is_not(None),
                                 column != "").distinct().order_by(column))]
    segments = [(key, name) for key, name in session.execute(
        select(Segment.key, Segment.name).where(Segment.workspace_id == workspace_id)
        .order_by(Segment.name, Segment.key))]
    return FilterChoices(distinct(Customer.region), distinct(Customer.industry), segments)


def _conditions(workspace_id: int, filters: CustomerFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Customer.workspace_id == workspace_id]
    if filters.search:
        pattern = f"%{filters.search.lower()}%"
        conditions.append(or_(func.lower(Customer.name).like(pattern),
                              func.lower(Customer.email).like(pattern),
                              func.lower(Customer.external_id).like(pattern)))
    if filters.kind:
        conditions.append(Customer.kind == filters.kind)
    if filters.region:
        conditions.append(Customer.region == filters.region)
    if filters.industry:
        conditions.append(Customer.industry == filters.industry)
    if filters.segment == NO_SEGMENT:
        conditions.append(Customer.segment_id.is_(None))
    elif filters.segment:
        conditions.append(Customer.segment_id.in_(
            select(Segment.id).where(Segment.workspace_id == workspace_id,
                                     Segment.key == filters.segment)))
    if filters.member_of:
        from kano.adapters.db.segments import customers_in_segment

        conditions.append(Customer.id.in_(customers_in_segment(workspace_id,
                                                               filters.member_of)))
    return conditions


def _facts(workspace_id: int, start: datetime | None,
           only: Select[Any] | None = None) -> Select[Any]:
    """Per customer: revenue since ``start`` and the last order, grouped in the database."""
    in_window = (Transaction.occurred_at >= start) if start is not None else None
    revenue = (func.sum(case((in_window, Transaction.amount), else_=0.0))
               if in_window is not None else func.sum(0.0))
    query = (select(Transaction.customer_id.label("customer_id"),
                    revenue.label("revenue_12m"),
                    func.max(Transaction.occurred_at).label("last_order"))
             .where(Transaction.workspace_id == workspace_id)
             .group_by(Transaction.customer_id))
    if only is not None:
        query = query.where(Transaction.customer_id.in_(only))
    return query


def _order(filters: CustomerFilters, revenue: Any = None,
           last_order: Any = None) -> list[Any]:
    """The ORDER BY of the list (``revenue`` and ``last_order``: the facts' columns, needed
    only when the list is sorted by them)."""
    columns: dict[str, Any] = {
        "name": func.lower(Customer.name), "external_id": Customer.external_id,
        "kind": Customer.kind, "region": Customer.region, "industry": Customer.industry,
        "segment": Segment.name, "revenue_12m": revenue, "last_order": last_order,
    }
    column = columns[filters.sort]
    first = column.desc() if filters.descending else column.asc()
    # customers without the value come last either way; the id keeps pages stable
    return [first.nulls_last(), Customer.id.desc() if filters.descending else Customer.id.asc()]


def _rows(session: Session, workspace_id: int, filters: CustomerFilters, *,
          offset: int = 0, limit: int | None) -> list[CustomerRow]:
    start = window_start(_latest_order(session, workspace_id))
    conditions = _conditions(workspace_id, filters)
    segment_join = and_(Segment.id == Customer.segment_id, Segment.workspace_id == workspace_id)
    if filters.sort in FACT_SORTS or limit is None:
        # sum only the filtered customers' orders when a filter narrows the list
        narrowed = (select(Customer.id).where(*conditions)
                    if len(conditions) > 1 else None)
        facts = _facts(workspace_id, start, narrowed).subquery("facts")
        chosen = None
    else:  # choose the page first, then sum only its customers' orders
        chosen = (select(Customer.id).outerjoin(Segment, segment_join).where(*conditions)
                  .order_by(*_order(filters)).offset(offset).limit(limit))
        facts = _facts(workspace_id, start, chosen).subquery("facts")
    revenue = func.coalesce(facts.c.revenue_12m, 0.0)
    query = (select(Customer.id, Customer.external_id, Customer.name, Customer.kind,
                    Customer.email, Customer.region, Customer.industry, Segment.key,
                    Segment.name, revenue, facts.c.last_order)
             .outerjoin(Segment, segment_join)
             .outerjoin(facts, facts.c.customer_id == Customer.id)
             .order_by(*_order(filters, revenue, facts.c.last_order)))
    if chosen is not None:
        query = query.where(Customer.id.in_(chosen.scalar_subquery()))
    else:
        query = query.where(*conditions).offset(offset)
        if limit is not None:
            query = query.limit(limit)
    return [CustomerRow(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7],
                        row[8], float(row[9] or 0.0), row[10])
            for row in session.execute(query)]


def count_customers(session: Session, workspace_id: int, filters: CustomerFilters) -> int:
    return session.scalar(select(func.count()).select_from(Customer)
                          .where(*_conditions(workspace_id, filters))) or 0


def customer_page(session: Session, workspace_id: int, filters: CustomerFilters, *,
                  page_number: int = 1, page_size: int = PAGE_SIZE
                  ) -> tuple[int, list[CustomerRow]]:
    """How many customers match, and those of one page (numbered from 1) in the order asked."""
    filters = filters.cleaned()
    total = count_customers(session, workspace_id, filters)
    offset = (max(page_number, 1) - 1) * page_size
    return total, _rows(session, workspace_id, filters, offset=offset, limit=page_size)


def all_customers(session: Session, workspace_id: int,
                  filters: CustomerFilters) -> list[CustomerRow]:
    """Every customer the filters match, in the list's order: what a download holds."""
    return _rows(session, workspace_id, filters.cleaned(), limit=None)
