"""A quota by answer on the public link page, in Chromium: with "Plan = Enterprise" full, a
respondent who picks Enterprise is told, in Russian, that the survey has reached its
number of responses and nothing is stored; one who picks Basic is thanked as usual."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import func, select

from kano.adapters.db import accounts
from kano.adapters.db.engine import make_engine, make_session_factory, transaction
from kano.adapters.db.orm import FeedbackResponse, Survey
from kano.adapters.db.quotas import add_quota
from kano.adapters.db.survey_store import save_survey
from kano.adapters.web.survey_links import SurveyLinks
from kano.domain.feedback.surveys import checked_definition
from tests.e2e.conftest import RunningServer, SeededDatabase
from tests.e2e.test_public_survey import SECRET_KEY

pytestmark = pytest.mark.browser

SURVEY = "plan-check"
DEFINITION: dict[str, Any] = {"questions": [
    {"key": "nps", "type": "nps", "required": True,
     "text": {"en": "Recommend us?", "ru": "Порекомендуете нас?"}},
    {"key": "plan", "type": "single", "text": {"en": "Your plan?", "ru": "Ваш тариф?"},
     "choices": [{"key": "basic", "label": {"en": "Basic", "ru": "Базовый"}},
                 {"key": "enterprise", "label": {"en": "Enterprise", "ru": "Корпоративный"}}]},
]}
FULL_RU = "Этот опрос уже набрал нужное число ответов. Спасибо, что уделили нам время!"


def _stored(url: str) -> int:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return int(session.scalar(select(func.count()).select_from(FeedbackResponse)
                                      .where(FeedbackResponse.channel == "link")) or 0)
    finally:
        engine.dispose()


def test_a_full_answer_quota_says_so_in_the_respondents_language(
    seeded_database: SeededDatabase, kano_server: RunningServer, chromium: Browser,
) -> None:
    engine = make_engine(seeded_database.url)
    try:
        with transaction(make_session_factory(engine)) as session:
            workspace_id = accounts.get_workspace(session, "northwind").id
            session.add(Survey(workspace_id=workspace_id, key=SURVEY, name="Plan check"))
            session.flush()
            save_survey(session, workspace_id, SURVEY, name="Plan check", touchpoint=None,
                        definition=checked_definition(DEFINITION), actor="test", user_id=None)
            add_quota(session, workspace_id, SURVEY, name="Enterprise", limit=1,
                      question="plan", option="enterprise", actor="test")
    finally:
        engine.dispose()
    link = kano_server.url(SurveyLinks(SECRET_KEY).path(workspace_id, SURVEY))
    before = _stored(seeded_database.url)
    context = chromium.new_context(viewport={"width": 800, "height": 900}, locale="ru-RU")
    try:
        page = context.new_page()
        for plan, heading in (("Корпоративный", None), ("Корпоративный", FULL_RU),
                              ("Базовый", None)):
            page.goto(link)
            expect(page.locator("html")).to_have_attribute("lang", "ru")
            page.get_by_role("group", name=re.compile("Порекомендуете")).get_by_role(
                "radio", name="9").check()
            page.get_by_role("radio", name=plan).check()
            page.get_by_role("button", name="Отправить ответы").click()
            if heading is None:
                expect(page.get_by_role("heading", level=1)).to_have_text("Спасибо!")
            else:
                expect(page.locator("#survey-message")).to_have_text(heading)
                expect(page.locator("form")).to_have_count(0)
    finally:
        context.close()
    assert _stored(seeded_database.url) == before + 2  # the refused one stored nothing
