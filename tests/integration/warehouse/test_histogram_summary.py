"""Percentiles, means and shares of one column batched together count their rows on a
summary grouped by the few-valued columns their filters read (``measure``), not on every
fact. The rows must be exactly those of each metric alone, also where the summary has
groups no metric counts: a measure nobody asks for, a month with only that measure,
missing values, and a filter on a column that is not few-valued (then no summary)."""

from __future__ import annotations

from datetime import datetime

import ibis
import pyarrow as pa
import pytest

from kano.metrics import compute_metric, compute_metrics, load_custom_metrics
from kano.metrics.warehouse_schema import CUSTOMERS, PROCESS_EVENTS, SEGMENTS
from tests.integration.warehouse.comparison import assert_same_rows

METRICS = """
metrics:
  - {id: a_p50, name: a p50, layer: OX, direction: lower, source: process_events,
     aggregate: percentile, value: value, percentile: 50, filter: "measure = 'a'"}
  - {id: a_p90, name: a p90, layer: OX, direction: lower, source: process_events,
     aggregate: percentile, value: value, percentile: 90, filter: "measure = 'a'"}
  - {id: a_mean, name: a mean, layer: OX, direction: lower, source: process_events,
     aggregate: mean, value: value, filter: "measure = 'a'"}
  - {id: b_p75, name: b p75, layer: OX, direction: lower, source: process_events,
     aggregate: percentile, value: value, percentile: 75,
     filter: "measure = 'b' and process != 'ignored'"}
  - {id: b_zero_share, name: b zero share, layer: OX, direction: lower,
     source: process_events, aggregate: share, condition: value <= 0,
     filter: "measure = 'b'"}
  - {id: any_mean, name: any mean, layer: OX, direction: lower, source: process_events,
     aggregate: mean, value: value}
"""
# Not few-valued: the filter reads the event's customer id, so no summary is used.
FALLBACK = """
metrics:
  - {id: early_p50, name: early p50, layer: OX, direction: lower, source: process_events,
     aggregate: percentile, value: value, percentile: 50, filter: "customer_id < 4"}
  - {id: early_mean, name: early mean, layer: OX, direction: lower, source: process_events,
     aggregate: mean, value: value, filter: "customer_id < 4"}
"""


def _events() -> pa.Table:
    rows = []
    event_id = 0
    for month in (1, 2, 3):
        for customer in range(1, 7):
            for index in range(12):
                event_id += 1
                measure = "abc"[(customer + index) % 3]
                if month == 3:
                    measure = "c"  # a month only the unused measure has
                value = None if index % 5 == 0 else float((customer * 7 + index * 3) % 11 - 2)
                rows.append(
                    {
                        "workspace_id": 1,
                        "event_id": event_id,
                        "touchpoint_id": None,
                        "team_id": None,
                        "customer_id": customer,
                        "transaction_id": None,
                        "process": "ignored" if index == 7 else "delivery",
                        "measure": measure,
                        "value": value,
                        "occurred_at": datetime(2026, month, 1 + index),
                    }
                )
    return pa.Table.from_pylist(rows, schema=PROCESS_EVENTS.schema)


@pytest.fixture
def warehouse():  # type: ignore[no-untyped-def]
    backend = ibis.duckdb.connect(":memory:")
    backend.create_table("process_events", _events())
    segments = [{"workspace_id": 1, "segment_id": i, "key": k} for i, k in ((1, "smb"), (2, "key"))]
    backend.create_table("segments", _full(segments, SEGMENTS.schema))
    customers = [
        {"workspace_id": 1, "customer_id": c, "external_id": f"C{c}", "segment_id": 1 + c % 2}
        for c in range(1, 7)
    ]
    backend.create_table("customers", _full(customers, CUSTOMERS.schema))
    yield backend
    backend.disconnect()


def _full(rows: list[dict], schema: pa.Schema) -> pa.Table:  # type: ignore[type-arg]
    return pa.Table.from_pylist([{n: r.get(n) for n in schema.names} for r in rows], schema)


@pytest.mark.parametrize("text", [METRICS, FALLBACK], ids=["summary", "fallback"])
@pytest.mark.parametrize("by", [["month", "segment"], ["segment"], []])
def test_batched_rows_equal_each_metric_alone(warehouse, text: str, by: list[str]) -> None:  # type: ignore[no-untyped-def]
    metrics = load_custom_metrics(text)
    batched = compute_metrics(warehouse, metrics, by=by)
    for metric in metrics:
        alone = compute_metric(warehouse, metric, by=by)
        assert_same_rows(alone, batched[metric.id])  # same n, values within 1e-9
        assert alone, f"{metric.id} has rows"
    if by == ["month", "segment"] and text is METRICS:
        # March holds only the unused measure: no row for the metrics of a and b.
        months = {dict(row.keys)["month"] for row in batched["a_p50"]}
        assert months == {"2026-01", "2026-02"}
        assert {dict(row.keys)["month"] for row in batched["any_mean"]} >= {"2026-03"}
