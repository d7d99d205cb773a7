"""E-mail invitations (issue 6 item 2): the e-mail arrives at a real local SMTP server with
a single-use link; the answer through it is keyed to the invited customer (channel
"email") and a second one is refused; opted-out contacts are never invited; the fatigue
rule skips a contact invited to any survey within N days and reports it; exactly one
reminder, however often the worker looks; status from the outbox."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient
from typer.testing import CliRunner

from kano.adapters.db import invitations as claim_answer_module
from kano.adapters.db.engine import transaction
from kano.adapters.db.invitations import InvitationPolicy, queue_due_reminders
from kano.adapters.db.orm import (
    AuditEntry,
    Customer,
    FeedbackResponse,
    InvitationRow,
    OutboxMessageRow,
    Survey,
    utcnow,
)
from kano.adapters.db.survey_store import save_survey
from kano.adapters.jobs.invitations import REMINDER_JOB, remind_unanswered_invitations
from kano.adapters.jobs.outbox import deliver_due_messages
from kano.adapters.jobs.worker import default_jobs
from kano.adapters.web.routes import survey_public
from kano.adapters.web.survey_links import invitation_links
from kano.app import create_app
from kano.bootstrap import Container
from kano.config import Settings, get_settings
from kano.domain.feedback.surveys import checked_definition
from kano.domain.workspaces import Scope
from tests.integration.api.seed import SeededWorkspace, seed_workspace

PUBLIC_URL = "https://feedback.acme.example"
DEFINITION: dict[str, Any] = {"questions": [
    {"key": "nps", "type": "nps", "required": True, "text": {
        "en": "How likely are you to recommend us?", "hu": "Mennyire ajánlana minket?"}},
    {"key": "comment", "type": "text", "text": {"en": "Why?"}},
]}


class MailBox:
    def __init__(self) -> None:
        self.mails: list[Any] = []
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture(scope="module")
def mailbox() -> Iterator[MailBox]:
    box = MailBox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        box.port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture
def settings(db_url: str, tmp_path: Path, mailbox: MailBox) -> Settings:
    mailbox.mails.clear()
    return Settings(
        database_url=db_url,
        warehouse_url=f"duckdb:///{tmp_path / 'warehouse.duckdb'}",
        secret_key="test-secret-key-0123456789abcdef",
        smtp_url=f"smtp://127.0.0.1:{mailbox.port}",
        public_url=PUBLIC_URL,
    )


@pytest.fixture
def acme(sessions: sessionmaker[Session]) -> SeededWorkspace:
    """Customers C0000 … C0005 (customerN@acme.example); surveys after-delivery and
    relationship-nps, both with questions."""
    seeded = seed_workspace(sessions, "acme")
    with transaction(sessions) as session:
        session.add(Survey(workspace_id=seeded.workspace_id, key="relationship-nps",
                           name="Relationship NPS"))
        session.flush()
        for key in ("after-delivery", "relationship-nps"):
            save_survey(session, seeded.workspace_id, key, name=key.replace("-", " ").title(),
                        touchpoint=None, definition=checked_definition(DEFINITION),
                        actor="test", user_id=None)
    return seeded


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    app: FastAPI = create_app(container=container)
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def _invite(client: TestClient, acme: SeededWorkspace, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/invitations", json=body, headers=acme.auth(Scope.WRITE))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _link_in(mail: Any) -> str:
    body = mail.get_body(("plain",)).get_content()
    found = re.search(r"https://feedback\.acme\.example(/s/\S+)", body)
    assert found, body
    return found.group(1)


def _statuses(client: TestClient, acme: SeededWorkspace) -> dict[str, str]:
    listed = client.get("/api/v1/invitations", headers=acme.auth())
    assert listed.status_code == 200, listed.text
    return {item["customer"]: item["status"] for item in listed.json()["items"]}


def _count(sessions: sessionmaker[Session], table: Any, *where: Any) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(table).where(*where)) or 0)


def _days_pass(sessions: sessionmaker[Session], days: int) -> None:
    """Move every invitation ``days`` into the past."""
    with transaction(sessions) as session:
        for invitation in session.scalars(select(InvitationRow)):
            invitation.invited_at -= timedelta(days=days)


def test_invitation_arrives_by_smtp_and_its_link_takes_exactly_one_answer(
    client: TestClient, container: Container, acme: SeededWorkspace, mailbox: MailBox,
    sessions: sessionmaker[Session],
) -> None:
    report = _invite(client, acme, survey="after-delivery", customers=["C0001", "C0002"])
    assert report["invited"] == 2 and report["skipped"] == 0
    assert _statuses(client, acme) == {"C0001": "queued", "C0002": "queued"}

    assert deliver_due_messages(container) is not None
    assert sorted(str(mail["To"]) for mail in mailbox.mails) == [
        "customer1@acme.example", "customer2@acme.example"]
    assert _statuses(client, acme) == {"C0001": "sent", "C0002": "sent"}
    mail = next(m for m in mailbox.mails if str(m["To"]) == "customer1@acme.example")
    assert "After Delivery" in str(mail["Subject"])
    link = _link_in(mail)
    other = _link_in(next(m for m in mailbox.mails if m is not mail))
    assert link != other, "every contact has a link of their own"

    page = client.get(link)
    assert page.status_code == 200 and 'name="q-nps"' in page.text
    token = re.search(r'name="t" value="([^"]+)"', page.text)
    assert token is not None
    form = {"t": token.group(1), "q-nps": "3", "q-comment": "late again",
            "email": "someone.else@example.com"}
    answered = client.post(urlsplit(link).path, data=form)
    assert answered.status_code == 303, answered.text

    with sessions() as session:
        response = session.scalars(
            select(FeedbackResponse).where(FeedbackResponse.channel == "email",
                                           FeedbackResponse.comment == "late again")).one()
        customer = session.get(Customer, response.customer_id)
        assert customer is not None and customer.external_id == "C0001"
        invitation = session.scalars(
            select(InvitationRow).where(InvitationRow.customer_id == customer.id)).one()
        assert invitation.response_id == response.id
    assert _statuses(client, acme) == {"C0001": "answered", "C0002": "sent"}

    again = client.post(urlsplit(link).path, data={**form, "q-nps": "10"})
    assert again.status_code == 422
    assert "answered already" in again.text
    assert client.get(link).status_code == 200 and "answered already" in client.get(link).text
    assert _count(sessions, FeedbackResponse, FeedbackResponse.channel == "email",
                  FeedbackResponse.survey_id.is_not(None),
                  FeedbackResponse.comment == "late again") == 1
    assert _count(sessions, FeedbackResponse, FeedbackResponse.nps == 10,
                  FeedbackResponse.channel == "email") == 0


def test_forged_or_foreign_invitation_tokens_are_refused(
    client: TestClient, container: Container, acme: SeededWorkspace, mailbox: MailBox,
) -> None:
    _invite(client, acme, survey="after-delivery", customers=["C0001"])
    deliver_due_messages(container)
    link = _link_in(mailbox.mails[0])
    token = re.search(r"t=([^&]+)", link)
    assert token is not None
    tampered = link.replace(token.group(1), token.group(1)[:-2] + "xx")
    assert client.get(tampered).status_code == 404
    # A validly signed token for an invitation that does not exist.
    forged = invitation_links(container.settings.secret_key, PUBLIC_URL)(
        acme.workspace_id, "after-delivery")("0" * 32, "en")
    assert client.get(forged.removeprefix(PUBLIC_URL)).status_code == 404
    # The invitation to after-delivery does not open relationship-nps.
    assert client.get(link.replace("/s/after-delivery", "/s/relationship-nps")).status_code == 404


def test_opted_out_contacts_are_never_invited(
    client: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        session.execute(update(Customer).where(Customer.external_id.in_(["C0001", "C0003"]))
                        .values(consent_contact=False))
        session.execute(update(Customer).where(Customer.external_id == "C0005")
                        .values(email=None))
    report = _invite(client, acme, survey="after-delivery")
    assert sorted(c["external_id"] for c in report["invitations"]) == ["C0000", "C0002", "C0004"]
    reasons = {s["contact"]: s["reason"] for s in report["skips"]}
    assert reasons == {"C0001": "opted out of contact", "C0003": "opted out of contact",
                       "C0005": "no e-mail address"}
    assert _count(sessions, OutboxMessageRow, OutboxMessageRow.purpose == "invitation",
                  OutboxMessageRow.recipient.in_(["customer1@acme.example",
                                                  "customer3@acme.example"])) == 0


def test_fatigue_skips_a_contact_invited_to_any_survey_within_n_days_and_reports_it(
    client: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session],
) -> None:
    _invite(client, acme, survey="after-delivery", customers=["C0001"])
    second = _invite(client, acme, survey="relationship-nps",
                     customers=["C0001", "C0002", "nobody@example.com"])
    assert [c["external_id"] for c in second["invitations"]] == ["C0002"]
    reasons = {s["contact"]: s["reason"] for s in second["skips"]}
    assert set(reasons) == {"C0001", "nobody@example.com"}
    assert "within the 30-day fatigue window" in reasons["C0001"]
    assert reasons["nobody@example.com"] == "unknown customer"
    assert _count(sessions, InvitationRow) == 2

    # 31 days later C0001 may be asked again.
    _days_pass(sessions, 31)
    third = _invite(client, acme, survey="relationship-nps", customers=["C0001"])
    assert third["invited"] == 1 and third["skipped"] == 0

    # A dry run decides the same and writes nothing.
    dry = _invite(client, acme, survey="after-delivery", customers=["C0001", "C0004"],
                  dry_run=True)
    assert dry["invited"] == 1 and dry["skips"][0]["contact"] == "C0001"
    assert _count(sessions, InvitationRow) == 3
    with sessions() as session:
        entries = session.scalars(select(AuditEntry.detail).where(
            AuditEntry.action == "invite")).all()
    assert [entry["invited"] for entry in entries] == [1, 1, 1]


def test_invitation_errors_name_the_field(client: TestClient, acme: SeededWorkspace) -> None:
    cases = [
        ({"survey": "nope"}, "survey"),
        ({"survey": "after-delivery", "segment": "nope"}, "segment"),
        ({"survey": "after-delivery", "segment": "smb", "customers": ["C0001"]}, "segment"),
        ({"survey": "after-delivery", "customers": []}, "customers"),
    ]
    for body, field in cases:
        refused = client.post("/api/v1/invitations", json=body, headers=acme.auth(Scope.WRITE))
        assert refused.status_code == 422, body
        assert refused.json()["errors"][0]["field"] == field, refused.json()
    assert client.post("/api/v1/invitations", json={"survey": "after-delivery"},
                       headers=acme.auth()).status_code == 403


def test_exactly_one_reminder_however_often_the_worker_looks(
    client: TestClient, container: Container, acme: SeededWorkspace, mailbox: MailBox,
    sessions: sessionmaker[Session],
) -> None:
    assert REMINDER_JOB in {job.name for job in default_jobs(container)}
    _invite(client, acme, survey="after-delivery", customers=["C0001", "C0002", "C0004"])
    deliver_due_messages(container)
    first_link = _link_in(next(m for m in mailbox.mails
                               if str(m["To"]) == "customer2@acme.example"))
    assert remind_unanswered_invitations(container) == "0 invitation reminders queued"

    # C0002 answers; C0004's e-mail bounced; four days pass.
    page = client.get(first_link)
    token = re.search(r'name="t" value="([^"]+)"', page.text)
    assert token is not None
    assert client.post(urlsplit(first_link).path,
                       data={"t": token.group(1), "q-nps": "9"}).status_code == 303
    _days_pass(sessions, 4)
    with transaction(sessions) as session:
        session.execute(update(OutboxMessageRow)
                        .where(OutboxMessageRow.recipient == "customer4@acme.example")
                        .values(status="failed", last_error="550 no such mailbox"))

    assert remind_unanswered_invitations(container) == "1 invitation reminders queued"
    assert remind_unanswered_invitations(container) == "0 invitation reminders queued"
    with transaction(sessions) as session:  # another worker, another look
        assert queue_due_reminders(session, invitation_links("x", PUBLIC_URL),
                                   InvitationPolicy()) == 0
    mailbox.mails.clear()
    deliver_due_messages(container)
    reminders = [m for m in mailbox.mails if str(m["Subject"]).startswith("Reminder")]
    assert [str(m["To"]) for m in reminders] == ["customer1@acme.example"]
    assert "/s/after-delivery?t=" in _link_in(reminders[0])
    # C0002's answer was acknowledged like any other (the only other e-mail).
    assert [str(m["To"]) for m in mailbox.mails if m not in reminders] == [
        "customer2@acme.example"]
    assert _statuses(client, acme) == {"C0001": "reminded", "C0002": "answered",
                                       "C0004": "failed"}
    assert _count(sessions, OutboxMessageRow,
                  OutboxMessageRow.purpose == "invitation-reminder") == 1


def test_invitations_are_workspace_isolated(
    client: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session],
) -> None:
    globex = seed_workspace(sessions, "globex", customers=2)
    _invite(client, acme, survey="after-delivery", customers=["C0001"])
    # Globex has customers C0000, C0001 too, but no survey with questions.
    refused = client.post("/api/v1/invitations", json={"survey": "after-delivery"},
                          headers=globex.auth(Scope.WRITE))
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "survey"
    listed = client.get("/api/v1/invitations", headers=globex.auth())
    assert listed.json()["items"] == []
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(InvitationRow).where(
            InvitationRow.workspace_id == globex.workspace_id)) == 0


def _run_cli(settings: Settings, *args: str) -> Any:
    """``kano feedback invite …`` in-process against this test's database (the cached
    process-wide settings are cleared before and after)."""
    from kano.adapters.cli.main import app

    env = {"KANO_DATABASE_URL": settings.database_url, "KANO_SECRET_KEY": settings.secret_key,
           "KANO_SMTP_URL": "", "COLUMNS": "200"}
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, ["feedback", "invite", *args], env=env)
    finally:
        get_settings.cache_clear()


def test_cli_invites_a_segment_and_reports_the_skipped(
    settings: Settings, acme: SeededWorkspace, sessions: sessionmaker[Session], tmp_path: Path,
) -> None:
    with transaction(sessions) as session:
        session.execute(update(Customer).where(Customer.external_id == "C0003")
                        .values(consent_contact=False))

    # Segment key-accounts: C0000 and C0003 (i % 3 == 0).
    dry = _run_cli(settings, "--survey", "after-delivery", "--segment", "key-accounts",
                   "--workspace", "acme", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "1 would be invited, 1 skipped" in dry.stdout
    assert "C0003" in dry.stdout and "opted out of contact" in dry.stdout
    assert _count(sessions, InvitationRow) == 0

    listed = tmp_path / "customers.csv"
    listed.write_text("external_id\nC0001\ncustomer2@acme.example\n", encoding="utf-8")
    done = _run_cli(settings, "--survey", "after-delivery", "--customers", str(listed),
                    "--workspace", "acme")
    assert done.exit_code == 0, done.output
    assert "2 invited, 0 skipped" in done.stdout
    with sessions() as session:
        invited_at = session.scalars(select(InvitationRow.invited_at)).all()
    assert len(invited_at) == 2 and all(utcnow() - t < timedelta(minutes=5) for t in invited_at)
    bad = _run_cli(settings, "--survey", "nope", "--workspace", "acme")
    assert bad.exit_code == 2 and "survey" in bad.output


def test_two_answers_racing_through_one_link_store_one(
    client: TestClient, container: Container, acme: SeededWorkspace, mailbox: MailBox,
    sessions: sessionmaker[Session],
) -> None:
    """On PostgreSQL both pass the "answered already?" look before either commits (a
    barrier holds them there); the conditional UPDATE lets exactly one through, the second
    waits for the first and is refused. SQLite serialises the two writers anyway (the
    second waits for the first at its first write), so there is no barrier."""
    import threading

    _invite(client, acme, survey="after-delivery", customers=["C0001"])
    deliver_due_messages(container)
    link = _link_in(mailbox.mails[0])
    token = re.search(r'name="t" value="([^"]+)"', client.get(link).text)
    assert token is not None
    barrier = threading.Barrier(2)
    statuses: list[int] = []
    original = claim_answer_module.claim_answer

    def claim_after_both_looked(*args: Any, **kwargs: Any) -> bool:
        barrier.wait(timeout=10)
        return original(*args, **kwargs)

    def answer(score: str) -> None:
        with TestClient(create_app(container=container), follow_redirects=False) as own:
            statuses.append(own.post(urlsplit(link).path,
                                     data={"t": token.group(1), "q-nps": score}).status_code)

    if container.settings.database_url.startswith("postgresql"):
        survey_public.claim_answer = claim_after_both_looked  # type: ignore[assignment]
    try:
        threads = [threading.Thread(target=answer, args=(s,)) for s in ("2", "9")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        survey_public.claim_answer = original  # type: ignore[assignment]
    assert sorted(statuses) == [303, 422]
    assert _count(sessions, FeedbackResponse, FeedbackResponse.channel == "email",
                  FeedbackResponse.customer_id == acme.customer_ids[1]) == 1


def test_an_invited_customer_is_not_asked_for_an_address_and_is_told_of_the_confirmation(
    client: TestClient, container: Container, acme: SeededWorkspace, mailbox: MailBox,
) -> None:
    """The invitation knows the customer: the page asks for no e-mail address (one typed
    there was dropped), and the thank-you page says the confirmation is on its way, since
    the acknowledgement e-mail is queued to the invited address."""
    _invite(client, acme, survey="after-delivery", customers=["C0001"])
    assert deliver_due_messages(container) is not None
    link = _link_in(mailbox.mails[0])
    page = client.get(link)
    assert page.status_code == 200 and 'name="q-nps"' in page.text
    assert 'name="email"' not in page.text and "(optional)" not in page.text
    token = re.search(r'name="t" value="([^"]+)"', page.text)
    assert token is not None
    refused = client.post(urlsplit(link).path, data={"t": token.group(1), "q-nps": "11"})
    assert refused.status_code == 422 and 'name="email"' not in refused.text
    answered = client.post(urlsplit(link).path, data={"t": token.group(1), "lang": "hu",
                                                      "q-nps": "8"})
    assert answered.status_code == 303
    assert answered.headers["location"] == "/s/after-delivery/thanks?lang=hu&confirmation=email"
    thanks = client.get(answered.headers["location"]).text
    assert "A visszaigazolás úton van az e-mail-címére" in thanks
