"""Sending survey invitations from the builder is POST → 303 → GET (SPEC §2.4): against a
real ``kano serve``, the send answers 303, the page it lands on shows the report (sent,
skipped by reason), and reloading that page sends nothing; in Chromium, a CX lead who sends
and then reloads still has one batch of e-mails and one audited send."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import func, select

from kano.adapters.db import accounts
from kano.adapters.db.engine import make_engine, make_session_factory, transaction
from kano.adapters.db.orm import AuditEntry, Customer, InvitationRow, OutboxMessageRow, Survey
from kano.adapters.db.survey_store import save_survey
from kano.domain.feedback.surveys import checked_definition
from kano.domain.workspaces import Role
from tests.e2e.conftest import RunningServer, SeededDatabase
from tests.integration.web.browsing import csrf_token_in, text_of

pytestmark = pytest.mark.browser

KEY = "onboarding-pulse"
LEAD, LEAD_PASSWORD = "ines@northwind.test", "cx lead invitations password"
DEFINITION = {"questions": [
    {"key": "nps", "type": "nps", "required": True,
     "text": {"en": "How likely are you to recommend us?"}},
]}
CONTACTS = "INV-1\nINV-2\nINV-3\nnobody@example.com"


@pytest.fixture
def database(seeded_database: SeededDatabase) -> str:
    """A survey and four contacts of the showcase's workspace: two to invite, one who
    opted out of contact; the fourth line of :data:`CONTACTS` is nobody's."""
    engine = make_engine(seeded_database.url)
    try:
        with transaction(make_session_factory(engine)) as session:
            workspace = accounts.get_workspace(session, "northwind")
            session.add(Survey(workspace_id=workspace.id, key=KEY, name="Onboarding pulse"))
            session.flush()
            save_survey(session, workspace.id, KEY, name="Onboarding pulse", touchpoint=None,
                        definition=checked_definition(DEFINITION), actor="test", user_id=None)
            session.add_all([
                Customer(workspace_id=workspace.id, external_id="INV-1", kind="person",
                         name="Ivy", email="ivy@example.com"),
                Customer(workspace_id=workspace.id, external_id="INV-2", kind="person",
                         name="Ivan", email="ivan@example.ru", attributes={"language": "ru"}),
                Customer(workspace_id=workspace.id, external_id="INV-3", kind="person",
                         name="Imre", email="imre@example.hu", consent_contact=False),
            ])
            lead = accounts.ensure_user(session, LEAD, LEAD_PASSWORD, name="Inès")
            accounts.grant_role(session, workspace, lead, Role.ANALYST)
    finally:
        engine.dispose()
    return seeded_database.url


def _sent(url: str) -> tuple[int, int, int]:
    """Invitation rows, invitation e-mails in the outbox and audited sends of the survey."""
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            def count(model: object, *where: object) -> int:
                return int(session.scalar(
                    select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]
            return (count(InvitationRow),
                    count(OutboxMessageRow, OutboxMessageRow.purpose == "invitation"),
                    count(AuditEntry, AuditEntry.action == "invite", AuditEntry.entity_id == KEY))
    finally:
        engine.dispose()


def test_a_send_answers_303_and_reloading_its_page_sends_nothing(
    database: str, kano_server: RunningServer,
) -> None:
    with httpx.Client(base_url=kano_server.base_url, timeout=30) as client:
        login = client.get("/login")
        assert client.post("/login", data={
            "email": LEAD, "password": LEAD_PASSWORD, "next": f"/surveys/{KEY}",
            "csrf_token": csrf_token_in(login.text)}).status_code == 303
        token = csrf_token_in(client.get(f"/surveys/{KEY}").text)
        posted = client.post(f"/surveys/{KEY}/invitations", data={
            "csrf_token": token, "audience": "list", "contacts": CONTACTS, "action": "send"})
        assert posted.status_code == 303
        landing = posted.headers["location"]
        assert landing.startswith(f"/surveys/{KEY}?")
        assert _sent(database) == (2, 2, 1)
        for _ in range(2):  # following the redirect, then reloading its page
            page = client.get(landing)
            assert page.status_code == 200
            assert "Sent: 2 invited, 2 skipped." in text_of(page.text, "invite-report")
            reasons = text_of(page.text, "invite-reasons")
            assert "Opted out of contact 1" in reasons and "Unknown customer 1" in reasons
            assert _sent(database) == (2, 2, 1)
        # the builder's own address shows no stale report
        assert 'id="invite-report"' not in client.get(f"/surveys/{KEY}").text


def test_a_lead_sends_reloads_and_still_has_one_batch_in_chromium(
    database: str, kano_server: RunningServer, chromium: Browser,
) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(kano_server.url(f"/login?next=/surveys/{KEY}"))
        page.get_by_label("E-mail address").fill(LEAD)
        page.get_by_label("Password").fill(LEAD_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.locator("#survey-invitations input[name=audience][value=list]").check()
        page.locator("#invite-contacts").fill(CONTACTS)
        with page.expect_navigation():
            page.locator("#send-invitations").click()
        assert re.search(r"/surveys/onboarding-pulse\?invitations=sent", page.url)
        expect(page.locator("#invite-report")).to_contain_text("Sent: 2 invited, 2 skipped.")
        page.reload()  # a GET: no "resend the form?" prompt, nothing sent again
        expect(page.locator("#invite-report")).to_contain_text("Sent: 2 invited, 2 skipped.")
        expect(page.locator("#invitation-counts")).to_contain_text("2 invitations")
        assert _sent(database) == (2, 2, 1)
    finally:
        context.close()
