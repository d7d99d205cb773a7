"""Monthly actuals of the demo strategy's measures, computed from the generated Parquet.

Why a script and not numbers in the YAML: the demo strategy must tell the same story as
the demo data (Delivery East's low engagement shows up as late deliveries, low delivery
CSAT and a weaker NPS), and the only way to keep that true whenever the generator changes
is to compute the history from the files at import time.

Every metric is one DuckDB aggregate over one *source* — a table joined from the Parquet files
with a timestamp ``moment`` and the dimensions a binding may slice by. A slice
``{touchpoint: delivery-field}`` becomes ``WHERE touchpoint = 'delivery-field'``; a list
value (``{segment: [key_account, smb]}``) becomes ``IN``. The definitions (what the
metric ids mean here):

=========================  ========  ==================================================
metric id                  source    monthly value
=========================  ========  ==================================================
nps                        feedback  % promoters (9–10) − % detractors (0–6)
csat, ces, rating          feedback  mean score (CSAT 1–5, CES 1–7 with 7 = very easy)
engagement                 pulse     mean engagement (1–5)
enps                       pulse     eNPS: % promoters − % detractors of the pulse
competency                 pulse     mean competency, in % (0–100)
training_hours             pulse     mean training hours per pulse (≈ per person-month)
delivery_delay_days        process   mean delay of deliveries, days after the promise
on_time_delivery_rate      process   % of deliveries with a delay of 0 days or less
first_response_minutes,    process   mean of the process measure of the same name
call_wait_seconds,
defects, onboarding_days
first_contact_resolution   process   % of support contacts solved at the first contact
damaged_delivery_rate      process   % of deliveries with damaged or missing items
                                     (``defects`` events per ``delivery_delay_days`` one)
revenue                    sales     sum of order amounts
margin_pct                 sales     gross margin ÷ revenue, in %
average_order_value        sales     mean order amount
active_customers           sales     customers with at least one order
revenue_per_customer       sales     revenue ÷ active customers
on_time_payment_rate       invoices  % of invoices due in the month paid by the due date
repurchase_rate            sales     % of the customers who ordered in the 3 months
                                     before the month who order again in the month
churn_rate                 sales     % of the customers who ordered in the 3 months
                                     before a 3-month window (ending with the month)
                                     who place no order in that window
=========================  ========  ==================================================

The two retention metrics need earlier months, so their history starts once the look-back
lies inside the data (February 2025 for repurchase, April 2025 for churn).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from kano.demo.timeline import MONTHS, START_DATE

RETENTION_LOOKBACK_MONTHS = 3
CHURN_WINDOW_MONTHS = 3

_SOURCES = {
    "feedback": """
        SELECT r.submitted_at AS moment, r.nps, r.csat, r.ces, r.rating,
               s.key AS survey, t.key AS touchpoint, st.key AS stage,
               tm.key AS team, tm.function AS team_function, seg.key AS segment
        FROM responses r
        LEFT JOIN surveys s ON s.survey_id = r.survey_id
        LEFT JOIN touchpoints t ON t.touchpoint_id = r.touchpoint_id
        LEFT JOIN stages st ON st.stage_id = t.stage_id
        LEFT JOIN teams tm ON tm.team_id = t.owner_team_id
        LEFT JOIN customers c ON c.customer_id = r.customer_id
        LEFT JOIN segments seg ON seg.segment_id = c.segment_id""",
    "process": """
        SELECT e.occurred_at AS moment, e.measure, e.value,
               t.key AS touchpoint, st.key AS stage,
               tm.key AS team, tm.function AS team_function, seg.key AS segment
        FROM process_events e
        LEFT JOIN touchpoints t ON t.touchpoint_id = e.touchpoint_id
        LEFT JOIN stages st ON st.stage_id = t.stage_id
        LEFT JOIN teams tm ON tm.team_id = e.team_id
        LEFT JOIN customers c ON c.customer_id = e.customer_id
        LEFT JOIN segments seg ON seg.segment_id = c.segment_id""",
    "pulse": """
        SELECT p.submitted_at AS moment, p.enps, p.engagement, p.competency, p.training_hours,
               tm.key AS team, tm.function AS team_function
        FROM pulses p LEFT JOIN teams tm ON tm.team_id = p.team_id""",
    "sales": """
        SELECT x.occurred_at AS moment, x.customer_id, x.amount, x.margin, x.product, x.channel,
               tm.key AS team, tm.function AS team_function, seg.key AS segment
        FROM transactions x
        LEFT JOIN teams tm ON tm.team_id = x.team_id
        LEFT JOIN customers c ON c.customer_id = x.customer_id
        LEFT JOIN segments seg ON seg.segment_id = c.segment_id""",
    "invoices": """
        SELECT CAST(p.due_on AS TIMESTAMP) AS moment, p.due_on, p.paid_on, seg.key AS segment
        FROM payments p
        LEFT JOIN customers c ON c.customer_id = p.customer_id
        LEFT JOIN segments seg ON seg.segment_id = c.segment_id""",
}
_TABLES = (
    "responses", "surveys", "touchpoints", "stages", "teams", "customers", "segments",
    "process_events", "pulses", "transactions", "payments",
)
# The dimensions each source can be sliced by (slice keys are checked against these).
_DIMENSIONS = {
    "feedback": {"survey", "touchpoint", "stage", "team", "team_function", "segment"},
    "process": {"touchpoint", "stage", "team", "team_function", "segment"},
    "pulse": {"team", "team_function"},
    "sales": {"team", "team_function", "segment", "product", "channel"},
    "invoices": {"segment"},
}


def _share(condition: str) -> str:
    return f"100 * avg(CASE WHEN {condition} THEN 1.0 ELSE 0.0 END)"


def _net_promoter(column: str) -> str:
    return f"{_share(f'{column} >= 9')} - {_share(f'{column} <= 6')}"


@dataclass(frozen=True)
class _Aggregate:
    """A metric that is one aggregate over the rows of a source in a window."""

    source: str
    value: str
    rows: str  # which rows count (SQL condition)
    n: str = "count(*)"  # the observations behind the value


def _process(measure: str, value: str = "avg(value)") -> _Aggregate:
    return _Aggregate("process", value, f"measure = '{measure}'")


_AGGREGATES: dict[str, _Aggregate] = {
    "nps": _Aggregate("feedback", _net_promoter("nps"), "nps IS NOT NULL"),
    "csat": _Aggregate("feedback", "avg(csat)", "csat IS NOT NULL"),
    "ces": _Aggregate("feedback", "avg(ces)", "ces IS NOT NULL"),
    "rating": _Aggregate("feedback", "avg(rating)", "rating IS NOT NULL"),
    "engagement": _Aggregate("pulse", "avg(engagement)", "engagement IS NOT NULL"),
    "enps": _Aggregate("pulse", _net_promoter("enps"), "enps IS NOT NULL"),
    "competency": _Aggregate("pulse", "100 * avg(competency)", "competency IS NOT NULL"),
    "training_hours": _Aggregate("pulse", "avg(training_hours)", "training_hours IS NOT NULL"),
    "delivery_delay_days": _process("delivery_delay_days"),
    "on_time_delivery_rate": _process("delivery_delay_days", _share("value <= 0")),
    "first_response_minutes": _process("first_response_minutes"),
    "first_contact_resolution": _process("first_contact_resolution", "100 * avg(value)"),
    "call_wait_seconds": _process("call_wait_seconds"),
    "defects": _process("defects"),
    "onboarding_days": _process("onboarding_days"),
    "damaged_delivery_rate": _Aggregate(
        "process",
        "100.0 * count(*) FILTER (WHERE measure = 'defects') "
        "/ count(*) FILTER (WHERE measure = 'delivery_delay_days')",
        "measure IN ('defects', 'delivery_delay_days')",
        "count(*) FILTER (WHERE measure = 'delivery_delay_days')",
    ),
    "revenue": _Aggregate("sales", "sum(amount)", "TRUE"),
    "margin_pct": _Aggregate("sales", "100 * sum(margin) / sum(amount)", "TRUE"),
    "average_order_value": _Aggregate("sales", "avg(amount)", "TRUE"),
    "active_customers": _Aggregate("sales", "count(DISTINCT customer_id)", "TRUE"),
    "revenue_per_customer": _Aggregate(
        "sales", "sum(amount) / count(DISTINCT customer_id)", "TRUE"
    ),
    "on_time_payment_rate": _Aggregate(
        "invoices", _share("paid_on IS NOT NULL AND paid_on <= due_on"), "TRUE"
    ),
}
RETENTION_METRICS = ("repurchase_rate", "churn_rate")
METRIC_IDS: tuple[str, ...] = (*_AGGREGATES, *RETENTION_METRICS)


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s month (negative: before)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def shift_months(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` later (earlier if negative), clamped to the month's
    last day: 31 May − 3 months is 28 (or 29) February."""
    first = add_months(moment.date(), months)
    next_first = add_months(first, 1)
    day = min(moment.day, (next_first - first).days)
    return datetime.combine(first.replace(day=day), moment.time())


def history_months() -> list[date]:
    """The first day of each month of the demo data (24 months, Nov 2024 – Oct 2026)."""
    return [add_months(START_DATE, offset) for offset in range(MONTHS)]


@dataclass(frozen=True)
class MetricValue:
    value: float
    n: int
    """Observations behind the value: responses, pulses, events, orders or customers."""


def _moment(day: date | datetime) -> datetime:
    return day if isinstance(day, datetime) else datetime(day.year, day.month, day.day)


class DemoHistory:
    """Metric values of one generated company (a folder of Parquet files)."""

    def __init__(self, data_dir: Path) -> None:
        self._db = duckdb.connect()
        # One thread sums in one order, so a value never flips at its last rounded decimal
        # from one run to the next (the data are small; threads would not help anyway).
        self._db.execute("SET threads TO 1")
        for table in _TABLES:
            path = str(data_dir / f"{table}.parquet").replace("'", "''")
            self._db.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{path}')")
        # The sources are small (tens of thousands of rows at size S); materialising them
        # once makes each of the few hundred metric queries a scan of one in-memory table.
        for name, sql in _SOURCES.items():
            self._db.execute(f"CREATE TABLE {name} AS {sql}")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> DemoHistory:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def monthly(
        self, metric_id: str, metric_slice: Mapping[str, Any] | None = None
    ) -> dict[date, MetricValue]:
        """The metric for each month of the data that has one (empty months are left out)."""
        if metric_id in RETENTION_METRICS:
            found = {}
            for month in history_months():
                value = self._retention(metric_id, metric_slice, month, add_months(month, 1))
                if value is not None:
                    found[month] = value
            return found
        aggregate = _AGGREGATES[self._known(metric_id)]
        where, params = _slice_filter(aggregate.source, metric_slice)
        rows = self._db.execute(
            f"SELECT CAST(date_trunc('month', moment) AS DATE) AS month, {aggregate.value}, "
            f"{aggregate.n} FROM {aggregate.source} WHERE {aggregate.rows}{where} "
            "GROUP BY 1 ORDER BY 1",
            params,
        ).fetchall()
        months = set(history_months())
        return {
            month: MetricValue(float(value), int(n))
            for month, value, n in rows
            if month in months and value is not None
        }

    def over(
        self,
        metric_id: str,
        metric_slice: Mapping[str, Any] | None,
        start: date | datetime,
        end: date | datetime,
    ) -> MetricValue | None:
        """The metric over the half-open window ``[start, end)``; None without data."""
        if metric_id in RETENTION_METRICS:
            return self._retention(metric_id, metric_slice, start, end)
        aggregate = _AGGREGATES[self._known(metric_id)]
        where, params = _slice_filter(aggregate.source, metric_slice)
        value, n = self._db.execute(
            f"SELECT {aggregate.value}, {aggregate.n} FROM {aggregate.source} "
            f"WHERE {aggregate.rows} AND moment >= ? AND moment < ?{where}",
            [_moment(start), _moment(end), *params],
        ).fetchone() or (None, 0)
        return None if value is None else MetricValue(float(value), int(n))

    def _retention(
        self,
        metric_id: str,
        metric_slice: Mapping[str, Any] | None,
        start: date | datetime,
        end: date | datetime,
    ) -> MetricValue | None:
        """Repurchase: of the customers who ordered in the 3 months before ``start``, the
        share ordering in ``[start, end)``. Churn: of the customers who ordered in the 3
        months before the 3-month window ending at ``end``, the share with no order in it."""
        if metric_id == "repurchase_rate":
            window_start, counted = _moment(start), "IS NOT NULL"
        else:
            window_start, counted = shift_months(_moment(end), -CHURN_WINDOW_MONTHS), "IS NULL"
        base_start = shift_months(window_start, -RETENTION_LOOKBACK_MONTHS)
        if base_start < _moment(START_DATE):
            return None
        where, params = _slice_filter("sales", metric_slice)
        buyers = f"SELECT DISTINCT customer_id FROM sales WHERE moment >= ? AND moment < ?{where}"
        value, n = self._db.execute(
            f"WITH base AS ({buyers}), again AS ({buyers}) "
            f"SELECT {_share(f'again.customer_id {counted}')}, count(*) "
            "FROM base LEFT JOIN again USING (customer_id)",
            [base_start, window_start, *params, window_start, _moment(end), *params],
        ).fetchone() or (None, 0)
        return None if value is None or not n else MetricValue(float(value), int(n))

    @staticmethod
    def _known(metric_id: str) -> str:
        if metric_id not in _AGGREGATES:
            raise ValueError(f"the demo history has no metric '{metric_id}'")
        return metric_id


def _slice_filter(source: str, metric_slice: Mapping[str, Any] | None) -> tuple[str, list[Any]]:
    """`` AND dim IN (?, …)`` per slice entry (sorted by dimension), with its parameters."""
    sql = ""
    params: list[Any] = []
    for dimension, wanted in sorted((metric_slice or {}).items()):
        if dimension not in _DIMENSIONS[source]:
            raise ValueError(f"a {source} metric cannot be sliced by '{dimension}'")
        values: Sequence[Any] = wanted if isinstance(wanted, list) else [wanted]
        sql += f" AND {dimension} IN ({', '.join('?' for _ in values)})"
        params.extend(values)
    return sql, params
