"""Quotas by answer ("Reason = price: 200", SPEC 2.4) over the REST API and in the intake:
a quota may count the responses that chose one option of a single or multi choice
question. It starts at the stored responses that chose it, is refused naming the field for
a question or option the survey does not have, counts the single route, the bulk route
and the fast path (which are never refused) and refuses a full answer at the link page's
intake — only that answer, not the others."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import AuditEntry, FeedbackResponse, SurveyQuotaRow
from kano.adapters.db.quotas import add_quota
from kano.adapters.db.survey_store import submit_answers
from kano.domain.feedback.answers import Answers
from kano.domain.feedback.quotas import QuotaFull
from kano.domain.feedback.surveys import ExtraAnswer, SurveyAnswers
from kano.domain.workspaces import Scope
from tests.integration.api.problems import assert_invalid_field
from tests.integration.api.seed import SeededWorkspace
from tests.integration.api.test_fast_intake import RunningServer, server  # noqa: F401
from tests.integration.api.test_survey_answers_api import DEFINITION, SURVEY, define

QUOTAS = f"./surveys/{SURVEY}/quotas"


@pytest.fixture
def surveyed(sessions: sessionmaker[Session], acme: SeededWorkspace) -> SeededWorkspace:
    define(sessions, acme, SURVEY, DEFINITION)
    return acme


def _respond(api: TestClient, workspace: SeededWorkspace, answers: dict[str, Any]) -> None:
    sent = api.post("./responses", json={"survey": SURVEY, "answers": {"nps": 7, **answers}},
                    headers=workspace.auth(Scope.WRITE))
    assert sent.status_code == 201, sent.text


def _create(api: TestClient, workspace: SeededWorkspace, **body: Any) -> dict[str, Any]:
    created = api.post(QUOTAS, json=body, headers=workspace.auth(Scope.WRITE))
    assert created.status_code == 201, created.text
    result: dict[str, Any] = created.json()
    return result


def _filled(sessions: sessionmaker[Session], quota_id: int) -> int:
    with sessions() as session:
        row = session.get(SurveyQuotaRow, quota_id)
        assert row is not None
        return row.filled


def test_an_answer_quota_starts_at_the_responses_that_chose_it(
    api: TestClient, surveyed: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    _respond(api, surveyed, {"reason": "price", "features": ["chat", "export"]})
    _respond(api, surveyed, {"reason": "speed", "features": ["export"]})
    _respond(api, surveyed, {"reason": "price"})
    _respond(api, surveyed, {"features": ["api"]})
    price = _create(api, surveyed, name="Price", limit=200, question="reason", option="price")
    export = _create(api, surveyed, name="Export users", limit=2, question="features",
                     option="export")
    chat = _create(api, surveyed, name="Chat", limit=5, question="features", option="chat")
    assert (price["filled"], price["question"], price["option"]) == (2, "reason", "price")
    assert (export["filled"], export["full"]) == (2, True)  # both multi answers with it
    assert chat["filled"] == 1
    listed = api.get(QUOTAS, headers=surveyed.auth()).json()["items"]
    assert [(q["question"], q["option"]) for q in listed] == [
        ("reason", "price"), ("features", "export"), ("features", "chat")]
    with sessions() as session:
        details = session.scalars(select(AuditEntry.detail).where(
            AuditEntry.entity == "survey-quota", AuditEntry.action == "create")
            .order_by(AuditEntry.id)).first()
    assert details is not None
    assert (details["question"], details["option"]) == ("reason", "price")


@pytest.mark.parametrize(("body", "field"), [
    ({"question": "colour", "option": "red"}, "question"),  # no such question
    ({"question": "comment", "option": "price"}, "question"),  # a text question
    ({"question": "nps", "option": "9"}, "question"),  # a score, not a choice
    ({"question": "reason", "option": "weather"}, "option"),  # not one of its choices
    ({"question": "reason"}, "option"),
    ({"option": "price"}, "question"),
])
def test_an_answer_the_survey_does_not_have_is_refused_naming_the_field(
    api: TestClient, surveyed: SeededWorkspace, sessions: sessionmaker[Session],
    body: dict[str, Any], field: str,
) -> None:
    refused = api.post(QUOTAS, json={"name": "Bad", "limit": 3, **body},
                       headers=surveyed.auth(Scope.WRITE))
    assert_invalid_field(refused, field)
    with sessions() as session:
        assert session.scalars(select(SurveyQuotaRow.id)).all() == []


def test_recorded_responses_are_counted_by_answer_and_never_refused(
    api: TestClient, surveyed: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    price = _create(api, surveyed, name="Price", limit=1, question="reason", option="price")
    api_users = _create(api, surveyed, name="API", limit=9, question="features",
                        option="api")
    _respond(api, surveyed, {"reason": "price"})
    _respond(api, surveyed, {"reason": "speed", "features": ["api", "chat"]})
    batch = {"responses": [
        {"survey": SURVEY, "answers": {"nps": 3, "reason": "price", "features": ["api"]}},
        {"survey": SURVEY, "answers": {"nps": 9, "reason": "quality"}},
        {"survey": SURVEY, "answers": {"nps": 9, "features": ["chat", "api", "export"]}},
        {"survey": SURVEY, "answers": {"nps": 5}},
    ]}
    bulk = api.post("./responses:bulk", json=batch, headers=surveyed.auth(Scope.WRITE))
    assert bulk.status_code == 201, bulk.text
    assert _filled(sessions, price["id"]) == 2  # over its limit: recorded anyway
    assert _filled(sessions, api_users["id"]) == 3


def test_the_fast_path_counts_by_answer(
    server: RunningServer,  # noqa: F811 - the fixture imported above
    surveyed: SeededWorkspace, sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        quota_id = add_quota(session, surveyed.workspace_id, SURVEY, name="Speed", limit=1,
                             question="reason", option="speed", actor="test").id
    for reason in ("speed", "price", "speed"):
        sent = httpx.post(server.url + "responses", headers=surveyed.auth(Scope.WRITE),
                          json={"survey": SURVEY, "answers": {"nps": 8, "reason": reason}},
                          timeout=30)
        assert sent.status_code == 201, sent.text
    assert _filled(sessions, quota_id) == 2


def _link_answer(sessions: sessionmaker[Session], workspace: SeededWorkspace,
                 reason: str) -> str:
    with sessions() as session:
        try:
            submit_answers(session, workspace.workspace_id, SURVEY, "link",
                           SurveyAnswers(Answers(nps=8), (ExtraAnswer("reason", reason),)),
                           language="ru", email_enabled=False, refuse_when_full=True)
            session.commit()
            return "stored"
        except QuotaFull as full:
            session.rollback()
            return f"full: {full.quota}"


def test_a_full_answer_quota_refuses_only_that_answer_on_the_link(
    surveyed: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        quota_id = add_quota(session, surveyed.workspace_id, SURVEY, name="Price", limit=1,
                             question="reason", option="price", actor="test").id
    assert _link_answer(sessions, surveyed, "price") == "stored"
    assert _link_answer(sessions, surveyed, "price") == "full: Price"
    assert _link_answer(sessions, surveyed, "speed") == "stored"
    assert _filled(sessions, quota_id) == 1
    with sessions() as session:
        links = session.scalars(select(FeedbackResponse.id).where(
            FeedbackResponse.channel == "link")).all()
    assert len(links) == 2
