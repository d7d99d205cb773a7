"""The fast path for single responses (issue 6, performance) keeps every guarantee of the
FastAPI route: tested against a real HTTP server (uvicorn on loopback, the app that
``kano serve`` runs) on SQLite and PostgreSQL.

The route's own intake tests run once more below with the fast path in front of the API
(imported at the end), so both paths are held to the same assertions.
"""

from __future__ import annotations

import functools
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.testclient import TestClient

from kano.adapters.api.app import API_PREFIX, api_mount
from kano.adapters.api.fast_intake import FastIntake
from kano.adapters.db.orm import CaseRow, FeedbackResponse, IdempotencyKeyRow, OutboxMessageRow
from kano.adapters.web.security_headers import SECURITY_HEADERS
from kano.app import create_app
from kano.bootstrap import Container
from kano.domain.workspaces import Scope
from tests.integration.api.problems import assert_invalid_field, assert_problem
from tests.integration.api.seed import SeededWorkspace
from tests.integration.api.test_response_intake import (  # the route's own tests, again
    endpoint,  # noqa: F401 - fixtures of the imported tests
    mailbox,  # noqa: F401
    receiver,  # noqa: F401
    settings,  # noqa: F401 - e-mail acknowledgements on, to a local SMTP server
    test_accepted_response_is_acknowledged_once_by_email_and_by_signed_webhook,  # noqa: F401
    test_concurrent_requests_with_one_key_store_one_response,  # noqa: F401
    test_same_idempotency_key_returns_the_first_result_and_stores_nothing_new,  # noqa: F401
)


class RunningServer:
    def __init__(self, url: str, app: Any) -> None:
        self.url = url
        self.app = app

    def fast_path(self) -> FastIntake:
        """The FastIntake instance inside the app's middleware stack."""
        layer = self.app.middleware_stack
        while not isinstance(layer, FastIntake):
            layer = layer.app
        return layer


@pytest.fixture
def server(container: Container) -> Iterator[RunningServer]:
    """``kano.app.create_app`` served by uvicorn on a free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(container=container)
    running = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield RunningServer(f"http://127.0.0.1:{port}{API_PREFIX}/", app)
    running.should_exit = True
    thread.join(10)


# A fresh server's first request builds the ORM mappers and opens the first connection:
# on a loaded machine that can take longer than httpx's default 5 s.
post = functools.partial(httpx.post, timeout=60)
get = functools.partial(httpx.get, timeout=60)
delete = functools.partial(httpx.delete, timeout=60)


def submission(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "survey": "after-delivery",
        "customer": {"email": "ann@example.com", "external_id": "C-1042", "name": "Ann Lee"},
        "answers": {"nps": 3, "comment": "Delivery was late again"},
        "language": "hu",
    }
    body.update(overrides)
    return body


def count(sessions: sessionmaker[Session], table: Any, **where: Any) -> int:
    with sessions() as session:
        statement = select(func.count()).select_from(table).filter_by(**where)
        return int(session.scalar(statement) or 0)


def post_together(url: str, requests: list[tuple[dict[str, str], dict[str, Any]]]) -> list[Any]:
    """Send the requests at the same moment, one thread and connection each."""
    barrier = threading.Barrier(len(requests))
    replies: list[Any] = [None] * len(requests)

    def post(index: int) -> None:
        headers, body = requests[index]
        with httpx.Client(base_url=url, timeout=60) as client:
            barrier.wait()
            replies[index] = client.post("responses", json=body, headers=headers)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return replies


def test_201_body_and_headers_are_the_routes(
    server: RunningServer, container: Container, acme: SeededWorkspace
) -> None:
    body = submission(submitted_at="2026-11-30T10:15:00+01:00")
    fast = post(server.url + "responses", json=body, headers=acme.auth(Scope.WRITE))
    only_the_route = Starlette(routes=[api_mount(container)])
    with TestClient(only_the_route, base_url=f"http://testserver{API_PREFIX}/") as api:
        route = api.post("responses", json=body, headers=acme.auth(Scope.WRITE))
    assert server.fast_path().stored == 1, "the fast path stored it, not the route"
    assert fast.status_code == route.status_code == 201
    assert fast.json()["id"] != route.json()["id"]
    assert {**fast.json(), "id": 0} == {**route.json(), "id": 0}
    assert fast.json() == {
        "id": fast.json()["id"],
        "survey": "after-delivery",
        "customer_id": route.json()["customer_id"],
        "submitted_at": "2026-11-30T09:15:00Z",
        "acknowledgement": "queued",
    }
    for header in ("content-type", "idempotent-replayed"):
        assert fast.headers[header] == route.headers[header]
    # In front of the whole stack, the fast path sets the app's security headers itself.
    for header, value in SECURITY_HEADERS.items():
        assert fast.headers.get_list(header) == [value], header
    anonymous = post(
        server.url + "responses", json=submission(customer=None), headers=acme.auth(Scope.WRITE)
    )
    assert anonymous.status_code == 201
    assert anonymous.json()["acknowledgement"] == "none"
    assert anonymous.json()["customer_id"] is None
    assert anonymous.json()["submitted_at"].endswith("Z")


def test_same_key_sent_concurrently_stores_one_response(
    server: RunningServer, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    headers = {**acme.auth(Scope.WRITE), "Idempotency-Key": "one-key-many-times"}
    before = count(sessions, FeedbackResponse)
    write = acme.auth(Scope.WRITE)
    others = [
        ({**write, "Idempotency-Key": f"other-{n}"}, submission(answers={"nps": n}))
        for n in range(4)
    ]
    replies = post_together(server.url, [(headers, submission())] * 8 + others)
    assert [reply.status_code for reply in replies] == [201] * 12
    same = [reply.json() for reply in replies[:8]]
    assert len({reply["id"] for reply in same}) == 1
    assert all(reply == same[0] for reply in same)
    assert sorted(reply.headers["Idempotent-Replayed"] for reply in replies[:8]) == [
        "false",
        *["true"] * 7,
    ]
    assert count(sessions, FeedbackResponse) == before + 5
    assert count(sessions, IdempotencyKeyRow, key="one-key-many-times") == 1
    again = post(server.url + "responses", json=submission(), headers=headers)
    assert again.json() == same[0] and again.headers["Idempotent-Replayed"] == "true"
    changed = post(
        server.url + "responses", json=submission(answers={"nps": 10}), headers=headers
    )
    assert_invalid_field(changed, "Idempotency-Key")
    assert count(sessions, FeedbackResponse) == before + 5


def test_requests_arriving_together_with_an_unremembered_token_look_it_up_once(
    server: RunningServer, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    before = count(sessions, FeedbackResponse)
    write = acme.auth(Scope.WRITE)
    replies = post_together(
        server.url, [(write, submission(answers={"nps": n})) for n in range(11)]
    )
    assert [reply.status_code for reply in replies] == [201] * 11
    assert server.fast_path().lookups == 1, "one look-up shared by the requests waiting"
    assert server.fast_path().stored == 11
    assert count(sessions, FeedbackResponse) == before + 11


def test_invalid_requests_get_the_routes_422_and_store_nothing(
    server: RunningServer, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    before = count(sessions, FeedbackResponse)
    write = acme.auth(Scope.WRITE)
    too_high = post(
        server.url + "responses", json=submission(answers={"nps": 11}), headers=write
    )
    body = assert_invalid_field(too_high, "answers.nps")
    assert body["instance"] == "/api/v1/responses"
    not_json = post(
        server.url + "responses",
        content=b"{not json",
        headers={**write, "Content-Type": "application/json"},
    )
    assert_problem(not_json, 422)
    huge = post(  # read in several chunks, past the fast path's limit
        server.url + "responses", json=submission(answers={"comment": "x" * 200_000}),
        headers=write,
    )
    assert_invalid_field(huge, "answers.comment")
    # An unknown survey in the middle of a batch of good ones: only it is refused.
    replies = post_together(
        server.url,
        [(write, submission(survey="nope"))] + [(write, submission(answers={"nps": 8}))] * 5,
    )
    assert_invalid_field(replies[0], "survey")
    assert [reply.status_code for reply in replies[1:]] == [201] * 5
    assert count(sessions, FeedbackResponse) == before + 5


def test_detractor_gets_outbox_row_and_case_with_the_response(
    server: RunningServer, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    reply = post(server.url + "responses", json=submission(), headers=acme.auth(Scope.WRITE))
    assert reply.status_code == 201
    response_id = reply.json()["id"]
    assert count(sessions, OutboxMessageRow, response_id=response_id, kind="email") == 1
    with sessions() as session:
        case = session.scalars(select(CaseRow).where(CaseRow.response_id == response_id)).one()
    assert case.workspace_id == acme.workspace_id and case.status == "new"
    promoter = post(
        server.url + "responses", json=submission(answers={"nps": 10}),
        headers=acme.auth(Scope.WRITE),
    )
    assert count(sessions, CaseRow, response_id=promoter.json()["id"]) == 0


def test_response_is_not_stored_when_its_acknowledgement_cannot_be(
    server: RunningServer, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    """One transaction: an outbox insert that fails takes the response with it."""
    with sessions.begin() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'outbox refused'; END $$"
            ))
            session.execute(text(
                "CREATE TRIGGER refuse BEFORE INSERT ON outbox FOR EACH ROW "
                "EXECUTE FUNCTION refuse()"
            ))
        else:
            session.execute(text(
                "CREATE TRIGGER refuse BEFORE INSERT ON outbox "
                "BEGIN SELECT RAISE(ABORT, 'outbox refused'); END"
            ))
    before = count(sessions, FeedbackResponse)
    reply = post(
        server.url + "responses", json=submission(), headers=acme.auth(Scope.WRITE)
    )
    assert_problem(reply, 500)
    assert count(sessions, FeedbackResponse) == before
    assert count(sessions, CaseRow) == 0


def test_missing_or_read_only_token_is_refused(
    server: RunningServer, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    before = count(sessions, FeedbackResponse)
    missing = post(server.url + "responses", json=submission())
    assert_problem(missing, 401)
    assert missing.headers["www-authenticate"] == 'Bearer realm="kano"'
    unknown = post(
        server.url + "responses", json=submission(),
        headers={"Authorization": "Bearer kano_not-a-token"},
    )
    assert_problem(unknown, 401)
    read_only = post(server.url + "responses", json=submission(), headers=acme.auth())
    assert_problem(read_only, 403)
    assert count(sessions, FeedbackResponse) == before


def test_a_revoked_token_is_refused_at_once_though_remembered(
    server: RunningServer, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    write = acme.auth(Scope.WRITE)
    assert post(server.url + "responses", json=submission(), headers=write).is_success
    assert delete(server.url + "tokens/current", headers=write).status_code == 204
    before = count(sessions, FeedbackResponse)
    refused = post(server.url + "responses", json=submission(), headers=write)
    assert_problem(refused, 401)
    assert count(sessions, FeedbackResponse) == before


def test_each_token_writes_only_to_its_own_workspace(
    server: RunningServer,
    acme: SeededWorkspace,
    globex: SeededWorkspace,
    sessions: sessionmaker[Session],
) -> None:
    """Both workspaces have a survey ``after-delivery``; one batch carries both."""
    replies = post_together(
        server.url,
        [(acme.auth(Scope.WRITE), submission()), (globex.auth(Scope.WRITE), submission())] * 3,
    )
    assert [reply.status_code for reply in replies] == [201] * 6
    with sessions() as session:
        for reply, owner in zip(replies, [acme, globex] * 3, strict=True):
            stored = session.get(FeedbackResponse, reply.json()["id"])
            assert stored is not None and stored.workspace_id == owner.workspace_id
    acme_id, globex_id = replies[0].json()["id"], replies[1].json()["id"]
    assert get(server.url + f"responses/{globex_id}", headers=acme.auth()).status_code == 404
    assert get(server.url + f"responses/{acme_id}", headers=acme.auth()).status_code == 200
    assert replies[0].json()["customer_id"] != replies[1].json()["customer_id"]


@pytest.fixture
def host_app(container: Container) -> Any:
    """The API with the fast path in front: what the imported route tests now call."""
    return FastIntake(Starlette(routes=[api_mount(container)]), container)
