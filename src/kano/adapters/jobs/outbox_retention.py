"""The worker deletes delivered and given-up outbox messages older than
``KANO_OUTBOX_RETENTION_DAYS`` (90 by default; 0 keeps them for ever).

Every acknowledgement and webhook is one outbox row: at 1,000 responses/s with an e-mail
and a webhook each, 170 million rows a day, so a self-hosted install that keeps them all
grows without bound. The default is 90 days, a quarter: long enough for every retry,
bounce and complaint about a missing e-mail to have come and gone. The operator may keep
more (or everything, with 0) because the outbox is also the record of what was
delivered: a response's acknowledgements (``GET /api/v1/responses/{id}``, the responses
page, the case page) and an endpoint's delivered / failed counts are read from it, and
lose what is deleted.

- Only messages in a final state go: ``sent``, ``failed`` (given up: a permanent error or
  ``MAX_ATTEMPTS``), ``bounced``. A ``pending`` message — new, or waiting for a retry — is
  never touched, however old.
- Age is counted from when the message reached that state: ``sent_at`` for a sent (or
  later bounced) message; a failed one has no such column, so from ``next_attempt_at``,
  the time its last attempt was due (at most the claim's delay before the failure).
  ``next_attempt_at`` is never later than ``sent_at``, so ``status, next_attempt_at`` (the
  delivery's own index, ``ix_outbox_due``) finds the candidates and no new index is needed.
- Invitation e-mails that an invitation still points at (``invitations.message_id``,
  ``reminder_message_id``) are kept with it: the invitation's status (sent, failed,
  bounced) and whether its reminder is due are read from its message, so clearing the link
  (the foreign key is ``ON DELETE SET NULL``) would show a long-sent invitation as
  "queued" and never remind it. They go once their invitation is deleted.
- The messages of a response whose case is still open (new or in progress) are kept
  while it is: the case page and the response's page show whether the customer was
  told, and someone is still acting on that response. They go once the case is resolved
  or closed and they are old enough.
- The bounces recorded against a deleted e-mail (``email_bounces``) go with it (their
  foreign key cascades); the customer's "undeliverable" mark, which stops further
  e-mails, is on the customer and stays. A bounce that arrives after its e-mail was
  deleted is counted as ``unknown``, so keep more days than bounces take to come back.

Deleted a chunk at a time, each chunk in its own short transaction (as
:mod:`kano.adapters.jobs.idempotency_expiry` does), so the intake's inserts and the
worker's deliveries never wait long behind one big delete.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, delete, func, select

from kano.adapters.db.orm import CaseRow, InvitationRow, OutboxMessageRow, utcnow
from kano.adapters.db.views.cases import OPEN_STATUSES
from kano.bootstrap import Container

RETENTION_JOB = "delete-old-outbox-messages"
CHUNK = 10_000
FINAL_STATES = ("sent", "failed", "bounced")
"""A message in one of these is never sent again (jobs/outbox.py, db/bounces.py)."""

OUTBOX = cast(Table, OutboxMessageRow.__table__)


def delete_messages_finished_before(
    container: Container, cutoff: datetime, chunk: int = CHUNK
) -> int:
    """Delete the final-state messages that reached their state before ``cutoff`` (naive
    UTC), that no invitation points at and whose response has no open case; how many."""
    outbox = OUTBOX.c
    # Two NOT EXISTS, one per column, not one with an OR, which PostgreSQL can only apply
    # as a filter of a join (with no invitations yet: a scan of them per message). Split,
    # 180,000 old messages beside 20,000 invitations were deleted in 7.8 s instead of 13.7 s.
    invited = select(InvitationRow.id).where(InvitationRow.message_id == outbox.id).exists()
    reminded = (
        select(InvitationRow.id).where(InvitationRow.reminder_message_id == outbox.id).exists()
    )
    in_open_case = (
        select(CaseRow.id)
        .where(CaseRow.response_id == outbox.response_id, CaseRow.status.in_(OPEN_STATUSES))
        .exists()
    )
    # No ORDER BY: any chunk of old messages will do, and ordering by the finishing time
    # across three statuses would make PostgreSQL sort every candidate for each chunk.
    old = (
        select(outbox.id)
        .where(
            outbox.status.in_(FINAL_STATES),
            outbox.next_attempt_at < cutoff,  # implied by the next line; uses ix_outbox_due
            func.coalesce(outbox.sent_at, outbox.next_attempt_at) < cutoff,
            ~invited,
            ~reminded,
            ~in_open_case,
        )
        .limit(chunk)
        .scalar_subquery()
    )
    deleted_total = 0
    while True:
        with container.engine.begin() as connection:
            deleted = connection.execute(delete(OUTBOX).where(outbox.id.in_(old))).rowcount
        deleted_total += int(deleted)
        if deleted < chunk:
            return deleted_total


def delete_old_outbox_messages(container: Container) -> str:
    """The job; with ``KANO_OUTBOX_RETENTION_DAYS`` 0 (keep for ever) it deletes nothing
    (and :func:`kano.adapters.jobs.worker.default_jobs` leaves it out)."""
    days = container.settings.outbox_retention_days
    if days <= 0:
        return "outbox messages kept for ever (KANO_OUTBOX_RETENTION_DAYS is 0)"
    deleted = delete_messages_finished_before(container, utcnow() - timedelta(days=days))
    return f"{deleted} outbox messages delivered or given up over {days} days ago deleted"
