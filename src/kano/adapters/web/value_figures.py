"""The customer-value analyses of one workspace as the web pages ask for them: kept with the
warehouse's other figures, narrowed to one client-matrix cell, with the customers named.

The value pages, their exports, customer 360 and the server's warm-up
(:mod:`kano.adapters.web.warm_figures`) share these, so each asks the same questions and a
figure computed for one is reused by the others until the warehouse changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import Customer
from kano.adapters.web.deps import SignedInPageContext
from kano.adapters.web.page_figures import WarehouseVisit
from kano.analytics.value.matrix_levels import LEVELS
from kano.domain.shared.currency import DEFAULT_CURRENCY
from kano.domain.shared.errors import InvalidInput

T = TypeVar("T")
Memo = Callable[[tuple[Any, ...], Callable[[], Any]], Any]
ROWS_SHOWN = 100
MANY_IDS = 2_000  # more ids than a query names one by one


def workspace_currency(page: SignedInPageContext) -> str:
    """The currency the workspace's money is written in (ISO 4217; Settings → Money)."""
    return page.workspace.currency if page.workspace else DEFAULT_CURRENCY


def day_option(text: str | None, name: str) -> date | None:
    """A page's day option (YYYY-MM-DD); empty for none."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise InvalidInput(name, f"{text!r} is not a date (YYYY-MM-DD)") from error


def money_option(text: str, name: str) -> float:
    """An amount typed the way people do ("12 500,50"); empty is nothing."""
    if not text:
        return 0.0
    try:
        value = float(text.replace(" ", "").replace(",", "."))
    except ValueError as error:
        raise InvalidInput(name, f"{text!r} is not a number") from error
    if value < 0:
        raise InvalidInput(name, "must not be negative")
    return value


def cell_option(text: str | None) -> tuple[str, str] | None:
    """``high-low`` → ("high", "low"); anything else → no cell filter."""
    if not text or "-" not in text:
        return None
    attractiveness, _sep, relationship = text.partition("-")
    if attractiveness in LEVELS and relationship in LEVELS:
        return attractiveness, relationship
    return None


def only(rows: list[dict[str, Any]], members: set[int] | None) -> list[dict[str, Any]]:
    """The rows of ``members`` (all of them when None)."""
    return rows if members is None else [r for r in rows if int(r["customer_id"]) in members]


@dataclass(frozen=True)
class Analyses:
    """The workspace's analyses on the warehouse as loaded now, kept (``PAGE_FIGURES``)
    until the warehouse changes, so that the next visit, the next page or the next
    customer's 360 page reuses them without opening the warehouse."""

    visit: WarehouseVisit
    workspace_id: int

    def run(self, analysis: Callable[..., T], **options: Any) -> T:
        # Imported here: the value models load sklearn/scipy, which start-up must not pay.
        from kano.analytics.value import views

        return views.remembered(value_memo(self.visit), analysis, self.visit.backend_on_use,
                                self.workspace_id, **options)  # fmt: skip

    def in_cell(self, segment: str | None, cell: tuple[str, str] | None) -> set[int] | None:
        """The accounts placed in ``cell`` today (None: no filter)."""
        # Imported here: the value models load sklearn/scipy, which start-up must not pay.
        from kano.analytics.value import views

        if cell is None:
            return None
        placed = self.run(views.matrix_view, segment=segment).accounts
        return {
            int(a["customer_id"])
            for a in placed
            if (a["attractiveness_level"], a["relationship_level"]) == cell
        }

    def listed(
        self, segment: str, cell: str, rows: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The rows of the chosen matrix cell, and the page's table of them: the first
        ``ROWS_SHOWN`` and how many there are."""
        chosen = only(rows, self.in_cell(segment or None, cell_option(cell)))
        return chosen, {"customers": chosen[:ROWS_SHOWN], "count": len(chosen)}


def value_memo(visit: WarehouseVisit) -> Memo:
    """The analytics' ``memo`` on the visit's kept figures; one question per analysis and
    options, shared by the value pages, their exports and customer 360."""
    return lambda key, work: visit.figure(("value", *key), work)


def segment_keys(visit: WarehouseVisit, workspace_id: int) -> list[str]:
    """The warehouse's segment keys of the workspace (kept with the other figures)."""

    def read() -> list[str]:
        table = visit.backend.table("segments")
        keys = table.filter(table.workspace_id == workspace_id).select("key").to_pandas()
        return sorted(map(str, keys["key"]))

    return visit.figure(("segment keys",), read)


def clv_fits(
    a: Analyses, segment: str, pooled: bool, horizon: float = 52.0
) -> tuple[Any, Any, Any]:
    """The CLV view, the holdout check's buckets and its problems (the /value/clv page's
    questions, also asked by the server's warm-up); ``ClvNotFitted`` when no segment fits.
    A segment that cannot be fitted is named on the page with why; the others show. The
    holdout check fits less data, so it can fail where the full fit did not."""
    from kano.analytics.value import views  # loads scipy: not at start-up

    view = a.run(views.clv_view, segment=segment or None, pooled=pooled, horizon=horizon)
    try:
        check = a.run(views.clv_view, segment=segment or None, pooled=pooled, holdout=26.0)
    except views.ClvNotFitted as error:
        return view, [], error.problems
    return view, check.holdout, check.problems


def customer_cards(
    db: Session, workspace_id: int, rows: Iterable[dict[str, Any]]
) -> dict[int, tuple[str, str]]:
    """Each customer of ``rows`` as the app database holds them now: (external id, name)."""
    ids = {int(row["customer_id"]) for row in rows}
    if not ids:
        return {}
    query = select(Customer.id, Customer.external_id, Customer.name).where(
        Customer.workspace_id == workspace_id)
    if len(ids) <= MANY_IDS:  # an export of every customer reads the workspace's list once
        query = query.where(Customer.id.in_(ids))
    return {int(customer_id): (external_id, name)
            for customer_id, external_id, name in db.execute(query) if customer_id in ids}


def customer_names(db: Session, workspace_id: int, rows: list[dict[str, Any]]) -> dict[int, str]:
    """The names of the customers in ``rows`` as the app database holds them now (a name
    changed on the customer's page shows at once; the warehouse has it as of its last
    load), so the tables list people and companies, not internal numbers."""
    return {key: name for key, (_id, name) in customer_cards(db, workspace_id, rows).items()}
