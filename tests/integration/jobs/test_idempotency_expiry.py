"""The worker forgets Idempotency-Key answers older than KANO_IDEMPOTENCY_KEY_DAYS, a
chunk at a time, and keeps every younger one."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, insert, select

from kano.adapters.db import accounts
from kano.adapters.db.orm import IdempotencyKeyRow, utcnow
from kano.adapters.jobs.idempotency_expiry import (
    EXPIRY_JOB,
    forget_expired_keys,
    forget_keys_older_than,
)
from kano.adapters.jobs.worker import default_jobs
from kano.bootstrap import Container


def _keys(container: Container, ages_in_days: list[float]) -> None:
    now = utcnow()
    with container.sessions.begin() as session:
        workspace_id = accounts.ensure_workspace(session, "keys", name="Keys").id
        session.execute(
            insert(IdempotencyKeyRow),
            [
                {"workspace_id": workspace_id, "key": f"key-{i}", "request_hash": "h",
                 "status_code": 201, "body": {"id": i}, "created_at": now - timedelta(days=age)}
                for i, age in enumerate(ages_in_days)
            ],
        )  # fmt: skip


def _left(container: Container) -> list[str]:
    with container.sessions() as session:
        return sorted(session.scalars(select(IdempotencyKeyRow.key)))


def test_keys_past_their_days_are_forgotten_a_chunk_at_a_time(container: Container) -> None:
    assert EXPIRY_JOB in {job.name for job in default_jobs(container)}
    _keys(container, [8.0] * 12 + [6.9] * 3 + [30.0])
    forgotten = forget_keys_older_than(container, utcnow() - timedelta(days=7), chunk=5)
    assert forgotten == 13  # chunks of 5, 5, 3
    assert _left(container) == ["key-12", "key-13", "key-14"]
    assert container.settings.idempotency_key_days == 7
    assert forget_expired_keys(container) == "0 idempotency keys older than 7 days forgotten"
    with container.sessions() as session:
        assert session.scalar(select(func.count()).select_from(IdempotencyKeyRow)) == 3
