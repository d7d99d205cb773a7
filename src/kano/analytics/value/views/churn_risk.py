"""Churn risk as a whole answer: every active customer's risk and reasons, and how well
the model did on a later cut-off."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kano.analytics.value import report
from kano.analytics.value.inputs import ValueReader, churn_datasets
from kano.analytics.value.views.running import Record, checked
from kano.domain.shared.errors import InvalidInput


@dataclass(frozen=True)
class ChurnView:
    quality: Record  # method, window, holdout AUC / Brier / base rate, drivers, reliability
    customers: list[Record]  # riskiest first


def churn_view(
    backend: Any,
    workspace_id: int,
    *,
    segment: str | None = None,
    method: str = "logistic",
    window_days: int = 180,
) -> ChurnView:
    """Every active customer's churn risk and top reasons, from a model trained on an
    earlier cut-off and judged on a later one."""
    if method not in ("logistic", "boosting"):
        raise InvalidInput("method", "choose logistic or boosting")
    reader = ValueReader(backend, workspace_id, segment)
    train, holdout, current = churn_datasets(reader, window_days=window_days)
    quality, records, _model = checked("window_days", lambda: report.churn_report(
        train, holdout, current, method=method, window_days=window_days))  # fmt: skip
    return ChurnView(quality, records)
