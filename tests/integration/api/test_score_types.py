"""Scores over the JSON API are JSON numbers: ``"4"`` and ``true`` are a 422 naming the
answer (``answers.nps``: "must be a whole number, not text"), on the route, the fast path
in front of it and the bulk route alike, for the five fixed keys and for a survey's own
score questions; ``4.0`` is taken as 4 (the rule the domain has always applied). Forms
send text and keep working (tests/integration/web/test_survey_pages.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.testclient import TestClient

from kano.adapters.api.app import API_PREFIX, api_mount
from kano.adapters.db.orm import FeedbackResponse
from kano.bootstrap import Container
from kano.domain.workspaces import Scope
from tests.integration.api.problems import assert_invalid_field
from tests.integration.api.seed import SeededWorkspace
from tests.integration.api.test_fast_intake import RunningServer, server  # noqa: F401
from tests.integration.api.test_survey_answers_api import define

RENAMED: dict[str, Any] = {"questions": [  # its NPS question is keyed "likely"
    {"key": "likely", "type": "nps", "text": {"en": "Recommend us?"}, "required": True},
    {"key": "why", "type": "text", "text": {"en": "Why?"}},
]}
# (survey, answers, the field the 422 names, what its message says, whether the request
# model refuses it (else the check against the survey's questions does))
REFUSED = [
    ("after-delivery", {"nps": "4"}, "answers.nps", "must be a whole number, not text", True),
    ("after-delivery", {"nps": "4", "comment": "fine"}, "answers.nps", "not text", True),
    ("after-delivery", {"csat": "5"}, "answers.csat", "not text", True),
    ("after-delivery", {"ces": " 7 "}, "answers.ces", "not text", True),
    ("after-delivery", {"rating": "3.0"}, "answers.rating", "not text", True),
    ("after-delivery", {"nps": True}, "answers.nps", "not true or false", True),
    ("renamed", {"likely": "4"}, "answers.likely", "from 0 to 10, not text", False),
    ("renamed", {"nps": "4"}, "answers.nps", "not text", True),  # the alias of "likely"
    # Any answer that is true or false: a question key's value is a number, a text or a
    # list of texts (the model's rule, as before).
    ("renamed", {"likely": False}, "answers.likely", "give a number, a text", True),
]


@pytest.fixture
def route(container: Container) -> Iterator[TestClient]:
    """The FastAPI route alone (no fast path in front of it)."""
    app = Starlette(routes=[api_mount(container)])
    with TestClient(app, base_url=f"http://testserver{API_PREFIX}/") as client:
        yield client


@pytest.fixture
def renamed(sessions: sessionmaker[Session], acme: SeededWorkspace) -> SeededWorkspace:
    define(sessions, acme, "renamed", RENAMED)
    return acme


def _stored(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(FeedbackResponse)) or 0)


def _body(survey: str, answers: dict[str, Any]) -> dict[str, Any]:
    return {"survey": survey, "customer": {"external_id": "C-9"}, "answers": answers}


def _message(reply: Any, field: str) -> str:
    body = assert_invalid_field(reply, field)
    return str(next(e["message"] for e in body["errors"] if e["field"] == field))


def test_a_score_sent_as_text_or_true_is_refused_on_the_route_and_the_fast_path_alike(
    server: RunningServer,  # noqa: F811 - the fixture imported above
    route: TestClient, renamed: SeededWorkspace, sessions: sessionmaker[Session],
) -> None:
    headers = renamed.auth(Scope.WRITE)
    before = _stored(sessions)
    for survey, answers, field, says, _by_model in REFUSED:
        slow = route.post("responses", json=_body(survey, answers), headers=headers)
        fast = httpx.post(server.url + "responses", json=_body(survey, answers),
                          headers=headers, timeout=60)
        assert says in _message(slow, field), (answers, slow.text)
        assert fast.json() == slow.json()
    assert _stored(sessions) == before


def test_a_whole_float_is_taken_as_the_number_on_every_path(
    server: RunningServer,  # noqa: F811
    route: TestClient, api: TestClient, renamed: SeededWorkspace,
    sessions: sessionmaker[Session],
) -> None:
    headers = renamed.auth(Scope.WRITE)
    ids = [
        route.post("responses", json=_body("after-delivery", {"nps": 4.0}), headers=headers),
        httpx.post(server.url + "responses", json=_body("renamed", {"likely": 9.0}),
                   headers=headers, timeout=60),
    ]
    assert [reply.status_code for reply in ids] == [201, 201], [r.text for r in ids]
    bulk = api.post("./responses:bulk", headers=headers, json={"responses": [
        _body("after-delivery", {"csat": 5.0}), _body("renamed", {"nps": 2.0})]})
    assert bulk.status_code == 201, bulk.text
    with sessions() as session:
        scores = session.execute(
            select(FeedbackResponse.nps, FeedbackResponse.csat)
            .where(FeedbackResponse.id.in_([r.json()["id"] for r in ids] + bulk.json()["ids"]))
            .order_by(FeedbackResponse.id)).all()
    assert [tuple(row) for row in scores] == [(4, None), (9, None), (None, 5), (2, None)]
    half = route.post("responses", json=_body("after-delivery", {"nps": 4.5}), headers=headers)
    assert_invalid_field(half, "answers.nps")


def test_the_bulk_route_names_the_item_whose_score_is_text(
    api: TestClient, renamed: SeededWorkspace, sessions: sessionmaker[Session],
) -> None:
    headers = renamed.auth(Scope.WRITE)
    before = _stored(sessions)
    for survey, answers, field, says, _by_model in REFUSED:
        items = [_body("after-delivery", {"nps": n}) for n in range(5)]
        items[3] = _body(survey, answers)
        reply = api.post("./responses:bulk", json={"responses": items}, headers=headers)
        # The model and the domain's answer check name an item alike.
        named = f"responses.3.{field}"
        assert says in _message(reply, named), reply.text
    assert _stored(sessions) == before
