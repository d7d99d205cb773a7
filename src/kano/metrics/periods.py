"""Calendar grains (day … year): their Ibis truncation unit, labels and previous period.

Weeks are ISO weeks (Monday first) on every engine; a period is labelled by its start
in a form that sorts as text: ``2025-03-07``, ``2025-W10``, ``2025-03``, ``2025-Q1``,
``2025``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any


class Grain(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def ibis_unit(self) -> str:
        return {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}[self.value]

    def label(self, start: date) -> str:
        if self is Grain.DAY:
            return start.isoformat()
        if self is Grain.WEEK:
            year, week, _ = start.isocalendar()
            return f"{year}-W{week:02d}"
        if self is Grain.MONTH:
            return f"{start.year}-{start.month:02d}"
        if self is Grain.QUARTER:
            return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
        return f"{start.year}"

    def start_of(self, day: date) -> date:
        if self is Grain.DAY:
            return day
        if self is Grain.WEEK:
            return day - timedelta(days=day.weekday())
        if self is Grain.MONTH:
            return day.replace(day=1)
        if self is Grain.QUARTER:
            return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return date(day.year, 1, 1)

    def start_of_label(self, label: str) -> date:
        """The first day of the period labelled ``label`` (the inverse of :meth:`label`)."""
        if self is Grain.DAY:
            return date.fromisoformat(label)
        if self is Grain.WEEK:
            year, week = label.split("-W")
            return date.fromisocalendar(int(year), int(week), 1)
        if self is Grain.MONTH:
            return date.fromisoformat(f"{label}-01")
        if self is Grain.QUARTER:
            year, quarter = label.split("-Q")
            return date(int(year), 3 * (int(quarter) - 1) + 1, 1)
        return date(int(label), 1, 1)

    def end_of(self, start: date) -> date:
        """The last day of the period that starts on ``start``."""
        return self.shift(start, 1) - timedelta(days=1)

    def shift(self, start: date, periods: int) -> date:
        """The start of the period ``periods`` grains after (or before) ``start``."""
        if self is Grain.DAY:
            return start + timedelta(days=periods)
        if self is Grain.WEEK:
            return start + timedelta(weeks=periods)
        months = {"month": 1, "quarter": 3, "year": 12}[self.value] * periods
        index = start.year * 12 + start.month - 1 + months
        return date(index // 12, index % 12 + 1, 1)


GRAINS: dict[str, Grain] = {grain.value: grain for grain in Grain}
MONTHLY_GRAINS = (Grain.MONTH, Grain.QUARTER, Grain.YEAR)
"""Grains made of whole calendar months (what the customer-month rollup can slice by)."""


def as_date(value: Any) -> date:
    """A period start as returned by any engine (date, datetime or pandas Timestamp — a
    datetime subclass — or ISO text)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def previous_range(period: tuple[date, date]) -> tuple[date, date]:
    """The range of the same length that ends the day before ``period`` starts."""
    start, end = period
    length = end - start
    previous_end = start - timedelta(days=1)
    return previous_end - length, previous_end
