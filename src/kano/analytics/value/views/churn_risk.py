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


class ChurnNotFitted(InvalidInput):
    """The churn model could not be fitted to the customers asked for (the logistic
    regression did not converge), so there is no churn risk to show.

    The API answers it as a 422 problem with ``code`` ``churn_not_fitted``, ``reason``
    (``not_converged``), ``method`` and ``attempts`` (each solver tried, its iteration
    limit and the iterations it ran), as CLV's ``clv_not_fitted``."""

    code = "churn_not_fitted"

    def __init__(self, method: str, segment: str | None, reason: str,
                 attempts: list[tuple[str, int, int]], message: str) -> None:  # fmt: skip
        asked = f"segment {segment}" if segment else "these customers"
        super().__init__(
            "method",
            f"the {method} churn model could not be fitted to {asked}, so there is no churn "
            f"risk to show — the fit did not converge ({message})",
        )
        self.method, self.segment, self.reason = method, segment, reason
        self.attempts, self.model_message = attempts, message

    def details(self) -> dict[str, object]:
        return {"reason": self.reason, "method": self.method, "segment": self.segment,
                "attempts": [{"solver": s, "max_iter": limit, "iterations": ran}
                             for s, limit, ran in self.attempts]}  # fmt: skip


def churn_view(
    backend: Any,
    workspace_id: int,
    *,
    segment: str | None = None,
    method: str = "logistic",
    window_days: int = 180,
) -> ChurnView:
    """Every active customer's churn risk and top reasons, from a model trained on an
    earlier cut-off and judged on a later one; :class:`ChurnNotFitted` when the model's
    fit did not converge."""
    if method not in ("logistic", "boosting"):
        raise InvalidInput("method", "choose logistic or boosting")
    # Imported here: the churn model loads scikit-learn (~2 s), which start-up must not pay.
    from kano.analytics.value.churn import ChurnNotConverged

    reader = ValueReader(backend, workspace_id, segment)
    train, holdout, current = churn_datasets(reader, window_days=window_days)

    def fitted() -> tuple[Record, list[Record], Any]:
        try:
            return report.churn_report(train, holdout, current, method=method,
                                       window_days=window_days)  # fmt: skip
        except ChurnNotConverged as error:
            raise ChurnNotFitted(method, segment, error.reason, error.attempts,
                                 error.message) from error  # fmt: skip

    quality, records, _model = checked("window_days", fitted)
    return ChurnView(quality, records)
