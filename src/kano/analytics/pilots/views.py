"""A stored pilot's plan and evaluation, computed from the warehouse.

**Why the warehouse.** The KPIs are metrics of the catalogue (NPS, revenue, on-time
delivery, custom metrics …), and the warehouse's metric engine is the one place that
computes any of them for any slice, on every engine (DuckDB, PostgreSQL, Spark …), with
the same definitions as the scorecard. The app database holds only what Kano itself
collects (responses, a copy of orders), so most KPIs could not be measured there. Each
KPI is asked for per customer × month, once per group, with the group's filter (segment,
region … or the listed customers) as the engine's own filter.

The panel is made of whole calendar months: the baseline is every month from
``baseline_start``'s to ``baseline_end``'s, the test every month from ``test_start``'s to
``test_end``'s; months between the two are left out. For additive KPIs (counts, sums such
as revenue or orders) a customer of the panel with no row in a month had zero that month
(in the months that hold any data: a month past the end of the data stays unknown);
other KPIs (rates, scores, means) are missing that month and the customer's other months
still count. A customer with no value at all in the window is not in the panel.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

import pandas as pd

from kano.analytics.pilots.did import Columns, PilotEvaluation, evaluate_pilot
from kano.analytics.pilots.plan import (
    Design,
    baseline_parameters,
    minimum_detectable_effect,
    required_test_periods,
    required_units_per_group,
)
from kano.domain.pilots.model import Group
from kano.domain.shared.errors import InvalidInput
from kano.metrics import Metric, compute_metric

ADDITIVE = frozenset({"count", "count_distinct", "sum"})
COLUMNS = Columns(unit="customer", period="month", outcome="value")


def _month(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def _month_end(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def kpi_panel(
    backend: Any,
    workspace_id: int,
    metric: Metric,
    pilot_group: Group,
    control_group: Group,
    periods: tuple[date, date, date, date],
) -> pd.DataFrame:
    """customer, month, value, treated, post: one row per customer × month with a value."""
    baseline_start, baseline_end, test_start, test_end = periods
    window = (baseline_start.replace(day=1), _month_end(test_end))
    raw = []
    for group in (pilot_group, control_group):
        rows = compute_metric(backend, metric, by=["customer", "month"],
                              filters=group.metric_filters(), period=window,
                              workspace_id=workspace_id)  # fmt: skip
        frame = pd.DataFrame(
            [(str(row.key("customer")), str(row.key("month")), row.value) for row in rows],
            columns=["customer", "month", "value"],
        )
        frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
        raw.append(frame)
    # Months with data for anyone: an additive KPI's missing customer-month is a zero only
    # there (a month past the end of the data is unknown, not zero).
    months = sorted(set(raw[0]["month"]) | set(raw[1]["month"]))
    frames = []
    for treated, frame in zip((True, False), raw, strict=True):
        if metric.aggregation.kind in ADDITIVE and not frame.empty:
            wide = frame.pivot_table(index="customer", columns="month", values="value",
                                     aggfunc="sum")  # fmt: skip
            wide = wide.reindex(columns=months).fillna(0.0)
            frame = wide.stack().rename("value").reset_index()
        frame["treated"] = treated
        frames.append(frame)
    both = set(frames[0]["customer"]) & set(frames[1]["customer"])
    if both:
        raise InvalidInput("control_group", f"customer {sorted(both)[0]!r} is in the pilot "
                           "group too: make the groups disjoint")  # fmt: skip
    panel = pd.concat(frames, ignore_index=True)
    before = panel["month"] <= _month(baseline_end)
    after = panel["month"] >= _month(test_start)
    panel = panel[before | after].copy()
    panel["post"] = panel["month"] >= _month(test_start)
    return panel.reset_index(drop=True)


def _checked_panel(panel: pd.DataFrame, metric: Metric, *, need_test: bool) -> None:
    for treated, field in ((True, "pilot_group"), (False, "control_group")):
        mine = panel[(panel["treated"] == treated) & panel["value"].notna()]
        if (~mine["post"]).sum() == 0:
            raise InvalidInput(field, f"no customer of this group has {metric.id} in the "
                               "baseline period")  # fmt: skip
        if need_test and mine["post"].sum() == 0:
            raise InvalidInput(field, f"no customer of this group has {metric.id} in the "
                               "test period (yet)")  # fmt: skip


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def evaluation_record(
    result: PilotEvaluation, metric: Metric, panel: pd.DataFrame
) -> dict[str, Any]:
    """The JSON the API returns and the pilot keeps."""
    estimate = asdict(result.estimate)
    trend = result.pre_trend
    table = result.two_by_two
    baseline = table.pilot_before
    units = panel.groupby("treated")["customer"].nunique()
    return {
        "metric": metric.id,
        "unit": metric.unit,
        **{key: _clean(value) for key, value in estimate.items()},
        "relative_effect": _clean(estimate["effect"] / baseline) if baseline else None,
        "pilot_units": int(units.get(True, 0)),
        "control_units": int(units.get(False, 0)),
        "pre_trend": {
            "testable": trend.testable,
            "f_statistic": _clean(trend.f_statistic),
            "p_value": _clean(trend.p_value),
            "rejected": trend.rejected,
            "inference": trend.inference,
            "bootstrap_weights": trend.bootstrap_weights,
            "bootstrap_draws": trend.bootstrap_draws,
            "leads": [{"period": str(lead.period), "coefficient": lead.coefficient,
                       "std_error": lead.std_error} for lead in trend.leads],
        },
        "means": [{"period": str(m.period), "group": "pilot" if m.pilot else "control",
                   "mean": m.mean, "n": m.n} for m in result.means],
        "two_by_two": {**asdict(table), "effect": table.effect},
    }


def evaluate_on_warehouse(
    backend: Any,
    workspace_id: int,
    metrics: list[Metric],
    pilot_group: Group,
    control_group: Group,
    periods: tuple[date, date, date, date],
) -> dict[str, Any]:
    """Every KPI's DiD, pre-trend verdict and means: ``{"kpis": {id: record}}``."""
    records: dict[str, Any] = {}
    for metric in metrics:
        panel = kpi_panel(backend, workspace_id, metric, pilot_group, control_group, periods)
        _checked_panel(panel, metric, need_test=True)
        try:
            result = evaluate_pilot(panel, COLUMNS)
        except ValueError as error:
            raise InvalidInput("kpis", f"{metric.id}: {error}") from None
        records[metric.id] = evaluation_record(result, metric, panel)
    return {"kpis": records}


def plan_on_warehouse(
    backend: Any,
    workspace_id: int,
    metric: Metric,
    pilot_group: Group,
    control_group: Group,
    periods: tuple[date, date, date, date],
    target_effect: float | None,
) -> dict[str, Any]:
    """The plan from the baseline data: group sizes, σ and ρ of the KPI, the minimum
    detectable effect in the planned test months, and for a target effect the test months
    and group size it needs (α = 5 %, power 80 %)."""
    test_start, test_end = periods[2], periods[3]
    panel = kpi_panel(backend, workspace_id, metric, pilot_group, control_group, periods)
    _checked_panel(panel, metric, need_test=False)
    before = panel[~panel["post"]].dropna(subset=["value"])
    units = before.groupby("treated")["customer"].nunique()
    pilot_units, control_units = int(units.get(True, 0)), int(units.get(False, 0))
    for count, field in ((pilot_units, "pilot_group"), (control_units, "control_group")):
        if count < 2:
            raise InvalidInput(field, f"needs at least 2 customers with {metric.id} in the "
                               "baseline period")  # fmt: skip
    months = int(before["month"].nunique())
    if months >= 2:
        params = baseline_parameters(before, unit="customer", period="month", outcome="value")
        sd, rho, rho_estimated = params.sd, params.rho, True
    else:
        sd, rho, rho_estimated = float(before["value"].std(ddof=1)), 0.0, False
    if not sd > 0:
        raise InvalidInput("kpis", f"{metric.id} does not vary in the baseline period")
    planned = (test_end.year - test_start.year) * 12 + test_end.month - test_start.month + 1
    # Each customer's observed baseline months: the plan expects the same share of the
    # test months (a sparse KPI such as on-time delivery has a value in some months only).
    observed = before.groupby(["treated", "customer"])["month"].nunique()
    design = Design(pilot_units=pilot_units, control_units=control_units, sd=sd, rho=rho,
                    baseline_periods=months,
                    pilot_observed=tuple(int(m) for m in observed.get(True, [])),
                    control_observed=tuple(int(m) for m in observed.get(False, [])))  # fmt: skip
    plan: dict[str, Any] = {
        "metric": metric.id,
        "unit": metric.unit,
        "pilot_units": pilot_units,
        "control_units": control_units,
        "baseline_months": months,
        "test_months": planned,
        "sd": sd,
        "rho": rho,
        "rho_estimated": rho_estimated,
        "alpha": design.alpha,
        "power": design.power,
        "pilot_observed_share": design.observed_share(pilot=True),
        "control_observed_share": design.observed_share(pilot=False),
        "minimum_detectable_effect": None,
        "target_effect": target_effect,
        "required_test_months": None,
        "required_units_per_group": None,
    }
    try:
        plan["minimum_detectable_effect"] = minimum_detectable_effect(design, planned)
        if target_effect is not None:
            plan["required_test_months"] = required_test_periods(design, target_effect)
            plan["required_units_per_group"] = required_units_per_group(design, target_effect,
                                                                        planned)  # fmt: skip
    except ValueError as error:  # too few customers are expected in the test months
        raise InvalidInput("kpis", f"{metric.id}: {error}") from None
    return plan
