"""The modelling frame of a link: one row per observation at the link's grain.

Each row holds the cause ``x``, the effect ``y`` and the cluster (``group``) that
observations share -- the team at the team-month grain, the customer otherwise -- so the
interval does not pretend that one customer's repeated answers are independent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kano.analytics.linkage.frames import WarehouseReader, month_index, only_customers, restrict
from kano.analytics.linkage.specs import PROCESS_MEASURES, PULSE_ITEMS, LinkSpec


@dataclass(frozen=True)
class ModellingFrame:
    data: pd.DataFrame  # columns x, y, group
    cluster: str  # what ``group`` is: "team" or "customer"
    unit: str  # what one row is, for people


def assemble(reader: WarehouseReader, spec: LinkSpec) -> ModellingFrame:
    if spec.grain == "team-month":
        return _team_month(reader, spec)
    if spec.grain == "customer-quarter":
        return _customer_quarter(reader, spec)
    if spec.cause in PROCESS_MEASURES:
        return _process_to_score(reader, spec)
    return _score_to_behaviour(reader, spec)


def _team_series(
    reader: WarehouseReader, item: str, teams: list[int] | None, touchpoints: list[int] | None
) -> pd.DataFrame:
    """Mean of a pulse item or a process measure per team and month."""
    if item in PULSE_ITEMS:
        pulses = restrict(reader.table("pulses"), "team_id", teams)
        cells = pulses.group_by(
            team_id=pulses.team_id, month=month_index(pulses.submitted_at)
        ).aggregate(value=pulses[item].mean())
    else:
        events = reader.table("process_events")
        events = restrict(events.filter(events.measure == item), "team_id", teams)
        events = restrict(events, "touchpoint_id", touchpoints)
        cells = events.group_by(
            team_id=events.team_id, month=month_index(events.occurred_at)
        ).aggregate(value=events.value.mean())
    return cells.to_pandas().dropna()


def _team_month(reader: WarehouseReader, spec: LinkSpec) -> ModellingFrame:
    teams = reader.team_ids(spec.only("team_function"))
    touchpoints = reader.touchpoint_ids(spec.only("touchpoint"), spec.only("stage"))
    cause_touchpoints = touchpoints if spec.cause in PROCESS_MEASURES else None
    cause = _team_series(reader, spec.cause, teams, cause_touchpoints)
    effect = _team_series(reader, spec.effect, teams, touchpoints)
    cause["month"] = cause["month"] + spec.lag_months  # the cause of lag months before
    cells = effect.merge(cause, on=["team_id", "month"], suffixes=("_y", "_x"))
    data = pd.DataFrame(
        {"x": cells["value_x"], "y": cells["value_y"], "group": cells["team_id"]}
    )
    return ModellingFrame(data, "team", "team-month")


def _responses(reader: WarehouseReader, spec: LinkSpec, score: str) -> pd.DataFrame:
    responses = reader.table("responses")
    responses = responses.filter(responses[score].notnull())
    responses = restrict(responses, "survey_id", reader.survey_ids(spec.only("survey")))
    responses = restrict(
        responses, "touchpoint_id", reader.touchpoint_ids(spec.only("touchpoint"),
                                                          spec.only("stage"))
    )
    responses = only_customers(responses, reader.customers_in(spec.only("segment")))
    return responses


def _process_to_score(reader: WarehouseReader, spec: LinkSpec) -> ModellingFrame:
    responses = _responses(reader, spec, spec.effect)
    events = reader.table("process_events")
    events = events.filter(events.measure == spec.cause)
    if not spec.lag_days:
        # The process event of the very order the response rates.
        per_order = events.group_by("transaction_id").aggregate(x=events.value.mean())
        rated = responses.filter(responses.transaction_id.notnull())
        joined = rated.join(per_order, rated.transaction_id == per_order.transaction_id)
        frame = joined.select(
            x=joined.x, y=joined[spec.effect].cast("float64"), group=joined.customer_id
        ).to_pandas()
        return ModellingFrame(frame.dropna(), "customer", "response")
    # The customer's last event in the lag window before the response.
    answered = responses.select(
        "customer_id", "submitted_at", y=responses[spec.effect].cast("float64")
    )
    events = only_customers(events.filter(events.customer_id.notnull()), answered)
    left = answered.to_pandas().sort_values("submitted_at")
    right = events.select("customer_id", "occurred_at", x=events.value).to_pandas()
    joined = pd.merge_asof(
        left, right.sort_values("occurred_at"), left_on="submitted_at", right_on="occurred_at",
        by="customer_id", direction="backward", allow_exact_matches=False,
        tolerance=pd.Timedelta(days=spec.lag_days),
    )  # fmt: skip
    frame = joined.rename(columns={"customer_id": "group"})[["x", "y", "group"]]
    return ModellingFrame(frame.dropna(), "customer", "response")


def _score_to_behaviour(reader: WarehouseReader, spec: LinkSpec) -> ModellingFrame:
    """What the customer did in the ``lag`` window after answering (first order after)."""
    window = pd.Timedelta(days=spec.lag_days)
    responses = _responses(reader, spec, spec.cause)
    answered = responses.select(
        "customer_id", "submitted_at", x=responses[spec.cause].cast("float64")
    )
    end = reader.data_end()
    left = answered.to_pandas()
    left = left[left["submitted_at"] + window <= end].sort_values("submitted_at")
    orders = only_customers(reader.table("transactions"), answered)
    right = orders.select("customer_id", "occurred_at", "amount").to_pandas()
    joined = pd.merge_asof(
        left, right.sort_values("occurred_at"), left_on="submitted_at", right_on="occurred_at",
        by="customer_id", direction="forward", allow_exact_matches=False,
    )  # fmt: skip
    bought = (joined["occurred_at"] <= joined["submitted_at"] + window).to_numpy()
    if spec.effect == "repurchase_rate":
        y = bought.astype(float)
    elif spec.effect == "churn_rate":
        y = (~bought).astype(float)
    else:  # spend: log amount of the first order in the window, among those who bought
        joined = joined[bought & (joined["amount"] > 0)]
        y = np.log(joined["amount"].to_numpy(float))
    frame = pd.DataFrame({"x": joined["x"].to_numpy(float), "y": y,
                          "group": joined["customer_id"].to_numpy()})
    return ModellingFrame(frame, "customer", "response")


def _customer_quarter(reader: WarehouseReader, spec: LinkSpec) -> ModellingFrame:
    """Orders and revenue per customer and three-month period from the data's first month."""
    first = reader.first_month()
    orders = only_customers(reader.table("transactions"), reader.customers_in(spec.only("segment")))
    period = ((month_index(orders.occurred_at) - first) / 3).floor().cast("int64")
    cells = orders.group_by(customer_id=orders.customer_id, period=period).aggregate(
        orders=orders.count(), revenue=orders.amount.sum()
    ).to_pandas()
    data = pd.DataFrame({"x": cells[spec.cause].astype(float),
                         "y": cells[spec.effect].astype(float), "group": cells["customer_id"]})
    return ModellingFrame(data, "customer", "customer-quarter")
