"""What the last refresh changed in each segment: who entered and who left.

A refresh opens the spans of newcomers at its moment and ends the leavers' spans there
(:mod:`kano.adapters.db.segment_refresh`), and stamps the segment's ``refreshed_at`` with
it; so the change is the spans that begin or end exactly then. One grouped query for the
whole workspace (the overview page shows every segment).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import Segment, SegmentMembership


@dataclass(frozen=True)
class LastChange:
    entered: int
    left: int


def last_refresh_changes(session: Session, workspace_id: int) -> dict[str, LastChange]:
    """Per segment key: customers who entered and left at its last refresh (segments never
    refreshed are left out)."""
    rows = session.execute(
        select(Segment.key,
               func.sum(case((SegmentMembership.valid_from == Segment.refreshed_at, 1),
                             else_=0)),
               func.sum(case((SegmentMembership.valid_to == Segment.refreshed_at, 1),
                             else_=0)))
        .join(SegmentMembership, and_(SegmentMembership.segment_id == Segment.id,
                                      SegmentMembership.workspace_id == workspace_id))
        .where(Segment.workspace_id == workspace_id, Segment.refreshed_at.is_not(None),
               (SegmentMembership.valid_from == Segment.refreshed_at)
               | (SegmentMembership.valid_to == Segment.refreshed_at))
        .group_by(Segment.key)
    )  # fmt: skip
    return {key: LastChange(int(entered or 0), int(left or 0)) for key, entered, left in rows}
