"""The customer list (``/customers``): filters, sortable columns, paging, and the filtered
list as CSV or XLSX (``/customers.csv``, ``/customers.xlsx``).

The filters are a GET form, so they live in the URL: a link, a bookmark and the download
buttons carry them. The query is :mod:`kano.adapters.db.customer_list` (one query per page,
fast on 10⁵ customers); a download holds every customer the filters match, in the page's
order, with the headers in the reader's language. The 12-month columns name their moment
in their titles ("Revenue, 12 months to 2026-12-07 05:40 UTC (EUR)"), so the first row
stays the header a spreadsheet sorts by; the XLSX adds a second sheet saying as of when
the figures hold, the window, and what was recorded after them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.responses import Response

from kano.adapters.db.customer_facts import NEW_ORDERS_CAP
from kano.adapters.db.customer_list import (
    NO_SEGMENT,
    PAGE_SIZE,
    SORTS,
    CustomerFilters,
    CustomerRow,
    ListFacts,
    all_customers,
    customer_page,
    filter_choices,
    list_facts,
)
from kano.adapters.exports.table_files import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    Line,
    money_format,
    table_csv,
    table_xlsx,
)
from kano.adapters.web.attribute_labels import INDUSTRY_LABELS, REGION_LABELS
from kano.adapters.web.deps import CsrfChecked, DbSession, SignedInPage, Web
from kano.adapters.web.labels import vocabulary_filter
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.routes.segments import (
    REFRESHED_WITHOUT_WAREHOUSE,
    may_change,
    refresh_all_and_return,
)
from kano.adapters.web.routes.value import workspace_currency
from kano.adapters.web.strategy_access import no_workspace, not_found
from kano.adapters.web.strategy_exports import download

router = APIRouter()

KIND_LABELS = {"account": N_("Account"), "person": N_("Person")}
COLUMN_LABELS = {
    "name": N_("Name"), "external_id": N_("External id"), "kind": N_("Kind"),
    "region": N_("Region"), "industry": N_("Industry"), "segment": N_("Segment"),
    "email": N_("E-mail"), "revenue_12m": N_("Revenue, last 12 months"),
    "last_order": N_("Last order"),
}
FILE_COLUMNS = ("name", "external_id", "kind", "email", "region", "industry", "segment",
                "revenue_12m", "last_order")
XLSX_WIDTHS = (30, 16, 10, 30, 14, 18, 22, 24, 20)


def list_filters(q: str = "", kind: str = "", region: str = "", industry: str = "",
                 segment: str = "", member_of: str = "", sort: str = "name",
                 order: str = "asc") -> CustomerFilters:
    return CustomerFilters(q, kind or None, region or None, industry or None, segment or None,
                           member_of or None, sort, order == "desc").cleaned()


def filter_query(filters: CustomerFilters, **changes: object) -> str:
    """The query string of the list with these filters (and ``changes``: a sort, a page)."""
    asked: dict[str, object] = {
        "q": filters.search, "kind": filters.kind, "region": filters.region,
        "industry": filters.industry, "segment": filters.segment,
        "member_of": filters.member_of,
        "sort": filters.sort if filters.sort != "name" else None,
        "order": "desc" if filters.descending else None,
    }
    asked.update(changes)
    return urlencode({name: value for name, value in asked.items() if value})


def sort_link(filters: CustomerFilters, column: str) -> str:
    """The list sorted by ``column``: ascending first, flipped when it is already the sort
    (money and days start with the largest, as a CX lead reads them)."""
    if filters.sort == column:
        descending = not filters.descending
    else:
        descending = column in ("revenue_12m", "last_order")
    return "/customers?" + filter_query(filters, sort=column,
                                        order="desc" if descending else "asc")


@router.get("/customers")
def customer_list(page: SignedInPage, db: DbSession, q: str = "", kind: str = "",
                  region: str = "", industry: str = "", segment: str = "",
                  member_of: str = "", sort: str = "name", order: str = "asc",
                  page_number: int = 1, notice: str = "") -> Response:
    if page.workspace is None:
        return no_workspace(page)
    filters = list_filters(q, kind, region, industry, segment, member_of, sort, order)
    page_number = min(max(page_number, 1), 10**6)
    facts = list_facts(db, page.workspace.id)
    total, rows = customer_page(db, page.workspace.id, filters, page_number=page_number,
                                facts=facts)  # fmt: skip
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return page.render(
        "customers/index.html", active="customers", customers=rows, total=total,
        filters=filters, choices=filter_choices(db, page.workspace.id),
        page_number=page_number, pages=pages, no_segment=NO_SEGMENT,
        kind_labels=KIND_LABELS, column_labels=COLUMN_LABELS, sorts=SORTS,
        sort_link=lambda column: sort_link(filters, column),
        page_link=lambda number: "/customers?" + filter_query(filters, page_number=number),
        download_query=filter_query(filters), facts=facts, new_orders_cap=NEW_ORDERS_CAP,
        can_refresh=may_change(page),
        notice=page.gettext(REFRESHED_WITHOUT_WAREHOUSE) if notice == "warehouse" else None,
        currency=workspace_currency(page),
    )  # fmt: skip


@router.post("/customers/_facts/refresh", dependencies=[CsrfChecked])
def refresh_figures(page: SignedInPage, web: Web, db: DbSession) -> Response:
    """"Refresh now" on the list: the segment refresh, which stores every customer's
    12-month facts as of now, so the list and the segments stay on one moment."""
    return refresh_all_and_return(page, web, db, "/customers")


def file_lines(rows: list[CustomerRow], gettext: Callable[[str], str],
               currency: str) -> list[Line]:
    region = vocabulary_filter(REGION_LABELS, gettext)
    industry = vocabulary_filter(INDUSTRY_LABELS, gettext)
    money = money_format(currency)
    formats = (None,) * 7 + (money, None)
    return [Line([
        row.name, row.external_id, gettext(KIND_LABELS.get(row.kind, row.kind)), row.email,
        region(row.region) if row.region else None,
        industry(row.industry) if row.industry else None,
        row.segment_name, round(row.revenue_12m, 2),
        row.last_order.date() if row.last_order else None,
    ], formats) for row in rows]


REVENUE_TITLE = N_("Revenue, 12 months to %(moment)s UTC")
LAST_ORDER_TITLE = N_("Last order before %(moment)s UTC")


def file_moment(moment: datetime) -> str:
    """The facts' moment in a column title: "2026-12-07 05:40", the same in every language
    (the file's other times are ISO too)."""
    return moment.strftime("%Y-%m-%d %H:%M")


def file_header(gettext: Callable[[str], str], currency: str,
                facts: ListFacts | None = None) -> list[str]:
    """The files' header row; with ``facts``, the 12-month columns say as of when."""
    header = [gettext(COLUMN_LABELS[column]) for column in FILE_COLUMNS]
    if facts is not None:
        moment = {"moment": file_moment(facts.as_of)}
        header[FILE_COLUMNS.index("revenue_12m")] = gettext(REVENUE_TITLE) % moment
        header[FILE_COLUMNS.index("last_order")] = gettext(LAST_ORDER_TITLE) % moment
    header[FILE_COLUMNS.index("revenue_12m")] += f" ({currency})"
    return header


def facts_notes(gettext: Callable[[str], str], facts: ListFacts) -> list[tuple[str, Any]]:
    """The XLSX's second sheet: as of when the 12-month columns hold and what came after."""
    start, end = facts.window
    notes: list[tuple[str, Any]] = [
        (gettext("12-month figures as of (UTC)"), facts.as_of),
        (gettext("Orders counted from (UTC, included)"), start),
        (gettext("Orders counted up to (UTC, not included)"), end),
    ]
    if facts.stored is None:
        notes.append((gettext("Computed"), gettext("for this download")))
        return notes
    notes.append((gettext("Computed by the segment refresh at (UTC)"), facts.stored.computed_at))
    new_orders: Any = facts.stored.new_orders
    if new_orders > NEW_ORDERS_CAP:
        new_orders = f"{NEW_ORDERS_CAP}+"
    notes.append((gettext("Orders recorded since, not in these figures"), new_orders))
    notes.append((gettext("Customers recorded since, not in these figures"),
                  facts.stored.new_customers))
    return notes


@router.get("/customers.{extension}")
def customer_file(page: SignedInPage, db: DbSession, extension: str, q: str = "",
                  kind: str = "", region: str = "", industry: str = "", segment: str = "",
                  member_of: str = "", sort: str = "name", order: str = "asc") -> Response:
    """The customers the list's filters match, every page of them, as CSV or XLSX."""
    if page.workspace is None:
        return no_workspace(page)
    if extension not in ("csv", "xlsx"):
        return not_found(page, "customers")
    filters = list_filters(q, kind, region, industry, segment, member_of, sort, order)
    currency = workspace_currency(page)
    facts = list_facts(db, page.workspace.id)  # one moment for the rows and the titles
    rows = all_customers(db, page.workspace.id, filters, facts)
    header = file_header(page.gettext, currency, facts)
    lines = file_lines(rows, page.gettext, currency)
    if extension == "csv":
        return download(table_csv(header, lines), CSV_MEDIA_TYPE, "customers.csv")
    return download(table_xlsx(header, lines, sheet_title=page.gettext("Customers"),
                               widths=XLSX_WIDTHS, notes=facts_notes(page.gettext, facts),
                               notes_title=page.gettext("About these figures")),
                    XLSX_MEDIA_TYPE, "customers.xlsx")  # fmt: skip
