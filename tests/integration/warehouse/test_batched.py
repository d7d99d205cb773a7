"""``compute_metrics`` (many metrics, shared scans) gives exactly what ``compute_metric``
gives metric by metric, on every engine: the whole catalogue (custom metrics included)
by month × segment, and a request with a coarser grain, a filter and a period.

The reference is DuckDB's one-by-one result (``test_conformance.py`` shows every engine
agrees with it), so each engine's batched rows are compared with it row by row.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from kano.domain.shared.errors import InvalidInput
from kano.metrics import Metric, MetricRow, compute_metric, compute_metrics
from tests.integration.warehouse.comparison import assert_same_rows
from tests.integration.warehouse.conftest import DEMO_WORKSPACE, DemoWarehouses
from tests.integration.warehouse.test_conformance import (
    CATALOGUE,
    NO_CUSTOMER_SOURCES,
    reference,
    slices_for,
)
from tests.warehouses import ENGINE_PARAMS, require_engine

WITH_CUSTOMER = [m for m in CATALOGUE.values() if m.source not in NO_CUSTOMER_SOURCES]
WITHOUT_CUSTOMER = [m for m in CATALOGUE.values() if m.source in NO_CUSTOMER_SOURCES]
FILTERED: dict[str, Any] = {
    "by": ["quarter", "region"],
    "filters": {"segment": ["smb", "key_account"]},
    "period": (date(2025, 4, 1), date(2026, 3, 31)),
}
_filtered_reference: dict[str, list[MetricRow]] = {}


def one_by_one(warehouses: DemoWarehouses, metric: Metric) -> list[MetricRow]:
    if metric.id not in _filtered_reference:
        _filtered_reference[metric.id] = compute_metric(
            warehouses.backend("duckdb"), metric, workspace_id=DEMO_WORKSPACE, **FILTERED
        )
    return _filtered_reference[metric.id]


@pytest.mark.parametrize("engine", ENGINE_PARAMS)
def test_whole_catalogue_at_once_equals_metric_by_metric(
    demo_warehouses: DemoWarehouses, engine: str
) -> None:
    require_engine(engine)
    backend = demo_warehouses.backend(engine)
    batched: dict[str, list[MetricRow]] = {}
    for metrics in (WITH_CUSTOMER, WITHOUT_CUSTOMER):
        by = slices_for(metrics[0])
        batched |= compute_metrics(backend, metrics, by=by, workspace_id=DEMO_WORKSPACE)
    assert list(batched) == [m.id for m in (*WITH_CUSTOMER, *WITHOUT_CUSTOMER)]
    for metric_id, rows in batched.items():
        metric = CATALOGUE[metric_id]
        expected = reference(
            demo_warehouses, metric_id, {"metric": metric_id, "by": slices_for(metric)}
        )
        assert expected, metric_id
        assert_same_rows(expected, rows)


@pytest.mark.parametrize("engine", ENGINE_PARAMS)
def test_batched_grain_filter_and_period_equal_metric_by_metric(
    demo_warehouses: DemoWarehouses, engine: str
) -> None:
    require_engine(engine)
    batched = compute_metrics(
        demo_warehouses.backend(engine), WITH_CUSTOMER, workspace_id=DEMO_WORKSPACE, **FILTERED
    )
    compared = 0
    for metric in WITH_CUSTOMER:
        expected = one_by_one(demo_warehouses, metric)
        assert_same_rows(expected, batched[metric.id])
        compared += len(expected)
    assert compared > 100  # the request leaves data to compare


def test_batched_request_errors_name_the_slice(demo_warehouses: DemoWarehouses) -> None:
    with pytest.raises(InvalidInput, match="cannot slice by 'survey'"):
        compute_metrics(
            demo_warehouses.backend("duckdb"), WITH_CUSTOMER, by=["month", "survey"],
            workspace_id=DEMO_WORKSPACE,
        )  # fmt: skip
