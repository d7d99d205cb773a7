"""A binding of a scorecard measure or key result to a metric, and what it computes.

A binding is a metric id plus a *slice*: fixed filters such as
``{touchpoint: delivery-field}`` or ``{segment: [key_account, smb]}``. Live measures
compute the metric per period of their frequency (``series``); key results compute it
over a window such as the cycle so far (``over``). Both go through
:func:`compute_metric`, so a bound number is the number ``kano metrics show`` prints for
the same slice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from kano.domain.shared.errors import InvalidInput
from kano.metrics.catalogue import Catalogue
from kano.metrics.compute import compute_metric
from kano.metrics.periods import Grain, as_date
from kano.metrics.star import Star
from kano.metrics.warehouse_errors import WarehouseNotLoaded
from kano.metrics.warehouse_schema import TABLES

FREQUENCY_GRAINS: dict[str, Grain] = {
    "daily": Grain.DAY,
    "weekly": Grain.WEEK,
    "monthly": Grain.MONTH,
    "quarterly": Grain.QUARTER,
    "yearly": Grain.YEAR,
}
"""A measure's frequency decides the grain its live values are computed at."""


DATA_END_TABLES = ("transactions", "responses", "process_events", "pulses")
"""The facts whose last date marks the end of the data. Payments are left out: their due
dates run weeks past the last order, and a month of bills not yet due is not late."""


def data_end(backend: Any, workspace_id: int) -> date | None:
    """The last day with facts of the workspace in the warehouse (None when empty)."""
    star = Star(backend, workspace_id)
    ends = []
    for table in TABLES:
        if table.name not in DATA_END_TABLES or table.time_column is None:
            continue
        try:
            column = star.table(table.name)[table.time_column]
        except WarehouseNotLoaded:
            continue
        latest = backend.execute(column.max())
        if latest is not None and latest == latest:  # NaT/NaN compare unequal to themselves
            ends.append(as_date(latest))
    return max(ends) if ends else None


@dataclass(frozen=True)
class PeriodValue:
    """The metric over ``start``–``end`` (inclusive): value, sample size, 95 % interval."""

    start: date
    end: date
    value: float | None
    n: int
    ci_low: float | None = None
    ci_high: float | None = None


@dataclass(frozen=True)
class MetricBinding:
    metric_id: str
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def of(cls, metric_id: str, metric_slice: Mapping[str, Any] | None) -> MetricBinding:
        """The binding as stored (``metric_slice`` values are a scalar or a list)."""
        filters = []
        for name, wanted in sorted((metric_slice or {}).items()):
            values = wanted if isinstance(wanted, list | tuple) else [wanted]
            if not values or any(value is None or isinstance(value, dict) for value in values):
                raise InvalidInput(f"metric.slice.{name}", "give a value or a list of values")
            filters.append((str(name), tuple(str(value) for value in values)))
        return cls(metric_id, tuple(filters))

    def series(
        self,
        backend: Any,
        catalogue: Catalogue,
        workspace_id: int,
        grain: Grain,
        until: date | None = None,
    ) -> list[PeriodValue]:
        """The metric for every period of ``grain`` that has data, up to ``until``."""
        period = (date(1900, 1, 1), until) if until is not None else None
        rows = compute_metric(
            backend,
            catalogue.get(self.metric_id),
            by=[grain.value],
            filters=dict(self.filters),
            period=period,
            workspace_id=workspace_id,
        )
        values = []
        for row in rows:
            label = row.key(grain.value)
            if not isinstance(label, str):
                continue  # rows without a period (null timestamps) belong to no period
            start = grain.start_of_label(label)
            values.append(
                PeriodValue(start, grain.end_of(start), row.value, row.n, row.ci_low, row.ci_high)
            )
        return values

    def over(
        self, backend: Any, catalogue: Catalogue, workspace_id: int, start: date, end: date
    ) -> PeriodValue | None:
        """The metric over the inclusive window ``start``–``end``; None without data."""
        rows = compute_metric(
            backend,
            catalogue.get(self.metric_id),
            filters=dict(self.filters),
            period=(start, end),
            workspace_id=workspace_id,
        )
        if not rows:
            return None
        row = rows[0]
        return PeriodValue(start, end, row.value, row.n, row.ci_low, row.ci_high)
