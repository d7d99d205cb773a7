"""Quotas by answer on the web (SPEC 2.4): the builder adds "Plan = Enterprise: 2" by
picking the answer among the survey's choice questions (named in the page's language,
refused naming the field, audited); the link page refuses a further answer that a full
answer quota counts — in the respondent's language, storing nothing — while other answers
are still taken, and the page is not closed in advance (the answer is not known yet)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import AuditEntry, Survey, SurveyQuotaRow
from kano.adapters.db.quotas import add_quota
from kano.adapters.db.survey_store import save_survey
from kano.bootstrap import Container
from kano.domain.feedback.surveys import checked_definition
from tests.integration.web.browsing import Browser, csrf_token_in, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies
from tests.integration.web.test_survey_quotas import FULL_EN, FULL_RU, _filled, _stored, _token

SURVEY = "relationship-nps"  # the name _token and _stored look at
DEFINITION: dict[str, Any] = {"questions": [
    {"key": "nps", "type": "nps", "required": True, "text": {"en": "Recommend us?"}},
    {"key": "plan", "type": "single", "text": {"en": "Your plan?", "ru": "Ваш тариф?"},
     "choices": [{"key": "basic", "label": {"en": "Basic", "ru": "Базовый"}},
                 {"key": "enterprise", "label": {"en": "Enterprise", "ru": "Корпоративный"}}]},
    {"key": "comment", "type": "text", "text": {"en": "Why?"}},
]}


@pytest.fixture
def survey(sessions: sessionmaker[Session], companies: SeededCompanies) -> str:
    with transaction(sessions) as session:
        session.add(Survey(workspace_id=companies.acme_id, key=SURVEY, name="Relationship NPS"))
        session.flush()
        save_survey(session, companies.acme_id, SURVEY, name="Relationship NPS",
                    touchpoint=None, definition=checked_definition(DEFINITION),
                    actor="test", user_id=None)
    return SURVEY


def test_a_full_answer_quota_refuses_that_answer_on_the_link_page_only(
    client: TestClient, container: Container, sessions: sessionmaker[Session],
    companies: SeededCompanies, survey: str,
) -> None:
    with transaction(sessions) as session:
        quota_id = add_quota(session, companies.acme_id, SURVEY, name="Enterprise", limit=1,
                             question="plan", option="enterprise", actor="test").id
    token = _token(container, companies.acme_id)
    enterprise = {"t": token, "q-nps": "9", "q-plan": "enterprise"}
    assert client.post(f"/s/{SURVEY}", data=enterprise).status_code == 303
    assert _filled(sessions, quota_id) == 1
    page = client.get(f"/s/{SURVEY}?t={token}")  # full, but the answer is not known yet
    assert page.status_code == 200 and 'name="q-plan"' in page.text

    refused = client.post(f"/s/{SURVEY}", data=enterprise)
    assert refused.status_code == 409
    assert text_of(refused.text, "survey-message") == FULL_EN
    in_russian = client.post(f"/s/{SURVEY}?lang=ru", data={**enterprise, "lang": "ru"})
    assert in_russian.status_code == 409
    assert text_of(in_russian.text, "survey-message") == FULL_RU
    assert _stored(sessions, "link") == 1

    basic = client.post(f"/s/{SURVEY}", data={"t": token, "q-nps": "9", "q-plan": "basic"})
    unanswered = client.post(f"/s/{SURVEY}", data={"t": token, "q-nps": "4"})
    assert (basic.status_code, unanswered.status_code) == (303, 303)
    assert _stored(sessions, "link") == 3 and _filled(sessions, quota_id) == 1


def test_the_builder_adds_an_answer_quota_by_picking_the_answer(
    browser: Browser, sessions: sessionmaker[Session], companies: SeededCompanies, survey: str,
) -> None:
    browser.log_in(companies.alice, PASSWORD)
    page = browser.page(f"/surveys/{SURVEY}").text
    token = csrf_token_in(page)
    assert '<optgroup label="Your plan?">' in page
    assert '<option value="plan:enterprise">Enterprise</option>' in page
    assert "comment:" not in text_of(page, "quota-answer")  # text questions are not offered

    added = browser.client.post(f"/surveys/{SURVEY}/quotas", data={
        "csrf_token": token, "name": "Enterprise", "limit": "2", "answer": "plan:enterprise"})
    assert added.status_code == 303
    with sessions() as session:
        quota = session.scalars(select(SurveyQuotaRow)).one()
        detail = session.scalars(select(AuditEntry.detail).where(
            AuditEntry.entity == "survey-quota", AuditEntry.action == "create")).one()
    assert (quota.question_key, quota.option_key, quota.response_limit) == (
        "plan", "enterprise", 2)
    assert detail is not None and (detail["question"], detail["option"]) == (
        "plan", "enterprise")
    page = browser.page(added.headers["location"]).text
    assert text_of(page, f"quota-{quota.id}-answer") == "Answer: Your plan? = Enterprise."
    russian = browser.page(f"/surveys/{SURVEY}?lang=ru").text
    assert text_of(russian, f"quota-{quota.id}-answer") == "Ответ: Ваш тариф? = Корпоративный."

    for answer in ("plan:gold", "comment:x", "plan"):
        bad = browser.client.post(f"/surveys/{SURVEY}/quotas?lang=en", data={
            "csrf_token": token, "name": f"Bad {answer}", "limit": "2", "answer": answer})
        assert bad.status_code == 422
        assert "choice questions" in text_of(bad.text, "quota-error")
        assert re.search(r'id="quota-answer"[^>]*aria-invalid="true"', bad.text)
    hungarian = browser.client.post(f"/surveys/{SURVEY}/quotas?lang=hu", data={
        "csrf_token": token, "name": "Gold", "limit": "2", "answer": "plan:gold"})
    assert "feleletválasztós" in text_of(hungarian.text, "quota-error")
    with sessions() as session:
        assert len(session.scalars(select(SurveyQuotaRow.id)).all()) == 1
