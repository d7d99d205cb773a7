"""When live values were last refreshed (``kano compute`` / ``kano worker``), for pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import ComputeRunRow


@dataclass(frozen=True)
class LastRefresh:
    finished_at: datetime
    status: str  # ok | partial | failed
    values_changed: int
    errors: int
    message: str | None


def last_refresh(db: Session, workspace_id: int) -> LastRefresh | None:
    """The workspace's most recent finished refresh, or None if none ran yet."""
    run = db.scalars(
        select(ComputeRunRow)
        .where(ComputeRunRow.workspace_id == workspace_id, ComputeRunRow.finished_at.is_not(None))
        .order_by(ComputeRunRow.finished_at.desc(), ComputeRunRow.id.desc())
        .limit(1)
    ).first()
    if run is None or run.finished_at is None:
        return None
    return LastRefresh(
        run.finished_at, run.status, run.values_changed, len(run.errors or []), run.message
    )
