"""Periodic jobs shared by any number of ``kano worker`` processes.

Each job has one row in ``scheduled_jobs``. A worker claims a due occurrence with one
conditional UPDATE (``… SET next_run_at = now + every WHERE name = ? AND next_run_at <=
now``): the database serialises the updates, so exactly one worker sees a row count of 1
and runs it, on SQLite and PostgreSQL alike, with no lock held while the job runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kano.adapters.db.orm import ScheduledJobRow


def ensure_job(session: Session, name: str, first_run_at: datetime) -> None:
    """Create the job's row if no worker has yet (a race between two workers is fine)."""
    if session.get(ScheduledJobRow, name) is not None:
        return
    try:
        with session.begin_nested():
            session.execute(insert(ScheduledJobRow).values(name=name, next_run_at=first_run_at))
    except IntegrityError:
        pass  # another worker created it first


def claim_due(session: Session, name: str, every: timedelta, now: datetime, worker: str) -> bool:
    """Claim the job if it is due: True for exactly one of the workers that try."""
    claimed = session.execute(
        update(ScheduledJobRow)
        .where(ScheduledJobRow.name == name, ScheduledJobRow.next_run_at <= now)
        .values(next_run_at=now + every, last_started_at=now, claimed_by=worker)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1  # type: ignore[attr-defined]


def record_outcome(
    session: Session, name: str, finished_at: datetime, status: str, message: str | None
) -> None:
    session.execute(
        update(ScheduledJobRow)
        .where(ScheduledJobRow.name == name)
        .values(last_finished_at=finished_at, last_status=status, last_message=message)
        .execution_options(synchronize_session=False)
    )
