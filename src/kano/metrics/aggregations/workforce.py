"""Employee turnover: the share of people on staff when a period starts who leave in it.

A period's headcount needs the period to exist even in a month nobody answered a
pulse, so periods come from the warehouse's calendar table; every employee is paired
with every period (a cross join: headcounts are small) and kept if on staff on the
period's first day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ibis.expr.types as ir

from kano.metrics.aggregations.base import Aggregation, Finished, as_int, grouped
from kano.metrics.intervals import wilson
from kano.metrics.request import SliceRequest
from kano.metrics.star import Base, Star, date_range


@dataclass(frozen=True)
class Turnover(Aggregation):
    """Leavers during the period among those on staff on its first day, in % (Wilson)."""

    kind = "turnover"

    def base(self, star: Star, source: str, request: SliceRequest) -> Base:
        calendar = star.table("calendar")
        if request.period:
            calendar = calendar.filter(*date_range(calendar.date, request.period))
        grain = request.grain
        if grain is None:
            periods = calendar.aggregate(
                _first_day=calendar.date.min(), _last_day=calendar.date.max()
            )
        else:
            periods = calendar.group_by(_period=calendar.date.truncate(grain.ibis_unit)).aggregate(
                _first_day=calendar.date.min(), _last_day=calendar.date.max()
            )
        employees = star.table("employees")
        pairs = employees.cross_join(periods)
        on_staff = (pairs.hired_on <= pairs._first_day) & (
            pairs.left_on.isnull() | (pairs.left_on >= pairs._first_day)
        )
        staff = pairs.filter(on_staff)
        staff = staff.mutate(_left=staff.left_on.notnull() & (staff.left_on <= staff._last_day))
        return Base(staff, "_first_day", apply_range=False)

    def statistics(self, frame: ir.Table, keys: list[str]) -> ir.Table:
        return grouped(frame, keys, _n=frame.count(), _hits=frame.count(where=frame._left))

    def finish(self, row: Mapping[str, Any]) -> Finished:
        return Finished(wilson(as_int(row["_hits"]), as_int(row["_n"]), scale=100.0))
