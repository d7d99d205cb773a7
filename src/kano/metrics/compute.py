"""``compute_metric``: one metric, sliced and filtered, on any Ibis backend; and
``compute_metrics``: many metrics sliced the same way, sharing scans.

This is the read side every interface shares (CLI, API, explorer, scorecard binding,
bench): it frames the metric's base table for the request, runs one query for the
sufficient statistics, and finishes each slice in Python. Comparison with the previous
period runs the same computation one period earlier and pairs the rows.

``compute_metrics`` gives exactly the rows ``compute_metric`` gives for each metric, with
less work: metrics whose aggregations reduce the same base (e.g. every row-level metric
of ``responses``) are reduced in one grouped query with each metric's filter as a
condition on its reductions; metrics that first reduce per customer (orders per
customer, ARPU, active customers, repurchase rate, the profit formula) share that step;
metrics with identical statistics (LT and LTV) share one query.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from kano.domain.shared.errors import InvalidInput
from kano.metrics.aggregations.base import PER_CUSTOMER, grouped
from kano.metrics.definitions import Metric
from kano.metrics.expression_ibis import compile_text
from kano.metrics.expressions import ExpressionError
from kano.metrics.periods import Grain, as_date, previous_range
from kano.metrics.request import MetricRow, SliceKey, SliceRequest
from kano.metrics.star import Star


def compute_metric(
    backend: Any,
    metric: Metric,
    by: Sequence[str] = (),
    filters: Mapping[str, str | Iterable[str]] | None = None,
    period: tuple[date, date] | None = None,
    workspace_id: int = 1,
    *,
    where: str | None = None,
    compare: bool = False,
) -> list[MetricRow]:
    """The metric per slice of ``by`` (e.g. ``["month", "segment"]``), rows sorted by key.

    ``filters`` maps a slice name to the allowed values (``{"segment": ["smb"]}``);
    ``period`` is an inclusive ``(from, to)`` date range; ``where`` an extra condition
    in the expression language. With ``compare=True`` every row also carries the value
    of the previous period (the previous grain for a time slice, else the equally long
    range just before ``period``).
    """
    request = SliceRequest.build(by, filters, period, where)
    rows = _rows(backend, metric, request, workspace_id)
    if not compare:
        return rows
    return _with_previous(backend, metric, request, workspace_id, rows)


def compute_metrics(
    backend: Any,
    metrics: Iterable[Metric],
    by: Sequence[str] = (),
    filters: Mapping[str, str | Iterable[str]] | None = None,
    period: tuple[date, date] | None = None,
    workspace_id: int = 1,
    *,
    where: str | None = None,
) -> dict[str, list[MetricRow]]:
    """Every metric sliced by the same request: metric id → the rows ``compute_metric``
    returns for it (same arguments), computed with shared scans (see the module text)."""
    request = SliceRequest.build(by, filters, period, where)
    wanted = {metric.id: metric for metric in metrics}
    star = Star(backend, workspace_id)
    results: dict[str, list[MetricRow]] = {}
    batches: dict[tuple[str, Hashable], list[Metric]] = {}
    alone: dict[tuple[str, str | None, Hashable], list[Metric]] = {}
    for metric in wanted.values():
        batch_key = metric.aggregation.batch_key()
        statistics_key = metric.aggregation.statistics_key()
        if batch_key is not None:
            batches.setdefault((metric.source, batch_key), []).append(metric)
        elif statistics_key is not None:
            key = (metric.source, metric.filter, statistics_key)
            alone.setdefault(key, []).append(metric)
        else:
            alone[(metric.id, None, None)] = [metric]
    for group in alone.values():
        records = _statistics_records(star, group[0], request)
        for metric in group:
            results[metric.id] = _finished_rows(metric, records, request)
    for group in batches.values():
        results.update(_batched_rows(star, group, request))
    return {metric_id: results[metric_id] for metric_id in wanted}


def _batched_rows(
    star: Star, metrics: list[Metric], request: SliceRequest
) -> dict[str, list[MetricRow]]:
    """Metrics with one base reduced in one grouped query, each under its own filter."""
    first = metrics[0]
    base = first.aggregation.batch_base(star, first.source, request)
    try:
        frame = star.frame(base, request, [text for m in metrics for text in m.expressions()])
    except ExpressionError as error:
        ids = ", ".join(metric.id for metric in metrics)
        raise InvalidInput(f"metrics {ids}", str(error)) from error
    keys = list(request.by)
    per_customer = first.aggregation.batch_key() == PER_CUSTOMER
    for metric in metrics:
        frame = metric.aggregation.extend_batch_frame(star, frame)
    reductions: dict[str, Any] = {}
    members = []
    for index, metric in enumerate(metrics):
        try:
            condition = compile_text(metric.filter, frame) if metric.filter else None
            members.append((f"_m{index}", metric.aggregation, condition))
            if per_customer:
                parts = metric.aggregation.customer_reductions(frame, condition)
            else:
                parts = metric.aggregation.reductions(frame, condition)
        except ExpressionError as error:
            raise InvalidInput(f"metric {metric.id}", str(error)) from error
        reductions.update({f"_m{index}{name}": value for name, value in parts.items()})
    if per_customer:
        customers = frame.group_by([*keys, "customer_id"]).aggregate(**reductions)
        contexts = {type(m.aggregation): m.aggregation.customer_context(star) for m in metrics}
        for context in contexts.values():
            if context is not None:
                joined = customers.left_join(
                    context, customers.customer_id == context._context_customer
                )
                customers = joined.drop("_context_customer")
        reductions = {}
        for index, metric in enumerate(metrics):
            prefix = f"_m{index}_"
            columns = {
                name[len(prefix) - 1 :]: customers[name]
                for name in customers.columns
                if name.startswith(prefix)
            }
            parts = metric.aggregation.reductions_over_customers(customers, columns)
            reductions.update({f"_m{index}{name}": value for name, value in parts.items()})
        frame = customers
    statistics = first.aggregation.batch_statistics(frame, keys, members)
    if statistics is None:
        statistics = grouped(frame, keys, **reductions)
    records = star.backend.to_pyarrow(statistics).to_pylist()
    results = {}
    for index, metric in enumerate(metrics):
        prefix = f"_m{index}_"
        own = [
            {
                **{key: record[key] for key in keys},
                **{name[len(prefix) - 1 :]: value for name, value in record.items()
                   if name.startswith(prefix)},
            }
            for record in records
        ]  # fmt: skip
        results[metric.id] = _finished_rows(metric, own, request)
    return results


def _rows(
    backend: Any, metric: Metric, request: SliceRequest, workspace_id: int
) -> list[MetricRow]:
    records = _statistics_records(Star(backend, workspace_id), metric, request)
    return _finished_rows(metric, records, request)


def _statistics_records(star: Star, metric: Metric, request: SliceRequest) -> list[dict[str, Any]]:
    aggregation = metric.aggregation
    base = aggregation.base(star, metric.source, request)
    try:
        frame = star.frame(base, request, metric.expressions())
        if metric.filter:
            frame = frame.filter(compile_text(metric.filter, frame))
        statistics = aggregation.statistics(frame, list(request.by))
    except ExpressionError as error:
        raise InvalidInput(f"metric {metric.id}", str(error)) from error
    records: list[dict[str, Any]] = star.backend.to_pyarrow(statistics).to_pylist()
    return records


def _finished_rows(
    metric: Metric, records: list[dict[str, Any]], request: SliceRequest
) -> list[MetricRow]:
    aggregation = metric.aggregation
    grain = request.grain
    rows = []
    for record in records:
        finished = aggregation.finish(record)
        estimate = finished.estimate
        if estimate.n == 0:
            continue  # a slice with rows but no observation of this metric (no answers)
        keys = tuple((name, _key(record[name], name, grain)) for name in request.by)
        rows.append(
            MetricRow(
                keys=keys,
                value=_clean(estimate.value),
                n=estimate.n,
                ci_low=_clean(estimate.low),
                ci_high=_clean(estimate.high),
                components=tuple((k, _clean(v)) for k, v in finished.components),
            )
        )
    rows.sort(key=lambda row: tuple(_sort_key(value) for _, value in row.keys))
    return rows


def _key(value: Any, name: str, grain: Grain | None) -> SliceKey:
    """A slice key as JSON-ready Python: period labels, ISO dates, plain numbers."""
    if value is None:
        return None
    if grain is not None and name == grain.value:
        return grain.label(as_date(value))
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _clean(value: float | None) -> float | None:
    if value is None or math.isnan(value) or math.isinf(value):
        return None
    return float(value)


def _sort_key(value: SliceKey) -> tuple[int, str, float]:
    """Nulls last; numbers by value, everything else by text."""
    if value is None:
        return (2, "", 0.0)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, "", float(value))
    return (1, str(value), 0.0)


def _with_previous(
    backend: Any, metric: Metric, request: SliceRequest, workspace_id: int, rows: list[MetricRow]
) -> list[MetricRow]:
    grain = request.grain
    if grain is not None:
        previous_rows = rows
        if request.period:
            start = grain.shift(grain.start_of(request.period[0]), -1)
            earlier = _replace_period(request, (start, request.period[1]))
            previous_rows = _rows(backend, metric, earlier, workspace_id)
        previous = {_previous_key(row, grain, shift=1): row.value for row in previous_rows}
        matched = [_compared(row, previous.get(_previous_key(row, grain, 0))) for row in rows]
        return matched
    if request.period is None:
        return [_compared(row, None) for row in rows]
    earlier = _replace_period(request, previous_range(request.period))
    previous = {row.keys: row.value for row in _rows(backend, metric, earlier, workspace_id)}
    return [_compared(row, previous.get(row.keys)) for row in rows]


def _replace_period(request: SliceRequest, period: tuple[date, date]) -> SliceRequest:
    return SliceRequest(request.by, request.filters, period, request.where)


def _previous_key(row: MetricRow, grain: Grain, shift: int) -> tuple[tuple[str, SliceKey], ...]:
    """The row's keys with its period moved ``shift`` grains later (labels → starts)."""
    keys = []
    for name, value in row.keys:
        if name == grain.value and isinstance(value, str):
            value = grain.label(grain.shift(grain.start_of_label(value), shift))
        keys.append((name, value))
    return tuple(keys)


def _compared(row: MetricRow, previous: float | None) -> MetricRow:
    return MetricRow(
        keys=row.keys,
        value=row.value,
        n=row.n,
        ci_low=row.ci_low,
        ci_high=row.ci_high,
        components=row.components,
        previous_value=previous,
        compared=True,
    )

