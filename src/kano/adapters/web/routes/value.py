"""The customer-value pages: RFM, the 3×3 client matrix, the profit formula, CLV and churn.

They show the numbers of :mod:`kano.analytics.value.views` (the same as ``kano value …`` and
``/api/v1/value/…``), computed on the warehouse when first opened (about a second each on
the demo), then kept until the warehouse changes (:mod:`kano.adapters.web.page_figures`,
:mod:`kano.adapters.web.value_figures`). Every page exports its per-customer table as CSV or
XLSX (:mod:`kano.adapters.web.routes.value_export`), and every customer list can be
narrowed to one client-matrix cell (``cell=high-low``: attractiveness, relationship).
Customers are listed by the name the app database holds, each linked to their 360 page.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from kano.adapters.db.orm import Segment
from kano.adapters.web import value_charts as charts
from kano.adapters.web.deps import DbSession, SignedInPage, SignedInPageContext, Web
from kano.adapters.web.labels import SEGMENT_NAMES, segment_names
from kano.adapters.web.page_figures import WarehouseVisit
from kano.adapters.web.rfm_drill import in_rfm_segment, rfm_links
from kano.adapters.web.routes import value_export
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.strategy_access import no_workspace
from kano.adapters.web.value_figures import (
    ROWS_SHOWN,
    Analyses,
    cell_option,
    clv_fits,
    customer_names,
    day_option,
    money_option,
    segment_keys,
    value_memo,
    workspace_currency,
)
from kano.adapters.web.value_words import INDUSTRIES
from kano.adapters.web.warehouse_reads import on_kept_warehouse
from kano.analytics.value.matrix_levels import LEVELS

__all__ = ["router", "value_memo", "workspace_currency"]  # customer 360 reads these here

router = APIRouter()
router.include_router(value_export.router)
# The page options its exports take too.
EXPORTED = ("segment", "cell", "as_of", "horizon", "pooled", "method", "months", "industry",
            "costs_before", "costs_after", "rfm", "start")  # fmt: skip


# The picker's groups, in this order: the sources of SPEC §2.2.
SEGMENT_GROUPS = (
    ("manual", N_("Manual segments")),
    ("rule", N_("Rule segments")),
    ("rfm", N_("RFM segments")),
    ("value_tier", N_("Value tiers")),
    ("matrix_cell", N_("Client-matrix cells")),
)


def segment_groups(
    db: Session | None, workspace_id: int, keys: list[str]
) -> list[tuple[str, list[str]]]:
    """The warehouse's segment keys grouped by their source (label msgid, keys by name):
    every segment can narrow a value page to its current members, not only the one each
    customer is filed under. A key the app database no longer knows is listed as manual."""
    sources: dict[str, tuple[str, str]] = {}
    if db is not None:
        rows = db.execute(select(Segment.key, Segment.source, Segment.name)
                          .where(Segment.workspace_id == workspace_id))  # fmt: skip
        sources = {key: (source, name) for key, source, name in rows}
    grouped: list[tuple[str, list[str]]] = []
    for source, label in SEGMENT_GROUPS:
        chosen = [k for k in keys if sources.get(k, ("manual", k))[0] == source]
        if chosen:
            chosen.sort(key=lambda k: (sources.get(k, ("", k))[1].casefold(), k))
            grouped.append((label, chosen))
    return grouped


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
        segment_groups=segment_groups(db, workspace_id, (found or {}).get("segments") or []),
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
            as_of=day_option(as_of, "as_of"),
            transitions_from=day_option(transitions_from, "transitions_from"),
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
            as_of=day_option(as_of, "as_of"),
            movements_from=day_option(movements_from, "movements_from"),
        )
        chosen = cell_option(cell)
        accounts = [
            a
            for a in view.accounts
            if chosen is None or (a["attractiveness_level"], a["relationship_level"]) == chosen
        ]
        cells = {(c["attractiveness_level"], c["relationship_level"]): c for c in view.cells}
        # The chart draws every account up to a cap, a representative sample past it (the
        # counts, the table and the exports keep all): 67,000 points made a 9.9 MB page.
        # kept with the view until the warehouse changes: the same data, the same sample
        drawn = a.visit.figure(("value", "matrix points", segment, as_of, movements_from,
                                charts.MATRIX_POINTS), lambda: charts.matrix_points(view.accounts))
        names = customer_names(db, a.workspace_id, drawn.rows)  # the chart's tooltips
        return {
            "view": view,
            "cells": cells,
            # the highest revenue first (as a stable sort by it would list them)
            "accounts": heapq.nlargest(ROWS_SHOWN, accounts,
                                       key=lambda a: float(a["revenue_365d"])),
            "count": len(accounts),
            "chosen": chosen,
            "chart": charts.matrix_scatter(drawn.rows, page.gettext, language, names, currency),
            "drawn": drawn,
        }

    return _value_page(page, web, "matrix", work, form, db)


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
    start: str = "",
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
        "start": start[:10],
    }

    def work(a: Analyses) -> dict[str, Any]:
        # without a start, the last two complete periods inside the data window
        report = a.run(
            views.profit_view,
            segment=segment or None,
            months=months,
            industry=industry,
            method=method,
            costs_before=money_option(costs_before, "costs_before"),
            costs_after=money_option(costs_after, "costs_after"),
            start=day_option(start, "start"),
        )
        total = sum(lever["contribution"] for lever in report["levers"])
        return {
            "report": report,
            "contributions_total": total,
            "chart": charts.profit_waterfall(report, page.gettext, language, currency),
        }

    return _value_page(page, web, "profit", work, form, db)


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
