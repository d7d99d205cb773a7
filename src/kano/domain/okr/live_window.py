"""Which days a live key result's metric is computed over.

A key result bound to a metric is computed over a window of its cycle. ``per: cycle``
(the default) is the cycle so far: right for a rate or a score ("NPS 45 this quarter").
``per: month`` is for a monthly target ("EUR 1.5 M revenue a month"): summing an additive
metric over the quarter would double it after two months, so the value is the metric over
the most recent *complete* calendar month of the cycle up to the end of the data; before
any month of the cycle is complete it is the month so far, marked partial. The worker,
``kano compute`` and the OKR page all ask :func:`live_window`, so the number and its
label never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Per(StrEnum):
    CYCLE = "cycle"
    MONTH = "month"


@dataclass(frozen=True)
class LiveWindow:
    """The inclusive days ``start``–``end``; ``partial`` when the period is not over in
    the data yet (a month so far)."""

    per: Per
    start: date
    end: date
    partial: bool = False


def _month_end(day: date) -> date:
    first_of_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_of_next - timedelta(days=1)


def live_window(
    per: Per | str, cycle_start: date, cycle_end: date, data_end: date | None
) -> LiveWindow | None:
    """The window of a key result of the cycle ``cycle_start``–``cycle_end`` when the data
    ends on ``data_end``; None while the cycle has not started in the data. A month is
    clipped to the cycle, so a cycle never borrows days from its neighbours."""
    per = Per(per)
    if data_end is None or cycle_start > data_end:
        return None
    until = min(cycle_end, data_end)
    if per is Per.CYCLE:
        return LiveWindow(per, cycle_start, until)
    month_start = until.replace(day=1)
    month_end = min(_month_end(until), cycle_end)
    if until >= month_end:  # the data covers the month (as far as the cycle goes)
        return LiveWindow(per, max(month_start, cycle_start), month_end)
    previous_end = month_start - timedelta(days=1)
    if previous_end >= cycle_start:
        return LiveWindow(per, max(previous_end.replace(day=1), cycle_start), previous_end)
    return LiveWindow(per, max(month_start, cycle_start), until, partial=True)
