"""The modelling frame of a link: one row per observation at the link's grain.

Each row holds the cause ``x``, the effect ``y`` and the cluster (``group``) that
observations share -- the team at the team-month grain, the customer otherwise -- so the
interval does not pretend that one customer's repeated answers are independent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from kano.analytics.linkage.frames import WarehouseReader, month_index, only_customers, restrict
from kano.analytics.linkage.specs import PROCESS_MEASURES, PULSE_ITEMS, LinkSpec


@dataclass(frozen=True)
class ModellingFrame:
    data: pd.DataFrame  # columns x, y, group (and period at the team-month grain: the month)
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


def _team_month_cells(
    reader: WarehouseReader, source: str, segments: Sequence[str] = ()
) -> pd.DataFrame:
    """Sums and counts per team and month of every pulse item (``pulses``) or of every
    process measure per touchpoint (``process_events``; with ``segments``, only the events
    of those segments' customers), read once per analysis run: a map scan asks for dozens
    of team-month series, each a cheap cut of this table."""

    def read() -> pd.DataFrame:
        if source == "pulses":
            pulses = reader.table("pulses")
            return pulses.group_by(
                team_id=pulses.team_id, month=month_index(pulses.submitted_at)
            ).aggregate(**{
                f"{stat}_{item}": (pulses[item].sum() if stat == "sum" else pulses[item].count())
                for item in PULSE_ITEMS for stat in ("sum", "count")
            }).to_pandas()  # fmt: skip
        events = only_customers(reader.table("process_events"), reader.customers_in(segments))
        return events.group_by(
            measure=events.measure, team_id=events.team_id, touchpoint_id=events.touchpoint_id,
            month=month_index(events.occurred_at),
        ).aggregate(sum=events.value.sum(), count=events.value.count()).to_pandas()  # fmt: skip

    key = f"team-month:{source}" + (f":{'|'.join(sorted(segments))}" if segments else "")
    cells: pd.DataFrame = reader.remembered(key, read)
    return cells


def _team_series(
    reader: WarehouseReader,
    item: str,
    teams: list[int] | None,
    touchpoints: list[int] | None,
    segments: Sequence[str] = (),
) -> pd.DataFrame:
    """Mean of a pulse item or a process measure per team and month (a process measure's
    only over the events of ``segments``' customers, when given: pulses have none)."""
    if item in PULSE_ITEMS:
        cells = _team_month_cells(reader, "pulses")
        cells = cells.assign(sum=cells[f"sum_{item}"], count=cells[f"count_{item}"])
    else:
        cells = _team_month_cells(reader, "process_events", segments)
        cells = cells[cells["measure"] == item]
        if touchpoints is not None:
            cells = cells[cells["touchpoint_id"].isin(touchpoints)]
    if teams is not None:
        cells = cells[cells["team_id"].isin(teams)]
    grouped = cells.groupby(["team_id", "month"], as_index=False)[["sum", "count"]].sum()
    grouped = grouped[grouped["count"] > 0]
    return grouped.assign(value=grouped["sum"] / grouped["count"])[["team_id", "month", "value"]]


def _team_month(reader: WarehouseReader, spec: LinkSpec) -> ModellingFrame:
    teams = reader.team_ids(spec.only("team_function"))
    touchpoints = reader.touchpoint_ids(spec.only("touchpoint"), spec.only("stage"))
    cause_touchpoints = touchpoints if spec.cause in PROCESS_MEASURES else None
    segments = spec.only("segment")
    cause = _team_series(reader, spec.cause, teams, cause_touchpoints, segments)
    effect = _team_series(reader, spec.effect, teams, touchpoints, segments)
    cause["month"] = cause["month"] + spec.lag_months  # the cause of lag months before
    cells = effect.merge(cause, on=["team_id", "month"], suffixes=("_y", "_x"))
    data = pd.DataFrame({"x": cells["value_x"], "y": cells["value_y"],
                         "group": cells["team_id"], "period": cells["month"]})  # fmt: skip
    return ModellingFrame(data, "team", "team-month")


def _responses(reader: WarehouseReader, spec: LinkSpec, score: str) -> ir.Table:
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
        # The process events of the very order the response rates (their mean). Joined
        # before grouping, so the warehouse only groups the rated orders' events: 14x
        # faster at size L than averaging every order's events first.
        rated = responses.filter(responses.transaction_id.notnull()).select(
            "response_id", "customer_id", "transaction_id",
            y=responses[spec.effect].cast("float64"),
        )  # fmt: skip
        of_order = events.select(event_order=events.transaction_id, value=events.value)
        joined = rated.join(of_order, rated.transaction_id == of_order.event_order)
        per_response = joined.group_by(["response_id", "customer_id", "y"]).aggregate(
            x=joined.value.mean()
        )
        frame = per_response.select("x", "y", group="customer_id").to_pandas()
        return ModellingFrame(frame.dropna(), "customer", "response")
    # The customer's last event in the lag window before the response (ties: their mean).
    answered = responses.select(
        "response_id", "customer_id", "submitted_at", y=responses[spec.effect].cast("float64")
    )
    events = events.filter(events.customer_id.notnull()).select(
        event_customer=events.customer_id, at=events.occurred_at, value=events.value
    )
    in_window = answered.join(events, [
        answered.customer_id == events.event_customer,
        events.at < answered.submitted_at,
        events.at >= answered.submitted_at - ibis.interval(days=spec.lag_days),
    ])  # fmt: skip
    frame = _at_extreme(in_window, "max").to_pandas()
    data = pd.DataFrame({"x": frame["value"], "y": frame["y"], "group": frame["customer_id"]})
    return ModellingFrame(data.dropna(), "customer", "response")


def _at_extreme(joined: ir.Table, which: str) -> ir.Table:
    """Per response, the row(s) of the window at the first (``min``) or last (``max``)
    time, their values averaged. Done in the warehouse with a group-by and a join back
    rather than ``arg_min``, which not every engine Ibis drives implements."""
    grouped = joined.group_by("response_id")
    extreme = grouped.aggregate(
        edge=joined.at.min() if which == "min" else joined.at.max()
    ).rename(edge_response="response_id")
    at_edge = joined.join(extreme, [joined.response_id == extreme.edge_response,
                                    joined.at == extreme.edge])  # fmt: skip
    keys = [c for c in ("response_id", "customer_id", "submitted_at", "x", "y")
            if c in joined.columns]  # fmt: skip
    return at_edge.group_by(keys).aggregate(value=at_edge.value.mean())


def _score_to_behaviour(reader: WarehouseReader, spec: LinkSpec) -> ModellingFrame:
    """What the customer did in the ``lag`` window after answering: whether they ordered,
    and the amount of their first order (the range join runs in the warehouse). Responses
    whose window runs past the end of the data are left out: we cannot know yet."""
    responses = _responses(reader, spec, spec.cause)
    end = reader.data_end().to_pydatetime()
    window = ibis.interval(days=spec.lag_days)
    answered = responses.filter(responses.submitted_at + window <= end).select(
        "response_id", "customer_id", "submitted_at", x=responses[spec.cause].cast("float64")
    )
    orders = reader.table("transactions")
    orders = orders.select(order_customer=orders.customer_id, at=orders.occurred_at,
                           value=orders.amount)  # fmt: skip
    in_window = answered.join(orders, [
        answered.customer_id == orders.order_customer,
        orders.at > answered.submitted_at,
        orders.at <= answered.submitted_at + window,
    ])  # fmt: skip
    first = _at_extreme(in_window, "min").select("response_id", first_amount="value")
    followed = answered.left_join(first, answered.response_id == first.response_id)
    frame = followed.select("customer_id", "x", "first_amount").to_pandas()
    bought = frame["first_amount"].notna().to_numpy()
    if spec.effect == "repurchase_rate":
        y = bought.astype(float)
    elif spec.effect == "churn_rate":
        y = (~bought).astype(float)
    else:  # spend: log amount of the first order in the window, among those who bought
        frame = frame[bought & (frame["first_amount"] > 0)]
        y = np.log(frame["first_amount"].to_numpy(float))
    data = pd.DataFrame({"x": frame["x"].to_numpy(float), "y": y,
                         "group": frame["customer_id"].to_numpy()})
    return ModellingFrame(data, "customer", "response")


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
