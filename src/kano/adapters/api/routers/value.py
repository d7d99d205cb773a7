"""``/value``: customer value and portfolio — the same numbers as ``kano value …``."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from kano.adapters.api.deps import ReadAccess
from kano.adapters.api.routers.analysis import _RESPONSES, _on_warehouse
from kano.adapters.api.schemas.value import (
    ChurnReport,
    ClvReport,
    MatrixCell,
    MatrixReport,
    ProfitReport,
    RfmReport,
)
from kano.analytics.value import report
from kano.analytics.value.client_matrix import LEVELS, STRATEGIES
from kano.analytics.value.inputs import (
    ValueReader,
    churn_datasets,
    clv_summary,
    customer_features,
    rfm_inputs,
)
from kano.domain.shared.errors import InvalidInput

router = APIRouter(prefix="/value", tags=["value"])
Segment = Annotated[str | None, Query(max_length=64, description="Segment key (default: all).")]
AsOf = Annotated[
    date | None, Query(description="Score as of this day (default: the day after the last order).")
]


def _as_of(reader: ValueReader, given: date | None) -> datetime:
    if given is None:
        end = reader.data_end()
        return datetime(end.year, end.month, end.day) + timedelta(days=1)
    return datetime(given.year, given.month, given.day)


def _checked(field: str, work: Any) -> Any:
    """Analytics raise ValueError naming the problem; answer 422 naming the parameter."""
    try:
        return work()
    except InvalidInput:
        raise
    except ValueError as error:
        raise InvalidInput(field, str(error)) from error


@router.get(
    "/rfm", summary="RFM scores and segments", response_model=RfmReport, responses=_RESPONSES
)
def get_rfm(
    caller: ReadAccess,
    request: Request,
    segment: Segment = None,
    as_of: AsOf = None,
    lookback_days: Annotated[int, Query(ge=1, le=3650)] = 365,
) -> RfmReport:
    """Recency, frequency and monetary scores 1–5 (quintiles, ties share a score) and the
    segment of every customer who ordered in the look-back window."""

    def work(backend: Any) -> RfmReport:
        reader = ValueReader(backend, caller.workspace_id, segment)
        day = _as_of(reader, as_of)
        inputs = rfm_inputs(reader, as_of=day, lookback_days=lookback_days)
        if inputs.empty:
            raise InvalidInput("as_of", f"no order in the {lookback_days} days before it")
        items = _checked("lookback_days", lambda: report.rfm_records(inputs))
        return RfmReport.model_validate({"as_of": f"{day:%Y-%m-%d}", "items": items})

    result: RfmReport = _on_warehouse(request, work)
    return result


@router.get(
    "/matrix", summary="The 3×3 client matrix", response_model=MatrixReport, responses=_RESPONSES
)
def get_matrix(
    caller: ReadAccess,
    request: Request,
    segment: Segment = None,
    as_of: AsOf = None,
    all_customers: bool = False,
) -> MatrixReport:
    """Each account's attractiveness × relationship cell and the cell's strategy."""

    def work(backend: Any) -> MatrixReport:
        reader = ValueReader(backend, caller.workspace_id, segment)
        day = _as_of(reader, as_of)
        frame = customer_features(reader, as_of=day)
        if not all_customers:
            frame = frame[frame["kind"] == "account"]
        items, placed = _checked("as_of", lambda: report.matrix_records(frame))
        counts = placed.cell_counts()
        cells = [
            MatrixCell(
                attractiveness_level=a,
                relationship_level=r,
                accounts=counts[(a, r)],
                strategy=STRATEGIES[(a, r)],
            )
            for a in LEVELS
            for r in LEVELS
        ]
        return MatrixReport.model_validate(
            {"as_of": f"{day:%Y-%m-%d}", "cells": cells, "items": items}
        )

    result: MatrixReport = _on_warehouse(request, work)
    return result


@router.get(
    "/profit",
    summary="Profit formula and attribution",
    response_model=ProfitReport,
    responses=_RESPONSES,
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
) -> ProfitReport:
    """Leads × conversion × ARPU × lifetime × margin − costs for the last two complete
    periods; the change split over the levers so that the contributions add up exactly."""

    def work(backend: Any) -> ProfitReport:
        reader = ValueReader(backend, caller.workspace_id, segment)
        payload = _checked(
            "method",
            lambda: report.profit_report(
                reader,
                months=months,
                costs_before=costs_before,
                costs_after=costs_after,
                industry=industry,
                method=method,
            ),
        )
        return ProfitReport.model_validate(payload)

    result: ProfitReport = _on_warehouse(request, work)
    return result


@router.get(
    "/clv", summary="Customer lifetime value", response_model=ClvReport, responses=_RESPONSES
)
def get_clv(
    caller: ReadAccess,
    request: Request,
    segment: Segment = None,
    horizon: Annotated[float, Query(gt=0, le=10_000, description="In time units.")] = 52.0,
    steps: Annotated[int, Query(ge=1, le=520)] = 12,
    discount_rate: Annotated[float, Query(gt=-1, le=1)] = 0.01,
    margin: Annotated[float, Query(gt=0, le=1)] = 1.0,
    time_unit: Literal["day", "week", "month"] = "week",
    pooled: bool = False,
) -> ClvReport:
    """BG/NBD and Gamma-Gamma fitted per segment (or pooled); every buying customer's
    P(alive), expected purchases and spend, and discounted CLV over the horizon."""

    def work(backend: Any) -> ClvReport:
        base = ValueReader(backend, caller.workspace_id, segment)
        end = base.data_end().date()
        if pooled or segment:
            keys: list[str | None] = [segment]
        else:
            segments = base.table("segments").select("key").to_pandas()
            keys = sorted(segments["key"].astype(str))
        fits, items = [], []
        for key in keys:
            reader = ValueReader(backend, caller.workspace_id, key) if key else base
            summary = clv_summary(reader, calibration_end=end, time_unit=time_unit)
            if not len(summary.frequency):
                continue
            bg, gg = _checked("segment", lambda s=summary: report.fit_clv(s))
            fits.append(report.clv_parameters(key, summary, bg, gg, time_unit))
            items.extend(
                report.clv_records(
                    key,
                    summary,
                    bg,
                    gg,
                    horizon=horizon,
                    steps=steps,
                    discount_rate=discount_rate,
                    margin=margin,
                )
            )
        return ClvReport.model_validate({"fits": fits, "items": items})

    result: ClvReport = _on_warehouse(request, work)
    return result


@router.get(
    "/churn", summary="Churn risk with reasons", response_model=ChurnReport, responses=_RESPONSES
)
def get_churn(
    caller: ReadAccess,
    request: Request,
    segment: Segment = None,
    method: Literal["logistic", "boosting"] = "logistic",
    window_days: Annotated[int, Query(ge=30, le=730)] = 180,
) -> ChurnReport:
    """Churn probability of every active customer and its top reasons, from a model trained
    on an earlier cut-off and judged on a later one (holdout AUC, Brier, reliability)."""

    def work(backend: Any) -> ChurnReport:
        reader = ValueReader(backend, caller.workspace_id, segment)
        train, holdout, current = churn_datasets(reader, window_days=window_days)
        quality, items, _model = _checked(
            "window_days",
            lambda: report.churn_report(
                train, holdout, current, method=method, window_days=window_days
            ),
        )
        return ChurnReport.model_validate({**quality, "items": items})

    result: ChurnReport = _on_warehouse(request, work)
    return result
