"""Survey-shaped answers over the REST API (issue 6: "every channel lands in the same
response store"): a survey with questions of its own takes its question keys — choices,
further texts, Kano pairs — checked by the public page's rules, through the route, the
fast path in front of it and the bulk route alike, and stored with the response.

The fast path runs in a real uvicorn server (``server``, from the fast path's tests); the
route alone in a test client, so each body is answered by the path the test names.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.testclient import TestClient

from kano.adapters.api.app import API_PREFIX, api_mount
from kano.adapters.api.fast_intake import DEFINITION_CACHE_SECONDS
from kano.adapters.db.orm import (
    FeedbackResponse,
    OutboxMessageRow,
    ResponseAnswerRow,
    Survey,
    WebhookEndpointRow,
)
from kano.adapters.db.survey_store import save_survey, seed_demo_definitions
from kano.adapters.messaging.webhooks import new_secret
from kano.bootstrap import Container
from kano.domain.feedback.surveys import checked_definition
from kano.domain.workspaces import Scope
from tests.integration.api.problems import assert_invalid_field
from tests.integration.api.seed import SeededWorkspace
from tests.integration.api.test_fast_intake import RunningServer, server  # noqa: F401

SURVEY = "product-fit"


def _texts(en: str) -> dict[str, str]:
    return {"en": en}


def _choices(*keys: str) -> list[dict[str, Any]]:
    return [{"key": key, "label": _texts(key.title())} for key in keys]


DEFINITION: dict[str, Any] = {
    "questions": [
        {"key": "nps", "type": "nps", "text": _texts("Recommend us?"), "required": True},
        {"key": "reason", "type": "single", "text": _texts("Main reason?"),
         "choices": _choices("price", "speed", "quality")},
        {"key": "features", "type": "multi", "text": _texts("What do you use?"),
         "choices": _choices("chat", "export", "api")},
        {"key": "comment", "type": "text", "text": _texts("Why?")},
        {"key": "other", "type": "text", "text": _texts("Anything else?")},
        {"key": "dark-mode", "type": "kano", "text": _texts("If it had a dark mode?"),
         "dysfunctional": _texts("If it had none?")},
    ]
}

FULL_ANSWERS: dict[str, Any] = {
    "nps": 4,
    "reason": "price",
    "features": ["export", "chat"],
    "comment": "Too slow",
    "other": "<script>alert('x')</script>",
    "dark-mode": "like",
    "dark-mode.dysfunctional": "dislike",
}
STORED_ANSWERS = [  # as GET shows them: in the survey's order, multi choices in theirs
    {"question": "reason", "value": "price", "kano_category": None},
    {"question": "features", "value": "chat,export", "kano_category": None},
    {"question": "other", "value": "<script>alert('x')</script>", "kano_category": None},
    {"question": "dark-mode", "value": "like/dislike", "kano_category": "one-dimensional"},
]
# Bodies each refused, and the field the 422 names.
REFUSED = [
    ({"nps": 4, "colour": "red"}, "answers.colour"),  # no such question
    ({"nps": 4, "reason": "weather"}, "answers.reason"),  # not one of the choices
    ({"nps": 4, "dark-mode": "like"}, "answers.dark-mode.dysfunctional"),  # half a pair
    ({"nps": 4, "dark-mode": "like", "dark-mode.dysfunctional": "meh"},
     "answers.dark-mode.dysfunctional"),
    ({"reason": "price"}, "answers.nps"),  # a required question left out
    ({"nps": 4, "features": "chat"}, "answers.features"),  # a multi choice is a list
    ({"nps": 4, "reason": ["price", "speed"]}, "answers.reason"),  # a single one is not
    ({"nps": 11}, "answers.nps"),
    ({"nps": 4, "other": 5}, "answers.other"),
    ({"nps": 4, "reason": True}, "answers.reason"),
]


def define(sessions: sessionmaker[Session], workspace: SeededWorkspace, key: str,
           definition: dict[str, Any]) -> None:
    """Give the workspace the survey ``key`` with these questions, as the builder does."""
    with sessions() as session:
        if session.scalar(select(Survey.id).where(
                Survey.workspace_id == workspace.workspace_id, Survey.key == key)) is None:
            session.add(Survey(workspace_id=workspace.workspace_id, key=key, name=key))
            session.flush()
        save_survey(session, workspace.workspace_id, key, name=key, touchpoint=None,
                    definition=checked_definition(definition), actor="test", user_id=None)
        session.commit()


@pytest.fixture
def surveyed(sessions: sessionmaker[Session], acme: SeededWorkspace) -> SeededWorkspace:
    define(sessions, acme, SURVEY, DEFINITION)
    return acme


@pytest.fixture
def route(container: Container) -> Iterator[TestClient]:
    """The FastAPI route alone (no fast path in front of it)."""
    app = Starlette(routes=[api_mount(container)])
    with TestClient(app, base_url=f"http://testserver{API_PREFIX}/") as client:
        yield client


def stored(sessions: sessionmaker[Session]) -> tuple[int, int]:
    """How many responses and extra answers are stored."""
    with sessions() as session:
        return (
            int(session.scalar(select(func.count()).select_from(FeedbackResponse)) or 0),
            int(session.scalar(select(func.count()).select_from(ResponseAnswerRow)) or 0),
        )


def body(answers: dict[str, Any], survey: str = SURVEY) -> dict[str, Any]:
    return {"survey": survey, "customer": {"external_id": "C-77"}, "answers": answers}


def read_back(client: Any, workspace: SeededWorkspace, response_id: int) -> dict[str, Any]:
    reply = client.get(f"responses/{response_id}", headers=workspace.auth())
    assert reply.status_code == 200, reply.text
    found: dict[str, Any] = reply.json()
    return found


def test_route_stores_choices_texts_and_kano_pairs_with_the_response(
    route: TestClient, surveyed: SeededWorkspace
) -> None:
    reply = route.post("responses", json=body(FULL_ANSWERS), headers=surveyed.auth(Scope.WRITE))
    assert reply.status_code == 201, reply.text
    found = read_back(route, surveyed, reply.json()["id"])
    assert (found["nps"], found["comment"]) == (4, "Too slow")
    assert found["answers"] == STORED_ANSWERS


def test_route_refuses_answers_that_do_not_fit_the_questions_and_stores_nothing(
    route: TestClient, surveyed: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    before = stored(sessions)
    for answers, field in REFUSED:
        reply = route.post("responses", json=body(answers), headers=surveyed.auth(Scope.WRITE))
        assert_invalid_field(reply, field)
    assert stored(sessions) == before


def test_fast_path_gives_the_routes_results_for_the_same_bodies(
    server: RunningServer,  # noqa: F811 - the fixture imported above
    route: TestClient,
    surveyed: SeededWorkspace,
    sessions: sessionmaker[Session],
) -> None:
    """Each body once through the fast path, once through the route alone: the same
    status, the same problem, the same response read back."""
    headers = surveyed.auth(Scope.WRITE)
    valid = [FULL_ANSWERS, {"nps": 9}, {"nps": 2, "features": ["api"], "reason": None}]
    for answers in valid:
        fast = httpx.post(server.url + "responses", json=body(answers), headers=headers,
                          timeout=60)
        slow = route.post("responses", json=body(answers), headers=headers)
        assert fast.status_code == slow.status_code == 201, (fast.text, slow.text)
        fast_found = read_back(route, surveyed, fast.json()["id"])
        slow_found = read_back(route, surveyed, slow.json()["id"])
        different = {"id", "submitted_at", "acknowledgements"}
        assert {k: v for k, v in fast_found.items() if k not in different} == {
            k: v for k, v in slow_found.items() if k not in different}
    assert server.fast_path().stored == len(valid), "the fast path stored the valid ones"
    before = stored(sessions)
    for answers, field in REFUSED:
        fast = httpx.post(server.url + "responses", json=body(answers), headers=headers,
                          timeout=60)
        slow = route.post("responses", json=body(answers), headers=headers)
        assert_invalid_field(fast, field)
        assert fast.json() == slow.json()
    assert stored(sessions) == before
    assert server.fast_path().stored == len(valid)


def test_a_replayed_key_stores_no_answers_again_on_either_path(
    server: RunningServer,  # noqa: F811
    route: TestClient,
    surveyed: SeededWorkspace,
    sessions: sessionmaker[Session],
) -> None:
    headers = {**surveyed.auth(Scope.WRITE), "Idempotency-Key": "answers-once"}
    first = httpx.post(server.url + "responses", json=body(FULL_ANSWERS), headers=headers,
                       timeout=60)
    assert first.status_code == 201, first.text
    after_first = stored(sessions)
    again = route.post("responses", json=body(FULL_ANSWERS), headers=headers)
    once_more = httpx.post(server.url + "responses", json=body(FULL_ANSWERS), headers=headers,
                           timeout=60)
    for replay in (again, once_more):
        assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
        assert replay.json() == first.json()
    assert stored(sessions) == after_first


def test_fast_path_sees_a_changed_definition_within_seconds(
    server: RunningServer,  # noqa: F811
    surveyed: SeededWorkspace,
    sessions: sessionmaker[Session],
) -> None:
    headers = surveyed.auth(Scope.WRITE)
    first = httpx.post(server.url + "responses", json=body({"nps": 8}), headers=headers,
                       timeout=60)
    assert first.status_code == 201, first.text
    questions = [dict(q) for q in DEFINITION["questions"]]
    questions[1]["required"] = True  # the reason must now be given
    define(sessions, surveyed, SURVEY, {"questions": questions})
    time.sleep(DEFINITION_CACHE_SECONDS + 0.2)
    refused = httpx.post(server.url + "responses", json=body({"nps": 8}), headers=headers,
                         timeout=60)
    assert_invalid_field(refused, "answers.reason")


def test_bulk_stores_every_responses_answers(
    route: TestClient, surveyed: SeededWorkspace
) -> None:
    items = [
        body(FULL_ANSWERS),
        body({"nps": 10, "reason": "speed"}),
        body({"nps": 3, "comment": "late"}, survey="after-delivery"),  # no questions of its own
    ]
    reply = route.post("./responses:bulk", json={"responses": items},
                       headers=surveyed.auth(Scope.WRITE))
    assert reply.status_code == 201, reply.text
    ids = reply.json()["ids"]
    found = [read_back(route, surveyed, response_id) for response_id in ids]
    assert [f["answers"] for f in found] == [
        STORED_ANSWERS, [{"question": "reason", "value": "speed", "kano_category": None}], []
    ]
    assert [f["nps"] for f in found] == [4, 10, 3]


def test_bulk_score_only_bodies_are_checked_against_the_questions_too(
    route: TestClient, surveyed: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    """The plain bodies the quick checks read (schemas/feedback_bulk.py) still meet the
    survey's rules: a score the survey does not ask, a required question left out."""
    before = stored(sessions)
    for answers, field in [({"csat": 4, "nps": 5}, "responses.1.answers.csat"),
                           ({"comment": "no score"}, "responses.1.answers.nps")]:
        items = [body({"nps": 9}), body(answers)]
        reply = route.post("./responses:bulk", json={"responses": items},
                           headers=surveyed.auth(Scope.WRITE))
        assert_invalid_field(reply, field)
    assert stored(sessions) == before


def test_bulk_is_all_or_nothing_when_one_answer_does_not_fit(
    route: TestClient, surveyed: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    before = stored(sessions)
    for answers, field in REFUSED:
        items = [body(FULL_ANSWERS), body({"nps": 9}), body(answers)]
        reply = route.post("./responses:bulk", json={"responses": items},
                           headers=surveyed.auth(Scope.WRITE))
        # The model (a score out of its scale, a value no question takes) and the domain
        # name the field alike.
        assert_invalid_field(reply, "responses.2." + field)
    assert stored(sessions) == before


def test_a_survey_without_questions_keeps_the_score_keys(
    route: TestClient, surveyed: SeededWorkspace
) -> None:
    headers = surveyed.auth(Scope.WRITE)
    refused = route.post("responses", json=body({"nps": 4, "reason": "price"},
                                                survey="after-delivery"), headers=headers)
    problem = assert_invalid_field(refused, "answers.reason")
    assert "nps, csat, ces, rating, comment" in problem["detail"]
    accepted = route.post("responses", json=body({"csat": 2}, survey="after-delivery"),
                          headers=headers)
    assert accepted.status_code == 201, accepted.text


def test_the_issue_6_contract_holds_on_the_demo_survey(
    route: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        session.add(Survey(workspace_id=acme.workspace_id, key="relationship-nps",
                           name="Relationship NPS"))
        session.flush()
        assert seed_demo_definitions(session, acme.workspace_id) == 1
        session.commit()
    headers = acme.auth(Scope.WRITE)
    good = {"survey": "relationship-nps", "answers": {"nps": 3, "comment": "Slow refunds"}}
    assert route.post("responses", json=good, headers=headers).status_code == 201
    bad = {"survey": "relationship-nps", "answers": {"nps": 11, "comment": "x"}}
    assert_invalid_field(route.post("responses", json=bad, headers=headers), "answers.nps")
    no_score = {"survey": "relationship-nps", "answers": {"comment": "only words"}}
    assert_invalid_field(route.post("responses", json=no_score, headers=headers),
                         "answers.nps")  # its NPS question is required, as on the page


def test_score_keys_still_mean_the_question_of_that_type(
    route: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    """An integration written before the survey got questions keyed otherwise keeps
    working: ``nps`` and ``comment`` fill its NPS and first text question."""
    define(sessions, acme, "renamed", {"questions": [
        {"key": "recommend", "type": "nps", "text": _texts("Recommend?"), "required": True},
        {"key": "why", "type": "text", "text": _texts("Why?")},
    ]})
    headers = acme.auth(Scope.WRITE)
    reply = route.post("responses", json=body({"nps": 9, "comment": "fine"}, "renamed"),
                       headers=headers)
    assert reply.status_code == 201, reply.text
    found = read_back(route, acme, reply.json()["id"])
    assert (found["nps"], found["comment"], found["answers"]) == (9, "fine", [])
    both = route.post("responses", json=body({"nps": 9, "recommend": 8}, "renamed"),
                      headers=headers)
    assert_invalid_field(both, "answers.nps")


def test_question_answers_to_an_unknown_survey_name_the_survey(
    route: TestClient, surveyed: SeededWorkspace
) -> None:
    """Not "no such question": the survey is what is wrong."""
    headers = surveyed.auth(Scope.WRITE)
    single = route.post("responses", json=body(FULL_ANSWERS, survey="no-such-survey"),
                        headers=headers)
    assert_invalid_field(single, "survey")
    items = [body(FULL_ANSWERS), body(FULL_ANSWERS, survey="no-such-survey")]
    bulk = route.post("./responses:bulk", json={"responses": items}, headers=headers)
    assert_invalid_field(bulk, "responses.1.survey")


def test_a_comment_key_that_is_not_the_first_text_question_is_kept_beside_it_on_every_path(
    route: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    """``comment`` is a question key here, and the survey's comment column belongs to its
    first text question: a plain body read by the bulk route's quick checks lands exactly
    as on the single route."""
    define(sessions, acme, "two-texts", {"questions": [
        {"key": "nps", "type": "nps", "text": _texts("Recommend?")},
        {"key": "why", "type": "text", "text": _texts("Why?")},
        {"key": "comment", "type": "text", "text": _texts("Anything else?")},
    ]})
    headers = acme.auth(Scope.WRITE)
    plain = {"survey": "two-texts", "answers": {"nps": 8, "comment": "more please"}}
    single = route.post("responses", json=plain, headers=headers)
    bulk = route.post("./responses:bulk", json={"responses": [plain, plain]}, headers=headers)
    assert single.status_code == bulk.status_code == 201, (single.text, bulk.text)
    for response_id in [single.json()["id"], *bulk.json()["ids"]]:
        found = read_back(route, acme, response_id)
        assert (found["nps"], found["comment"]) == (8, None)
        assert found["answers"] == [
            {"question": "comment", "value": "more please", "kano_category": None}]


def test_the_response_created_webhook_carries_the_question_answers_on_every_path(
    route: TestClient, surveyed: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        session.add(WebhookEndpointRow(workspace_id=surveyed.workspace_id,
                                       url="https://hooks.example.com/kano", secret=new_secret()))
    single = route.post("responses", json=body(FULL_ANSWERS), headers=surveyed.auth(Scope.WRITE))
    assert single.status_code == 201, single.text
    bulk = route.post("./responses:bulk", json={"responses": [body(FULL_ANSWERS)]},
                      headers=surveyed.auth(Scope.WRITE))
    assert bulk.status_code == 201, bulk.text
    with sessions() as session:
        events = {
            response_id: payload
            for response_id, payload in session.execute(
                select(OutboxMessageRow.response_id, OutboxMessageRow.payload).where(
                    OutboxMessageRow.kind == "webhook")
            )
        }
    one, many = events[single.json()["id"]], events[bulk.json()["ids"][0]]
    assert one["type"] == many["type"] == "response.created"
    # One shape on both paths: the scores and the answers beyond them, as GET shows them.
    assert one["data"]["questions"] == many["data"]["questions"] == STORED_ANSWERS
    assert one["data"]["answers"] == many["data"]["answers"]
    assert one["data"]["answers"]["nps"] == 4
    assert set(one["data"]) == set(many["data"])
