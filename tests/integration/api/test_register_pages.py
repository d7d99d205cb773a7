"""``GET /requirements`` and ``GET /invitations`` grow with the customers, so they page like
every API list (``limit``, ``cursor`` → ``next_cursor``, id order): walking the pages
gives every row exactly once; the filters hold on every page; a limit out of range is a
422 naming it. (Before, the register stopped silently at 500 and the invitations at
1,000, the rest unreachable.) SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.engine import transaction
from kano.adapters.db.survey_store import save_survey
from kano.domain.feedback.surveys import checked_definition
from kano.domain.workspaces import Scope
from tests.integration.api.problems import assert_invalid_field
from tests.integration.api.seed import SeededWorkspace, seed_workspace

KINDS = ("delivery", "chemical", "other")
QUESTIONS: dict[str, Any] = {"questions": [
    {"key": "nps", "type": "nps", "required": True, "text": {"en": "Recommend us?"}}]}


def walk(api: TestClient, path: str, headers: dict[str, str], limit: int,
         **params: Any) -> list[list[dict[str, Any]]]:  # fmt: skip
    pages: list[list[dict[str, Any]]] = []
    query: dict[str, Any] = {**params, "limit": limit}
    while True:
        answer = api.get(path, params=query, headers=headers)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        pages.append(body["items"])
        if body["next_cursor"] is None:
            return pages
        assert len(pages) <= 500, "the pages do not end"
        query = {**params, "limit": limit, "cursor": body["next_cursor"]}


def with_requirements(api: TestClient, seeded: SeededWorkspace, count: int) -> list[int]:
    ids = []
    for i in range(count):
        created = api.post("requirements", headers=seeded.auth(Scope.WRITE), json={
            "customer": f"C{i % len(seeded.customer_ids):04d}", "kind": KINDS[i % 3],
            "text": f"Requirement {i}", "review_on": f"2026-{1 + i % 12:02d}-01"})  # fmt: skip
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    return ids


@settings(max_examples=4, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(count=st.integers(min_value=0, max_value=13), limit=st.integers(min_value=1, max_value=6),
       kind=st.sampled_from([None, *KINDS]))  # fmt: skip
def test_walking_the_requirements_gives_each_once_in_id_order(
    api: TestClient, sessions: sessionmaker[Session], count: int, limit: int, kind: str | None
) -> None:
    seeded = seed_workspace(sessions, f"req-{uuid.uuid4().hex[:10]}")
    ids = with_requirements(api, seeded, count)
    chosen = [i for n, i in enumerate(ids) if kind is None or KINDS[n % 3] == kind]
    pages = walk(api, "requirements", seeded.auth(), limit,
                 **({} if kind is None else {"kind": kind}))  # fmt: skip
    assert [item["id"] for page in pages for item in page] == sorted(chosen)
    assert all(len(page) <= limit for page in pages)
    assert all(item["kind"] == kind for page in pages for item in page if kind)


def test_walking_the_invitations_gives_each_once_in_id_order(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    seeded = seed_workspace(sessions, f"inv-{uuid.uuid4().hex[:10]}", customers=17)
    with transaction(sessions) as session:
        save_survey(session, seeded.workspace_id, "after-delivery", name="After delivery",
                    touchpoint=None, definition=checked_definition(QUESTIONS), actor="test",
                    user_id=None)  # fmt: skip
    sent = api.post("invitations", json={"survey": "after-delivery"},
                    headers=seeded.auth(Scope.WRITE))  # fmt: skip
    assert sent.status_code == 201, sent.text
    invited = len(sent.json()["invitations"])
    assert invited > 5
    pages = walk(api, "invitations", seeded.auth(), 4)
    ids = [item["id"] for page in pages for item in page]
    assert len(ids) == invited and ids == sorted(set(ids))
    assert [len(page) for page in pages[:-1]] == [4] * (len(pages) - 1)
    one = pages[0][0]["customer"]
    only = walk(api, "invitations", seeded.auth(), 4, customer=one)
    assert [item["customer"] for page in only for item in page] == [one]


@pytest.mark.parametrize("path", ["requirements", "invitations"])
@pytest.mark.parametrize("limit", ["0", "-1", "1001", "ten"])
def test_limit_out_of_range_is_a_422_naming_limit(
    api: TestClient, acme: SeededWorkspace, path: str, limit: str
) -> None:
    assert_invalid_field(api.get(path, params={"limit": limit}, headers=acme.auth()), "limit")


@pytest.mark.parametrize("path", ["requirements", "invitations"])
def test_a_cursor_the_api_did_not_give_is_a_422_naming_cursor(
    api: TestClient, acme: SeededWorkspace, path: str
) -> None:
    assert_invalid_field(api.get(path, params={"cursor": "garbage"}, headers=acme.auth()),
                         "cursor")  # fmt: skip
