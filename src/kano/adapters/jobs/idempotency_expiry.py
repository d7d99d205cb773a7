"""The worker forgets ``Idempotency-Key`` answers older than ``KANO_IDEMPOTENCY_KEY_DAYS``.

A key exists so a client can retry a request whose answer it did not get (a timeout, a
restart); retries come within minutes, and a week covers a long outage. Kept for ever, the
keys were one row (with its JSON answer) per API request sent with a key: at 1,000
responses/s, 86 million a day. Deleted a chunk at a time, each in its own short
transaction, so the intake's inserts never wait long behind a big delete.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select

from kano.adapters.db.orm import IdempotencyKeyRow, utcnow
from kano.bootstrap import Container

EXPIRY_JOB = "forget-expired-idempotency-keys"
CHUNK = 10_000


def forget_keys_older_than(
    container: Container, cutoff: datetime, chunk: int = CHUNK
) -> int:
    """Delete keys created before ``cutoff`` (naive UTC); how many."""
    forgotten = 0
    while True:
        with container.sessions.begin() as session:
            oldest = (
                select(IdempotencyKeyRow.id)
                .where(IdempotencyKeyRow.created_at < cutoff)
                .order_by(IdempotencyKeyRow.created_at)
                .limit(chunk)
                .scalar_subquery()
            )
            deleted = session.execute(
                delete(IdempotencyKeyRow).where(IdempotencyKeyRow.id.in_(oldest))
            ).rowcount  # type: ignore[attr-defined]
        forgotten += int(deleted)
        if deleted < chunk:
            return forgotten


def forget_expired_keys(container: Container) -> str:
    """The job."""
    days = container.settings.idempotency_key_days
    forgotten = forget_keys_older_than(container, utcnow() - timedelta(days=days))
    return f"{forgotten} idempotency keys older than {days} days forgotten"
