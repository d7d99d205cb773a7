"""The two periods the profit formula compares: by default the last two complete ones,
inside the workspace's data window.

Before the data window (:mod:`kano.metrics.data_window`) the order history holds only the
orders an import carried in -- each existing customer's last one -- so a period that
reaches into those months reads as thin, and the comparison with the next one as growth
the business never had. The default periods therefore start no earlier than the window:
when two periods of the asked length would reach before it, both are shortened to the
longest whole-month length that fits (the later one still ends with the last complete
month). A start the user gives is taken as given, so the months before the window stay
one option away.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


def month_index(day: date) -> int:
    """Months since year 0 (January of year 0 is 0)."""
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> datetime:
    return datetime(index // 12, index % 12 + 1, 1)


def months_after(day: datetime, months: int) -> datetime:
    """``day`` ``months`` months later (earlier when negative), on the same day of the
    month or the month's last day when it is shorter."""
    index = month_index(day) + months
    first = _month_start(index)
    following = _month_start(index + 1)
    last_day = (following - first).days
    return first.replace(day=min(day.day, last_day))


@dataclass(frozen=True)
class ProfitPeriods:
    """The earlier period ``[start, middle)`` and the later one ``[middle, end)``."""

    start: datetime
    middle: datetime
    end: datetime
    months: int
    """The length of each period in months (as used)."""
    asked: int
    """The length asked for; larger than ``months`` when the window shortened them."""
    windowed: bool = False
    """The default periods were placed inside the data window (shortened to fit)."""


def profit_periods(
    last_order: date,
    months: int,
    *,
    window: tuple[date, date] | None = None,
    start: date | None = None,
) -> ProfitPeriods:
    """The periods of ``months`` months the profit formula compares.

    ``start`` given: from that day, as given. Else the last two complete months-long
    periods before the month of ``last_order``; with a data ``window`` (first and last
    day) they start no earlier than its first whole month (see the module text). A window
    of fewer than two whole months cannot hold two periods: they are left as they are."""
    if months < 1:
        raise ValueError("months: must be at least 1")
    if start is not None:
        first = datetime(start.year, start.month, start.day)
        return ProfitPeriods(first, months_after(first, months), months_after(first, 2 * months),
                             months, months)  # fmt: skip
    end_index = month_index(last_order)
    periods = ProfitPeriods(_month_start(end_index - 2 * months),
                            _month_start(end_index - months), _month_start(end_index), months,
                            months)  # fmt: skip
    if window is None or periods.start.date() >= window[0]:
        return periods
    first_index = month_index(window[0]) + (0 if window[0].day == 1 else 1)
    fits = (end_index - first_index) // 2
    if fits < 1:
        return periods
    return ProfitPeriods(_month_start(end_index - 2 * fits), _month_start(end_index - fits),
                         _month_start(end_index), fits, months, windowed=True)  # fmt: skip
