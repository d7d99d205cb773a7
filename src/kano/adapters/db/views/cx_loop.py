"""Read side of the CX overview's closed-loop panel: how the workspace follows up on what
customers said in a period, from the app database (cases and responses), not the warehouse.

"Opened", "loop closed" and the two medians count the cases opened in the period; "open"
and "overdue" are the state now, whatever the period. The medians are taken in Python
over the cases of the period: the two engines have no common median, and a period holds
at most some thousands of cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import median

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import CaseRow, FeedbackResponse
from kano.adapters.db.views.cases import OPEN_STATUSES, overdue_condition


@dataclass(frozen=True)
class ClosedLoop:
    opened: int  # cases opened in the period
    open_now: int
    overdue_now: int
    loop_closed: int  # of the cases opened in the period, those whose loop is closed
    first_response_hours: float | None  # median, cases of the period that got a response
    resolution_hours: float | None  # median, cases of the period that were resolved
    channels: tuple[tuple[str, int], ...]  # responses received in the period, most first

    @property
    def loop_closed_share(self) -> float | None:
        return None if self.opened == 0 else 100 * self.loop_closed / self.opened

    @property
    def responses(self) -> int:
        return sum(count for _channel, count in self.channels)


def _bounds(period: tuple[date, date]) -> tuple[datetime, datetime]:
    """The period as [first midnight, midnight after the last day)."""
    return (datetime.combine(period[0], time()),
            datetime.combine(period[1] + timedelta(days=1), time()))


def _hours(spans: list[timedelta]) -> float | None:
    return median(span.total_seconds() / 3600 for span in spans) if spans else None


def closed_loop(
    session: Session, workspace_id: int, period: tuple[date, date], now: datetime
) -> ClosedLoop:
    start, end = _bounds(period)
    in_period = (CaseRow.workspace_id == workspace_id, CaseRow.opened_at >= start,
                 CaseRow.opened_at < end)
    rows = session.execute(
        select(CaseRow.opened_at, CaseRow.first_responded_at, CaseRow.resolved_at,
               CaseRow.status, CaseRow.loop_closed_at).where(*in_period)
    ).all()
    first = [row.first_responded_at - row.opened_at for row in rows
             if row.first_responded_at is not None]
    resolved = [row.resolved_at - row.opened_at for row in rows if row.resolved_at is not None]
    loop_closed = sum(1 for row in rows
                      if row.status == "loop_closed" or row.loop_closed_at is not None)
    open_now = session.scalar(select(func.count()).select_from(CaseRow).where(
        CaseRow.workspace_id == workspace_id, CaseRow.status.in_(OPEN_STATUSES))) or 0
    overdue_now = session.scalar(select(func.count()).select_from(CaseRow).where(
        CaseRow.workspace_id == workspace_id, overdue_condition(now))) or 0
    channels = session.execute(
        select(FeedbackResponse.channel, func.count())
        .where(FeedbackResponse.workspace_id == workspace_id,
               FeedbackResponse.submitted_at >= start, FeedbackResponse.submitted_at < end)
        .group_by(FeedbackResponse.channel)
    ).all()
    return ClosedLoop(
        opened=len(rows), open_now=open_now, overdue_now=overdue_now, loop_closed=loop_closed,
        first_response_hours=_hours(first), resolution_hours=_hours(resolved),
        channels=tuple(sorted(((channel or "", count) for channel, count in channels),
                              key=lambda item: (-item[1], item[0]))),
    )
