"""Delivering the outbox: claim due messages, send them, record the outcome.

A worker claims a batch with ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite
serialises writers anyway) and a lease (``claimed_until``) written in the same
transaction, then sends outside any transaction. If it dies mid-send, the lease expires
and another worker sends again with the same ``webhook-id`` / ``Message-ID``: a message
is never lost, and a receiver can drop the rare duplicate (effectively once).
Failures are retried with exponential back-off; a permanent failure (a refused target,
a 4xx) or too many attempts marks the message failed, visible on its response.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import OutboxMessageRow, WebhookEndpointRow, utcnow
from kano.adapters.messaging.email import send_email
from kano.adapters.messaging.webhooks import PermanentFailure, post_webhook
from kano.bootstrap import Container

log = logging.getLogger("kano.outbox")

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(seconds=5)
LONGEST_WAIT = timedelta(hours=1)


def retry_delay(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s … doubling after each failed attempt, at most an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def claim(container: Container, now: datetime, limit: int) -> list[int]:
    """Ids of due messages this worker now holds a lease on."""
    with transaction(container.sessions) as session:
        candidates = list(
            session.scalars(
                select(OutboxMessageRow.id)
                .where(
                    OutboxMessageRow.status == "pending",
                    OutboxMessageRow.next_attempt_at <= now,
                    or_(
                        OutboxMessageRow.claimed_until.is_(None),
                        OutboxMessageRow.claimed_until < now,
                    ),
                )
                .order_by(OutboxMessageRow.next_attempt_at, OutboxMessageRow.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        claimed = []
        for message_id in candidates:
            # The conditional UPDATE is the claim itself on engines without row locks.
            result = session.execute(
                update(OutboxMessageRow)
                .where(
                    OutboxMessageRow.id == message_id,
                    or_(
                        OutboxMessageRow.claimed_until.is_(None),
                        OutboxMessageRow.claimed_until < now,
                    ),
                )
                .values(claimed_until=now + LEASE)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                claimed.append(message_id)
    return claimed


def deliver_due_messages(container: Container, limit: int = 100) -> str | None:
    """Send what is due; a summary when something was sent or failed, else None."""
    claimed = claim(container, utcnow(), limit)
    if not claimed:
        return None
    sent = failed = retried = 0
    for message_id in claimed:
        outcome = _deliver(container, message_id)
        sent += outcome == "sent"
        failed += outcome == "failed"
        retried += outcome == "retry"
    return f"outbox: {sent} sent, {retried} to retry, {failed} failed"


def _deliver(container: Container, message_id: int) -> str:
    settings = container.settings
    with container.sessions() as session:
        message = session.get(OutboxMessageRow, message_id)
        if message is None or message.status != "pending":
            return "gone"
        kind, recipient, payload = message.kind, message.recipient, dict(message.payload)
        dedupe_key, attempts = message.dedupe_key, message.attempts
        secret = None
        if message.webhook_endpoint_id is not None:
            endpoint = session.get(WebhookEndpointRow, message.webhook_endpoint_id)
            secret = endpoint.secret if endpoint is not None and endpoint.active else None
    error: str | None = None
    permanent = False
    try:
        if kind == "email":
            if not settings.smtp_url:
                raise PermanentFailure("KANO_SMTP_URL is not set")
            send_email(
                settings.smtp_url,
                settings.mail_from,
                recipient,
                str(payload["subject"]),
                str(payload["body"]),
                dedupe_key,
            )
        elif kind == "webhook":
            if secret is None:
                raise PermanentFailure("the webhook endpoint was removed or deactivated")
            post_webhook(recipient, secret, dedupe_key, payload, settings.webhook_allow_private)
        else:
            raise PermanentFailure(f"unknown message kind {kind!r}")
    except PermanentFailure as failure:
        error, permanent = str(failure), True
    except Exception as failure:  # network, SMTP, 5xx: worth another try
        error = f"{type(failure).__name__}: {failure}"
    now = utcnow()
    attempts += 1
    with transaction(container.sessions) as session:
        values: dict[str, object] = {"attempts": attempts, "claimed_until": None}
        if error is None:
            values.update(status="sent", sent_at=now, last_error=None)
            outcome = "sent"
        elif permanent or attempts >= MAX_ATTEMPTS:
            values.update(status="failed", last_error=error[:2000])
            outcome = "failed"
        else:
            values.update(last_error=error[:2000], next_attempt_at=now + retry_delay(attempts))
            outcome = "retry"
        session.execute(
            update(OutboxMessageRow)
            .where(OutboxMessageRow.id == message_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    if error is not None:
        log.warning("message %s (%s to %s): %s", dedupe_key, kind, recipient, error)
    return outcome
