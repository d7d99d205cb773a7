"""The loader on every engine: incremental by high-water mark, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from kano.adapters.warehouse import ParquetSource, connect, open_store
from kano.adapters.warehouse.loader import LoadReport, load_warehouse
from kano.adapters.warehouse.store import TableState
from kano.metrics import MetricRow, built_in_catalogue, compute_metric, compute_metrics
from kano.metrics.warehouse_errors import WarehouseNotLoaded
from kano.metrics.warehouse_schema import DERIVED_TABLES, FACT_TABLES, TABLES
from tests.integration.warehouse.comparison import assert_same_rows
from tests.integration.warehouse.conftest import DEMO_WORKSPACE, DemoWarehouses
from tests.integration.warehouse.sources import FailingSource, GrowingSource
from tests.warehouses import ENGINE_PARAMS, WarehouseFactory, require_engine

CATALOGUE = built_in_catalogue()
WORKSPACE = 3
CHECKED = ("nps", "revenue", "retention_m3", "delivery_delay_p90", "turnover", "lifetime_months")


def load(url: str, source: Any, **options: Any) -> LoadReport:
    store = open_store(url)
    try:
        return load_warehouse(store, source, WORKSPACE, **options)
    finally:
        store.close()


def state(url: str) -> dict[str, TableState]:
    store = open_store(url)
    try:
        return store.read_state(WORKSPACE)
    finally:
        store.close()


def snapshot(backend: Any, workspace_id: int = WORKSPACE) -> dict[str, list[MetricRow]]:
    results = {}
    for metric_id in CHECKED:
        metric = CATALOGUE.get(metric_id)
        by = ["month", "team" if metric.source in {"pulses", "employees"} else "segment"]
        rows = compute_metric(backend, metric, by=by, workspace_id=workspace_id)
        results[metric_id] = rows
    return results


def assert_same_snapshot(
    actual: dict[str, list[MetricRow]], expected: dict[str, list[MetricRow]]
) -> None:
    assert set(actual) == set(expected)
    for metric_id, rows in expected.items():
        assert_same_rows(rows, actual[metric_id])


def half_of_each_fact(folder: Path) -> dict[str, int]:
    caps = {}
    for table in FACT_TABLES:
        ids = pq.read_table(folder / f"{table.name}.parquet", columns=[table.id_column])
        caps[table.name] = int(ids[table.id_column].to_numpy().max()) // 2
    return caps


@pytest.mark.parametrize("engine", ENGINE_PARAMS)
def test_second_load_appends_only_new_rows_and_equals_a_full_load(
    engine: str, warehouse_factory: WarehouseFactory, demo_warehouses: DemoWarehouses,
    demo_dir: Path,
) -> None:  # fmt: skip
    require_engine(engine)
    url = warehouse_factory.new_url(engine)
    complete = ParquetSource(demo_dir)
    caps = half_of_each_fact(demo_dir)

    first = load(url, GrowingSource(complete, caps))
    second = load(url, complete)
    third = load(url, complete)

    facts = {table.name for table in FACT_TABLES}
    dimensions = {table.name for table in TABLES
                  if not table.is_fact and table not in DERIVED_TABLES}  # fmt: skip
    assert set(first.replaced) == facts | dimensions
    assert set(second.replaced) == dimensions, "facts must be appended, not reloaded"
    for name in facts:
        total = complete.count(next(t for t in FACT_TABLES if t.name == name), WORKSPACE)
        assert second.appended[name] == total - complete.count(
            next(t for t in FACT_TABLES if t.name == name), WORKSPACE, up_to=caps[name]
        )
        assert third.appended[name] == 0
        assert state(url)[name].row_count == total
    assert_same_snapshot(
        snapshot(connect(url)), snapshot(demo_warehouses.backend(engine), DEMO_WORKSPACE)
    )


@pytest.mark.parametrize("engine", ENGINE_PARAMS)
def test_failed_load_leaves_previous_warehouse_and_state_intact(
    engine: str, warehouse_factory: WarehouseFactory, demo_dir: Path, other_dir: Path
) -> None:
    require_engine(engine)
    url = warehouse_factory.new_url(engine)
    load(url, ParquetSource(demo_dir))
    before, state_before = snapshot(connect(url)), state(url)

    with pytest.raises(RuntimeError, match="source lost"):
        load(url, FailingSource(ParquetSource(other_dir), "process_events"))

    assert state(url) == state_before
    assert_same_snapshot(snapshot(connect(url)), before)
    if engine == "spark":
        root = Path(url.split("path=")[1].split("&")[0])
        parts = {p.relative_to(root).as_posix() for p in root.rglob("part-*.parquet")}
        listed = json.loads((root / "_manifest.json").read_text())["tables"]
        assert parts == {p for ws in listed.values() for files in ws.values() for p in files}


@pytest.mark.parametrize("engine", ["duckdb", "sqlite"])
def test_loading_a_regenerated_company_replaces_the_old_one(
    engine: str, warehouse_factory: WarehouseFactory, demo_warehouses: DemoWarehouses,
    demo_dir: Path, other_dir: Path,
) -> None:  # fmt: skip
    url = warehouse_factory.new_url(engine)
    load(url, ParquetSource(other_dir))
    report = load(url, ParquetSource(demo_dir))
    assert {t.name for t in FACT_TABLES} <= set(report.replaced)
    assert_same_snapshot(
        snapshot(connect(url)), snapshot(demo_warehouses.backend(engine), DEMO_WORKSPACE)
    )


def test_workspaces_do_not_see_each_other(demo_warehouses: DemoWarehouses) -> None:
    """The shared warehouses hold two companies; each workspace sees only its own."""
    backend = demo_warehouses.backend("duckdb")
    ours = compute_metric(backend, CATALOGUE.get("responses"), workspace_id=DEMO_WORKSPACE)
    theirs = compute_metric(backend, CATALOGUE.get("responses"), workspace_id=8)
    nobody = compute_metric(backend, CATALOGUE.get("responses"), workspace_id=999)
    assert ours[0].n != theirs[0].n
    assert nobody == []


def test_two_spark_warehouses_in_one_session_stay_apart(
    warehouse_factory: WarehouseFactory, demo_warehouses: DemoWarehouses, other_dir: Path
) -> None:
    """Spark's temporary views are per session; each warehouse gets its own names."""
    require_engine("spark")
    shared = demo_warehouses.backend("spark")
    url = warehouse_factory.new_url("spark")
    load(url, ParquetSource(other_dir))
    separate = connect(url)
    responses = CATALOGUE.get("responses")
    assert compute_metric(shared, responses, workspace_id=WORKSPACE) == []
    assert compute_metric(separate, responses, workspace_id=DEMO_WORKSPACE) == []
    assert compute_metric(separate, responses, workspace_id=WORKSPACE)[0].n > 0
    assert compute_metric(shared, responses, workspace_id=DEMO_WORKSPACE)[0].n > 0


@pytest.mark.parametrize("engine", ["duckdb", "sqlite"])
def test_an_empty_warehouse_says_how_to_fill_it(
    engine: str, warehouse_factory: WarehouseFactory
) -> None:
    backend = connect(warehouse_factory.new_url(engine))
    with pytest.raises(WarehouseNotLoaded, match="kano warehouse load"):
        compute_metric(backend, CATALOGUE.get("nps"), by=["month"], workspace_id=WORKSPACE)


@pytest.mark.parametrize("engine", [p for p in ENGINE_PARAMS if p.id != "spark"])
def test_a_rollup_from_an_older_version_is_rebuilt_by_the_next_load(
    engine: str, warehouse_factory: WarehouseFactory, demo_warehouses: DemoWarehouses,
    demo_dir: Path,
) -> None:  # fmt: skip
    """A warehouse whose customer-month rollup lacks the columns added later (orders,
    latest order, repeat purchase) is not broken by the upgrade: the next load, even one
    with nothing new to read, rebuilds the rollup in the current shape, and the metrics
    agree again."""
    require_engine(engine)
    url = warehouse_factory.new_url(engine)
    load(url, ParquetSource(demo_dir))
    store = open_store(url)
    try:
        with store.transaction():
            for column in ("orders", "last_order_at", "repeat_purchase"):
                store.execute(f'ALTER TABLE {store.name("customer_months")} DROP COLUMN "{column}"')
    finally:
        store.close()

    report = load(url, ParquetSource(demo_dir))

    assert all(report.appended.get(table.name, 0) == 0 for table in FACT_TABLES), report
    backend = connect(url)
    assert {"orders", "last_order_at", "repeat_purchase"} <= set(
        backend.table("customer_months").columns
    )
    assert state(url)["customer_months"].row_count > 0
    per_customer = ("arpu", "order_frequency", "repurchase_rate", "lifetime_months")
    for metric_id in per_customer:
        metric = CATALOGUE.get(metric_id)
        assert_same_rows(
            compute_metric(demo_warehouses.backend(engine), metric, by=["month", "segment"],
                           workspace_id=DEMO_WORKSPACE),
            compute_metrics(backend, [metric], by=["month", "segment"],
                            workspace_id=WORKSPACE)[metric_id],
        )  # fmt: skip
