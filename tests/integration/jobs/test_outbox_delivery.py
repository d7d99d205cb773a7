"""Outbox delivery (issue 6): disjoint claims, one SMTP connection per sender, a dead
worker's messages sent once after its lease, a short lease handed back unsent, and
acknowledgements that keep flowing while a long scheduled job runs.

The SMTP server is aiosmtpd on loopback in this process; it counts connections and
records each message's Message-ID.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.orm import OutboxMessageRow, utcnow
from kano.adapters.jobs import outbox
from kano.adapters.jobs.outbox import claim, deliver_due_messages
from kano.adapters.jobs.worker import Job, Worker
from kano.adapters.messaging.email import message_id as signed_message_id
from kano.bootstrap import Container
from kano.config import Settings


class MailBox:
    def __init__(self) -> None:
        self.message_ids: list[str] = []
        self.subjects: list[str] = []
        self.connections = 0
        self.port = 0

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = message_from_bytes(envelope.content, policy=policy.default)
        self.message_ids.append(str(mail["Message-ID"]))
        self.subjects.append(str(mail["Subject"]))
        return "250 Message accepted for delivery"


@pytest.fixture(scope="module")
def mailbox() -> Iterator[MailBox]:
    box = MailBox()
    with socket.socket() as probe:  # aiosmtpd checks its port by connecting: no port 0
        probe.bind(("127.0.0.1", 0))
        box.port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture
def settings(db_url: str, tmp_path: Path, mailbox: MailBox) -> Settings:
    mailbox.message_ids.clear()
    mailbox.subjects.clear()
    mailbox.connections = 0
    return Settings(
        database_url=db_url,
        warehouse_url=f"duckdb:///{tmp_path / 'warehouse.duckdb'}",
        secret_key="test-secret-key-0123456789abcdef",
        smtp_url=f"smtp://127.0.0.1:{mailbox.port}",
    )


def dedupe_keys(count: int) -> list[str]:
    return [f"ack-email-test-{n}" for n in range(count)]


def sent_ids(container: Container, *keys: str) -> list[str]:
    """The Message-IDs the outbox sends these dedupe keys under (signed), in key order."""
    return [f"<{signed_message_id(container.settings.secret_key, key)}>" for key in keys]


def queue_emails(sessions: sessionmaker[Session], count: int, first: int = 0) -> list[int]:
    with sessions.begin() as session:
        workspace = accounts.ensure_workspace(session, "outbox", name="Outbox")
        rows = [
            OutboxMessageRow(
                workspace_id=workspace.id,
                kind="email",
                purpose="acknowledgement",
                dedupe_key=f"ack-email-test-{n}",
                recipient=f"customer{n}@example.com",
                payload={"subject": "Ваш отзыв получен", "body": f"Спасибо. R-{n}"},
            )
            for n in range(first, first + count)
        ]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def statuses(sessions: sessionmaker[Session]) -> list[tuple[str, int, bool]]:
    with sessions() as session:
        return [
            (m.status, m.attempts, m.claimed_until is not None)
            for m in session.scalars(select(OutboxMessageRow).order_by(OutboxMessageRow.id))
        ]


def test_concurrent_claims_share_out_the_due_messages_without_overlap(
    container: Container,
) -> None:
    queued = queue_emails(container.sessions, 50)
    barrier = threading.Barrier(4)
    claims: list[list[int]] = []

    def claim_when_all_ready() -> None:
        barrier.wait()
        claims.append([m.id for m in claim(container, utcnow(), 20)])

    threads = [threading.Thread(target=claim_when_all_ready) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    claimed = [message_id for batch in claims for message_id in batch]
    assert len(claims) == 4
    assert sorted(claimed) == sorted(queued), "each due message claimed once, none left"
    assert max(len(batch) for batch in claims) <= 20


def test_a_batch_goes_out_over_one_smtp_connection(
    container: Container, mailbox: MailBox
) -> None:
    queue_emails(container.sessions, 3)
    assert deliver_due_messages(container) == "outbox: 3 sent, 0 to retry, 0 failed"
    assert mailbox.connections == 1
    assert sorted(mailbox.message_ids) == sorted(sent_ids(container, *dedupe_keys(3)))
    assert mailbox.subjects == ["Ваш отзыв получен"] * 3
    assert statuses(container.sessions) == [("sent", 1, False)] * 3


def test_a_large_batch_is_shared_among_senders_and_each_message_goes_once(
    container: Container, mailbox: MailBox
) -> None:
    queue_emails(container.sessions, 60)
    assert deliver_due_messages(container) == "outbox: 60 sent, 0 to retry, 0 failed"
    assert mailbox.connections == 2, "two senders of 30, one SMTP connection each"
    assert sorted(mailbox.message_ids) == sorted(sent_ids(container, *dedupe_keys(60)))
    assert statuses(container.sessions) == [("sent", 1, False)] * 60


def test_a_dead_workers_messages_are_sent_once_after_its_lease(
    container: Container, mailbox: MailBox
) -> None:
    (message_id,) = queue_emails(container.sessions, 1)
    assert [m.id for m in claim(container, utcnow(), 10)] == [message_id]  # then it dies
    assert deliver_due_messages(container) is None, "leased to the dead worker"
    assert mailbox.message_ids == []
    with container.sessions.begin() as session:
        session.execute(
            update(OutboxMessageRow).values(claimed_until=utcnow() - timedelta(seconds=1))
        )
    assert deliver_due_messages(container) == "outbox: 1 sent, 0 to retry, 0 failed"
    assert deliver_due_messages(container) is None
    assert mailbox.message_ids == sent_ids(container, "ack-email-test-0")


def test_messages_the_lease_cannot_cover_are_handed_back_unsent(
    container: Container, mailbox: MailBox, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue_emails(container.sessions, 2)
    monkeypatch.setattr(outbox, "SEND_BUDGET", outbox.LEASE + timedelta(seconds=1))
    assert deliver_due_messages(container) == "outbox: 0 sent, 0 to retry, 0 failed"
    assert mailbox.message_ids == []
    assert statuses(container.sessions) == [("pending", 0, False)] * 2, "free to claim again"


def test_acknowledgements_flow_while_a_long_job_runs(container: Container) -> None:
    job_started, release_job = threading.Event(), threading.Event()
    rounds_during_job: list[int] = []

    def long_job(_container: Container) -> str:
        job_started.set()
        release_job.wait(30)
        return "done"

    def outbox_round(_container: Container) -> str | None:
        if job_started.is_set() and not release_job.is_set():
            rounds_during_job.append(1)
            if len(rounds_during_job) >= 3:
                release_job.set()
        return None

    worker = Worker(
        container,
        [Job("warehouse-refresh", timedelta(hours=1), long_job)],
        poll_seconds=0.05,
        continuous=[outbox_round],
    )
    runner = threading.Thread(target=worker.run_forever)
    runner.start()
    try:
        assert release_job.wait(20), "the outbox stood still while the job ran"
    finally:
        release_job.set()
        worker.stop()
        runner.join(timeout=30)
    assert not runner.is_alive()
    assert len(rounds_during_job) >= 3


def test_the_smtp_connection_is_kept_for_the_next_batches(
    container: Container, mailbox: MailBox
) -> None:
    for batch in range(3):
        queue_emails(container.sessions, 2, first=2 * batch)
        assert deliver_due_messages(container) == "outbox: 2 sent, 0 to retry, 0 failed"
        assert mailbox.connections == 1, f"batch {batch} opened a connection of its own"
    assert len(mailbox.message_ids) == len(set(mailbox.message_ids)) == 6


def test_sent_messages_are_marked_in_one_statement_per_group(
    container: Container, mailbox: MailBox, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue_emails(container.sessions, 10)
    monkeypatch.setattr(outbox, "MARK_EVERY", 4)
    monkeypatch.setattr(outbox, "MARK_SECONDS", 3600.0)
    marks: list[int] = []

    def count_marks(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE OUTBOX SET STATUS"):
            marks.append(1)

    event.listen(container.engine, "before_cursor_execute", count_marks)
    try:
        assert deliver_due_messages(container) == "outbox: 10 sent, 0 to retry, 0 failed"
    finally:
        event.remove(container.engine, "before_cursor_execute", count_marks)
    assert len(marks) == 3, "4 + 4 + the last 2"
    assert sorted(mailbox.message_ids) == sorted(sent_ids(container, *dedupe_keys(10)))
    assert statuses(container.sessions) == [("sent", 1, False)] * 10


def test_a_kept_connection_the_server_dropped_is_reopened_and_the_message_sent_once(
    container: Container,
) -> None:
    box = MailBox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        box.port = probe.getsockname()[1]
    container.settings.smtp_url = f"smtp://127.0.0.1:{box.port}"
    first = Controller(box, hostname="127.0.0.1", port=box.port)
    first.start()
    queue_emails(container.sessions, 1)
    assert deliver_due_messages(container) == "outbox: 1 sent, 0 to retry, 0 failed"
    first.stop()  # closes the connection the worker keeps
    second = Controller(box, hostname="127.0.0.1", port=box.port)
    second.start()
    try:
        with container.sessions.begin() as session:
            session.add(
                OutboxMessageRow(
                    workspace_id=accounts.ensure_workspace(session, "outbox").id,
                    kind="email",
                    purpose="acknowledgement",
                    dedupe_key="ack-email-after-restart",
                    recipient="late@example.com",
                    payload={"subject": "Received", "body": "Thank you."},
                )
            )
        assert deliver_due_messages(container) == "outbox: 1 sent, 0 to retry, 0 failed"
    finally:
        second.stop()
    assert box.message_ids == sent_ids(container, "ack-email-test-0", "ack-email-after-restart")
    assert box.connections == 2


def test_the_worker_pauses_after_a_small_batch_not_after_a_full_one(
    container: Container, mailbox: MailBox, monkeypatch: pytest.MonkeyPatch
) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(outbox, "_pause", pauses.append)
    monkeypatch.setattr(outbox, "CLAIM_LIMIT", 10)
    monkeypatch.setattr(outbox, "GATHER_BELOW", 5)
    queue_emails(container.sessions, 13)
    assert outbox.deliver_continuously(container) == "outbox: 10 sent, 0 to retry, 0 failed"
    assert pauses == [], "a full batch: the next claim at once"
    assert outbox.deliver_continuously(container) == "outbox: 3 sent, 0 to retry, 0 failed"
    assert pauses == [outbox.GATHER_SECONDS], "a small one: wait to gather more"
    assert outbox.deliver_continuously(container) is None
    assert pauses == [outbox.GATHER_SECONDS], "nothing due: the worker's poll decides"
    assert len(set(mailbox.message_ids)) == len(mailbox.message_ids) == 13
