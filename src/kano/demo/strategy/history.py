"""Monthly actuals of the demo strategy's measures, computed from the generated Parquet.

Why computed and not numbers in the YAML: the demo strategy must tell the same story as
the demo data (Delivery East's low engagement shows up as late deliveries, low delivery
CSAT and a weaker NPS), and the only way to keep that true whenever the generator changes
is to compute the history from the files at import time.

The numbers come from the metrics engine (:class:`kano.metrics.binding.MetricBinding`) on
an in-memory DuckDB warehouse loaded from the Parquet files, so every bound measure holds
exactly what ``kano compute`` and ``kano metrics show`` give for the same metric and slice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from kano.demo.timeline import MONTHS, START_DATE
from kano.metrics.binding import MetricBinding, PeriodValue
from kano.metrics.catalogue import built_in_catalogue
from kano.metrics.periods import Grain

DEMO_WORKSPACE_ID = 1
"""The id the in-memory warehouse gives the demo company (it holds nothing else)."""


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s month (negative: before)."""
    return Grain.MONTH.shift(Grain.MONTH.start_of(day), months)


def history_months() -> list[date]:
    """The first day of each month of the demo data (24 months, Nov 2024 – Oct 2026)."""
    return [add_months(START_DATE, offset) for offset in range(MONTHS)]


class DemoHistory:
    """Metric values of one generated company (a folder of Parquet files)."""

    def __init__(self, data_dir: Path) -> None:
        # Imported here: the warehouse adapter is only needed when a demo is built.
        import ibis

        from kano.adapters.warehouse import ParquetSource, load_warehouse, open_store

        store = open_store("duckdb://")  # in memory: it lives as long as its connection
        load_warehouse(store, ParquetSource(data_dir), DEMO_WORKSPACE_ID)
        self._backend = ibis.duckdb.from_connection(store.connection)  # type: ignore[attr-defined]
        # One thread sums in one order, so a value never flips at its last rounded decimal
        # from one run to the next (the data are small; threads would not help anyway).
        self._backend.raw_sql("SET threads TO 1")
        self._store = store
        self._catalogue = built_in_catalogue()
        self._months = frozenset(history_months())
        self._last_month = history_months()[-1]

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> DemoHistory:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def monthly(
        self, metric_id: str, metric_slice: Mapping[str, Any] | None = None
    ) -> dict[date, PeriodValue]:
        """The metric for each month of the window that has one (empty months are left
        out; so are the months before the window, which hold only the existing customers'
        last orders before it)."""
        binding = MetricBinding.of(metric_id, metric_slice)
        until = Grain.MONTH.end_of(self._last_month)
        series = binding.series(
            self._backend, self._catalogue, DEMO_WORKSPACE_ID, Grain.MONTH, until
        )
        return {
            found.start: found
            for found in series
            if found.value is not None and found.start in self._months
        }

    def over(
        self,
        metric_id: str,
        metric_slice: Mapping[str, Any] | None,
        start: date | datetime,
        end: date | datetime,
    ) -> PeriodValue | None:
        """The metric over the half-open window ``[start, end)``; None without data."""
        first, after = _day(start), _day(end)
        binding = MetricBinding.of(metric_id, metric_slice)
        found = binding.over(
            self._backend, self._catalogue, DEMO_WORKSPACE_ID, first, after - timedelta(days=1)
        )
        return None if found is None or found.value is None else found


def _day(moment: date | datetime) -> date:
    return moment.date() if isinstance(moment, datetime) else moment
