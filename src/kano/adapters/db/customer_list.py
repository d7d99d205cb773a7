"""The customer list a CX lead works from: filtered, sorted, paged, and exported whole.

Filters: a text found in the name, e-mail or external id; kind (account | person); region;
industry; the primary business segment (``Customer.segment_id``, ``-`` for none); and
membership now of any segment (rule, computed or manual, through
:func:`kano.adapters.db.segments.customers_in_segment`). Every query is bound to the
workspace.

Two behaviour columns: revenue in the 12 months to the facts' moment and the day of the
last order before it — :mod:`kano.adapters.db.customer_facts`, the one definition segment
rules and value tiers use too. The list reads the stored facts of the last segment refresh
and says as of when they hold (:class:`ListFacts`) and how many orders and customers came
after; before any refresh it computes the same facts on the fly, as of now.

Speed on 10⁵ customers: a page is one query (plus the count). Sorted by a customer column,
the page's 50 ids are chosen first and only their facts are joined; sorted by revenue or
last order, the page is an ordered read of the facts' ``(workspace, value, customer)``
index (the last order: the dated customers first, then those who never ordered). While
customers created after the refresh have no facts yet, the list joins every customer to
the facts instead, slower but complete. ``bench/customer_list.py`` and bench/RESULTS.md
have the timings on PostgreSQL, 10⁵ customers and 10⁶ orders.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from kano.adapters.db.customer_facts import (
    FactsStatus,
    facts_query,
    facts_status,
    stored_facts,
    window_start,
)
from kano.adapters.db.orm import Customer, CustomerFactsRow, Segment, utcnow

PAGE_SIZE = 50
NO_SEGMENT = "-"  # the primary-segment filter's value for "no segment"
KINDS = ("account", "person")
SORTS = ("name", "external_id", "kind", "region", "industry", "segment", "revenue_12m",
         "last_order")
FACT_SORTS = ("revenue_12m", "last_order")


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


@dataclass(frozen=True)
class ListFacts:
    """As of when the list's 12-month revenue and last order hold: ``stored`` is the
    status of the facts the last segment refresh stored, None when there are none yet
    (then they are computed for the list as of ``as_of``, the moment of the view)."""

    as_of: datetime
    stored: FactsStatus | None

    @property
    def window(self) -> tuple[datetime, datetime]:
        """The first moment of the 12 months, and the end (not included)."""
        return window_start(self.as_of), self.as_of


def list_facts(session: Session, workspace_id: int) -> ListFacts:
    stored = facts_status(session, workspace_id)
    return ListFacts(stored.as_of if stored is not None else utcnow(), stored)


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


def _rows(session: Session, workspace_id: int, filters: CustomerFilters, facts: ListFacts,
          *, offset: int = 0, limit: int | None) -> list[CustomerRow]:  # fmt: skip
    conditions = _conditions(workspace_id, filters)
    stored = facts.stored
    if stored is not None and filters.sort in FACT_SORTS and not stored.new_customers:
        return _rows_by_stored_fact(session, workspace_id, filters, conditions,
                                    offset=offset, limit=limit)  # fmt: skip
    chosen = None
    if filters.sort not in FACT_SORTS and limit is not None:
        # choose the page first, then join only its customers' facts
        chosen = (select(Customer.id).outerjoin(Segment, _segment_join(workspace_id))
                  .where(*conditions).order_by(*_order(filters)).offset(offset).limit(limit))
    if stored is not None:
        source = stored_facts(workspace_id)
    else:  # not stored yet: the same facts, computed for the customers shown
        narrowed = chosen if chosen is not None else (
            select(Customer.id).where(*conditions) if len(conditions) > 1 else None)
        source = facts_query(workspace_id, facts.as_of, narrowed).subquery("facts")
    revenue = func.coalesce(source.c.revenue_12m, 0.0)
    query = (select(*_columns(revenue, source.c.last_order_at))
             .outerjoin(Segment, _segment_join(workspace_id))
             .outerjoin(source, source.c.customer_id == Customer.id)
             .order_by(*_order(filters, revenue, source.c.last_order_at)))
    if chosen is not None:
        query = query.where(Customer.id.in_(chosen.scalar_subquery()))
    else:
        query = query.where(*conditions).offset(offset)
        if limit is not None:
            query = query.limit(limit)
    return _read(session, query)


def _rows_by_stored_fact(session: Session, workspace_id: int, filters: CustomerFilters,
                         conditions: list[ColumnElement[bool]], *, offset: int,
                         limit: int | None) -> list[CustomerRow]:  # fmt: skip
    """Sorted by a stored fact: an ordered read of its ``(workspace, fact, customer)``
    index, joined to the customers on the way (every customer has a facts row)."""
    table = CustomerFactsRow.__table__
    key = table.c.revenue_12m if filters.sort == "revenue_12m" else table.c.last_order_at

    def ordered(column: Any) -> Any:
        return column.desc() if filters.descending else column.asc()

    base = (select(*_columns(table.c.revenue_12m, table.c.last_order_at))
            .select_from(table).join(Customer, Customer.id == table.c.customer_id)
            .outerjoin(Segment, _segment_join(workspace_id))
            .where(table.c.workspace_id == workspace_id, *conditions))
    unfiltered = len(conditions) == 1  # the workspace only

    def page(value: Any, order: list[Any], skip: int, take: int) -> list[CustomerRow]:
        """``take`` rows after ``skip`` of those whose ``key`` meets ``value``; unfiltered,
        the ids are chosen from the facts' index alone (a deep page skips index entries,
        not joined rows)."""
        if not unfiltered:
            return _read(session, base.where(value).order_by(*order).offset(skip).limit(take))
        chosen = (select(table.c.customer_id)
                  .where(table.c.workspace_id == workspace_id, value)
                  .order_by(*order).offset(skip).limit(take))
        return _read(session, base.where(table.c.customer_id.in_(chosen.scalar_subquery()))
                     .order_by(*order))

    if filters.sort == "revenue_12m":  # never NULL
        order = [ordered(key), ordered(table.c.customer_id)]
        if limit is None:
            return _read(session, base.order_by(*order).offset(offset))
        return page(key.is_not(None), order, offset, limit)
    if limit is None:
        return _read(session, base.order_by(ordered(key).nulls_last(),
                                            ordered(table.c.customer_id)))
    # the dated customers in the index's order, then those who never ordered
    rows = page(key.is_not(None), [ordered(key), ordered(table.c.customer_id)], offset, limit)
    if len(rows) < limit:
        counted = select(func.count()).select_from(table).where(
            table.c.workspace_id == workspace_id, key.is_not(None))
        if not unfiltered:
            counted = counted.join(Customer, Customer.id == table.c.customer_id).where(
                *conditions)
        dated = session.scalar(counted) or 0
        rows += page(key.is_(None), [ordered(table.c.customer_id)], max(offset - dated, 0),
                     limit - len(rows))
    return rows


def _segment_join(workspace_id: int) -> ColumnElement[bool]:
    return and_(Segment.id == Customer.segment_id, Segment.workspace_id == workspace_id)


def _columns(revenue: Any, last_order: Any) -> tuple[Any, ...]:
    return (Customer.id, Customer.external_id, Customer.name, Customer.kind, Customer.email,
            Customer.region, Customer.industry, Segment.key, Segment.name, revenue,
            last_order)  # fmt: skip


def _read(session: Session, query: Select[Any]) -> list[CustomerRow]:
    return [CustomerRow(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7],
                        row[8], float(row[9] or 0.0), row[10])
            for row in session.execute(query)]


def count_customers(session: Session, workspace_id: int, filters: CustomerFilters) -> int:
    return session.scalar(select(func.count()).select_from(Customer)
                          .where(*_conditions(workspace_id, filters))) or 0


def customer_page(session: Session, workspace_id: int, filters: CustomerFilters, *,
                  page_number: int = 1, page_size: int = PAGE_SIZE,
                  facts: ListFacts | None = None) -> tuple[int, list[CustomerRow]]:
    """How many customers match, and those of one page (numbered from 1) in the order
    asked; ``facts``: :func:`list_facts`, when the caller shows it too."""
    filters = filters.cleaned()
    total = count_customers(session, workspace_id, filters)
    offset = (max(page_number, 1) - 1) * page_size
    return total, _rows(session, workspace_id, filters,
                        facts or list_facts(session, workspace_id),
                        offset=offset, limit=page_size)  # fmt: skip


def all_customers(session: Session, workspace_id: int, filters: CustomerFilters,
                  facts: ListFacts | None = None) -> list[CustomerRow]:
    """Every customer the filters match, in the list's order: what a download holds."""
    return _rows(session, workspace_id, filters.cleaned(),
                 facts or list_facts(session, workspace_id), limit=None)
