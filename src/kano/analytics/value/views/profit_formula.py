"""The profit formula as a whole answer: the last two periods and the change per lever."""

from __future__ import annotations

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
) -> Record:
    """The profit formula for the last two complete periods and the exact attribution of
    the change to each lever (see :func:`report.profit_report`)."""
    reader = ValueReader(backend, workspace_id, segment)
    return checked("method", lambda: report.profit_report(
        reader, months=months, costs_before=costs_before, costs_after=costs_after,
        industry=industry, method=method))  # fmt: skip
