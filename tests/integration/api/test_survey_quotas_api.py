"""Survey quotas over the REST API and in the intake (SPEC 2.4): CRUD with errors naming
the field and workspace isolation; responses recorded through the API — single route,
fast path, bulk — are counted (set-based in bulk) and never refused; collection channels
racing for the last place: exactly one gets it."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import FeedbackResponse, SurveyQuotaRow
from kano.adapters.db.quotas import add_quota
from kano.adapters.db.survey_store import submit_answers
from kano.domain.feedback.answers import Answers
from kano.domain.feedback.quotas import QuotaFull
from kano.domain.feedback.surveys import SurveyAnswers
from kano.domain.workspaces import Scope
from tests.integration.api.problems import assert_invalid_field, assert_problem
from tests.integration.api.seed import SeededWorkspace
from tests.integration.api.test_fast_intake import RunningServer, server  # noqa: F401

SURVEY = "after-delivery"  # seeded with 3 e-mail responses (customers 0, 2, 4)
QUOTAS = f"./surveys/{SURVEY}/quotas"


def _filled(sessions: sessionmaker[Session], quota_id: int) -> int:
    with sessions() as session:
        row = session.get(SurveyQuotaRow, quota_id)
        assert row is not None
        return row.filled


def _create(api: TestClient, acme: SeededWorkspace, **body: Any) -> dict[str, Any]:
    created = api.post(QUOTAS, json=body, headers=acme.auth(Scope.WRITE))
    assert created.status_code == 201, created.text
    result: dict[str, Any] = created.json()
    return result


def test_a_new_quota_starts_with_the_matching_responses_stored_so_far(
    api: TestClient, acme: SeededWorkspace
) -> None:
    email = _create(api, acme, name="E-mail answers", limit=5, channel="email")
    smb = _create(api, acme, name="Small business", limit=2, segment="smb")
    phone = _create(api, acme, name="Calls", limit=9, channel="phone",
                    touchpoint="delivery-call", language="ru")
    assert (email["filled"], email["full"], email["channel"]) == (3, False, "email")
    assert (smb["filled"], smb["segment"]) == (1, "smb")  # customer 4 only
    assert (phone["filled"], phone["touchpoint"], phone["language"]) == (0, "delivery-call", "ru")
    listed = api.get(QUOTAS, headers=acme.auth())
    assert listed.status_code == 200
    assert [q["name"] for q in listed.json()["items"]] == [
        "E-mail answers", "Small business", "Calls"]


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "Zero", "limit": 0}, "limit"),
    ({"name": "Negative", "limit": -3}, "limit"),
    ({"name": "Text", "limit": "many"}, "limit"),
    ({"name": "", "limit": 3}, "name"),
    ({"name": "Fax", "limit": 3, "channel": "fax"}, "channel"),
    ({"name": "German", "limit": 3, "language": "de"}, "language"),
    ({"name": "Ghosts", "limit": 3, "segment": "ghosts"}, "segment"),
    ({"name": "Nowhere", "limit": 3, "touchpoint": "nowhere"}, "touchpoint"),
    ({"name": "Extra", "limit": 3, "colour": "red"}, "colour"),
])
def test_bad_quotas_are_refused_naming_the_field(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session],
    body: dict[str, Any], field: str,
) -> None:
    refused = api.post(QUOTAS, json=body, headers=acme.auth(Scope.WRITE))
    assert_invalid_field(refused, field)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(SurveyQuotaRow)) == 0


def test_names_are_unique_per_survey_and_changes_are_checked(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    quota = _create(api, acme, name="All", limit=10)
    assert_invalid_field(api.post(QUOTAS, json={"name": "All", "limit": 4},
                                  headers=acme.auth(Scope.WRITE)), "name")
    path = f"{QUOTAS}/{quota['id']}"
    assert_invalid_field(api.patch(path, json={"limit": 0}, headers=acme.auth(Scope.WRITE)),
                         "limit")
    assert_invalid_field(api.patch(path, json={"channel": "link"},
                                   headers=acme.auth(Scope.WRITE)), "channel")
    changed = api.patch(path, json={"limit": 3, "name": "Everyone"},
                        headers=acme.auth(Scope.WRITE))
    assert changed.status_code == 200, changed.text
    assert (changed.json()["limit"], changed.json()["name"], changed.json()["full"]) == (
        3, "Everyone", True)
    assert api.delete(path, headers=acme.auth(Scope.WRITE)).status_code == 204
    assert api.get(QUOTAS, headers=acme.auth()).json()["items"] == []
    assert_problem(api.get("./surveys/no-such-survey/quotas", headers=acme.auth()), 404)
    assert_problem(api.post(QUOTAS, json={"name": "x", "limit": 1}, headers=acme.auth()), 403)


def test_another_workspaces_quota_is_not_found(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace,
    sessions: sessionmaker[Session],
) -> None:
    theirs = api.post(QUOTAS, json={"name": "Theirs", "limit": 5},
                      headers=globex.auth(Scope.WRITE))
    assert theirs.status_code == 201, theirs.text
    path = f"{QUOTAS}/{theirs.json()['id']}"
    assert_problem(api.patch(path, json={"limit": 1}, headers=acme.auth(Scope.WRITE)), 404)
    assert_problem(api.delete(path, headers=acme.auth(Scope.WRITE)), 404)
    assert api.get(QUOTAS, headers=acme.auth()).json()["items"] == []
    assert _filled(sessions, theirs.json()["id"]) == 2  # globex's own two responses to its survey
    with sessions() as session:
        row = session.get(SurveyQuotaRow, theirs.json()["id"])
        assert row is not None and row.response_limit == 5


def test_api_responses_are_counted_but_never_refused(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    full = _create(api, acme, name="E-mail", limit=3, channel="email")  # full already
    overall = _create(api, acme, name="All", limit=100)
    single = api.post("./responses", json={"survey": SURVEY, "channel": "email",
                                           "answers": {"nps": 9}},
                      headers=acme.auth(Scope.WRITE))
    assert single.status_code == 201, single.text
    batch = {"responses": [
        {"survey": SURVEY, "channel": "email", "answers": {"nps": 10}},
        {"survey": SURVEY, "channel": "api", "answers": {"nps": 3},
         "customer": {"external_id": "C0004"}},
        {"survey": SURVEY, "channel": "email", "answers": {"csat": 4}},
    ]}
    bulk = api.post("./responses:bulk", json=batch, headers=acme.auth(Scope.WRITE))
    assert bulk.status_code == 201, bulk.text
    assert _filled(sessions, full["id"]) == 3 + 1 + 2  # over its limit: recorded anyway
    assert _filled(sessions, overall["id"]) == 3 + 1 + 3
    listed = {q["name"]: q for q in api.get(QUOTAS, headers=acme.auth()).json()["items"]}
    assert listed["E-mail"]["full"] and listed["E-mail"]["filled"] == 6


def test_bulk_counts_segments_of_known_and_new_customers(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    smb = _create(api, acme, name="Small business", limit=50, segment="smb")
    batch = {"responses": [
        {"survey": SURVEY, "answers": {"nps": 9}, "customer": {"external_id": "C0001"}},
        {"survey": SURVEY, "answers": {"nps": 9}, "customer": {"external_id": "C0004"}},
        {"survey": SURVEY, "answers": {"nps": 9}, "customer": {"external_id": "C0000"}},
        {"survey": SURVEY, "answers": {"nps": 9}, "customer": {"external_id": "NEW-1"}},
        {"survey": SURVEY, "answers": {"nps": 9}},
    ]}
    assert api.post("./responses:bulk", json=batch,
                    headers=acme.auth(Scope.WRITE)).status_code == 201
    assert _filled(sessions, smb["id"]) == 1 + 2  # customers 1 and 4 are in smb


def test_the_fast_path_counts_its_responses(
    server: RunningServer,  # noqa: F811 - the fixture imported above
    acme: SeededWorkspace, sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        quota_id = add_quota(session, acme.workspace_id, SURVEY, name="API", limit=2,
                             channel="api", actor="test").id
    for score in (9, 8, 7):
        sent = httpx.post(server.url + "responses", headers=acme.auth(Scope.WRITE),
                          json={"survey": SURVEY, "answers": {"nps": score}}, timeout=30)
        assert sent.status_code == 201, sent.text
    assert server.fast_path().stored == 3
    assert _filled(sessions, quota_id) == 3  # counted, not refused


def test_racing_respondents_get_the_last_place_exactly_once(
    acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    """Ten link respondents at once for a quota with one place left: one is stored."""
    with transaction(sessions) as session:
        quota_id = add_quota(session, acme.workspace_id, SURVEY, name="Links", limit=1,
                             channel="link", actor="test").id
    racers = 10
    start = threading.Barrier(racers)
    outcomes: list[str] = []
    lock = threading.Lock()

    def respond(index: int) -> None:
        with sessions() as session:
            start.wait()
            try:
                submit_answers(session, acme.workspace_id, SURVEY, "link",
                               SurveyAnswers(Answers(nps=index % 11)), language="en",
                               email_enabled=False, refuse_when_full=True)
                session.commit()
                outcome = "stored"
            except QuotaFull:
                session.rollback()
                outcome = "full"
            except Exception as error:  # SQLite: another writer held the file too long
                session.rollback()
                outcome = type(error).__name__
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=respond, args=(i,)) for i in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["full"] * (racers - 1) + ["stored"]
    with sessions() as session:
        stored = session.scalar(select(func.count()).select_from(FeedbackResponse).where(
            FeedbackResponse.channel == "link"))
    assert stored == 1 and _filled(sessions, quota_id) == 1
