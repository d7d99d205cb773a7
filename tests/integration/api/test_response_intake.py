"""Taking responses in (issue 6): POST /responses and /responses:bulk, idempotency, and the
acknowledgement through the outbox to a real SMTP server and a real webhook receiver.

Both receivers run in this process on loopback: aiosmtpd's SMTP server, and a small HTTP
server that records each POST. Signatures are checked here with the Standard Webhooks
formula written out independently of Kano's code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.api.schemas.feedback import ResponseIn
from kano.adapters.db.orm import (
    FeedbackResponse,
    IdempotencyKeyRow,
    OutboxMessageRow,
    WebhookEndpointRow,
    utcnow,
)
from kano.adapters.jobs.idempotency_expiry import forget_expired_keys
from kano.adapters.jobs.outbox import deliver_due_messages
from kano.adapters.messaging.webhooks import new_secret
from kano.bootstrap import Container
from kano.config import Settings
from kano.domain.workspaces import Scope
from tests.integration.api.problems import assert_invalid_field, assert_problem
from tests.integration.api.seed import SeededWorkspace


class MailBox:
    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture(scope="module")
def mailbox() -> Iterator[MailBox]:
    box = MailBox()
    with socket.socket() as probe:  # aiosmtpd checks its port by connecting: no port 0
        probe.bind(("127.0.0.1", 0))
        box.port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


class Receiver:
    """An HTTP endpoint that records webhook deliveries; answers ``statuses`` in turn."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.deliveries.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/kano"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()


@pytest.fixture
def settings(db_url: str, tmp_path: Path, mailbox: MailBox) -> Settings:
    """The shared settings plus the local SMTP server; loopback webhooks allowed."""
    return Settings(
        database_url=db_url,
        warehouse_url=f"duckdb:///{tmp_path / 'warehouse.duckdb'}",
        secret_key="test-secret-key-0123456789abcdef",
        smtp_url=f"smtp://127.0.0.1:{mailbox.port}",
        mail_from="Kano test <kano@test.example>",
        webhook_allow_private=True,
    )


@pytest.fixture
def endpoint(sessions: sessionmaker[Session], acme: SeededWorkspace, receiver: Receiver) -> str:
    secret = new_secret()
    with sessions.begin() as session:
        session.add(
            WebhookEndpointRow(workspace_id=acme.workspace_id, url=receiver.url, secret=secret)
        )
    receiver.deliveries.clear()
    return secret


def submission(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "survey": "after-delivery",
        "channel": "api",
        "customer": {"email": "ann@example.com", "external_id": "C-1042", "name": "Ann Lee"},
        "answers": {"nps": 3, "comment": "Delivery was late again"},
        "language": "hu",
    }
    body.update(overrides)
    return body


def count(sessions: sessionmaker[Session], table: Any) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def standard_webhooks_signature(secret: str, headers: dict[str, str], body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def test_accepted_response_is_acknowledged_once_by_email_and_by_signed_webhook(
    api: TestClient,
    acme: SeededWorkspace,
    container: Container,
    mailbox: MailBox,
    receiver: Receiver,
    endpoint: str,
) -> None:
    mailbox.messages.clear()
    created = api.post("responses", json=submission(), headers=acme.auth(Scope.WRITE))
    assert created.status_code == 201, created.text
    accepted = created.json()
    assert accepted["acknowledgement"] == "queued"
    assert accepted["survey"] == "after-delivery"

    assert deliver_due_messages(container) == "outbox: 2 sent, 0 to retry, 0 failed"
    assert deliver_due_messages(container) is None, "nothing is sent twice"

    (mail,) = mailbox.messages
    assert mail["To"] == "ann@example.com"
    assert mail["Subject"] == "Megkaptuk a visszajelzését"
    assert f"R-{accepted['id']}" in mail.get_content()
    (delivery,) = receiver.deliveries
    headers, body = delivery
    assert headers["webhook-signature"] == standard_webhooks_signature(endpoint, headers, body)
    event = json.loads(body)
    assert event["type"] == "response.created"
    assert event["data"]["id"] == accepted["id"]
    assert event["data"]["answers"]["nps"] == 3

    detail = api.get(f"responses/{accepted['id']}", headers=acme.auth()).json()
    assert sorted((a["kind"], a["status"], a["attempts"]) for a in detail["acknowledgements"]) == [
        ("email", "sent", 1),
        ("webhook", "sent", 1),
    ]
    assert detail["nps"] == 3 and detail["comment"] == "Delivery was late again"


def test_same_idempotency_key_returns_the_first_result_and_stores_nothing_new(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    headers = {**acme.auth(Scope.WRITE), "Idempotency-Key": "6b1c0d9e-0001"}
    responses_before = count(sessions, FeedbackResponse)
    first = api.post("responses", json=submission(), headers=headers)
    again = api.post("responses", json=submission(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(sessions, FeedbackResponse) == responses_before + 1
    other_body = api.post("responses", json=submission(answers={"nps": 9}), headers=headers)
    assert_invalid_field(other_body, "Idempotency-Key")


def test_a_key_stored_before_the_fingerprint_changed_still_replays(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    """Kano fingerprinted bodies with the standard library's JSON until 2026-12; a client
    retrying across the upgrade must get its first result back, not a 422 "key reused"."""
    headers = {**acme.auth(Scope.WRITE), "Idempotency-Key": "stored-by-an-earlier-version"}
    first = api.post("responses", json=submission(), headers=headers)
    assert first.status_code == 201, first.text
    payload = ResponseIn.model_validate(submission()).model_dump(mode="json")
    earlier = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
    with sessions() as session:
        row = session.scalars(
            select(IdempotencyKeyRow).where(IdempotencyKeyRow.key == headers["Idempotency-Key"])
        ).one()
        assert row.request_hash != earlier  # the fingerprint did change
        row.request_hash = earlier
        session.commit()
    responses_before = count(sessions, FeedbackResponse)
    again = api.post("responses", json=submission(), headers=headers)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(sessions, FeedbackResponse) == responses_before
    other_body = api.post("responses", json=submission(answers={"nps": 9}), headers=headers)
    assert_invalid_field(other_body, "Idempotency-Key")


def test_a_key_is_remembered_for_its_days_then_forgotten_by_the_worker(
    api: TestClient, acme: SeededWorkspace, container: Container
) -> None:
    """Within KANO_IDEMPOTENCY_KEY_DAYS a retry replays; once the worker has forgotten an
    older key, the same key is a new request (stored again, as the docs say)."""
    headers = {**acme.auth(Scope.WRITE), "Idempotency-Key": "remembered-for-a-week"}
    first = api.post("responses", json=submission(), headers=headers)
    assert first.status_code == 201, first.text
    forget_expired_keys(container)
    assert api.post("responses", json=submission(), headers=headers).json() == first.json()
    with container.sessions.begin() as session:
        session.execute(
            update(IdempotencyKeyRow)
            .where(IdempotencyKeyRow.key == headers["Idempotency-Key"])
            .values(created_at=utcnow() - timedelta(days=8))
        )
    assert forget_expired_keys(container).startswith("1 ")
    later = api.post("responses", json=submission(), headers=headers)
    assert later.status_code == 201 and later.headers["Idempotent-Replayed"] == "false"
    assert later.json()["id"] != first.json()["id"]


def test_concurrent_requests_with_one_key_store_one_response(
    host_app: Any, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    headers = {**acme.auth(Scope.WRITE), "Idempotency-Key": "concurrent-key"}
    before = count(sessions, FeedbackResponse)
    results: list[dict[str, Any]] = []
    barrier = threading.Barrier(6)

    def post() -> None:
        with TestClient(host_app, base_url="http://testserver/api/v1/") as client:
            barrier.wait()
            reply = client.post("responses", json=submission(), headers=headers)
            assert reply.status_code == 201, reply.text
            results.append(reply.json())

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == 6
    assert len({r["id"] for r in results}) == 1
    assert count(sessions, FeedbackResponse) == before + 1


def test_a_score_off_its_scale_is_refused_naming_the_field(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    before = count(sessions, FeedbackResponse)
    too_high = api.post(
        "responses", json=submission(answers={"nps": 11}), headers=acme.auth(Scope.WRITE)
    )
    assert_invalid_field(too_high, "answers.nps")
    empty = api.post("responses", json=submission(answers={}), headers=acme.auth(Scope.WRITE))
    assert_invalid_field(empty, "answers")
    unknown_survey = api.post(
        "responses", json=submission(survey="nope"), headers=acme.auth(Scope.WRITE)
    )
    assert_invalid_field(unknown_survey, "survey")
    assert count(sessions, FeedbackResponse) == before
    read_only = api.post("responses", json=submission(), headers=acme.auth(Scope.READ))
    assert_problem(read_only, 403)


def test_bulk_is_all_or_nothing_and_names_the_bad_response(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    good = [
        submission(customer={"external_id": f"B-{i}"}, answers={"csat": 1 + i % 5})
        for i in range(40)
    ]
    bad = [*good[:25], submission(survey="no-such-survey"), *good[25:]]
    before = count(sessions, FeedbackResponse)
    refused = api.post("./responses:bulk", json={"responses": bad}, headers=acme.auth(Scope.WRITE))
    assert_invalid_field(refused, "responses.25.survey")
    assert count(sessions, FeedbackResponse) == before
    accepted = api.post(
        "./responses:bulk", json={"responses": good}, headers=acme.auth(Scope.WRITE)
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["accepted"] == 40
    assert count(sessions, FeedbackResponse) == before + 40


def test_a_failed_webhook_is_retried_with_back_off_then_delivered(
    api: TestClient,
    acme: SeededWorkspace,
    container: Container,
    sessions: sessionmaker[Session],
    receiver: Receiver,
    endpoint: str,
) -> None:
    receiver.statuses = [503]
    created = api.post(
        "responses", json=submission(customer=None), headers=acme.auth(Scope.WRITE)
    ).json()
    assert deliver_due_messages(container) == "outbox: 0 sent, 1 to retry, 0 failed"
    with sessions() as session:
        message = session.scalars(
            select(OutboxMessageRow).where(OutboxMessageRow.response_id == created["id"])
        ).one()
        assert message.status == "pending" and message.attempts == 1
        assert message.next_attempt_at > utcnow() + timedelta(seconds=3)
        assert "503" in (message.last_error or "")
    assert deliver_due_messages(container) is None, "not due again before its back-off"
    with sessions.begin() as session:
        session.execute(update(OutboxMessageRow).values(next_attempt_at=utcnow()))
    assert deliver_due_messages(container) == "outbox: 1 sent, 0 to retry, 0 failed"
    first, second = receiver.deliveries
    assert first[0]["webhook-id"] == second[0]["webhook-id"], "a retry keeps its id"


def test_webhook_targets_on_private_addresses_are_refused_by_default() -> None:
    from kano.adapters.messaging.webhooks import check_target
    from kano.domain.shared.errors import InvalidInput

    for url in ("http://127.0.0.1:9/x", "http://10.0.0.5/x", "http://[::1]/x", "ftp://x.org"):
        with pytest.raises(InvalidInput):
            check_target(url, allow_private=False)
    check_target("http://127.0.0.1:9/x", allow_private=True)
