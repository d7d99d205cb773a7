"""The demo company's calendar: 24 months ending on a fixed date, and its seasonal rhythm.

Inside the generator time is a float number of days since ``START_DATE`` (exact to well
under a microsecond over two years); it becomes ``timestamp[us]`` or ``date32`` only when
a table is written. The end date is a constant so that the same seed gives the same files
on any day the generator is run.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from kano.demo.arrays import FloatArray, IntArray

START_DATE = date(2024, 11, 1)
END_DATE = date(2026, 10, 31)
MONTHS = 24
SPAN_DAYS = float((END_DATE - START_DATE).days + 1)
"""Length of the data window in days; events happen in ``[0, SPAN_DAYS)``."""

QUARTER_MONTHS = 3
US_PER_DAY = 86_400_000_000
_EPOCH_DAY_OF_START = (START_DATE - date(1970, 1, 1)).days


def _month_starts() -> FloatArray:
    starts = []
    year, month = START_DATE.year, START_DATE.month
    for _ in range(MONTHS + 1):
        starts.append(float((date(year, month, 1) - START_DATE).days))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return np.asarray(starts, dtype=np.float64)


MONTH_START_DAYS: FloatArray = _month_starts()
"""Day offset of the first day of each month, plus the end of the window (25 values)."""

# Order intensity by calendar month (Jan..Dec): an industrial distributor is busy in the
# building season and quiet around Christmas and in August.
_SEASONAL_FACTOR_BY_CALENDAR_MONTH = np.array(
    [0.85, 0.9, 1.05, 1.15, 1.2, 1.15, 1.0, 0.88, 1.1, 1.1, 1.0, 0.78]
)
_YEARLY_GROWTH = 0.04


def _seasonal_clock() -> tuple[FloatArray, FloatArray]:
    """Cumulative order intensity G(day) on a daily grid; the mean intensity is 1.

    A customer with rate ``r`` orders as a Poisson process with intensity ``r`` in G-time,
    so seasons and growth bend every customer's order times the same way.
    """
    days = np.arange(int(SPAN_DAYS), dtype=np.float64)
    month = month_of(days)
    calendar_month = (START_DATE.month - 1 + month) % 12
    intensity = _SEASONAL_FACTOR_BY_CALENDAR_MONTH[calendar_month] * (
        1.0 + _YEARLY_GROWTH * (days / 365.0 - 1.0)
    )
    intensity /= intensity.mean()
    grid = np.arange(int(SPAN_DAYS) + 1, dtype=np.float64)
    cumulative = np.concatenate([[0.0], np.cumsum(intensity)])
    return grid, cumulative


def month_of(days: FloatArray) -> IntArray:
    """Month index (0 = November 2024) of each day offset."""
    return np.searchsorted(MONTH_START_DAYS, days, side="right").astype(np.int64) - 1


def quarter_of(days: FloatArray) -> IntArray:
    """Three-month period index counted from the window start (0..7)."""
    return month_of(days) // QUARTER_MONTHS


_GRID, _CUMULATIVE = _seasonal_clock()


def seasonal_time(days: FloatArray) -> FloatArray:
    """G(day): seasonal clock; beyond the window it runs on at the mean rate."""
    inside = np.interp(days, _GRID, _CUMULATIVE)
    return inside + np.maximum(days - SPAN_DAYS, 0.0)


def calendar_time(seasonal: FloatArray) -> FloatArray:
    """Inverse of :func:`seasonal_time`."""
    inside = np.interp(seasonal, _CUMULATIVE, _GRID)
    return inside + np.maximum(seasonal - _CUMULATIVE[-1], 0.0)


def to_timestamp_us(days: FloatArray) -> IntArray:
    """Microseconds since the Unix epoch (for ``timestamp[us]`` columns)."""
    micros = np.rint(days * US_PER_DAY).astype(np.int64)
    return micros + np.int64(_EPOCH_DAY_OF_START) * np.int64(US_PER_DAY)


def to_date32(days: FloatArray) -> IntArray:
    """Days since the Unix epoch (for ``date32`` columns)."""
    return (np.floor(days).astype(np.int64) + _EPOCH_DAY_OF_START).astype(np.int32)


def chronological_order(customer: IntArray, days: FloatArray) -> IntArray:
    """Row order by customer, then time (stable: equal times keep their order).

    One int64 key (customer in the high bits, time in 2^-30-day steps below) sorts about
    twice as fast as a two-key lexsort.
    """
    ticks = np.floor(np.maximum(days, 0.0) * float(1 << 30)).astype(np.int64)
    key = (customer.astype(np.int64) << 40) | ticks
    return np.argsort(key, kind="stable")
