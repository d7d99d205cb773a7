"""Views over time open on the workspace's data window, not on the months of orders the
import carried in.

The demo company gives each existing customer their last order from the quarter before
its window (so that "bought before?" has an answer); over all data, orders by month opened
with three thin months (Aug–Oct 2024: 115, 203, 384 orders against some 600, repurchase
0 %). The window's start is checked against the Parquet files read with pandas, and the
series it gives against what a reader expects of every month: full volume and a realistic
repurchase rate. Engines: DuckDB, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from kano.metrics import built_in_catalogue, compute_metric
from kano.metrics.data_window import data_window, default_period
from tests.integration.warehouse.conftest import DEMO_WORKSPACE, OTHER_WORKSPACE, DemoWarehouses

CATALOGUE = built_in_catalogue()
ENGINES = [
    pytest.param("duckdb", id="duckdb"),
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]
NO_DATA_WORKSPACE = 99


def _first_repeat_month(folder: Path) -> date:
    """The first month in which some customer buys after their first order in the files."""
    orders = pd.read_parquet(folder / "transactions.parquet", columns=["customer_id",
                                                                       "occurred_at"])
    first = orders.groupby("customer_id").occurred_at.transform("min")
    repeat = orders[orders.occurred_at > first].occurred_at.min()
    return date(repeat.year, repeat.month, 1)


@pytest.mark.parametrize("engine", ENGINES)
def test_the_window_starts_with_the_first_repeat_purchase(
    engine: str, demo_warehouses: DemoWarehouses, demo_dir: Path, other_dir: Path
) -> None:
    backend = demo_warehouses.backend(engine)
    window = data_window(backend, DEMO_WORKSPACE)
    assert window is not None
    assert window[0] == _first_repeat_month(demo_dir) == date(2024, 11, 1)
    last_order = pd.read_parquet(demo_dir / "transactions.parquet").occurred_at.max()
    assert window[1] >= last_order.date()
    other = data_window(backend, OTHER_WORKSPACE)  # each workspace its own window
    assert other is not None and other[0] == _first_repeat_month(other_dir)
    assert data_window(backend, NO_DATA_WORKSPACE) is None  # nothing to cut: all data


@pytest.mark.parametrize("engine", ENGINES)
def test_order_metrics_by_month_open_on_full_months(
    engine: str, demo_warehouses: DemoWarehouses
) -> None:
    backend = demo_warehouses.backend(engine)
    by = ["month"]
    everything = {
        m: compute_metric(backend, CATALOGUE.get(m), by=by, workspace_id=DEMO_WORKSPACE)
        for m in ("orders", "repurchase_rate")
    }
    assert everything["orders"][0].key("month") == "2024-08"  # the carried-in months

    shown = {}
    for metric_id in ("orders", "repurchase_rate", "revenue", "on_time_payment"):
        metric = CATALOGUE.get(metric_id)
        period = default_period(backend, metric, DEMO_WORKSPACE, by, None)
        assert period is not None and period[0] == date(2024, 11, 1), metric_id
        shown[metric_id] = compute_metric(
            backend, metric, by=by, period=period, workspace_id=DEMO_WORKSPACE
        )
    orders = pd.Series({row.key("month"): row.value for row in shown["orders"]})
    assert orders.index[0] == "2024-11" and orders.index[-1] == "2026-10"
    assert len(orders) == 24
    assert (orders >= 0.5 * orders.median()).all(), orders.to_dict()
    repurchase = pd.Series({row.key("month"): row.value for row in shown["repurchase_rate"]})
    assert repurchase.between(90.0, 99.0).all(), repurchase.round(1).to_dict()
    # inside the window the figures are the all-data figures, month by month
    before = {row.key("month"): row.value for row in everything["orders"]}
    assert all(before[month] == value for month, value in orders.items())
    assert shown["revenue"][0].key("month") == "2024-11"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_coarser_grain_starts_with_its_first_whole_period(
    engine: str, demo_warehouses: DemoWarehouses
) -> None:
    backend = demo_warehouses.backend(engine)
    revenue = CATALOGUE.get("revenue")
    quarter = default_period(backend, revenue, DEMO_WORKSPACE, ["quarter", "segment"], None)
    year = default_period(backend, revenue, DEMO_WORKSPACE, ["year"], None)
    week = default_period(backend, revenue, DEMO_WORKSPACE, ["week"], None)
    assert quarter is not None and quarter[0] == date(2025, 1, 1)  # not Q4 2024 cut short
    assert year is not None and year[0] == date(2025, 1, 1)
    assert week is not None and week[0] == date(2024, 11, 4)  # the first Monday
    rows = compute_metric(backend, revenue, by=["quarter"], period=quarter,
                          workspace_id=DEMO_WORKSPACE)  # fmt: skip
    assert rows[0].key("quarter") == "2025-Q1"


@pytest.mark.parametrize("engine", ENGINES)
def test_feedback_operations_a_named_period_and_a_total_are_left_as_they_are(
    engine: str, demo_warehouses: DemoWarehouses
) -> None:
    backend = demo_warehouses.backend(engine)
    orders = CATALOGUE.get("orders")
    for metric_id in ("nps", "on_time_delivery", "engagement", "turnover"):
        metric = CATALOGUE.get(metric_id)
        assert default_period(backend, metric, DEMO_WORKSPACE, ["month"], None) is None
    named = (date(2024, 8, 1), date(2024, 10, 31))  # one --from away
    assert default_period(backend, orders, DEMO_WORKSPACE, ["month"], named) == named
    assert default_period(backend, orders, DEMO_WORKSPACE, ["segment"], None) is None
    assert default_period(backend, orders, DEMO_WORKSPACE, [], None) is None
