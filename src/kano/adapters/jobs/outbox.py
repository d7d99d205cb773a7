"""Delivering the outbox: claim due messages, send them, record the outcome.

A worker claims a batch with one ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP
LOCKED) RETURNING …`` (on SQLite, which serialises writers, the same statement without
the lock clause): the lease (``claimed_until``) is written and the messages are read in
one round trip, and concurrent workers never wait for each other. It then sends outside
any transaction, e-mails over one SMTP connection per sending thread (kept open for the
next batches: :class:`MailerPool`). Sent messages are marked in one statement for
several at a time (every ``MARK_EVERY`` messages or ``MARK_SECONDS``, and at the end of
the batch): one ``UPDATE`` per message cost about as much of the worker's CPU as the
send. A crash can therefore repeat the messages sent in the last ``MARK_SECONDS`` of a
sending thread; failures and retries are recorded one by one, at once.

If a worker dies mid-batch, its lease expires and another worker sends what was left,
with the same ``webhook-id`` / ``Message-ID``: a message is never lost, and a receiver can
drop the rare duplicate (effectively once). A send never starts with less than
``SEND_BUDGET`` of the lease left, so a slow batch releases its tail instead of racing
another worker for it. Failures are retried with exponential back-off; a permanent
failure (a refused target, a 4xx) or too many attempts marks the message failed, visible
on its response.

Outcomes are committed with ``synchronous_commit = off`` on PostgreSQL: a server crash
may forget the last "sent" marks (those messages go out again, with their dedupe key),
but the worker no longer waits for a disk flush per message.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Table, or_, select, text, update

from kano.adapters.db.orm import OutboxMessageRow, WebhookEndpointRow, utcnow
from kano.adapters.messaging.email import Mailer
from kano.adapters.messaging.webhooks import PermanentFailure, post_webhook, signing_secrets
from kano.bootstrap import Container

log = logging.getLogger("kano.outbox")

LEASE = timedelta(seconds=30)
SEND_BUDGET = timedelta(seconds=15)  # longer than one send may take (10 s timeouts)
MAX_ATTEMPTS = 10
SENDERS = 4  # threads sharing out a large batch
MESSAGES_PER_SENDER = 25  # fewer messages than this per thread: fewer threads
FIRST_RETRY = timedelta(seconds=5)
LONGEST_WAIT = timedelta(hours=1)
MARK_EVERY = 32
MARK_SECONDS = 0.02
"""Sent messages are marked together, at most this many or this old: what a crash of
the worker can send twice (with the same dedupe key) per sending thread."""

CLAIM_LIMIT = 100
GATHER_BELOW = 20
GATHER_SECONDS = 0.05
"""After a batch of fewer than ``GATHER_BELOW`` messages the worker waits this long
before claiming again (see :func:`deliver_continuously`)."""

_pause = time.sleep  # (tests watch it)

OUTBOX = cast(Table, OutboxMessageRow.__table__)


def retry_delay(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s … doubling after each failed attempt, at most an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


@dataclass(frozen=True)
class ClaimedMessage:
    id: int
    kind: str
    recipient: str
    payload: dict[str, Any]
    dedupe_key: str
    attempts: int
    webhook_endpoint_id: int | None
    lease_ends: datetime


def claim(container: Container, now: datetime, limit: int) -> list[ClaimedMessage]:
    """Due messages this worker now holds a lease on, oldest first."""
    outbox = OUTBOX.c
    free = or_(outbox.claimed_until.is_(None), outbox.claimed_until < now)
    due = (
        select(outbox.id)
        .where(outbox.status == "pending", outbox.next_attempt_at <= now, free)
        .order_by(outbox.next_attempt_at, outbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    lease_ends = now + LEASE
    statement = (
        update(OUTBOX)
        .where(outbox.id.in_(due), free)
        .values(claimed_until=lease_ends)
        .returning(
            outbox.id,
            outbox.kind,
            outbox.recipient,
            outbox.payload,
            outbox.dedupe_key,
            outbox.attempts,
            outbox.webhook_endpoint_id,
            outbox.next_attempt_at,
        )
    )
    with container.engine.begin() as connection:  # Core: no ORM unit of work per batch
        rows = list(connection.execute(statement))
    rows.sort(key=lambda row: (row.next_attempt_at, row.id))
    return [
        ClaimedMessage(
            row.id,
            row.kind,
            row.recipient,
            dict(row.payload),
            row.dedupe_key,
            row.attempts,
            row.webhook_endpoint_id,
            lease_ends,
        )
        for row in rows
    ]


class MailerPool:
    """SMTP connections kept open between batches, one per sending thread at a time.

    At a few hundred acknowledgements a second the worker claims small batches back to
    back; a new connection per batch (connect, EHLO, QUIT) cost the worker and the SMTP
    server about as much as several messages.
    """

    def __init__(self) -> None:
        self._idle: list[Mailer] = []
        self._lock = threading.Lock()

    def take(self, smtp_url: str, sender: str, secret_key: str) -> Mailer:
        with self._lock:
            for position, mailer in enumerate(self._idle):
                if (mailer.url, mailer.sender, mailer.secret_key) == (
                    smtp_url, sender, secret_key
                ):
                    return self._idle.pop(position)
        return Mailer(smtp_url, sender, secret_key)

    def give_back(self, mailer: Mailer) -> None:
        with self._lock:
            self._idle.append(mailer)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for mailer in idle:
            mailer.close()


_pools: dict[int, MailerPool] = {}
_pools_lock = threading.Lock()


def mailer_pool(container: Container) -> MailerPool:
    """The pool of ``container`` (closed when the container is garbage-collected)."""
    key = id(container)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            pool = _pools[key] = MailerPool()
            weakref.finalize(container, _drop_pool, key)
    return pool


def _drop_pool(key: int) -> None:
    with _pools_lock:
        pool = _pools.pop(key, None)
    if pool is not None:
        pool.close()


def deliver_continuously(container: Container) -> str | None:
    """The worker's outbox round: a batch, then, when it was small, a pause of
    ``GATHER_SECONDS`` before the next claim.

    Claiming straight away again after a small batch made batches of two or three
    messages at a few hundred acknowledgements a second (a batch takes a few ms to send),
    and each batch pays a claim, a connection set-up and a mark statement: about as much
    CPU as its messages. Waiting a moment gathers 10-20 for the next claim, for that much
    delay (the goal is seconds). A full batch (a backlog) is followed by the next at once.
    """
    claimed, summary = deliver_batch(container, CLAIM_LIMIT)
    if 0 < claimed < GATHER_BELOW:
        _pause(GATHER_SECONDS)
    return summary


def deliver_due_messages(container: Container, limit: int = CLAIM_LIMIT) -> str | None:
    """Send what is due; a summary when something was sent or failed, else None."""
    return deliver_batch(container, limit)[1]


def deliver_batch(container: Container, limit: int) -> tuple[int, str | None]:
    """Claim up to ``limit`` due messages and send them: (how many, the summary).

    A large batch is split among up to ``SENDERS`` threads, each with its own SMTP and
    database connection: a send is mostly waiting for the SMTP server and the database,
    and the threads wait side by side.
    """
    claimed = claim(container, utcnow(), limit)
    if not claimed:
        return 0, None
    secrets = _webhook_secrets(container, claimed)
    senders = max(1, min(SENDERS, len(claimed) // MESSAGES_PER_SENDER))
    shares = [claimed[n::senders] for n in range(senders)]
    if senders == 1:
        outcomes = _deliver(container, claimed, secrets)
    else:
        with ThreadPoolExecutor(senders, thread_name_prefix="kano-send") as pool:
            outcomes = sum(
                pool.map(lambda share: _deliver(container, share, secrets), shares),
                Counter(),
            )
    return len(claimed), (
        f"outbox: {outcomes['sent']} sent, {outcomes['retry']} to retry, "
        f"{outcomes['failed']} failed"
    )


class _SentMarks:
    """The "sent" marks of one sending thread, written together (see ``MARK_EVERY``)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.ids: list[int] = []
        self.since = 0.0

    def add(self, message: ClaimedMessage) -> None:
        if not self.ids:
            self.since = time.monotonic()
        self.ids.append(message.id)
        if len(self.ids) >= MARK_EVERY:
            self.write()

    def write_if_due(self) -> None:
        if self.ids and time.monotonic() - self.since >= MARK_SECONDS:
            self.write()

    def write(self) -> None:
        if not self.ids:
            return
        ids, self.ids = self.ids, []
        self.connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id.in_(ids))
            .values(
                status="sent",
                sent_at=utcnow(),
                last_error=None,
                claimed_until=None,
                attempts=OUTBOX.c.attempts + 1,
            )
        )


def _deliver(
    container: Container, messages: list[ClaimedMessage], secrets: dict[int, tuple[str, ...]]
) -> Counter[str]:
    """Send ``messages`` in turn over one SMTP connection, recording the outcomes."""
    outcomes: Counter[str] = Counter()
    settings = container.settings
    pool = mailer_pool(container)
    mailer: Mailer | None = None
    try:
        with _outcome_connection(container) as connection:
            marks = _SentMarks(connection)
            try:
                for position, message in enumerate(messages):
                    marks.write_if_due()
                    if utcnow() + SEND_BUDGET > message.lease_ends:
                        _release(connection, [m.id for m in messages[position:]])
                        break
                    if message.kind == "email" and mailer is None and settings.smtp_url:
                        try:
                            mailer = pool.take(
                                settings.smtp_url, settings.mail_from, settings.secret_key
                            )
                        except Exception as malformed:  # a bad URL: fixable, so retried
                            outcomes[_record(connection, message, str(malformed), False)] += 1
                            continue
                    error, permanent = _send(container, message, mailer, secrets)
                    if error is None:
                        marks.add(message)
                        outcomes["sent"] += 1
                    else:
                        outcomes[_record(connection, message, error, permanent)] += 1
            finally:
                marks.write()
    except BaseException:
        if mailer is not None:
            mailer.close()
        raise
    if mailer is not None:
        pool.give_back(mailer)
    return outcomes


def _webhook_secrets(
    container: Container, claimed: list[ClaimedMessage]
) -> dict[int, tuple[str, ...]]:
    """The signing secrets of the active endpoints the batch's webhooks go to, in one
    query: the current secret, and the replaced one until the end of overlap its rotation
    stored."""
    wanted = {m.webhook_endpoint_id for m in claimed if m.webhook_endpoint_id is not None}
    if not wanted:
        return {}
    with container.sessions() as session:
        rows = session.execute(
            select(
                WebhookEndpointRow.id,
                WebhookEndpointRow.secret,
                WebhookEndpointRow.previous_secret,
                WebhookEndpointRow.previous_secret_until,
            ).where(WebhookEndpointRow.id.in_(wanted), WebhookEndpointRow.active.is_(True))
        ).all()
    now = utcnow()
    return {
        row.id: signing_secrets(row.secret, row.previous_secret, row.previous_secret_until, now)
        for row in rows
    }


def _send(
    container: Container,
    message: ClaimedMessage,
    mailer: Mailer | None,
    secrets: dict[int, tuple[str, ...]],
) -> tuple[str | None, bool]:
    """(error or None, whether the error is permanent)."""
    try:
        if message.kind == "email":
            if mailer is None:
                raise PermanentFailure("KANO_SMTP_URL is not set")
            payload = message.payload
            mailer.send(
                message.recipient,
                str(payload["subject"]),
                str(payload["body"]),
                message.dedupe_key,
            )
        elif message.kind == "webhook":
            endpoint = message.webhook_endpoint_id
            signing = secrets.get(endpoint) if endpoint is not None else None
            if signing is None:
                raise PermanentFailure("the webhook endpoint was removed or deactivated")
            post_webhook(
                message.recipient,
                signing,
                message.dedupe_key,
                message.payload,
                container.settings.webhook_allow_private,
            )
        else:
            raise PermanentFailure(f"unknown message kind {message.kind!r}")
    except PermanentFailure as failure:
        return str(failure), True
    except Exception as failure:  # network, SMTP, 5xx: worth another try
        return f"{type(failure).__name__}: {failure}", False
    return None, False


def _record(
    connection: Connection, message: ClaimedMessage, error: str | None, permanent: bool
) -> str:
    """Store one message's outcome right away; 'sent', 'retry' or 'failed'."""
    now = utcnow()
    attempts = message.attempts + 1
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
    connection.execute(update(OUTBOX).where(OUTBOX.c.id == message.id).values(**values))
    if error is not None:
        log.warning(
            "message %s (%s to %s): %s", message.dedupe_key, message.kind, message.recipient, error
        )
    return outcome


def _release(connection: Connection, ids: list[int]) -> None:
    """Give back messages this worker will not send in time (another may take them)."""
    connection.execute(update(OUTBOX).where(OUTBOX.c.id.in_(ids)).values(claimed_until=None))


@contextmanager
def _outcome_connection(container: Container) -> Iterator[Connection]:
    """A connection on which each outcome commits by itself, in one round trip, and
    (PostgreSQL) without waiting for the disk; restored before it goes back to the pool."""
    with container.engine.connect() as plain:
        connection = plain.execution_options(isolation_level="AUTOCOMMIT")
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.execute(text("SET synchronous_commit = off"))
        try:
            yield connection
        finally:
            if postgres and not connection.invalidated:
                connection.execute(text("RESET synchronous_commit"))
