"""``/value``: customer value and portfolio — the same numbers as ``kano value …`` and the
``/value`` pages (all three call :mod:`kano.analytics.value.views`)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from kano.adapters.api.deps import ReadAccess
from kano.adapters.api.pagination import PageParams, PageRequest, page_of_answer
from kano.adapters.api.schemas.value import (
    ChurnReport,
    ClvReport,
    MatrixReport,
    ProfitReport,
    RfmReport,
)
from kano.adapters.api.warehouse_access import (
    WAREHOUSE_RESPONSES,
    on_kept_warehouse,
    on_warehouse,
)
from kano.adapters.web.page_figures import WarehouseVisit
from kano.adapters.web.value_figures import Analyses

router = APIRouter(prefix="/value", tags=["value"])
Segment = Annotated[str | None, Query(max_length=64, description="Segment key (default: all).")]
AsOf = Annotated[
    date | None, Query(description="Score as of this day (default: the day after the last order).")
]
Record = dict[str, Any]
PAGED = (
    " The customers come a page at a time in customer id order (`limit`, then `cursor` = "
    "the previous page's `next_cursor`); the analysis runs once per load of the warehouse, "
    "so later pages are read from the kept answer, and the other fields are the same on "
    "every page. Walking every page gives every customer exactly once; after a warehouse "
    "load the next page comes from the new answer (still in id order, none twice)."
)


@dataclass(frozen=True)
class ByCustomer:
    """An analysis' rows in customer id order with their ids, kept for paging."""

    rows: list[Record]
    ids: list[int]


def by_customer(rows: Sequence[Record]) -> ByCustomer:
    ordered = sorted(rows, key=lambda row: int(row["customer_id"]))
    return ByCustomer(ordered, [int(row["customer_id"]) for row in ordered])


def paged(
    visit: WarehouseVisit, question: tuple[Hashable, ...], rows: Callable[[], Sequence[Record]],
    page: PageRequest,
) -> tuple[Sequence[Record], str | None]:  # fmt: skip
    """One page of an analysis' customers; their id order is kept with the analysis."""
    listed = visit.figure(("api by customer", *question), lambda: by_customer(rows()))
    return page_of_answer(listed.rows, listed.ids, page)


@router.get(
    "/rfm",
    summary="RFM scores and segments",
    description="Recency, frequency and monetary scores 1–5 (quintiles, ties share a "
    "score) and the segment of every customer who ordered in the look-back window; each "
    "segment's customers, revenue and NPS." + PAGED,
    response_model=RfmReport,
    responses=WAREHOUSE_RESPONSES,
)
def get_rfm(
    caller: ReadAccess,
    request: Request,
    page: PageParams,
    segment: Segment = None,
    as_of: AsOf = None,
    lookback_days: Annotated[int, Query(ge=1, le=3650)] = 365,
    transitions_from: Annotated[
        date | None, Query(description="Also count the moves between segments since this day.")
    ] = None,
) -> RfmReport:
    # Imported here: the value models load sklearn/scipy, which start-up must not pay.
    from kano.analytics.value import views

    options = {"segment": segment, "as_of": as_of, "lookback_days": lookback_days,
               "transitions_from": transitions_from}  # fmt: skip

    def work(visit: WarehouseVisit) -> RfmReport:
        view = Analyses(visit, caller.workspace_id).run(views.rfm_view, **options)
        items, next_cursor = paged(visit, ("rfm_view", *options.items()),
                                   lambda: view.customers, page)  # fmt: skip
        return RfmReport.model_validate(
            {
                "as_of": f"{view.as_of:%Y-%m-%d}",
                "segments": view.segments,
                "transitions": view.transitions,
                "items": items,
                "next_cursor": next_cursor,
            }
        )

    return on_kept_warehouse(request, caller.workspace_id, work)


@router.get(
    "/matrix",
    summary="The 3×3 client matrix",
    description="Each account's attractiveness × relationship cell and the cell's strategy."
    + PAGED.replace("customers come", "accounts come").replace("every customer", "every account"),
    response_model=MatrixReport,
    responses=WAREHOUSE_RESPONSES,
)
def get_matrix(
    caller: ReadAccess,
    request: Request,
    page: PageParams,
    segment: Segment = None,
    as_of: AsOf = None,
    all_customers: bool = False,
    movements_from: Annotated[
        date | None,
        Query(description="Also count the accounts' moves between cells since this day."),
    ] = None,
) -> MatrixReport:
    # Imported here: the value models load sklearn/scipy, which start-up must not pay.
    from kano.analytics.value import views

    options = {"segment": segment, "as_of": as_of, "all_customers": all_customers,
               "movements_from": movements_from}  # fmt: skip

    def work(visit: WarehouseVisit) -> MatrixReport:
        view = Analyses(visit, caller.workspace_id).run(views.matrix_view, **options)
        items, next_cursor = paged(visit, ("matrix_view", *options.items()),
                                   lambda: view.accounts, page)  # fmt: skip
        return MatrixReport.model_validate(
            {
                "as_of": f"{view.as_of:%Y-%m-%d}",
                "cells": view.cells,
                "movements": view.movements,
                "items": items,
                "next_cursor": next_cursor,
            }
        )

    return on_kept_warehouse(request, caller.workspace_id, work)


@router.get(
    "/profit",
    summary="Profit formula and attribution",
    response_model=ProfitReport,
    responses=WAREHOUSE_RESPONSES,
)
def get_profit(
    caller: ReadAccess,
    request: Request,
    segment: Segment = None,
    months: Annotated[int, Query(ge=1, le=24, description="Length of each period.")] = 3,
    costs_before: Annotated[float, Query(ge=0)] = 0.0,
    costs_after: Annotated[float, Query(ge=0)] = 0.0,
    industry: Literal["generic", "saas", "retail", "hospitality", "b2b"] = "generic",
    method: Literal["shapley", "log"] = "shapley",
    start: Annotated[date | None, Query(
        description="First day of the earlier period, used as given (YYYY-MM-DD); without "
        "it the last two complete periods inside the data window."
    )] = None,
) -> ProfitReport:
    """Leads × conversion × ARPU × lifetime × margin − costs for two periods: from `start`,
    else the last two complete ones that lie inside the data window (before it the order
    history holds only carried-in orders; periods that would reach into it are shortened,
    `months` says to what); the change split over the levers so that the contributions add
    up exactly."""
    # Imported here: the value models load sklearn/scipy, which start-up must not pay.
    from kano.analytics.value import views

    def work(backend: Any) -> ProfitReport:
        return ProfitReport.model_validate(
            views.profit_view(
                backend,
                caller.workspace_id,
                segment=segment,
                months=months,
                costs_before=costs_before,
                costs_after=costs_after,
                industry=industry,
                method=method,
                start=start,
            )
        )

    return on_warehouse(request, work)


@router.get(
    "/clv",
    summary="Customer lifetime value",
    description="BG/NBD and Gamma-Gamma fitted per segment (or pooled); every buying "
    "customer's P(alive), expected purchases and spend, and discounted CLV over the horizon."
    + PAGED,
    response_model=ClvReport,
    responses=WAREHOUSE_RESPONSES,
)
def get_clv(
    caller: ReadAccess,
    request: Request,
    page: PageParams,
    segment: Segment = None,
    horizon: Annotated[float, Query(gt=0, le=10_000, description="In time units.")] = 52.0,
    steps: Annotated[int, Query(ge=1, le=520)] = 12,
    discount_rate: Annotated[float, Query(ge=0, le=1, description=(
        "Per discounting period, 0–1. (A negative rate grows far spend without bound: near "
        "−1 the CLV overflowed to null.)"))] = 0.01,
    margin: Annotated[float, Query(gt=0, le=1)] = 1.0,
    time_unit: Literal["day", "week", "month"] = "week",
    pooled: bool = False,
) -> ClvReport:
    # Imported here: the value models load sklearn/scipy, which start-up must not pay.
    from kano.analytics.value import views

    options = {"segment": segment, "pooled": pooled, "time_unit": time_unit,
               "horizon": horizon, "steps": steps, "discount_rate": discount_rate,
               "margin": margin}  # fmt: skip

    def work(visit: WarehouseVisit) -> ClvReport:
        view = Analyses(visit, caller.workspace_id).run(views.clv_view, **options)
        items, next_cursor = paged(visit, ("clv_view", *options.items()),
                                   lambda: view.customers, page)  # fmt: skip
        return ClvReport.model_validate({
            "fits": view.parameters(), "items": items, "next_cursor": next_cursor,
            "segments": view.statuses(),
        })

    return on_kept_warehouse(request, caller.workspace_id, work)


@router.get(
    "/churn",
    summary="Churn risk with reasons",
    description="Churn probability of every active customer and its top reasons, from a "
    "model trained on an earlier cut-off and judged on a later one (holdout AUC, Brier, "
    "reliability)." + PAGED,
    response_model=ChurnReport,
    responses=WAREHOUSE_RESPONSES,
)
def get_churn(
    caller: ReadAccess,
    request: Request,
    page: PageParams,
    segment: Segment = None,
    method: Literal["logistic", "boosting"] = "logistic",
    window_days: Annotated[int, Query(ge=30, le=730)] = 180,
) -> ChurnReport:
    # Imported here: the value models load sklearn/scipy, which start-up must not pay.
    from kano.analytics.value import views

    options = {"segment": segment, "method": method, "window_days": window_days}

    def work(visit: WarehouseVisit) -> ChurnReport:
        view = Analyses(visit, caller.workspace_id).run(views.churn_view, **options)
        items, next_cursor = paged(visit, ("churn_view", *options.items()),
                                   lambda: view.customers, page)  # fmt: skip
        return ChurnReport.model_validate(
            {**view.quality, "items": items, "next_cursor": next_cursor}
        )

    return on_kept_warehouse(request, caller.workspace_id, work)
