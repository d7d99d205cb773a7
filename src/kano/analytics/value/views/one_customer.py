"""One customer's place in every analysis (the customer 360 page), and its history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from kano.analytics.value.views.churn_risk import churn_view
from kano.analytics.value.views.client_matrix_cells import matrix_view
from kano.analytics.value.views.lifetime_value import clv_view
from kano.analytics.value.views.rfm_segments import rfm_view
from kano.analytics.value.views.running import Memo, Record, T, remembered
from kano.domain.shared.errors import InvalidInput


@dataclass(frozen=True)
class CustomerValue:
    """One customer's place in every analysis, and its history on earlier days."""

    rfm: Record | None
    rfm_history: list[tuple[date, str | None]]  # (day, segment); None: not active then
    matrix: Record | None  # accounts only
    matrix_history: list[tuple[date, tuple[str, str] | None]]
    clv: Record | None
    churn: Record | None  # churn_risk, reasons; None when not active now
    churn_auc: float | None


def _find(rows: list[Record], customer_id: int) -> Record | None:
    return next((r for r in rows if int(r["customer_id"]) == customer_id), None)


def _or_none(work: Callable[[], T]) -> T | None:
    """An analysis that cannot run for this workspace (too little data) leaves a gap."""
    try:
        return work()
    except (InvalidInput, ValueError):
        return None


def customer_value(
    backend: Any, workspace_id: int, customer_id: int, *, segment: str | None,
    is_account: bool, history: list[date], memo: Memo | None = None,
) -> CustomerValue:  # fmt: skip
    """RFM, client-matrix cell, CLV (fitted on the customer's segment) and churn risk of
    one customer, with the RFM segment and matrix cell on each day of ``history``. The
    analyses cover every customer; with ``memo`` the next customer's page reuses them."""

    def run(analysis: Callable[..., T], **options: Any) -> T | None:
        return _or_none(lambda: remembered(memo, analysis, backend, workspace_id, **options))

    rfm_now = run(rfm_view)
    rfm_history: list[tuple[date, str | None]] = []
    matrix_history: list[tuple[date, tuple[str, str] | None]] = []
    for day in history:
        then = run(rfm_view, as_of=day)
        found = _find(then.customers, customer_id) if then else None
        rfm_history.append((day, found["segment"] if found else None))
        if is_account:
            placed = run(matrix_view, as_of=day)
            cell = _find(placed.accounts, customer_id) if placed else None
            matrix_history.append(
                (day, (cell["attractiveness_level"], cell["relationship_level"]) if cell else None)
            )
    matrix_now = run(matrix_view) if is_account else None
    clv = run(clv_view, segment=segment, pooled=segment is None)
    churn = run(churn_view)
    return CustomerValue(
        rfm=_find(rfm_now.customers, customer_id) if rfm_now else None,
        rfm_history=rfm_history,
        matrix=_find(matrix_now.accounts, customer_id) if matrix_now else None,
        matrix_history=matrix_history,
        clv=_find(clv.customers, customer_id) if clv else None,
        churn=_find(churn.customers, customer_id) if churn else None,
        churn_auc=churn.quality["holdout_auc"] if churn else None,
    )
