"""The profit formula as a whole answer: two periods and the change per lever."""

from __future__ import annotations

from datetime import date
from typing import Any

from kano.analytics.value import report
from kano.analytics.value.inputs import ValueReader
from kano.analytics.value.views.running import Record, checked


def profit_view(
    backend: Any,
    workspace_id: int,
    *,
    segment: str | None = None,
    months: int = 3,
    costs_before: float = 0.0,
    costs_after: float = 0.0,
    industry: str = "generic",
    method: str = "shapley",
    start: date | None = None,
) -> Record:
    """The profit formula for two periods and the exact attribution of the change to each
    lever (see :func:`report.profit_report`): from ``start`` when given, else the last two
    complete periods inside the workspace's data window (:mod:`kano.metrics.data_window`:
    before it the order history holds only carried-in orders)."""
    # Imported here: the metric star is only needed for the default periods.
    from kano.metrics.data_window import data_window

    reader = ValueReader(backend, workspace_id, segment)
    window = data_window(backend, workspace_id) if start is None else None
    return checked("method", lambda: report.profit_report(
        reader, months=months, costs_before=costs_before, costs_after=costs_after,
        industry=industry, method=method, window=window, start=start))  # fmt: skip
