"""One definition, every engine: the whole catalogue sliced by month × segment gives the
same rows on DuckDB, SQLite, PostgreSQL and Spark (relative tolerance 1e-9, same n).

Metrics without a customer (pulses, staff) are sliced by month × team instead. DuckDB
is the reference; the other engines are compared with it row by row, and DuckDB itself
is checked against independent pandas code in ``test_independent_check.py``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kano.metrics import BUILT_IN, Metric, MetricRow, compute_metric, load_custom_metrics
from tests.integration.warehouse.comparison import assert_same_rows
from tests.integration.warehouse.conftest import DEMO_WORKSPACE, DemoWarehouses

CUSTOM = load_custom_metrics((Path(__file__).parent / "custom_metrics.yaml").read_text("utf-8"))
CATALOGUE: dict[str, Metric] = {metric.id: metric for metric in (*BUILT_IN, *CUSTOM)}
NO_CUSTOMER_SOURCES = {"pulses", "employees"}
OTHER_ENGINES = ["sqlite", "postgres", "spark"]
# Richer requests, each a different path through slicing, filters and comparison.
SCENARIOS: dict[str, dict[str, Any]] = {
    "nps-week-stage-region": {
        "metric": "nps", "by": ["week", "stage"], "filters": {"region": ["north", "south"]},
        "period": (date(2025, 3, 1), date(2025, 6, 30)),
    },
    "csat-touchpoint-channel": {
        "metric": "csat", "by": ["touchpoint", "channel", "survey"],
        "where": "language = 'en' or language is null",
    },
    "revenue-quarter-team-product": {
        "metric": "revenue", "by": ["quarter", "team", "product"], "compare": True,
    },
    "p90-year-touchpoint": {"metric": "delivery_delay_p90", "by": ["year", "touchpoint"]},
    "arpu-industry-kind": {"metric": "arpu", "by": ["industry", "kind"]},
    "nps-month-compare": {
        "metric": "nps", "by": ["month"], "compare": True,
        "period": (date(2025, 1, 1), date(2025, 12, 31)),
    },
    "ltv-total-compare": {
        "metric": "ltv", "by": [], "compare": True,
        "period": (date(2026, 1, 1), date(2026, 6, 30)),
    },
    "turnover-quarter-function": {"metric": "turnover", "by": ["quarter", "team_function"]},
    "retention-year-consent": {"metric": "retention_m3", "by": ["year", "consent_contact"]},
    "on-time-day-smb": {
        "metric": "on_time_payment", "by": ["day"], "filters": {"segment": ["smb"]},
        "period": (date(2026, 1, 1), date(2026, 1, 31)),
    },
}  # fmt: skip


def slices_for(metric: Metric) -> list[str]:
    return ["month", "team" if metric.source in NO_CUSTOMER_SOURCES else "segment"]


_reference: dict[str, list[MetricRow]] = {}


def reference(warehouses: DemoWarehouses, key: str, request: dict[str, Any]) -> list[MetricRow]:
    if key not in _reference:
        _reference[key] = compute(warehouses.backend("duckdb"), request)
    return _reference[key]


def compute(backend: Any, request: dict[str, Any]) -> list[MetricRow]:
    options = {k: v for k, v in request.items() if k != "metric"}
    return compute_metric(backend, CATALOGUE[request["metric"]], workspace_id=DEMO_WORKSPACE,
                          **options)  # fmt: skip


@pytest.mark.parametrize("metric_id", list(CATALOGUE))
def test_reference_has_rows_for_every_metric(
    demo_warehouses: DemoWarehouses, metric_id: str
) -> None:
    metric = CATALOGUE[metric_id]
    rows = reference(demo_warehouses, metric_id, {"metric": metric_id, "by": slices_for(metric)})
    assert rows, f"{metric_id} gave no rows on the demo"
    assert all(row.n > 0 for row in rows)
    months = {row.key("month") for row in rows}
    assert len(months) >= 12 if not metric_id.startswith(("retention_m12", "churn_m12")) else 12


@pytest.mark.parametrize("engine", OTHER_ENGINES)
@pytest.mark.parametrize("metric_id", list(CATALOGUE))
def test_catalogue_by_month_and_segment_matches_duckdb(
    demo_warehouses: DemoWarehouses, engine: str, metric_id: str
) -> None:
    metric = CATALOGUE[metric_id]
    request = {"metric": metric_id, "by": slices_for(metric)}
    expected = reference(demo_warehouses, metric_id, request)
    assert_same_rows(expected, compute(demo_warehouses.backend(engine), request))


@pytest.mark.parametrize("engine", OTHER_ENGINES)
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_slices_filters_and_comparisons_match_duckdb(
    demo_warehouses: DemoWarehouses, engine: str, scenario: str
) -> None:
    request = SCENARIOS[scenario]
    expected = reference(demo_warehouses, f"scenario:{scenario}", request)
    assert expected, scenario
    assert_same_rows(expected, compute(demo_warehouses.backend(engine), request))
