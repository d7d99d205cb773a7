"""Survey quotas on the web (SPEC 2.4): a full quota on the link page shows a polite,
translated page and stores nothing, while the REST API is still accepted and counted; the
widget gets a 409 naming the quota; the builder shows each quota's progress and its forms
add, change and delete quotas (CSRF-checked, audited), in English, Russian and Hungarian."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import (
    AuditEntry,
    Customer,
    FeedbackResponse,
    Segment,
    Survey,
    SurveyQuotaRow,
    utcnow,
)
from kano.adapters.db.quotas import add_quota
from kano.adapters.db.survey_store import save_survey
from kano.adapters.web.survey_links import SurveyLinks
from kano.bootstrap import Container
from kano.domain.feedback.surveys import checked_definition
from kano.domain.workspaces import Role, Scope
from tests.integration.web.browsing import Browser, csrf_token_in, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies

SURVEY = "relationship-nps"
DEFINITION: dict[str, Any] = {"questions": [
    {"key": "nps", "type": "nps", "required": True, "text": {"en": "Recommend us?"}},
    {"key": "comment", "type": "text", "text": {"en": "Why?"}},
]}
FULL_EN = "This survey has reached its number of responses. Thank you for your time!"
FULL_RU = "Этот опрос уже набрал нужное число ответов. Спасибо, что уделили нам время!"
FULL_HU = "Ez a kérdőív elérte a tervezett válaszszámot. Köszönjük, hogy időt szánt ránk!"


@pytest.fixture
def survey(sessions: sessionmaker[Session], companies: SeededCompanies) -> str:
    with transaction(sessions) as session:
        for workspace_id in (companies.acme_id, companies.globex_id):
            session.add(Survey(workspace_id=workspace_id, key=SURVEY, name="Relationship NPS"))
            session.flush()
            save_survey(session, workspace_id, SURVEY, name="Relationship NPS",
                        touchpoint=None, definition=checked_definition(DEFINITION),
                        actor="test", user_id=None)
        session.add(Segment(workspace_id=companies.acme_id, key="smb", name="Small business"))
    return SURVEY


def _quota(sessions: sessionmaker[Session], workspace_id: int, limit: int, **condition: str
           ) -> int:
    with transaction(sessions) as session:
        return add_quota(session, workspace_id, SURVEY, name=condition.get("channel", "all"),
                         limit=limit, actor="test", **condition).id


def _token(container: Container, workspace_id: int) -> str:
    path = SurveyLinks(container.settings.secret_key).path(workspace_id, SURVEY)
    return parse_qs(urlsplit(path).query)["t"][0]


def _stored(sessions: sessionmaker[Session], channel: str) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(FeedbackResponse).where(
            FeedbackResponse.channel == channel)) or 0)


def _filled(sessions: sessionmaker[Session], quota_id: int) -> int:
    with sessions() as session:
        quota = session.get(SurveyQuotaRow, quota_id)
        assert quota is not None
        return quota.filled


def test_a_full_link_quota_shows_the_thank_you_page_and_the_api_still_counts(
    client: TestClient, container: Container, sessions: sessionmaker[Session],
    companies: SeededCompanies, survey: str,
) -> None:
    quota_id = _quota(sessions, companies.acme_id, 3, channel="link")
    token = _token(container, companies.acme_id)
    for score in (9, 10, 4):
        sent = client.post(f"/s/{SURVEY}", data={"t": token, "q-nps": str(score)})
        assert sent.status_code == 303, sent.text
    assert _filled(sessions, quota_id) == 3

    fourth = client.post(f"/s/{SURVEY}", data={"t": token, "q-nps": "8",
                                                "q-comment": "one too many"})
    assert fourth.status_code == 409
    assert text_of(fourth.text, "survey-message") == FULL_EN
    assert "<script" not in fourth.text and "<form" not in fourth.text
    assert _stored(sessions, "link") == 3 and _filled(sessions, quota_id) == 3
    # the page itself now says so before asking, in the respondent's language
    russian = client.get(f"/s/{SURVEY}?t={token}&lang=ru")
    hungarian = client.get(f"/s/{SURVEY}?t={token}",
                           headers={"Accept-Language": "hu-HU,hu;q=0.9"})
    assert russian.status_code == 200 and text_of(russian.text, "survey-message") == FULL_RU
    assert text_of(hungarian.text, "survey-message") == FULL_HU
    assert 'name="q-nps"' not in russian.text

    # The REST API records feedback given elsewhere: never refused, always counted.
    with transaction(sessions) as session:
        workspace = accounts.get_workspace(session, "acme")
        api_token = accounts.create_api_token(session, workspace, Scope.WRITE, "w").token
    recorded = client.post("/api/v1/responses", headers={
        "Authorization": f"Bearer {api_token}"}, json={
        "survey": SURVEY, "channel": "link", "answers": {"nps": 7}})
    assert recorded.status_code == 201, recorded.text
    assert _stored(sessions, "link") == 4 and _filled(sessions, quota_id) == 4
    # a quota on another channel leaves the link page alone
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(SurveyQuotaRow)) == 1


def test_a_full_widget_quota_is_a_409_naming_it_and_the_script_says_so(
    client: TestClient, container: Container, sessions: sessionmaker[Session],
    companies: SeededCompanies, survey: str,
) -> None:
    _quota(sessions, companies.acme_id, 1, channel="widget")
    token = _token(container, companies.acme_id)
    script = client.get(f"/s/{SURVEY}/widget.js?t={token}&lang=hu").text
    assert '"closed": ""' in script
    first = client.post(f"/s/{SURVEY}/widget", json={"t": token, "answers": {"nps": 9}})
    assert first.status_code == 201
    refused = client.post(f"/s/{SURVEY}/widget", headers={"Origin": "https://shop.example"},
                          json={"t": token, "answers": {"nps": 3}})
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["access-control-allow-origin"] == "*"
    problem = refused.json()
    assert (problem["field"], problem["quota"]) == ("quota", "widget")
    assert _stored(sessions, "widget") == 1
    # the link page is not limited by a widget quota
    assert client.post(f"/s/{SURVEY}", data={"t": token, "q-nps": "5"}).status_code == 303
    script = client.get(f"/s/{SURVEY}/widget.js?t={token}&lang=hu&v=2").text
    assert '"closed": "1"' in script and FULL_HU in script


def test_a_segment_quota_refuses_only_respondents_of_that_segment(
    client: TestClient, container: Container, sessions: sessionmaker[Session],
    companies: SeededCompanies, survey: str,
) -> None:
    with transaction(sessions) as session:
        segment_id = session.scalar(select(Segment.id).where(Segment.key == "smb"))
        session.add(Customer(workspace_id=companies.acme_id, external_id="S1", kind="person",
                             name="Small", email="small@example.com", segment_id=segment_id))
    _quota(sessions, companies.acme_id, 1, segment="smb")
    with sessions() as session:
        quota = session.scalars(select(SurveyQuotaRow)).one()
        assert quota.filled == 0
    token = _token(container, companies.acme_id)
    answer = {"t": token, "q-nps": "9", "email": "small@example.com"}
    assert client.post(f"/s/{SURVEY}", data=answer).status_code == 303
    assert client.post(f"/s/{SURVEY}", data=answer).status_code == 409
    anonymous = client.post(f"/s/{SURVEY}", data={"t": token, "q-nps": "9"})
    assert anonymous.status_code == 303
    assert _stored(sessions, "link") == 2


def test_the_builder_shows_progress_and_its_quota_forms_work(
    browser: Browser, sessions: sessionmaker[Session], companies: SeededCompanies, survey: str,
) -> None:
    with transaction(sessions) as session:  # two answers before any quota exists
        survey_id = session.scalar(select(Survey.id).where(
            Survey.workspace_id == companies.acme_id, Survey.key == SURVEY))
        for channel in ("link", "api"):
            session.add(FeedbackResponse(workspace_id=companies.acme_id, survey_id=survey_id,
                                         channel=channel, submitted_at=utcnow(), nps=9))
    browser.log_in(companies.alice, PASSWORD)  # an analyst builds surveys
    page = browser.page(f"/surveys/{SURVEY}").text
    assert "No quota yet" in text_of(page, "survey-quotas")
    token = csrf_token_in(page)
    added = browser.client.post(f"/surveys/{SURVEY}/quotas", data={
        "csrf_token": token, "name": "Web respondents", "limit": "4", "channel": "link"})
    assert added.status_code == 303
    page = browser.page(added.headers["location"]).text
    assert "The quotas are saved." in page
    with sessions() as session:
        quota = session.scalars(select(SurveyQuotaRow)).one()
    assert quota.filled == 1  # the link response stored before the quota, not the API one
    assert text_of(page, f"quota-{quota.id}-progress") == "1 of 4"
    assert '<progress class="progress" max="4" value="1" aria-label="Web respondents">' in page

    bad = browser.client.post(f"/surveys/{SURVEY}/quotas", data={
        "csrf_token": token, "name": "Zero", "limit": "0"})
    assert bad.status_code == 422
    assert "whole number of responses" in text_of(bad.text, "quota-error")
    assert re.search(r'id="quota-limit"[^>]*aria-invalid="true"', bad.text)
    unknown = browser.client.post(f"/surveys/{SURVEY}/quotas", data={
        "csrf_token": token, "name": "Ghosts", "limit": "5", "segment": "ghosts"})
    assert unknown.status_code == 422 and "segment" in text_of(unknown.text, "quota-error")
    twice = browser.client.post(f"/surveys/{SURVEY}/quotas", data={
        "csrf_token": token, "name": "Web respondents", "limit": "5"})
    assert twice.status_code == 422

    changed = browser.client.post(f"/surveys/{SURVEY}/quotas/{quota.id}", data={
        "csrf_token": token, "limit": "1"})
    assert changed.status_code == 303
    page = browser.page(f"/surveys/{SURVEY}").text
    assert text_of(page, f"quota-{quota.id}-full") == "Full"
    russian = browser.page(f"/surveys/{SURVEY}?lang=ru").text
    assert "Квоты" in text_of(russian, "quotas-heading")
    assert text_of(russian, f"quota-{quota.id}-progress") == "1 из 1"
    hungarian = browser.page(f"/surveys/{SURVEY}?lang=hu").text
    assert "Kvóták" in text_of(hungarian, "quotas-heading")
    assert text_of(hungarian, f"quota-{quota.id}-progress") == "1 / 1"

    forged = browser.client.post(f"/surveys/{SURVEY}/quotas/{quota.id}/delete",
                                 data={"csrf_token": "forged"})
    assert forged.status_code == 403
    deleted = browser.client.post(f"/surveys/{SURVEY}/quotas/{quota.id}/delete",
                                  data={"csrf_token": token})
    assert deleted.status_code == 303
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(SurveyQuotaRow)) == 0
        actions = session.scalars(select(AuditEntry.action).where(
            AuditEntry.entity == "survey-quota").order_by(AuditEntry.id)).all()
    assert actions == ["create", "update", "delete"]


def test_a_quota_is_renamed_from_the_builder_and_a_taken_name_is_refused_on_its_row(
    browser: Browser, sessions: sessionmaker[Session], companies: SeededCompanies, survey: str,
) -> None:
    first = _quota(sessions, companies.acme_id, 5, channel="link")
    second = _quota(sessions, companies.acme_id, 7)
    browser.log_in(companies.alice, PASSWORD)
    page = browser.page(f"/surveys/{SURVEY}").text
    token = csrf_token_in(page)
    assert text_of(page, f"quota-{first}-name") == "link"
    renamed = browser.client.post(f"/surveys/{SURVEY}/quotas/{first}", data={
        "csrf_token": token, "change": "name", "name": "  Web link  "})
    assert renamed.status_code == 303
    page = browser.page(renamed.headers["location"]).text
    assert text_of(page, f"quota-{first}-name") == "Web link"
    assert text_of(page, f"quota-{first}-progress") == "0 of 5"  # the limit untouched
    taken = browser.client.post(f"/surveys/{SURVEY}/quotas/{second}", data={
        "csrf_token": token, "change": "name", "name": "Web link"})
    assert taken.status_code == 422
    assert "no other quota of this survey has" in text_of(taken.text, "quota-error")
    assert re.search(rf'id="quota-{second}-rename"[^>]*value="Web link"[^>]*aria-invalid="true"',
                     taken.text)
    assert not re.search(rf'id="quota-{second}-limit"[^>]*aria-invalid', taken.text)
    empty = browser.client.post(f"/surveys/{SURVEY}/quotas/{second}", data={
        "csrf_token": token, "change": "name", "name": " "})
    assert empty.status_code == 422
    assert re.search(rf'id="quota-{second}-rename"[^>]*aria-invalid="true"', empty.text)
    russian = browser.page(f"/surveys/{SURVEY}?lang=ru").text
    assert "Переименовать" in text_of(russian, f"quota-{second}")
    with sessions() as session:
        rows = {q.id: (q.name, q.response_limit) for q in session.scalars(
            select(SurveyQuotaRow).where(SurveyQuotaRow.workspace_id == companies.acme_id))}
        updates = session.scalars(select(AuditEntry.detail).where(
            AuditEntry.entity == "survey-quota", AuditEntry.action == "update")).all()
    assert rows == {first: ("Web link", 5), second: ("all", 7)}
    assert [(u["before"]["name"], u["after"]["name"]) for u in updates] == [("link", "Web link")]


def test_another_workspaces_quota_cannot_be_changed_from_the_builder(
    browser: Browser, sessions: sessionmaker[Session], companies: SeededCompanies, survey: str,
) -> None:
    theirs = _quota(sessions, companies.globex_id, 5)
    browser.log_in(companies.alice, PASSWORD)
    token = csrf_token_in(browser.page(f"/surveys/{SURVEY}").text)
    changed = browser.client.post(f"/surveys/{SURVEY}/quotas/{theirs}",
                                  data={"csrf_token": token, "limit": "1"})
    deleted = browser.client.post(f"/surveys/{SURVEY}/quotas/{theirs}/delete",
                                  data={"csrf_token": token})
    assert (changed.status_code, deleted.status_code) == (404, 404)
    assert _filled(sessions, theirs) == 0
    with sessions() as session:
        assert session.get(SurveyQuotaRow, theirs) is not None


def test_managers_and_viewers_cannot_add_change_or_delete_quotas(
    browser: Browser, sessions: sessionmaker[Session], companies: SeededCompanies, survey: str,
) -> None:
    """Quotas are the survey builders' (owners, admins, analysts), as the rest of the
    builder: other members are refused (403) and nothing is written or audited."""
    quota_id = _quota(sessions, companies.acme_id, 5)
    with transaction(sessions) as session:
        acme = accounts.get_workspace(session, "acme")
        for email, role in (("mona@acme.test", Role.MANAGER), ("vera@acme.test", Role.VIEWER)):
            accounts.grant_role(session, acme, accounts.ensure_user(session, email, PASSWORD),
                                role)
    for email in ("mona@acme.test", "vera@acme.test"):
        browser.log_in(email, PASSWORD)
        token = browser.session_token()
        assert browser.client.get(f"/surveys/{SURVEY}").status_code == 403
        for path, form in ((f"/surveys/{SURVEY}/quotas", {"name": "Mine", "limit": "3"}),
                           (f"/surveys/{SURVEY}/quotas/{quota_id}", {"limit": "1"}),
                           (f"/surveys/{SURVEY}/quotas/{quota_id}/delete", {})):
            answer = browser.client.post(path, data={"csrf_token": token, **form})
            # refused for the role, not for the token
            assert answer.status_code == 403, (email, path)
            assert "Only workspace owners, admins and analysts build surveys." in answer.text
        browser.client.post("/logout", data={"csrf_token": token})
    with sessions() as session:
        quotas = session.scalars(select(SurveyQuotaRow).where(
            SurveyQuotaRow.workspace_id == companies.acme_id)).all()
        audited = session.scalars(select(AuditEntry.actor).where(
            AuditEntry.entity == "survey-quota")).all()
    assert [(q.id, q.response_limit) for q in quotas] == [(quota_id, 5)]
    assert audited == ["test"]


def test_staff_entry_is_recorded_and_counted_when_the_quota_is_full(
    browser: Browser, sessions: sessionmaker[Session], companies: SeededCompanies, survey: str,
) -> None:
    quota_id = _quota(sessions, companies.acme_id, 1)  # every channel, one place
    with transaction(sessions) as session:
        session.execute(update(SurveyQuotaRow).where(SurveyQuotaRow.id == quota_id)
                        .values(filled=1))
    browser.log_in(companies.alice, PASSWORD)
    token = csrf_token_in(browser.page(f"/responses/new?survey={SURVEY}").text)
    sent = browser.client.post("/responses/new", data={
        "csrf_token": token, "survey": SURVEY, "channel": "call", "external_id": "C1",
        "language": "en", "q-nps": "9"})
    assert sent.status_code == 303, sent.text
    assert _stored(sessions, "call") == 1 and _filled(sessions, quota_id) == 2
