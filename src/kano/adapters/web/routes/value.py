"""The customer-value pages: RFM, the 3×3 client matrix, the profit formula, CLV and churn.

They show the numbers of :mod:`kano.analytics.value.views` (the same as ``kano value …`` and
``/api/v1/value/…``), computed on the warehouse when first opened (about a second each on
the demo), then kept until the warehouse changes (:mod:`kano.adapters.web.page_figures`).
Every page exports its per-customer table as CSV or XLSX, and every customer list can be
narrowed to one client-matrix cell (``cell=high-low``: attractiveness, relationship).
Customers are listed by the name the app database holds, each linked to their 360 page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from kano.adapters.db.orm import Customer
from kano.adapters.web import value_charts as charts
from kano.adapters.web.deps import DbSession, SignedInPage, SignedInPageContext, Web
from kano.adapters.web.labels import SEGMENT_NAMES, segment_names
from kano.adapters.web.page_figures import WarehouseVisit
from kano.adapters.web.rfm_drill import in_rfm_segment, rfm_links
from kano.adapters.web.strategy_access import no_workspace
from kano.adapters.web.value_words import INDUSTRIES
from kano.adapters.web.warehouse_reads import on_kept_warehouse
from kano.analytics.value.matrix_levels import LEVELS
from kano.domain.shared.currency import DEFAULT_CURRENCY
from kano.domain.shared.errors import InvalidInput

router = APIRouter()
T = TypeVar("T")
Memo = Callable[[tuple[Any, ...], Callable[[], Any]], Any]
ROWS_SHOWN = 100
ANALYSES = ("rfm", "matrix", "profit", "clv", "churn")
# The page options its exports take too.
EXPORTED = ("segment", "cell", "as_of", "horizon", "pooled", "method", "months", "industry",
            "costs_before", "costs_after", "rfm")  # fmt: skip
# The columns of each export that hold money (in the workspace's currency); the profit
# levers' before/after mix units (leads, rates, money), only the contribution is money.
MONEY_COLUMNS = {
    "rfm": ("monetary",),
    "matrix": ("revenue_365d",),
    "clv": ("monetary", "expected_spend", "clv"),
    "profit": ("contribution",),
    "churn": (),
}


def workspace_currency(page: SignedInPageContext) -> str:
    """The currency the workspace's money is written in (ISO 4217; Settings → Money)."""
    return page.workspace.currency if page.workspace else DEFAULT_CURRENCY


def _day(text: str | None, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise InvalidInput(name, f"{text!r} is not a date (YYYY-MM-DD)") from error


def _cell(text: str | None) -> tuple[str, str] | None:
    """``high-low`` → ("high", "low"); anything else → no cell filter."""
    if not text or "-" not in text:
        return None
    attractiveness, _sep, relationship = text.partition("-")
    if attractiveness in LEVELS and relationship in LEVELS:
        return attractiveness, relationship
    return None


def _only(rows: list[dict[str, Any]], members: set[int] | None) -> list[dict[str, Any]]:
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
        chosen = _only(rows, self.in_cell(segment or None, _cell(cell)))
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


def customer_names(db: Session, workspace_id: int, rows: list[dict[str, Any]]) -> dict[int, str]:
    """The names of the customers in ``rows`` as the app database holds them now (a name
    changed on the customer's page shows at once; the warehouse has it as of its last
    load), so the tables list people and companies, not internal numbers."""
    ids = {int(row["customer_id"]) for row in rows}
    if not ids:
        return {}
    found = db.execute(select(Customer.id, Customer.name).where(
        Customer.workspace_id == workspace_id, Customer.id.in_(ids)))  # fmt: skip
    return {int(customer_id): name for customer_id, name in found}


def _value_page(
    page: SignedInPageContext,
    web: Web,
    analysis: str,
    work: Callable[[Analyses], dict[str, Any]],
    form: dict[str, Any],
    db: Session | None = None,
) -> Response:
    """Run ``work`` on the workspace's analyses and render ``value/{analysis}.html``; with
    ``db``, the customers it lists (``customers`` or ``accounts``) are named."""
    if page.workspace is None:
        return no_workspace(page)
    workspace_id = page.workspace.id

    def everything(visit: WarehouseVisit) -> dict[str, Any]:
        analyses = Analyses(visit, workspace_id)
        return {"segments": segment_keys(visit, workspace_id), **work(analyses)}

    found, problem = on_kept_warehouse(web, workspace_id, everything, page.gettext)
    listed = (found or {}).get("customers") or (found or {}).get("accounts") or []
    names = customer_names(db, workspace_id, listed) if db is not None else {}
    segments = segment_names(db, workspace_id) if db is not None else {}
    # The files hold what the page shows: its chosen day, horizon, model … travel along.
    export = urlencode({k: v for k, v in form.items() if k in EXPORTED and v})
    return page.render(
        f"value/{analysis}.html",
        currency=workspace_currency(page),
        active=f"value_{analysis}",
        analysis=analysis,
        form=form,
        problem=problem,
        export_query=export,
        levels=LEVELS,
        industries=INDUSTRIES,
        names=names,
        **{SEGMENT_NAMES: segments},
        **(found or {"segments": []}),
    )


@router.get("/value/rfm")
def rfm_page(
    page: SignedInPage,
    web: Web,
    db: DbSession,
    segment: str = "",
    as_of: str = "",
    transitions_from: str = "",
    cell: str = "",
    rfm: str = "",
) -> Response:
    # Imported here: the value models load sklearn/scipy, which start-up must not pay.
    from kano.analytics.value import views

    language = page.language.code
    currency = workspace_currency(page)
    form = {"segment": segment, "as_of": as_of, "transitions_from": transitions_from, "cell": cell,
            "rfm": rfm[:100]}  # fmt: skip

    def work(a: Analyses) -> dict[str, Any]:
        view = a.run(
            views.rfm_view,
            segment=segment or None,
            as_of=_day(as_of, "as_of"),
            transitions_from=_day(transitions_from, "transitions_from"),
        )
        return {
            "view": view,
            # the customers worth most first, as the other value pages list theirs
            **a.listed(segment, cell, in_rfm_segment(
                sorted(view.customers, key=lambda c: -c["monetary"]), form["rfm"]))[1],
            "rfm_links": rfm_links(form, (s["segment"] for s in view.segments)),
            "segments_chart": charts.rfm_segments(view.segments, page.gettext, language, currency),
            "moves_chart": charts.rfm_transitions(view.transitions, page.gettext, language)
            if view.transitions
            else None,
        }

    return _value_page(page, web, "rfm", work, form, db)


@router.get("/value/matrix")
def matrix_page(
    page: SignedInPage,
    web: Web,
    db: DbSession,
    segment: str = "",
    as_of: str = "",
    movements_from: str = "",
    cell: str = "",
) -> Response:
    # Imported here: the value models load sklearn/scipy, which start-up must not pay.
    from kano.analytics.value import views

    language = page.language.code
    currency = workspace_currency(page)
    form = {"segment": segment, "as_of": as_of, "movements_from": movements_from, "cell": cell}

    def work(a: Analyses) -> dict[str, Any]:
        view = a.run(
            views.matrix_view,
            segment=segment or None,
            as_of=_day(as_of, "as_of"),
            movements_from=_day(movements_from, "movements_from"),
        )
        chosen = _cell(cell)
        accounts = [
            a
            for a in view.accounts
            if chosen is None or (a["attractiveness_level"], a["relationship_level"]) == chosen
        ]
        accounts.sort(key=lambda a: -float(a["revenue_365d"]))
        cells = {(c["attractiveness_level"], c["relationship_level"]): c for c in view.cells}
        names = customer_names(db, a.workspace_id, view.accounts)  # the chart's tooltips
        return {
            "view": view,
            "cells": cells,
            "accounts": accounts[:ROWS_SHOWN],
            "count": len(accounts),
            "chosen": chosen,
            "chart": charts.matrix_scatter(view.accounts, page.gettext, language, names, currency),
        }

    return _value_page(page, web, "matrix", work, form, db)


def _money_option(text: str, name: str) -> float:
    if not text:
        return 0.0
    try:
        value = float(text.replace(" ", "").replace(",", "."))
    except ValueError as error:
        raise InvalidInput(name, f"{text!r} is not a number") from error
    if value < 0:
        raise InvalidInput(name, "must not be negative")
    return value


@router.get("/value/profit")
def profit_page(
    page: SignedInPage,
    web: Web,
    db: DbSession,
    segment: str = "",
    months: int = 3,
    industry: str = "generic",
    method: str = "shapley",
    costs_before: str = "",
    costs_after: str = "",
) -> Response:
    # Imported here: the value models load sklearn/scipy, which start-up must not pay.
    from kano.analytics.value import views

    language = page.language.code
    currency = workspace_currency(page)
    months = min(max(months, 1), 24)
    industry = industry if industry in INDUSTRIES else "generic"
    method = method if method in ("shapley", "log") else "shapley"
    form = {
        "segment": segment,
        "months": months,
        "industry": industry,
        "method": method,
        "costs_before": costs_before,
        "costs_after": costs_after,
    }

    def work(a: Analyses) -> dict[str, Any]:
        report = a.run(
            views.profit_view,
            segment=segment or None,
            months=months,
            industry=industry,
            method=method,
            costs_before=_money_option(costs_before, "costs_before"),
            costs_after=_money_option(costs_after, "costs_after"),
        )
        total = sum(lever["contribution"] for lever in report["levers"])
        return {
            "report": report,
            "contributions_total": total,
            "chart": charts.profit_waterfall(report, page.gettext, language, currency),
        }

    return _value_page(page, web, "profit", work, form, db)


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


@router.get("/value/clv")
def clv_page(
    page: SignedInPage,
    web: Web,
    db: DbSession,
    segment: str = "",
    horizon: float = 52.0,
    pooled: bool = False,
    cell: str = "",
) -> Response:
    # Imported here: the value models load sklearn/scipy, which start-up must not pay.
    from kano.analytics.value import views
    from kano.analytics.value.clv import MIN_REPEAT_BUYERS

    language = page.language.code
    currency = workspace_currency(page)
    horizon = min(max(horizon, 1.0), 520.0)
    form = {"segment": segment, "horizon": horizon, "pooled": pooled, "cell": cell}

    def work(a: Analyses) -> dict[str, Any]:
        try:
            view, holdout, holdout_problems = clv_fits(a, segment, pooled, horizon)
        except views.ClvNotFitted as error:  # each segment asked for, why, what to do
            return {"none_fitted": error.problems, "min_repeat_buyers": MIN_REPEAT_BUYERS}
        customers = sorted(view.customers, key=lambda c: -float(c["clv"]))
        chosen, listed = a.listed(segment, cell, customers)
        names = segment_names(db, a.workspace_id)
        return {
            "view": view,
            "parameters": view.parameters(),
            "problems": view.problems,
            "holdout": holdout,
            "holdout_problems": holdout_problems,
            "min_repeat_buyers": MIN_REPEAT_BUYERS,
            **listed,
            "total": sum(float(c["clv"]) for c in chosen),
            "distribution": charts.clv_distribution(
                chosen, page.gettext, language, currency, names
            ),
            "by_segment": charts.clv_by_segment(chosen),
            "holdout_chart": charts.clv_holdout(holdout, page.gettext, language, names),
        }

    return _value_page(page, web, "clv", work, form, db)


@router.get("/value/churn")
def churn_page(
    page: SignedInPage,
    web: Web,
    db: DbSession,
    segment: str = "",
    method: str = "logistic",
    cell: str = "",
) -> Response:
    # Imported here: the value models load sklearn/scipy, which start-up must not pay.
    from kano.analytics.value import views

    language = page.language.code
    method = method if method in ("logistic", "boosting") else "logistic"
    form = {"segment": segment, "method": method, "cell": cell}

    def work(a: Analyses) -> dict[str, Any]:
        try:
            view = a.run(views.churn_view, segment=segment or None, method=method)
        except views.ChurnNotFitted as error:  # why, and what to do, in the page's language
            return {"not_fitted": error}
        return {
            "view": view,
            **a.listed(segment, cell, view.customers)[1],
            "drivers_chart": charts.churn_drivers(
                view.quality["drivers"], page.gettext, language
            ),
            "reliability_chart": charts.churn_reliability(
                view.quality["reliability"], page.gettext, language
            ),
        }

    return _value_page(page, web, "churn", work, form, db)


@router.get("/value/{analysis}.{kind}")
def value_export(
    page: SignedInPage, web: Web, analysis: str, kind: str, segment: str = "", cell: str = "",
    as_of: str = "", horizon: float = 52.0, pooled: bool = False, method: str = "",
    months: int = 3, industry: str = "generic", costs_before: str = "", costs_after: str = "",
    rfm: str = "",
) -> Response:  # fmt: skip
    """Every customer's row of an analysis as CSV or XLSX, with the page's options (the
    scoring day, CLV horizon, churn model, profit periods …), so the file matches the page."""
    # Imported here: the value models load sklearn/scipy, the export openpyxl (start-up cost).
    from kano.adapters.exports.metric_table import metric_csv, metric_xlsx
    from kano.analytics.value import views

    if analysis not in ANALYSES or kind not in ("csv", "xlsx") or page.workspace is None:
        return Response(status_code=404)
    workspace_id, slug = page.workspace.id, page.workspace.slug

    def rows(visit: WarehouseVisit) -> list[dict[str, Any]]:
        a = Analyses(visit, workspace_id)
        members = a.in_cell(segment or None, _cell(cell))
        day, only = _day(as_of, "as_of"), segment or None
        if analysis == "profit":
            return list(a.run(
                views.profit_view, segment=only, months=min(max(months, 1), 24),
                industry=industry if industry in INDUSTRIES else "generic",
                method=method if method in ("shapley", "log") else "shapley",
                costs_before=_money_option(costs_before, "costs_before"),
                costs_after=_money_option(costs_after, "costs_after"),
            )["levers"])  # fmt: skip
        weeks = min(max(horizon, 1.0), 520.0)
        model = method if method in ("logistic", "boosting") else "logistic"
        found: list[dict[str, Any]] = {
            "rfm": lambda: in_rfm_segment(
                a.run(views.rfm_view, segment=only, as_of=day).customers, rfm[:100]),
            "matrix": lambda: a.run(views.matrix_view, segment=only, as_of=day).accounts,
            "clv": lambda: a.run(views.clv_view, segment=only, pooled=pooled,
                                 horizon=weeks).customers,
            "churn": lambda: a.run(views.churn_view, segment=only, method=model).customers,
        }[analysis]()  # fmt: skip
        return _only(found, members)

    records, problem = on_kept_warehouse(web, workspace_id, rows, page.gettext)
    if problem is not None:
        return Response(problem, status_code=409, media_type="text/plain")
    columns = list(records[0]) if records else ["customer_id"]
    # Money columns name the currency, as the metric explorer's files do ("Value (HUF)").
    currency = workspace_currency(page)
    titles = {name: f"{name} ({currency})" for name in MONEY_COLUMNS[analysis]}
    stem = re.sub(
        r"[^A-Za-z0-9_-]+", "_", "-".join(p for p in (slug, analysis, segment, cell) if p)
    )
    if kind == "csv":
        body, media = metric_csv(columns, records, titles), "text/csv; charset=utf-8"
    else:
        body = metric_xlsx(
            columns, records, number_format="0.00", sheet_title=analysis, titles=titles
        )
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{stem}.{kind}"',
            "Cache-Control": "no-store",
        },
    )
