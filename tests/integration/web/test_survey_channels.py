"""A CX lead runs a survey end to end from the web UI (SPEC §2.4, issue 6 "Channels"):
closes and reopens it (the link page, the widget, the API and invitations then refuse
answers, in the respondent's language), invites contacts from the builder (skips counted
by reason), sets the fatigue window and reminder delay, and a respondent who leaves two
required answers out is told about both. SQLite and PostgreSQL (the ``sessions`` fixture)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.invitations import InvitationPolicy, invite, queue_due_reminders
from kano.adapters.db.orm import (
    AuditEntry,
    Customer,
    FeedbackResponse,
    InvitationRow,
    OutboxMessageRow,
    Survey,
    WorkspaceFeedbackSettingsRow,
    utcnow,
)
from kano.adapters.db.survey_store import save_survey
from kano.adapters.web.survey_links import SurveyLinks, invitation_links
from kano.bootstrap import Container
from kano.domain.feedback.survey_status import SurveyClosed
from kano.domain.feedback.surveys import checked_definition
from kano.domain.workspaces import Scope
from tests.integration.web.browsing import Browser, csrf_token_in, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies

KEY = "delivery-pulse"
DEFINITION: dict[str, Any] = {
    "title": {"en": "Your delivery", "ru": "Ваша доставка", "hu": "Az Ön szállítása"},
    "questions": [
        {"key": "nps", "type": "nps", "required": True, "text": {
            "en": "How likely are you to recommend us?",
            "hu": "Mennyire valószínű, hogy ajánlana minket?"}},
        {"key": "reason", "type": "single", "required": True,
         "text": {"en": "Main reason?", "hu": "Fő ok?"},
         "choices": [{"key": "price", "label": {"en": "Price"}},
                     {"key": "speed", "label": {"en": "Speed"}}]},
        {"key": "comment", "type": "text", "text": {"en": "Anything else?"}},
    ]}


@pytest.fixture
def survey(sessions: sessionmaker[Session], companies: SeededCompanies) -> str:
    with transaction(sessions) as session:
        session.add(Survey(workspace_id=companies.acme_id, key=KEY, name="Internal: Q4 pulse"))
        session.flush()
        save_survey(session, companies.acme_id, KEY, name="Internal: Q4 pulse",
                    touchpoint=None, definition=checked_definition(DEFINITION), actor="test",
                    user_id=None)
        session.add_all([
            Customer(workspace_id=companies.acme_id, external_id="R1", kind="person",
                     name="Rita", email="rita@example.ru", attributes={"language": "ru"}),
            Customer(workspace_id=companies.acme_id, external_id="H1", kind="person",
                     name="Hanna", email="hanna@example.hu", attributes={"language": "hu"}),
            Customer(workspace_id=companies.acme_id, external_id="O1", kind="person",
                     name="Otto", email="otto@example.com", consent_contact=False),
            Customer(workspace_id=companies.acme_id, external_id="N1", kind="person",
                     name="Nora"),
        ])
    return KEY


OURS = FeedbackResponse.survey_id.in_(select(Survey.id).where(Survey.key == KEY))


def _path(container: Container, workspace_id: int, **query: str) -> str:
    return SurveyLinks(container.settings.secret_key).path(workspace_id, KEY, **query)


def _token(path: str) -> str:
    return parse_qs(urlsplit(path).query)["t"][0]


def _count(sessions: sessionmaker[Session], model: Any, *where: Any) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _set_status(browser: Browser, status: str) -> Any:
    token = csrf_token_in(browser.page(f"/surveys/{KEY}").text)
    return browser.client.post(f"/surveys/{KEY}/status",
                               data={"csrf_token": token, "status": status})


def test_a_closed_survey_takes_no_answers_on_any_channel_until_reopened(
    browser: Browser, client: TestClient, container: Container,
    sessions: sessionmaker[Session], companies: SeededCompanies, survey: str,
) -> None:
    path = _path(container, companies.acme_id)
    with transaction(sessions) as session:
        acme = accounts.get_workspace(session, "acme")
        api_token = accounts.create_api_token(session, acme, Scope.WRITE, "closing").token
    browser.log_in(companies.alice, PASSWORD)  # an analyst builds surveys
    assert text_of(browser.page("/surveys").text, f"survey-{KEY}-state") == "Open"
    closed = _set_status(browser, "closed")
    assert closed.status_code == 303
    page = browser.page(closed.headers["location"]).text
    assert text_of(page, "survey-state") == "Closed" and 'id="reopen-survey"' in page
    assert text_of(browser.page("/surveys").text, f"survey-{KEY}-state") == "Closed"

    # the link page, in the respondent's language, and its POST: 410, nothing stored
    hungarian = client.get(path + "&lang=hu")
    assert hungarian.status_code == 410
    assert "Ez a kérdőív lezárult" in text_of(hungarian.text, "survey-message")
    english = client.get(path)
    assert english.status_code == 410 and "This survey is closed" in english.text
    assert 'name="q-nps"' not in english.text
    posted = client.post(f"/s/{KEY}", data={"t": _token(path), "lang": "en", "q-nps": "9",
                                            "q-reason": "price"})
    assert posted.status_code == 410 and "This survey is closed" in posted.text
    # the widget's JSON endpoint: 410 problem naming the survey
    widget = client.post(f"/s/{KEY}/widget", json={"t": _token(path), "answers": {
        "nps": 9, "reason": "price"}})
    assert widget.status_code == 410
    assert widget.headers["content-type"].startswith("application/problem+json")
    assert widget.json()["field"] == "survey" and widget.json()["survey"] == KEY
    # the REST API: 409 problem+json naming the survey, single and bulk
    headers = {"Authorization": f"Bearer {api_token}"}
    api = client.post("/api/v1/responses", headers=headers, json={
        "survey": KEY, "channel": "api", "answers": {"nps": 9, "reason": "price"}})
    assert api.status_code == 409, api.text
    assert api.headers["content-type"].startswith("application/problem+json")
    problem = api.json()
    assert problem["code"] == "survey_closed" and problem["survey"] == KEY
    assert problem["errors"] == [{"field": "survey", "message": problem["errors"][0]["message"]}]
    bulk = client.post("/api/v1/responses:bulk", headers=headers, json={"responses": [
        {"survey": KEY, "channel": "api", "answers": {"nps": 9, "reason": "price"}}]})
    assert bulk.status_code == 409 and bulk.json()["errors"][0]["field"] == "responses.0.survey"
    assert _count(sessions, FeedbackResponse, OURS) == 0
    # no invitation is sent, from the builder or the API
    token = csrf_token_in(browser.page(f"/surveys/{KEY}").text)
    refused = browser.client.post(f"/surveys/{KEY}/invitations", data={
        "csrf_token": token, "audience": "list", "contacts": "R1", "action": "send"})
    assert refused.status_code == 422
    assert "reopen it to send invitations" in text_of(refused.text, "invite-error")
    api_invite = client.post("/api/v1/invitations", headers=headers,
                             json={"survey": KEY, "customers": ["R1"]})
    assert api_invite.status_code == 409 and api_invite.json()["code"] == "survey_closed"
    assert _count(sessions, InvitationRow) == 0

    reopened = _set_status(browser, "open")
    assert reopened.status_code == 303
    assert client.get(path).status_code == 200
    again = client.post(f"/s/{KEY}", data={"t": _token(path), "lang": "en", "q-nps": "9",
                                           "q-reason": "price"})
    assert again.status_code == 303 and _count(sessions, FeedbackResponse, OURS) == 1
    with sessions() as session:
        actions = session.scalars(select(AuditEntry.action).where(
            AuditEntry.entity == "survey", AuditEntry.entity_id == KEY,
            AuditEntry.action.in_(["close", "reopen"])).order_by(AuditEntry.id)).all()
    assert actions == ["close", "reopen"]


def test_a_closed_survey_sends_no_reminders(
    container: Container, sessions: sessionmaker[Session], companies: SeededCompanies,
    survey: str,
) -> None:
    links = invitation_links(container.settings.secret_key, "https://kano.example")
    policy = InvitationPolicy(fatigue_days=0, reminder_days=1)
    with transaction(sessions) as session:
        report = invite(session, companies.acme_id, KEY, links(companies.acme_id, KEY),
                        policy, customers=["R1"], now=utcnow().replace(year=2020))
        assert len(report.invited) == 1
        session.execute(OutboxMessageRow.__table__.update().values(status="sent"))
        session.execute(Survey.__table__.update().values(status="closed"))
    with transaction(sessions) as session:
        assert queue_due_reminders(session, lambda ws, key: links(ws, key), policy) == 0
        with pytest.raises(SurveyClosed):
            invite(session, companies.acme_id, KEY, links(companies.acme_id, KEY), policy,
                   customers=["H1"])
        session.execute(Survey.__table__.update().values(status="open"))
    with transaction(sessions) as session:  # reopened: the reminder is due again
        assert queue_due_reminders(session, lambda ws, key: links(ws, key), policy) == 1


def test_invitations_are_sent_from_the_builder_with_skips_counted_by_reason(
    browser: Browser, sessions: sessionmaker[Session], companies: SeededCompanies,
    survey: str,
) -> None:
    browser.log_in(companies.alice, PASSWORD)
    token = csrf_token_in(browser.page(f"/surveys/{KEY}").text)
    form = {"csrf_token": token, "audience": "list",
            "contacts": "R1\nH1, O1\nN1\nnobody@example.com"}
    checked = browser.client.post(f"/surveys/{KEY}/invitations", data={**form,
                                                                     "action": "check"})
    assert checked.status_code == 200
    report = text_of(checked.text, "invite-report")
    assert "Checked, nothing sent: 2 would be invited, 3 skipped." in report
    reasons = text_of(checked.text, "invite-reasons")
    assert "Opted out of contact 1" in reasons and "No e-mail address 1" in reasons
    assert "Unknown customer 1" in reasons
    assert _count(sessions, InvitationRow) == 0
    # POST → 303 → GET: the page it lands on shows the report, and reloading it sends nothing
    posted = browser.client.post(f"/surveys/{KEY}/invitations",
                                 data={**form, "action": "send"}, follow_redirects=False)
    assert posted.status_code == 303
    assert posted.headers["location"] == f"/surveys/{KEY}?invitations=sent#survey-invitations"
    sent = browser.page(posted.headers["location"])
    assert "Sent: 2 invited, 3 skipped." in text_of(sent.text, "invite-report")
    assert "Unknown customer 1" in text_of(sent.text, "invite-reasons")
    assert "nobody@example.com" in text_of(sent.text, "invite-skips")
    reloaded = browser.page(posted.headers["location"])
    assert "Sent: 2 invited, 3 skipped." in text_of(reloaded.text, "invite-report")
    assert _count(sessions, InvitationRow) == 2
    assert _count(sessions, OutboxMessageRow, OutboxMessageRow.purpose == "invitation") == 2
    assert 'id="invite-report"' not in browser.page(f"/surveys/{KEY}").text
    assert "2 invitations" in text_of(sent.text, "invitation-counts")
    assert "R1" in text_of(sent.text, "invitation-list")
    # the subject names the survey's title in the contact's language, not its internal name
    with sessions() as session:
        subjects = {m.recipient: m.payload["subject"] for m in session.scalars(
            select(OutboxMessageRow).where(OutboxMessageRow.purpose == "invitation"))}
    assert subjects == {"rita@example.ru": "Ваша доставка: две минуты на ваше мнение?",
                        "hanna@example.hu": "Az Ön szállítása: két perc a véleményére?"}
    # again at once: the fatigue rule (30 days by default) skips both, and says why
    again = browser.client.post(f"/surveys/{KEY}/invitations", data={
        **form, "contacts": "R1\nH1", "action": "send"}, follow_redirects=True)
    assert "Sent: 0 invited, 2 skipped." in text_of(again.text, "invite-report")
    assert "Invited within the fatigue window 2" in text_of(again.text, "invite-reasons")
    assert _count(sessions, InvitationRow) == 2
    # a segment that does not exist is refused, the field marked
    bad = browser.client.post(f"/surveys/{KEY}/invitations", data={
        "csrf_token": token, "audience": "segment", "segment": "nope", "action": "check"})
    assert bad.status_code == 422 and 'id="invite-segment" name="segment" aria-invalid' in bad.text


def test_a_send_skipping_hundreds_of_long_addresses_still_reports_on_its_page(
    browser: Browser, sessions: sessionmaker[Session], companies: SeededCompanies,
    survey: str,
) -> None:
    """The report rides in a cookie: 500 unknown 70-character addresses keep it under a
    browser's 4 KB limit, the counts whole, and only the first skipped contacts listed."""
    browser.log_in(companies.alice, PASSWORD)
    token = csrf_token_in(browser.page(f"/surveys/{KEY}").text)
    unknown = [f"{i:03d}-{'x' * 50}@nowhere-at-all.example" for i in range(500)]
    posted = browser.client.post(f"/surveys/{KEY}/invitations", data={
        "csrf_token": token, "audience": "list", "contacts": "\n".join(["R1", *unknown]),
        "action": "send"}, follow_redirects=False)
    assert posted.status_code == 303
    cookie = posted.headers["set-cookie"]
    assert cookie.startswith("kano_invitations_sent=") and len(cookie) < 4000
    page = browser.page(posted.headers["location"]).text
    assert "Sent: 1 invited, 500 skipped." in text_of(page, "invite-report")
    assert "Unknown customer 500" in text_of(page, "invite-reasons")
    listed = text_of(page, "invite-skips")
    assert unknown[0] in listed and unknown[-1] not in listed
    assert _count(sessions, InvitationRow) == 1
    # the report is the sender's: someone else signing in on this browser does not see it
    browser.client.post("/logout", data={"csrf_token": token})
    Browser(browser.client).log_in(companies.bob, PASSWORD)
    assert 'id="invite-report"' not in browser.page(posted.headers["location"]).text


def test_fatigue_and_reminder_settings_on_the_survey_page_are_for_admins(
    browser: Browser, sessions: sessionmaker[Session], companies: SeededCompanies,
    survey: str,
) -> None:
    browser.log_in(companies.alice, PASSWORD)  # an analyst: sees them, cannot change them
    page = browser.page(f"/surveys/{KEY}").text
    assert "No contact is invited again within" in text_of(page, "invitation-policy")
    assert 'id="invitation-settings-form"' not in page
    token = csrf_token_in(page)
    refused = browser.client.post(f"/surveys/{KEY}/invitation-settings", data={
        "csrf_token": token, "survey_fatigue_days": "7", "survey_reminder_days": "2"})
    assert refused.status_code == 403
    assert _count(sessions, WorkspaceFeedbackSettingsRow) == 0
    browser.client.post("/logout", data={"csrf_token": token})
    owner = Browser(browser.client)
    owner.log_in(companies.bob, PASSWORD)
    token = csrf_token_in(owner.page(f"/surveys/{KEY}").text)
    wrong = owner.client.post(f"/surveys/{KEY}/invitation-settings", data={
        "csrf_token": token, "survey_fatigue_days": "7", "survey_reminder_days": "999"})
    assert wrong.status_code == 422
    assert "from 1 to 365" in text_of(wrong.text, "invitation-settings-error")
    saved = owner.client.post(f"/surveys/{KEY}/invitation-settings", data={
        "csrf_token": token, "survey_fatigue_days": "7", "survey_reminder_days": "2"})
    assert saved.status_code == 303
    shown = owner.page(saved.headers["location"]).text
    policy = text_of(shown, "invitation-policy")
    assert "within 7 days" in policy and "after 2 days" in policy
    with sessions() as session:
        row = session.get(WorkspaceFeedbackSettingsRow, companies.acme_id)
        assert row is not None
        assert (row.survey_fatigue_days, row.survey_reminder_days) == (7, 2)
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.entity == "feedback_settings")) == 1


def test_the_form_names_every_missing_required_answer_next_to_its_question(
    client: TestClient, container: Container, sessions: sessionmaker[Session],
    companies: SeededCompanies, survey: str,
) -> None:
    path = _path(container, companies.acme_id)
    refused = client.post(f"/s/{KEY}", data={"t": _token(path), "lang": "hu",
                                             "q-comment": "kept"})
    assert refused.status_code == 422
    summary = text_of(refused.text, "survey-error")
    assert "Mennyire valószínű, hogy ajánlana minket?" in summary and "Fő ok?" in summary
    assert summary.count("Kérjük, válaszoljon erre a kérdésre.") == 2
    assert 'id="question-nps" aria-invalid="true" aria-describedby="ends-nps error-nps"' in \
        refused.text  # a scale: what its ends mean, then the refusal
    assert 'id="question-reason" aria-invalid="true" aria-describedby="error-reason"' in \
        refused.text
    for key in ("nps", "reason"):  # each question says it too
        assert text_of(refused.text, f"error-{key}") == "Kérjük, válaszoljon erre a kérdésre."
    assert 'href="#question-nps"' in refused.text and 'href="#question-reason"' in refused.text
    assert ">kept</textarea>" in refused.text
    # a wrong answer and a missing one: both named, in the survey's order
    mixed = client.post(f"/s/{KEY}", data={"t": _token(path), "lang": "en", "q-nps": "12"})
    assert mixed.status_code == 422
    listed = text_of(mixed.text, "survey-error")
    assert listed.index("How likely") < listed.index("Main reason?")
    assert "Choose one number from 0 to 10." in listed and "Please answer this question." in listed
    # a missing answer and a bad e-mail address: both, the address (last on the page) last
    with_email = client.post(f"/s/{KEY}", data={"t": _token(path), "lang": "en", "q-nps": "5",
                                                "email": "not-an-address"})
    assert with_email.status_code == 422
    listed = text_of(with_email.text, "survey-error")
    assert "How likely" not in listed
    assert listed.index("Main reason?") < listed.index("E-mail address")
    assert 'aria-describedby="email-hint error-email" aria-invalid="true"' in with_email.text
    assert _count(sessions, FeedbackResponse, OURS) == 0


def test_staff_entry_to_a_closed_survey_is_refused_in_the_readers_language(
    browser: Browser, sessions: sessionmaker[Session], companies: SeededCompanies,
    survey: str,
) -> None:
    browser.log_in(companies.alice, PASSWORD)
    assert _set_status(browser, "closed").status_code == 303
    token = csrf_token_in(browser.page(f"/responses/new?survey={KEY}").text)
    refused = browser.client.post("/responses/new?lang=hu", data={
        "csrf_token": token, "survey": KEY, "channel": "call", "external_id": "R1",
        "language": "en", "q-nps": "9", "q-reason": "price"})
    assert refused.status_code == 422
    said = text_of(refused.text, "entry-error")
    assert KEY in said and "kérdőív le van zárva" in said and "closed" not in said
    assert _count(sessions, FeedbackResponse, OURS) == 0
