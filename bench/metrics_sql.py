"""Hand-written SQL for the metrics the issue names: NPS, retention by cohort, p90 delay.

What someone fluent in SQL would write against the warehouse tables directly, without
Kano: one query per metric, by month × segment, using each engine's own tools
(``quantile_disc`` / ``percentile_disc`` for the nearest-rank percentile, ``FILTER``
for conditional counts). Each query returns ``month`` (``YYYY-MM``), ``segment``,
``value`` and ``n`` so the bench can check them against Kano's rows. Intervals are left
out: they are arithmetic on ≤ 100 aggregated rows, not where the time goes.
"""

from __future__ import annotations

from typing import Any

# Kano's metric ids that these queries answer, in the order the bench reports them.
METRIC_IDS = ("nps", "retention_m1", "retention_m3", "retention_m12", "delivery_delay_p90")

_SEGMENT_JOIN = """
    LEFT JOIN customers c ON c.workspace_id = {ws} AND c.customer_id = f.customer_id
    LEFT JOIN segments s ON s.workspace_id = {ws} AND s.segment_id = c.segment_id"""

_DIALECTS = {
    "duckdb": {
        "month_label": "strftime(date_trunc('month', {column}), '%Y-%m')",
        "index_label": "printf('%04d-%02d', {index} // 12, {index} % 12 + 1)",
        "month_index": "year({column}) * 12 + month({column}) - 1",
        "p90": "quantile_disc(f.value, 0.9)",
    },
    "postgres": {
        "month_label": "to_char({column}, 'YYYY-MM')",
        "index_label": "to_char(make_date({index} / 12, {index} % 12 + 1, 1), 'YYYY-MM')",
        "month_index": (
            "(extract(year FROM {column}) * 12 + extract(month FROM {column}) - 1)::int"
        ),
        "p90": "percentile_disc(0.9) WITHIN GROUP (ORDER BY f.value)",
    },
}


def _nps(d: dict[str, str], ws: int) -> str:
    month = d["month_label"].format(column="f.submitted_at")
    return f"""
    SELECT {month} AS month, s.key AS segment, count(*) AS n,
           100.0 * (count(*) FILTER (WHERE f.nps >= 9) - count(*) FILTER (WHERE f.nps <= 6))
               / count(*) AS value
    FROM responses f {_SEGMENT_JOIN.format(ws=ws)}
    WHERE f.workspace_id = {ws} AND f.nps IS NOT NULL
    GROUP BY 1, 2"""


def _retention(d: dict[str, str], ws: int, months: int) -> str:
    month_index = d["month_index"].format(column="occurred_at")
    label = d["index_label"].format(index="f.cohort")
    return f"""
    WITH paying AS (
        SELECT DISTINCT customer_id, {month_index} AS month_index
        FROM transactions WHERE workspace_id = {ws}
    ), cohorts AS (
        SELECT customer_id, min(month_index) AS cohort FROM paying GROUP BY customer_id
    ), f AS (
        SELECT k.customer_id, k.cohort, p.customer_id IS NOT NULL AS retained
        FROM cohorts k
        LEFT JOIN paying p ON p.customer_id = k.customer_id
                          AND p.month_index = k.cohort + {months}
        WHERE k.cohort + {months} <= (SELECT max(month_index) FROM paying)
    )
    SELECT {label} AS month, s.key AS segment, count(*) AS n,
           100.0 * count(*) FILTER (WHERE f.retained) / count(*) AS value
    FROM f {_SEGMENT_JOIN.format(ws=ws)}
    GROUP BY 1, 2"""


def _p90_delay(d: dict[str, str], ws: int) -> str:
    month = d["month_label"].format(column="f.occurred_at")
    return f"""
    SELECT {month} AS month, s.key AS segment, count(*) AS n, {d["p90"]} AS value
    FROM process_events f {_SEGMENT_JOIN.format(ws=ws)}
    WHERE f.workspace_id = {ws} AND f.measure = 'delivery_delay_days'
    GROUP BY 1, 2"""


def queries(engine: str, workspace_id: int) -> dict[str, str]:
    """Metric id → the hand-written query for ``engine`` (duckdb or postgres)."""
    d, ws = _DIALECTS[engine], int(workspace_id)
    return {
        "nps": _nps(d, ws),
        "retention_m1": _retention(d, ws, 1),
        "retention_m3": _retention(d, ws, 3),
        "retention_m12": _retention(d, ws, 12),
        "delivery_delay_p90": _p90_delay(d, ws),
    }


def run(cursor: Any, sql: str) -> dict[tuple[str, str | None], tuple[float, int]]:
    """``{(month, segment): (value, n)}`` from one query on a DB-API cursor."""
    cursor.execute(sql)
    rows = cursor.fetchall()
    return {(month, segment): (float(value), int(n)) for month, segment, n, value in rows}
