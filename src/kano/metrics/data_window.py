"""Where a workspace's views over time start by default: its *data window*.

The data window runs from the first month in which some customer buys again (a purchase
later than their first one in the data) to the last day with data. Before that month every
order is the first the data knows of for its customer, whatever their real history, so the
month cannot tell a returning customer from a new one: its repurchase rate reads 0 %, its
cohorts hold everyone who merely bought then, and its orders are only those the import
carried in -- typically each existing customer's last order before the records start (the
demo company's quarter before its window, an ERP migration of open and recent orders). A
chart over all months would open with such a stretch of thin months and read it as the
business's growth.

Views that slice a metric of the order history (``ORDER_HISTORY_SOURCES``: transactions
and their payments) by a period grain without a period of their own -- the metric explorer,
the metrics API, ``kano metrics --by month`` -- ask :func:`default_period`. A period the
user names is always taken as given, so the months before the window stay one ``--from``
away. Feedback, process events and pulses are not cut: the order history's truncation says
nothing about theirs (a workspace may well have surveyed for years before its orders were
imported). A workspace without a repeat purchase (no transactions, or only first orders so
far) has no such start, and its views keep all their data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from kano.metrics.definitions import Metric
from kano.metrics.periods import GRAINS, as_date
from kano.metrics.request import MetricRow

ORDER_HISTORY_SOURCES = frozenset({"transactions", "payments"})
"""The metric sources whose early months the carried-in order history thins out."""


def data_window(backend: Any, workspace_id: int) -> tuple[date, date] | None:
    """The workspace's data window (first and last day, inclusive), or None when its data
    has no repeat purchase (then all of it is the window).

    Reads the loader's ``customer_months`` rollup (one row per customer and month with a
    purchase, ``repeat_purchase`` 1 for a purchase after the customer's first) and the
    ``calendar`` (every day from the first to the last fact date)."""
    from kano.metrics.star import Star

    star = Star(backend, workspace_id)
    months = star.table("customer_months")
    repeat = months.filter(months.repeat_purchase == 1)
    calendar = star.table("calendar")
    start = repeat.month_start.min().name("start")
    end = calendar.date.max().name("end")
    first = backend.execute(start)
    last = backend.execute(end)
    if first is None or last is None or _missing(first) or _missing(last):
        return None
    return as_date(first), as_date(last)


def default_period(
    backend: Any,
    metric: Metric,
    workspace_id: int,
    by: Sequence[str],
    period: tuple[date, date] | None,
) -> tuple[date, date] | None:
    """The period a view of ``metric`` over ``by`` computes: ``period`` when one is given;
    for an order-history metric sliced by a period grain without one, the workspace's data
    window from its first whole period of the grain (a quarter grain starts with the
    first quarter that lies wholly in the window: a quarter cut short would be as thin as
    the months it leaves out); else None (all data: a figure over everything, or a series
    whose source the carried-in history does not thin)."""
    grain = next((GRAINS[name] for name in by if name in GRAINS), None)
    if period is not None or grain is None or metric.source not in ORDER_HISTORY_SOURCES:
        return period
    window = data_window(backend, workspace_id)
    if window is None:
        return None
    start, end = window
    first = grain.start_of(start)
    if first < start:
        first = grain.shift(first, 1)
    return (first, end) if first <= end else window


def _missing(value: Any) -> bool:
    """A null as an engine returns it (None, NaT, NaN)."""
    try:
        return bool(value != value)
    except (TypeError, ValueError):
        return False


def compared_inside(
    rows: list[MetricRow], by: Sequence[str], window: tuple[date, date]
) -> list[MetricRow]:
    """``rows`` (computed over ``window`` with a comparison) without the previous value of
    a period whose previous one starts before the window: the window's first month
    compared with a carried-in month would read as a jump the business never made."""
    grain = next((GRAINS[name] for name in by if name in GRAINS), None)
    if grain is None:
        return rows
    kept = []
    for row in rows:
        label = row.key(grain.value)
        if isinstance(label, str) and grain.shift(grain.start_of_label(label), -1) < window[0]:
            row = replace(row, previous_value=None)
        kept.append(row)
    return kept
