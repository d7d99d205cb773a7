"""What pain points need from the warehouse, read through Ibis for one workspace.

The filters (workspace, period, segment, touchpoints) and the revenue sums run in the
warehouse; the narrow response rows of the slice come back to pandas. Each response's
next order is found with pandas ``merge_asof`` on the responding customers' order times:
Ibis 12's ``asof_join`` is not implemented on every engine we support (the same choice
as ``kano.analytics.linkage.frames``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

from kano.domain.shared.errors import InvalidInput

_RESPONSE_COLUMNS = ("customer_id", "submitted_at", "nps", "csat", "ces", "rating", "comment")


@dataclass(frozen=True)
class PainPointInputs:
    responses: pd.DataFrame
    """``customer_id, touchpoint, stage, submitted_at, nps, csat, ces, rating, comment,
    next_order_at``."""
    revenue_by_customer: pd.Series
    data_end: pd.Timestamp
    """The last order in the workspace: churn windows must end before it."""
    process: pd.DataFrame
    """OX behind the touchpoints: ``touchpoint, measure, mean, n`` of the process events
    in the slice."""


def _start(day: date | None) -> datetime | None:
    return None if day is None else datetime(day.year, day.month, day.day)


def load_inputs(
    backend: Any,
    workspace_id: int,
    *,
    touchpoints: Sequence[str] | None = None,
    segment: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> PainPointInputs:
    """Responses at the journey's ``touchpoints`` (keys; None: all) of customers in
    ``segment`` (key) answered in ``[start, end)``, with revenue in the same period."""
    if start and end and start >= end:
        raise InvalidInput("from", f"the period start {start} is not before its end {end}")

    def table(name: str) -> Any:
        t = backend.table(name)
        return t.filter(t.workspace_id == workspace_id)

    responses, orders = table("responses"), table("transactions")
    events = table("process_events")
    customers = table("customers")
    if segment:
        segments = table("segments")
        found = segments.filter(segments.key == segment).select("segment_id").to_pandas()
        if found.empty:
            raise InvalidInput("segment", f"unknown segment {segment!r}")
        customers = customers.filter(customers.segment_id == int(found["segment_id"].iloc[0]))
        responses = responses.semi_join(customers.select("customer_id"), "customer_id")
        orders = orders.semi_join(customers.select("customer_id"), "customer_id")
        events = events.semi_join(customers.select("customer_id"), "customer_id")
    tps, stages = table("touchpoints"), table("stages")
    at = tps.join(stages, tps.stage_id == stages.stage_id).select(
        touchpoint_id=tps.touchpoint_id, touchpoint=tps.key, stage=stages.key
    )
    if touchpoints is not None:
        at = at.filter(at.touchpoint.isin(list(touchpoints)))
    lo, hi = _start(start), _start(end)
    period_responses = responses
    if lo is not None:
        period_responses = period_responses.filter(responses.submitted_at >= lo)
        orders_in_period = orders.filter(orders.occurred_at >= lo)
    else:
        orders_in_period = orders
    if lo is not None:
        events = events.filter(events.occurred_at >= lo)
    if hi is not None:
        events = events.filter(events.occurred_at < hi)
        period_responses = period_responses.filter(period_responses.submitted_at < hi)
        orders_in_period = orders_in_period.filter(orders_in_period.occurred_at < hi)
    rows = (
        period_responses.join(at, period_responses.touchpoint_id == at.touchpoint_id)
        .select("touchpoint", "stage", *_RESPONSE_COLUMNS)
        .to_pandas()
    )
    revenue = (
        orders_in_period.group_by("customer_id").aggregate(revenue=orders_in_period.amount.sum())
    ).to_pandas()
    last = orders.aggregate(last=orders.occurred_at.max()).to_pandas()["last"].iloc[0]
    responders = orders.semi_join(period_responses.select("customer_id"), "customer_id")
    times = responders.select("customer_id", "occurred_at").to_pandas()
    at_events = events.join(at, events.touchpoint_id == at.touchpoint_id).select(
        "touchpoint", "measure", "value"
    )
    process = (
        at_events.group_by(["touchpoint", "measure"])
        .aggregate(mean=at_events.value.mean(), n=at_events.value.count())
        .order_by(["touchpoint", "measure"])
        .to_pandas()
    )
    return PainPointInputs(
        process=process,
        responses=_with_next_order(rows, times),
        revenue_by_customer=pd.Series(
            revenue["revenue"].to_numpy(dtype="float64"),
            index=revenue["customer_id"].astype("int64"),
        ),
        data_end=pd.Timestamp(last) if pd.notna(last) else pd.Timestamp.now(),
    )


def _with_next_order(rows: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """Each response with the customer's first order strictly after it (or NaT)."""
    rows = rows.assign(
        submitted_at=pd.to_datetime(rows["submitted_at"]).astype("datetime64[us]"),
        customer_id=rows["customer_id"].astype("int64"),
    )
    orders = orders.assign(
        next_order_at=pd.to_datetime(orders["occurred_at"]).astype("datetime64[us]"),
        customer_id=orders["customer_id"].astype("int64"),
    )[["customer_id", "next_order_at"]]
    merged = pd.merge_asof(
        rows.sort_values("submitted_at").reset_index(drop=True),
        orders.sort_values("next_order_at"),
        left_on="submitted_at",
        right_on="next_order_at",
        by="customer_id",
        direction="forward",
        allow_exact_matches=False,
    )
    return merged
