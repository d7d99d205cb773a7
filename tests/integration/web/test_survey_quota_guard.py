"""The builder guards quotas by answer (SPEC 2.4): saving a survey that removes the
question or the option a quota counts is refused, naming the quota, and nothing is saved;
"Save and delete the quota" saves the change and deletes that quota (audited). A quota
whose answer was removed before the guard existed is flagged on the quota list."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import AuditEntry, Survey, SurveyDefinitionRow, SurveyQuotaRow
from kano.adapters.db.quotas import add_quota
from kano.adapters.db.survey_store import defined_survey
from tests.integration.web.browsing import Browser, csrf_token_in, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies
from tests.integration.web.test_survey_answer_quotas import DEFINITION, SURVEY
from tests.integration.web.test_survey_answer_quotas import survey as survey

PLAN_CHOICES = "basic | Basic | Базовый\nenterprise | Enterprise | Корпоративный"


def _form(token: str, plan_choices: str | None, action: str = "save") -> dict[str, str]:
    """The builder's form with the NPS question and the plan question (None: removed)."""
    questions: list[dict[str, Any]] = [
        {"key": "nps", "type": "nps", "required": "1", "text-en": "Recommend us?"}]
    if plan_choices is not None:
        questions.append({"key": "plan", "type": "single", "text-en": "Your plan?",
                          "text-ru": "Ваш тариф?", "choices": plan_choices})
    data = {"csrf_token": token, "name": "Relationship NPS", "touchpoint": "",
            "count": str(len(questions)), "action": action}
    for i, question in enumerate(questions):
        data.update({f"q{i}-{field}": value for field, value in question.items()})
    return data


def _question_keys(sessions: sessionmaker[Session], workspace_id: int) -> list[str]:
    with sessions() as session:
        return [q.key for q in defined_survey(session, workspace_id, SURVEY)
                .definition.questions]


def _quota_names(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(SurveyQuotaRow.name).order_by(SurveyQuotaRow.id)))


@pytest.fixture
def quotas(sessions: sessionmaker[Session], companies: SeededCompanies,
           survey: str) -> None:
    with transaction(sessions) as session:
        for name, option in (("Plan = Enterprise", "enterprise"), ("Plan = Basic", "basic")):
            add_quota(session, companies.acme_id, SURVEY, name=name, limit=200,
                      question="plan", option=option, actor="test")
        add_quota(session, companies.acme_id, SURVEY, name="Everyone", limit=500,
                  actor="test")


def test_removing_an_option_a_quota_counts_is_refused_naming_the_quota(
    browser: Browser, sessions: sessionmaker[Session], companies: SeededCompanies,
    quotas: None,
) -> None:
    browser.log_in(companies.alice, PASSWORD)
    token = csrf_token_in(browser.page(f"/surveys/{SURVEY}").text)

    only_basic = "basic | Basic | Базовый\ngold | Gold"
    refused = browser.client.post(f"/surveys/{SURVEY}?lang=en", data=_form(token, only_basic))

    assert refused.status_code == 422
    message = text_of(refused.text, "survey-error")
    assert "The quota “Plan = Enterprise” counts an answer this change removes" in message
    assert "Plan = Basic" not in message and "Everyone" not in message
    assert 'form="survey-form"' in refused.text and 'value="save-remove-quotas"' in refused.text
    assert "gold | Gold" in refused.text  # the draft is shown again, not lost
    with sessions() as session:
        plan = defined_survey(session, companies.acme_id, SURVEY).definition.questions[1]
    assert plan.choice_keys() == ("basic", "enterprise")  # nothing saved
    assert _quota_names(sessions) == ["Plan = Enterprise", "Plan = Basic", "Everyone"]

    in_russian = browser.client.post(f"/surveys/{SURVEY}?lang=ru",
                                     data=_form(token, only_basic))
    assert in_russian.status_code == 422
    assert "Квота “Plan = Enterprise” считает ответ" in text_of(in_russian.text, "survey-error")


def test_removing_the_question_names_every_quota_and_confirming_deletes_them(
    browser: Browser, sessions: sessionmaker[Session], companies: SeededCompanies,
    quotas: None,
) -> None:
    browser.log_in(companies.alice, PASSWORD)
    token = csrf_token_in(browser.page(f"/surveys/{SURVEY}").text)

    refused = browser.client.post(f"/surveys/{SURVEY}", data=_form(token, None))
    assert refused.status_code == 422
    assert "The quotas “Plan = Enterprise”, “Plan = Basic” count answers" in text_of(
        refused.text, "survey-error")
    assert text_of(refused.text, "save-removing-quotas") == "Save and delete the quotas"
    assert _question_keys(sessions, companies.acme_id) == ["nps", "plan", "comment"]

    confirmed = browser.client.post(f"/surveys/{SURVEY}",
                                    data=_form(token, None, "save-remove-quotas"))
    assert confirmed.status_code == 303
    assert _question_keys(sessions, companies.acme_id) == ["nps"]
    assert _quota_names(sessions) == ["Everyone"]
    with sessions() as session:
        deleted = session.scalars(select(AuditEntry.detail).where(
            AuditEntry.entity == "survey-quota", AuditEntry.action == "delete")
            .order_by(AuditEntry.id)).all()
    assert [d["name"] for d in deleted if d] == ["Plan = Enterprise", "Plan = Basic"]
    page = browser.page(confirmed.headers["location"]).text
    assert "quotas on the answers it no longer asks are deleted" in text_of(
        page, "survey-saved")


def test_a_change_that_keeps_the_counted_answers_saves_as_before(
    browser: Browser, sessions: sessionmaker[Session], companies: SeededCompanies,
    quotas: None,
) -> None:
    browser.log_in(companies.alice, PASSWORD)
    token = csrf_token_in(browser.page(f"/surveys/{SURVEY}").text)
    renamed = PLAN_CHOICES.replace("| Enterprise |", "| Enterprise plan |") + "\ngold | Gold"
    saved = browser.client.post(f"/surveys/{SURVEY}", data=_form(token, renamed))
    assert saved.status_code == 303 and "quotas=removed" not in saved.headers["location"]
    assert _question_keys(sessions, companies.acme_id) == ["nps", "plan"]
    assert _quota_names(sessions) == ["Plan = Enterprise", "Plan = Basic", "Everyone"]


def test_a_quota_on_an_answer_removed_before_the_guard_is_flagged(
    browser: Browser, sessions: sessionmaker[Session], companies: SeededCompanies,
    quotas: None,
) -> None:
    stripped = {"questions": [q for q in DEFINITION["questions"] if q["key"] != "plan"]}
    with transaction(sessions) as session:  # as an older Kano saved it: unguarded
        survey_id = session.scalar(select(Survey.id).where(Survey.key == SURVEY))
        session.execute(update(SurveyDefinitionRow).where(
            SurveyDefinitionRow.survey_id == survey_id).values(definition=stripped))
        ids = dict(session.execute(select(SurveyQuotaRow.name, SurveyQuotaRow.id)).all())
    browser.log_in(companies.alice, PASSWORD)
    page = browser.page(f"/surveys/{SURVEY}").text

    for name in ("Plan = Enterprise", "Plan = Basic"):
        assert text_of(page, f"quota-{ids[name]}-orphaned") == "Answer removed"
        assert "never counts a response again" in text_of(
            page, f"quota-{ids[name]}-orphaned-note")
    assert f'id="quota-{ids["Everyone"]}-orphaned"' not in page
    # an old orphan does not block other changes to the survey
    token = csrf_token_in(page)
    assert browser.client.post(f"/surveys/{SURVEY}", data=_form(token, None)).status_code == 303
