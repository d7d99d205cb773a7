"""Bounced e-mails, end to end: a real acknowledgement leaves through the local SMTP server,
a relay's bounce (DSN) for exactly that message comes back through each of the three ways
in (``kano feedback bounces`` on stdin, the worker's Maildir job, ``POST /bounces``), and
Kano then shows the e-mail as bounced and stops e-mailing the address. A forged bounce
(a guessed or wrongly signed Message-ID) comes back the same ways and changes nothing."""

from __future__ import annotations

import mailbox as stdlib_mailbox
import os
import re
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.parser import BytesHeaderParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.cli.bounces import OUTCOME_LABELS
from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import (
    AuditEntry,
    CaseRow,
    Customer,
    OutboxMessageRow,
    Workspace,
    utcnow,
)
from kano.adapters.db.orm.outbox import EmailBounceRow
from kano.adapters.db.survey_store import save_survey
from kano.adapters.jobs.bounces import BOUNCE_JOB, UNREADABLE_FOLDER, read_bounce_maildir
from kano.adapters.jobs.outbox import deliver_due_messages
from kano.adapters.jobs.worker import Worker, default_jobs
from kano.adapters.messaging.email import message_id
from kano.app import create_app
from kano.bootstrap import Container
from kano.config import Settings
from kano.domain.feedback.surveys import checked_definition
from kano.domain.workspaces import Role, Scope
from tests.integration.api.problems import assert_invalid_field, assert_problem
from tests.integration.api.seed import SeededWorkspace, seed_workspace
from tests.integration.web.browsing import Browser, text_of

DIAGNOSTIC = "550 5.1.1 <ann@customer.example>: Recipient address rejected: User unknown"
SECRET_KEY = "test-secret-key-0123456789abcdef"
WAYS = ["cli", "maildir", "api"]
DEFINITION: dict[str, Any] = {"questions": [
    {"key": "nps", "type": "nps", "required": True, "text": {"en": "Recommend us?"}},
]}


class SmtpServer:
    """aiosmtpd on loopback, keeping each message's bytes as the relay received them."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(bytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    with socket.socket() as probe:  # aiosmtpd checks its port by connecting: no port 0
        probe.bind(("127.0.0.1", 0))
        server.port = probe.getsockname()[1]
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    yield server
    controller.stop()


@pytest.fixture
def maildir(tmp_path: Path) -> Path:
    folder = tmp_path / "bounces"
    stdlib_mailbox.Maildir(folder, create=True)
    return folder


@pytest.fixture
def settings(db_url: str, tmp_path: Path, smtp: SmtpServer, maildir: Path) -> Settings:
    smtp.received.clear()
    return Settings(
        database_url=db_url,
        warehouse_url=f"duckdb:///{tmp_path / 'warehouse.duckdb'}",
        secret_key=SECRET_KEY,
        smtp_url=f"smtp://127.0.0.1:{smtp.port}",
        mail_from="Kano <feedback@kano.example.com>",
        bounce_maildir=str(maildir),
        webhook_allow_private=True,
    )


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    app: FastAPI = create_app(container=container)
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def _with_survey(sessions: sessionmaker[Session], slug: str) -> SeededWorkspace:
    seeded = seed_workspace(sessions, slug, customers=2)
    with transaction(sessions) as session:
        save_survey(session, seeded.workspace_id, "after-delivery", name="After delivery",
                    touchpoint=None, definition=checked_definition(DEFINITION), actor="test",
                    user_id=None)
    return seeded


@pytest.fixture
def acme(sessions: sessionmaker[Session]) -> SeededWorkspace:
    return _with_survey(sessions, "acme")


@pytest.fixture
def globex(sessions: sessionmaker[Session]) -> SeededWorkspace:
    return _with_survey(sessions, "globex")


def respond(client: TestClient, space: SeededWorkspace, nps: int = 4,
            email: str = "ann@customer.example") -> dict[str, Any]:
    reply = client.post(
        "/api/v1/responses",
        json={"survey": "after-delivery", "channel": "api", "answers": {"nps": nps},
              "customer": {"external_id": "C-ANN", "email": email, "name": "Ann"}},
        headers=space.auth(Scope.WRITE),
    )
    assert reply.status_code == 201, reply.text
    body: dict[str, Any] = reply.json()
    return body


def sent_acknowledgement(client: TestClient, space: SeededWorkspace, container: Container,
                         smtp: SmtpServer) -> tuple[int, bytes]:
    """A response, its acknowledgement sent through the SMTP server: (response id, the
    message as the relay received it)."""
    before = len(smtp.received)
    response_id = respond(client, space)["id"]
    assert deliver_due_messages(container) == "outbox: 1 sent, 0 to retry, 0 failed"
    assert len(smtp.received) == before + 1
    return response_id, smtp.received[-1]


def dsn_for(original: bytes, status: str = "5.1.1", diagnostic: str = DIAGNOSTIC,
            returned_id: str | None = None) -> bytes:
    """The RFC 3464 report a relay (Postfix) writes when the message ``original`` bounced:
    an explanation, the delivery status, and the original's headers (with the Message-ID
    ``returned_id`` instead of its own, for a forgery)."""
    head = original.split(b"\r\n\r\n", 1)[0].decode()
    headers = BytesHeaderParser().parsebytes(original)
    if returned_id is not None:
        head = head.replace(str(headers["Message-ID"]), returned_id)
        assert returned_id in head
    action = "failed" if status.startswith("5") else "delayed"
    return "\r\n".join([
        "From: MAILER-DAEMON@relay.example.net (Mail Delivery System)",
        f"To: {headers['From']}",
        "Subject: Undelivered Mail Returned to Sender",
        "Message-ID: <20261205.bounce@relay.example.net>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B0UNCE"',
        "",
        "--B0UNCE",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        "I'm sorry to have to inform you that your message could not be delivered.",
        "",
        "--B0UNCE",
        "Content-Type: message/delivery-status",
        "",
        "Reporting-MTA: dns; relay.example.net",
        "",
        f"Final-Recipient: rfc822; {headers['To']}",
        f"Action: {action}",
        f"Status: {status}",
        f"Diagnostic-Code: smtp; {diagnostic}",
        "",
        "--B0UNCE",
        "Content-Type: text/rfc822-headers",
        "",
        head,
        "",
        "--B0UNCE--",
        "",
    ]).encode()


def bounced_acknowledgement(client: TestClient, space: SeededWorkspace, container: Container,
                            smtp: SmtpServer, status: str = "5.1.1",
                            diagnostic: str = DIAGNOSTIC) -> tuple[int, bytes, bytes]:
    """A response whose acknowledgement went out, and the relay's report that it bounced:
    (response id, the message as sent, the bounce)."""
    response_id, original = sent_acknowledgement(client, space, container, smtp)
    return response_id, original, dsn_for(original, status, diagnostic)


def feed_by_cli(db_url: str, raw: bytes, *files: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "KANO_DATABASE_URL": db_url, "KANO_SECRET_KEY": SECRET_KEY,
           "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "kano", "feedback", "bounces", *map(str, files)],
        input=raw, env=env, capture_output=True, timeout=120,
    )


def feed_by_api(client: TestClient, space: SeededWorkspace, raw: bytes) -> dict[str, Any]:
    reply = client.post("/api/v1/bounces", content=raw, headers={
        **space.auth(Scope.WRITE), "Content-Type": "message/rfc822"})
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


Feed = Callable[[str, SeededWorkspace, bytes], str]


@pytest.fixture
def feed(db_url: str, client: TestClient, container: Container, maildir: Path) -> Feed:
    """``feed(way, workspace, bounce)``: the bounce fed in by ``way`` (cli, maildir, api,
    ``WAYS``); the outcome it reports (as each way reports it)."""

    def fed(way: str, space: SeededWorkspace, raw: bytes) -> str:
        if way == "cli":
            done = feed_by_cli(db_url, raw)
            out = done.stdout.decode()
            assert done.returncode == 0, done.stderr.decode()
            assert "customers marked undeliverable" in out
            (outcome,) = [name for name, label in OUTCOME_LABELS.items()
                          if re.search(rf"{re.escape(label)}\s*│\s*1\s*│", out)]
            return outcome
        if way == "maildir":
            stdlib_mailbox.Maildir(maildir, create=False).add(raw)
            summary = read_bounce_maildir(container)  # the worker's job (runs once a minute)
            assert not os.listdir(maildir / "new")
            (seen,) = os.listdir(maildir / "cur")
            assert seen.endswith(":2,S")
            os.remove(maildir / "cur" / seen)
            (outcome,) = re.findall(r"\b1 (\w+)", summary)
            return str(outcome)
        assert way == "api"
        return str(feed_by_api(client, space, raw)["outcome"])

    return fed


def email_acknowledgement(client: TestClient, space: SeededWorkspace,
                          response_id: int) -> dict[str, Any]:
    detail = client.get(f"/api/v1/responses/{response_id}", headers=space.auth()).json()
    (email,) = [a for a in detail["acknowledgements"] if a["kind"] == "email"]
    return dict(email)


def outbox_kinds(sessions: sessionmaker[Session], response_id: int) -> list[str]:
    with sessions() as session:
        return sorted(session.scalars(
            select(OutboxMessageRow.kind).where(OutboxMessageRow.response_id == response_id)
        ))


def audit_marks(sessions: sessionmaker[Session], workspace_id: int) -> list[AuditEntry]:
    with sessions() as session:
        return list(session.scalars(select(AuditEntry).where(
            AuditEntry.workspace_id == workspace_id, AuditEntry.action == "email-bounced")))


@pytest.mark.parametrize("way", WAYS)
def test_a_permanent_bounce_shows_on_the_response_and_stops_email_to_the_address(
    way: str, feed: Feed, client: TestClient, acme: SeededWorkspace, container: Container,
    sessions: sessionmaker[Session], smtp: SmtpServer,
) -> None:
    response_id, _, bounce = bounced_acknowledgement(client, acme, container, smtp)
    assert email_acknowledgement(client, acme, response_id)["status"] == "sent"

    assert feed(way, acme, bounce) == "recorded"

    email = email_acknowledgement(client, acme, response_id)
    assert email["status"] == "bounced"
    assert email["last_error"].startswith("5.1.1 ")
    assert "Recipient address rejected: User unknown" in email["last_error"]
    (mark,) = audit_marks(sessions, acme.workspace_id)
    assert mark.entity == "customer" and mark.entity_id == "C-ANN"
    assert mark.detail is not None and mark.detail["status"] == "5.1.1"

    # The next response of the customer: the webhook still goes, no e-mail is queued.
    add_webhook(sessions, acme)
    later = respond(client, acme, nps=9)
    assert later["acknowledgement"] == "queued"
    assert outbox_kinds(sessions, later["id"]) == ["webhook"]

    # An invitation run skips the customer with the reason.
    invited = client.post("/api/v1/invitations", headers=acme.auth(Scope.WRITE), json={
        "survey": "after-delivery", "customers": ["C-ANN", "C0000"]})
    assert invited.status_code == 201, invited.text
    report = invited.json()
    assert {"contact": "C-ANN", "reason": "e-mail bounced"} in report["skips"]
    assert [i["external_id"] for i in report["invitations"]] == ["C0000"]

    # The same bounce again changes nothing more.
    assert feed_by_api(client, acme, bounce)["outcome"] == "repeated"
    assert len(audit_marks(sessions, acme.workspace_id)) == 1
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(EmailBounceRow)) == 1


def forged_message_id(forgery: str, sent: str, response_id: int) -> str:
    """A Message-ID for a forged bounce of the acknowledgement of ``response_id`` (``sent``:
    the genuine one, which a forger does not have)."""
    signature = sent.removesuffix("@kano>").rpartition(".")[2]
    if forgery == "guessed":  # the dedupe key is guessable: the form of unsigned old ids
        return f"<ack-email-{response_id}@kano>"
    if forgery == "one character off":
        wrong = "a" if signature[-1] != "a" else "b"
        return sent.replace(f".{signature}@", f".{signature[:-1]}{wrong}@")
    if forgery == "another e-mail's signature":  # the forger's own acknowledgement
        other = message_id(SECRET_KEY, f"ack-email-{response_id + 1}")
        return f"<ack-email-{response_id}.{other.removesuffix('@kano').rpartition('.')[2]}@kano>"
    assert forgery == "another secret key"
    return f"<{message_id('dev-insecure-change-me', f'ack-email-{response_id}')}>"


@pytest.mark.parametrize("forgery", ["guessed", "one character off",
                                     "another e-mail's signature", "another secret key"])
@pytest.mark.parametrize("way", WAYS)
def test_a_forged_bounce_changes_nothing_and_the_genuine_one_still_counts(
    way: str, forgery: str, feed: Feed, client: TestClient, acme: SeededWorkspace,
    container: Container, sessions: sessionmaker[Session], smtp: SmtpServer,
) -> None:
    """Whoever can drop mail into the bounce Maildir or pipe (or holds a write token) can
    guess a dedupe key, but not sign it: the bounce is counted as unsigned and the
    customer stays deliverable."""
    response_id, original, genuine = bounced_acknowledgement(client, acme, container, smtp)
    sent = str(message_from_bytes(original)["Message-ID"])
    forged = forged_message_id(forgery, sent, response_id)
    assert forged != sent and forged.endswith("@kano>")

    assert feed(way, acme, dsn_for(original, returned_id=forged)) == "unsigned"

    assert email_acknowledgement(client, acme, response_id)["status"] == "sent"
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(EmailBounceRow)) == 0
        assert session.scalar(select(Customer.undeliverable_email).where(
            Customer.workspace_id == acme.workspace_id,
            Customer.external_id == "C-ANN")) is None
    assert audit_marks(sessions, acme.workspace_id) == []
    assert outbox_kinds(sessions, respond(client, acme)["id"]) == ["email"]

    assert feed(way, acme, genuine) == "recorded"
    assert email_acknowledgement(client, acme, response_id)["status"] == "bounced"


def test_a_forged_bounce_is_explained_by_the_cli_and_the_api(
    db_url: str, client: TestClient, acme: SeededWorkspace, container: Container,
    smtp: SmtpServer,
) -> None:
    response_id, original = sent_acknowledgement(client, acme, container, smtp)
    forged = dsn_for(original, returned_id=f"<ack-email-{response_id}@kano>")
    answer = feed_by_api(client, acme, forged)
    assert (answer["outcome"], answer["customers_marked"]) == ("unsigned", 0)
    assert answer["detail"].startswith(f"<ack-email-{response_id}@kano> carries no valid "
                                       "signature of this server")
    out = feed_by_cli(db_url, forged).stdout.decode()
    assert re.search(r"not signed by this server: forged or old \(ignored\)\s*│\s*1\s*│", out)
    assert "KANO_SECRET_KEY" in out, "the details say why: a key differing would do it too"


def add_webhook(sessions: sessionmaker[Session], space: SeededWorkspace) -> None:
    from kano.adapters.db.orm import WebhookEndpointRow
    from kano.adapters.messaging.webhooks import new_secret

    with transaction(sessions) as session:
        session.add(WebhookEndpointRow(workspace_id=space.workspace_id,
                                       url="http://127.0.0.1:9/hooks", secret=new_secret()))


def test_bulk_intake_also_queues_no_email_to_a_bounced_address(
    client: TestClient, acme: SeededWorkspace, container: Container,
    sessions: sessionmaker[Session], smtp: SmtpServer,
) -> None:
    _, _, bounce = bounced_acknowledgement(client, acme, container, smtp)
    feed_by_api(client, acme, bounce)
    bulk = client.post("/api/v1/responses:bulk", headers=acme.auth(Scope.WRITE), json={
        "responses": [
            {"survey": "after-delivery", "answers": {"nps": 8},
             "customer": {"external_id": "C-ANN", "email": "ann@customer.example"}},
            {"survey": "after-delivery", "answers": {"nps": 8},
             "customer": {"external_id": "C-BEA", "email": "bea@customer.example"}},
        ]})
    assert bulk.status_code == 201, bulk.text
    ann, bea = bulk.json()["ids"]
    assert outbox_kinds(sessions, ann) == []
    assert outbox_kinds(sessions, bea) == ["email"]


def test_a_changed_address_lifts_the_mark(
    client: TestClient, acme: SeededWorkspace, container: Container,
    sessions: sessionmaker[Session], smtp: SmtpServer,
) -> None:
    _, _, bounce = bounced_acknowledgement(client, acme, container, smtp)
    feed_by_api(client, acme, bounce)
    assert outbox_kinds(sessions, respond(client, acme)["id"]) == []
    with transaction(sessions) as session:
        customer = session.scalars(select(Customer).where(
            Customer.workspace_id == acme.workspace_id, Customer.external_id == "C-ANN")).one()
        customer.email = "ann.lee@customer.example"
    assert outbox_kinds(sessions, respond(client, acme)["id"]) == ["email"]


def test_a_transient_bounce_is_recorded_and_changes_nothing(
    client: TestClient, acme: SeededWorkspace, container: Container,
    sessions: sessionmaker[Session], smtp: SmtpServer,
) -> None:
    response_id, _, delay = bounced_acknowledgement(
        client, acme, container, smtp, "4.4.1",
        "connect to mx.customer.example: Connection timed out")
    outcome = feed_by_api(client, acme, delay)
    assert (outcome["outcome"], outcome["customers_marked"]) == ("transient", 0)
    assert email_acknowledgement(client, acme, response_id)["status"] == "sent"
    with sessions() as session:
        (row,) = session.scalars(select(EmailBounceRow)).all()
        assert (row.status_code, row.permanent, row.workspace_id) == (
            "4.4.1", False, acme.workspace_id)
    assert outbox_kinds(sessions, respond(client, acme)["id"]) == ["email"]
    assert audit_marks(sessions, acme.workspace_id) == []
    assert feed_by_api(client, acme, delay)["outcome"] == "repeated"


def test_the_message_id_decides_the_workspace(
    db_url: str, client: TestClient, acme: SeededWorkspace, globex: SeededWorkspace,
    container: Container, sessions: sessionmaker[Session], smtp: SmtpServer,
) -> None:
    """Both workspaces have a customer at the same address; a bounce of globex's message
    marks globex's customer only, and acme's token cannot record it at all."""
    acme_response, _ = sent_acknowledgement(client, acme, container, smtp)
    globex_response, _, bounce = bounced_acknowledgement(client, globex, container, smtp)

    refused = feed_by_api(client, acme, bounce)
    assert (refused["outcome"], refused["customers_marked"]) == ("unknown", 0)
    assert email_acknowledgement(client, globex, globex_response)["status"] == "sent"

    fed = feed_by_cli(db_url, bounce)  # no workspace given: the Message-ID decides
    assert fed.returncode == 0, fed.stderr.decode()
    assert email_acknowledgement(client, globex, globex_response)["status"] == "bounced"
    assert email_acknowledgement(client, acme, acme_response)["status"] == "sent"
    assert audit_marks(sessions, acme.workspace_id) == []
    assert len(audit_marks(sessions, globex.workspace_id)) == 1
    assert outbox_kinds(sessions, respond(client, acme)["id"]) == ["email"]
    assert outbox_kinds(sessions, respond(client, globex)["id"]) == []


def test_unknown_and_unreadable_messages_are_counted_not_recorded(
    db_url: str, client: TestClient, acme: SeededWorkspace, container: Container,
    sessions: sessionmaker[Session], smtp: SmtpServer, maildir: Path, tmp_path: Path,
) -> None:
    _, original = sent_acknowledgement(client, acme, container, smtp)
    stranger = dsn_for(original.replace(b"@kano>", b"@elsewhere.example>"))
    garbage = tmp_path / "garbage.eml"
    garbage.write_bytes(b"\x00\x01 not a message")
    unknown = tmp_path / "unknown.eml"
    unknown.write_bytes(stranger)

    fed = feed_by_cli(db_url, b"", unknown, garbage)
    out = fed.stdout.decode()
    assert fed.returncode == 0, fed.stderr.decode()
    assert re.search(r"unknown Message-ID \(ignored\)\s*│\s*1\s*│", out), out
    assert re.search(r"not a readable bounce\s*│\s*1\s*│", out), out
    assert "not a Message-ID of Kano" in out and "garbage.eml" in out

    never_sent = dsn_for(original, returned_id=f"<{message_id(SECRET_KEY, 'ack-email-0')}>")
    assert feed_by_api(client, acme, never_sent)["outcome"] == "unknown", "signed, not sent"

    refused = client.post("/api/v1/bounces", content=b"just text", headers={
        **acme.auth(Scope.WRITE), "Content-Type": "message/rfc822"})
    assert_invalid_field(refused, "body")
    wrong_type = client.post("/api/v1/bounces", json={"a": 1}, headers=acme.auth(Scope.WRITE))
    assert_problem(wrong_type, 415)
    too_big = client.post("/api/v1/bounces", content=b"x" * (1024 * 1024 + 1), headers={
        **acme.auth(Scope.WRITE), "Content-Type": "message/rfc822"})
    assert_problem(too_big, 413)
    read_only = client.post("/api/v1/bounces", content=dsn_for(original), headers={
        **acme.auth(Scope.READ), "Content-Type": "message/rfc822"})
    assert_problem(read_only, 403)

    # The Maildir: the malformed message is set aside once, never read again.
    box = stdlib_mailbox.Maildir(maildir, create=False)
    box.add(b"\x00\x01 not a message")
    worker = Worker(container, [j for j in default_jobs(container) if j.name == BOUNCE_JOB])
    ((_, status, summary),) = worker.run_due()
    assert status == "ok" and "1 unreadable" in summary
    assert not os.listdir(maildir / "new") and not os.listdir(maildir / "cur")
    assert len(box.get_folder(UNREADABLE_FOLDER)) == 1
    from kano.adapters.jobs.bounces import read_maildir

    assert read_maildir(container, maildir) == []
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(EmailBounceRow)) == 0
        assert session.scalar(select(func.count()).where(
            OutboxMessageRow.status == "bounced")) == 0


def test_the_worker_reads_the_maildir_only_when_one_is_set(container: Container) -> None:
    assert BOUNCE_JOB in {job.name for job in default_jobs(container)}
    without = SimpleNamespace(settings=Settings(database_url=container.settings.database_url))
    assert BOUNCE_JOB not in {job.name for job in default_jobs(cast(Container, without))}


def test_the_returned_message_carries_the_message_id_kano_sent(
    client: TestClient, acme: SeededWorkspace, container: Container,
    sessions: sessionmaker[Session], smtp: SmtpServer,
) -> None:
    """The match rests on this: the Message-ID is the outbox message's dedupe key, signed
    with the server's secret key."""
    response_id, original = sent_acknowledgement(client, acme, container, smtp)
    with sessions() as session:
        key = session.scalar(select(OutboxMessageRow.dedupe_key).where(
            OutboxMessageRow.response_id == response_id, OutboxMessageRow.kind == "email"))
    assert key == f"ack-email-{response_id}"
    sent = message_from_bytes(original)["Message-ID"]
    assert sent == f"<{message_id(SECRET_KEY, key)}>"
    assert re.fullmatch(rf"<{key}\.[a-z2-7]{{20}}@kano>", sent)


def test_the_case_and_customer_pages_show_the_bounce(
    client: TestClient, acme: SeededWorkspace, container: Container,
    sessions: sessionmaker[Session], smtp: SmtpServer,
) -> None:
    response_id, _, bounce = bounced_acknowledgement(client, acme, container, smtp)
    feed_by_api(client, acme, bounce)
    with transaction(sessions) as session:
        workspace = session.get(Workspace, acme.workspace_id)
        assert workspace is not None
        user = accounts.ensure_user(session, "mia@acme.test", "correct horse battery")
        accounts.grant_role(session, workspace, user, Role.MANAGER)
        customer_id = session.scalar(select(Customer.id).where(
            Customer.workspace_id == acme.workspace_id, Customer.external_id == "C-ANN"))
        case_id = session.scalar(select(CaseRow.id).where(CaseRow.response_id == response_id))
        if case_id is None:  # no case rule matched: open one as a rule would
            now = utcnow()
            case = CaseRow(workspace_id=acme.workspace_id, response_id=response_id,
                           customer_id=customer_id, rule="detractor", priority=2,
                           status="new", opened_at=now, first_response_due_at=now,
                           resolution_due_at=now)
            session.add(case)
            session.flush()
            case_id = case.id
    browser = Browser(client)
    browser.log_in("mia@acme.test", "correct horse battery")

    case_page = browser.page(f"/cases/{case_id}?lang=hu").text
    delivery = text_of(case_page, "acknowledgement-email")
    assert delivery.startswith("Visszaigazoló e-mail visszapattant · 5.1.1 550 5.1.1")
    assert "&lt;ann@customer.example&gt;" in case_page  # the diagnostic, escaped

    profile = browser.page(f"/customers/{customer_id}?lang=en").text
    assert text_of(profile, "email-bounced").startswith("bounced on ")
    with transaction(sessions) as session:
        changed = session.get(Customer, customer_id)
        assert changed is not None
        changed.email = "ann.lee@customer.example"
    assert 'id="email-bounced"' not in browser.page(f"/customers/{customer_id}").text
