"""``/api/v1/webhooks``: admins list, add, disable, re-aim, rotate and delete the
workspace's webhook endpoints; the URL rule names ``url``; another workspace's endpoint is
a 404; a read token or a non-admin's token is a 403; every change is audited. A rotated
secret keeps signing next to the new one until ``old_secret_signs_until``, an end fixed at
the rotation that a later change of ``KANO_WEBHOOK_SECRET_OVERLAP_HOURS`` does not move;
rotating again keeps only the secret just replaced, and ``kano worker`` forgets it once
that end has passed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import AuditEntry, OutboxMessageRow, WebhookEndpointRow, utcnow
from kano.adapters.jobs.outbox import deliver_due_messages
from kano.adapters.jobs.webhook_secret_expiry import (
    SECRET_EXPIRY_JOB,
    forget_replaced_secrets,
    forget_secrets_replaced_before,
)
from kano.adapters.jobs.worker import Worker, default_jobs
from kano.bootstrap import Container
from kano.domain.workspaces import Role, Scope
from tests.integration.api.problems import assert_invalid_field, assert_problem
from tests.integration.api.seed import SeededWorkspace
from tests.integration.api.test_response_intake import Receiver
from tests.integration.api.webhook_signatures import accepted_by, signature_count

PUBLIC_URL = "https://93.184.216.34/hooks/kano"  # a global address: no DNS needed
OTHER_PUBLIC_URL = "https://93.184.216.35/hooks/kano"


def _endpoints(sessions: sessionmaker[Session]) -> list[tuple[int, str, str, bool]]:
    with sessions() as session:
        return [(row.workspace_id, row.url, row.secret, row.active) for row in session.scalars(
            select(WebhookEndpointRow).order_by(WebhookEndpointRow.id))]


def _audit(sessions: sessionmaker[Session]) -> list[tuple[str, str, dict[str, object] | None]]:
    with sessions() as session:
        return [(entry.action, entry.actor, entry.detail) for entry in session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "webhook_endpoint")
            .order_by(AuditEntry.id))]


def test_an_admin_token_adds_an_endpoint_and_sees_its_secret_only_then(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session],
) -> None:
    write = acme.auth(Scope.WRITE)
    created = api.post("webhooks", json={"url": f" {PUBLIC_URL} "}, headers=write)

    assert created.status_code == 201, created.text
    body = created.json()
    assert body["url"] == PUBLIC_URL and body["enabled"] is True
    assert body["secret"].startswith("whsec_")
    assert body["deliveries"] == {"delivered": 0, "failed": 0, "pending": 0}
    assert body["created_at"].endswith("Z")
    assert _endpoints(sessions) == [(acme.workspace_id, PUBLIC_URL, body["secret"], True)]

    listed = api.get("webhooks", headers=write)
    assert listed.status_code == 200
    (item,) = listed.json()["items"]
    assert "secret" not in item and body["secret"] not in listed.text
    assert item["id"] == body["id"] and item["url"] == PUBLIC_URL

    prefix = acme.write_token[:11]
    assert _audit(sessions) == [("create", f"api-token:{prefix}", {"url": PUBLIC_URL})]


def test_a_url_that_is_not_public_http_is_a_422_naming_url_and_stores_nothing(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session],
) -> None:
    write = acme.auth(Scope.WRITE)
    for url in ("http://127.0.0.1:8080/hook", "https://10.1.2.3/hook", "http://[::1]/x",
                "https://169.254.169.254/latest/meta-data", "ftp://93.184.216.34/x",
                "not a url", "https://93.184.216.34/" + "a" * 2100):
        refused = api.post("webhooks", json={"url": url}, headers=write)
        body = assert_invalid_field(refused, "url")
        assert body["detail"].startswith("url:"), url
    non_public = api.post("webhooks", json={"url": "http://127.0.0.1/hook"}, headers=write)
    assert "non-public address 127.0.0.1" in non_public.json()["detail"]
    assert_invalid_field(api.post("webhooks", json={"url": PUBLIC_URL, "secret": "x"},
                                  headers=write), "secret")
    assert _endpoints(sessions) == []
    assert _audit(sessions) == []


def test_read_tokens_and_non_admins_are_refused(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        workspace = accounts.get_workspace(session, acme.slug)
        analyst = accounts.ensure_user(session, "ana@acme.test", "pw-123456")
        accounts.grant_role(session, workspace, analyst, Role.ANALYST)
        analyst_token = accounts.create_api_token(session, workspace, Scope.WRITE,
                                                  "analyst", user=analyst).token
    as_analyst = {"Authorization": f"Bearer {analyst_token}"}

    assert_problem(api.get("webhooks", headers=acme.auth(Scope.READ)), 403)
    assert_problem(api.post("webhooks", json={"url": PUBLIC_URL},
                            headers=acme.auth(Scope.READ)), 403)
    assert_problem(api.get("webhooks", headers=as_analyst), 403)
    refused = assert_problem(api.post("webhooks", json={"url": PUBLIC_URL},
                                      headers=as_analyst), 403)
    assert "admin or owner" in refused["detail"]
    assert_problem(api.get("webhooks"), 401)
    assert _endpoints(sessions) == []


def test_another_workspaces_endpoint_is_not_found(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace,
    sessions: sessionmaker[Session],
) -> None:
    created = api.post("webhooks", json={"url": PUBLIC_URL}, headers=acme.auth(Scope.WRITE))
    endpoint_id = created.json()["id"]
    theirs = globex.auth(Scope.WRITE)

    assert api.get("webhooks", headers=theirs).json() == {"items": []}
    assert_problem(api.patch(f"webhooks/{endpoint_id}", json={"enabled": False},
                             headers=theirs), 404)
    assert_problem(api.patch(f"webhooks/{endpoint_id}", json={"rotate_secret": True},
                             headers=theirs), 404)
    assert_problem(api.delete(f"webhooks/{endpoint_id}", headers=theirs), 404)
    assert_problem(api.delete("webhooks/999999", headers=acme.auth(Scope.WRITE)), 404)
    assert _endpoints(sessions) == [(acme.workspace_id, PUBLIC_URL, created.json()["secret"],
                                     True)]


def test_disable_re_aim_rotate_and_delete_each_audited(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session],
) -> None:
    write = acme.auth(Scope.WRITE)
    created = api.post("webhooks", json={"url": PUBLIC_URL}, headers=write).json()
    path = f"webhooks/{created['id']}"

    disabled = api.patch(path, json={"enabled": False}, headers=write)
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["enabled"] is False and "secret" not in disabled.json()
    assert_invalid_field(api.patch(path, json={"url": "http://192.168.1.10/x"},
                                   headers=write), "url")
    moved = api.patch(path, json={"url": OTHER_PUBLIC_URL, "enabled": True}, headers=write)
    assert (moved.json()["url"], moved.json()["enabled"]) == (OTHER_PUBLIC_URL, True)

    rotated = api.patch(path, json={"rotate_secret": True}, headers=write)
    new_secret = rotated.json()["secret"]
    assert new_secret.startswith("whsec_") and new_secret != created["secret"]
    assert _endpoints(sessions)[0][2] == new_secret

    assert api.delete(path, headers=write).status_code == 204
    assert_problem(api.delete(path, headers=write), 404)
    assert _endpoints(sessions) == []

    actions = [(action, detail) for action, _actor, detail in _audit(sessions)]
    assert actions == [
        ("create", {"url": PUBLIC_URL}),
        ("disable", {"enabled": {"from": True, "to": False}}),
        ("update", {"url": {"from": PUBLIC_URL, "to": OTHER_PUBLIC_URL},
                    "enabled": {"from": False, "to": True}}),
        ("rotate_secret", {"url": OTHER_PUBLIC_URL}),
        ("delete", {"url": OTHER_PUBLIC_URL}),
    ]
    assert all(new_secret not in str(detail) for _action, detail in actions)


def test_the_list_counts_each_endpoints_delivered_failed_and_pending_messages(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session],
) -> None:
    write = acme.auth(Scope.WRITE)
    first = api.post("webhooks", json={"url": PUBLIC_URL}, headers=write).json()["id"]
    second = api.post("webhooks", json={"url": OTHER_PUBLIC_URL}, headers=write).json()["id"]
    statuses = {first: ["sent", "sent", "sent", "failed", "pending"], second: ["pending"]}
    with sessions.begin() as session:
        for endpoint_id, endpoint_statuses in statuses.items():
            for n, status in enumerate(endpoint_statuses):
                session.add(OutboxMessageRow(
                    workspace_id=acme.workspace_id, kind="webhook", purpose="acknowledgement",
                    dedupe_key=f"test-{endpoint_id}-{n}", recipient=PUBLIC_URL, payload={},
                    webhook_endpoint_id=endpoint_id, status=status))
        session.add(OutboxMessageRow(  # an e-mail is no webhook delivery
            workspace_id=acme.workspace_id, kind="email", purpose="acknowledgement",
            dedupe_key="test-email", recipient="ann@example.com", payload={}, status="sent"))

    items = api.get("webhooks", headers=write).json()["items"]
    assert [(item["id"], item["deliveries"]) for item in items] == [
        (first, {"delivered": 3, "failed": 1, "pending": 1}),
        (second, {"delivered": 0, "failed": 0, "pending": 1}),
    ]

    assert api.delete(f"webhooks/{first}", headers=write).status_code == 204
    with sessions() as session:  # its messages went with it, the others stayed
        left = set(session.scalars(select(OutboxMessageRow.dedupe_key)).all())
    assert left == {"test-email", f"test-{second}-0"}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()


def _deliver_one(sessions: sessionmaker[Session], container: Container, receiver: Receiver,
                 workspace_id: int, endpoint_id: int) -> tuple[dict[str, str], bytes]:
    """Queue a message for the endpoint, run the worker, and return what arrived."""
    with sessions.begin() as session:
        session.add(OutboxMessageRow(
            workspace_id=workspace_id, kind="webhook", purpose="acknowledgement",
            dedupe_key=f"test-{len(receiver.deliveries)}", recipient=receiver.url,
            payload={"type": "response.created"}, webhook_endpoint_id=endpoint_id))
    assert deliver_due_messages(container) == "outbox: 1 sent, 0 to retry, 0 failed"
    return receiver.deliveries[-1]


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).replace(
        tzinfo=None)


@dataclass(frozen=True)
class Rotation:
    """An endpoint aimed at the test's receiver, its secret rotated once."""

    endpoint_id: int
    first: str
    """The secret it was added with (the replaced one)."""
    answer: dict[str, Any]
    """The rotation's answer: the new ``secret``, ``old_secret_signs_until`` if any."""
    started: datetime
    """A moment just before the rotation."""
    write: dict[str, str]

    @property
    def second(self) -> str:
        return str(self.answer["secret"])


def _rotated_endpoint(api: TestClient, acme: SeededWorkspace, container: Container,
                      receiver: Receiver, monkeypatch: pytest.MonkeyPatch,
                      overlap_hours: float | None = None) -> Rotation:
    """Allow the loopback receiver as a target, set ``KANO_WEBHOOK_SECRET_OVERLAP_HOURS``
    (if given), add an endpoint aimed at the receiver and rotate its secret once."""
    monkeypatch.setattr(container.settings, "webhook_allow_private", True)
    if overlap_hours is not None:
        monkeypatch.setattr(container.settings, "webhook_secret_overlap_hours", overlap_hours)
    write = acme.auth(Scope.WRITE)
    created = api.post("webhooks", json={"url": receiver.url}, headers=write).json()
    (listed,) = api.get("webhooks", headers=write).json()["items"]
    assert "old_secret_signs_until" not in listed  # nothing rotated yet
    started = utcnow()
    rotated = api.patch(f"webhooks/{created['id']}", json={"rotate_secret": True},
                        headers=write)
    assert rotated.status_code == 200, rotated.text
    return Rotation(created["id"], created["secret"], rotated.json(), started, write)


def _after_the_overlap(api: TestClient, sessions: sessionmaker[Session], container: Container,
                       receiver: Receiver, acme: SeededWorkspace, rotation: Rotation
                       ) -> tuple[dict[str, str], bytes]:
    """Move the end of the endpoint's overlap into the past; then the list shows no old
    secret and a delivery carries one signature (returned, with its body)."""
    with sessions.begin() as session:
        session.get_one(WebhookEndpointRow, rotation.endpoint_id).previous_secret_until = (
            utcnow() - timedelta(seconds=1))
    (listed,) = api.get("webhooks", headers=rotation.write).json()["items"]
    assert "old_secret_signs_until" not in listed
    headers, body = _deliver_one(sessions, container, receiver, acme.workspace_id,
                                 rotation.endpoint_id)
    assert signature_count(headers) == 1
    return headers, body


def test_a_rotation_keeps_the_old_secret_signing_until_the_answer_says_and_only_two(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session],
    container: Container, receiver: Receiver, monkeypatch: pytest.MonkeyPatch,
) -> None:
    rotation = _rotated_endpoint(api, acme, container, receiver, monkeypatch)
    first, second, write = rotation.first, rotation.second, rotation.write
    endpoint_id, path = rotation.endpoint_id, f"webhooks/{rotation.endpoint_id}"
    until = _moment(rotation.answer["old_secret_signs_until"])
    assert rotation.started + timedelta(hours=24) <= until <= utcnow() + timedelta(hours=24)
    (listed,) = api.get("webhooks", headers=write).json()["items"]
    assert "secret" not in listed and _moment(listed["old_secret_signs_until"]) == until

    headers, body = _deliver_one(sessions, container, receiver, acme.workspace_id,
                                 endpoint_id)
    assert signature_count(headers) == 2
    assert accepted_by(first, headers, body) and accepted_by(second, headers, body)

    third = api.patch(path, json={"rotate_secret": True}, headers=write).json()["secret"]
    headers, body = _deliver_one(sessions, container, receiver, acme.workspace_id,
                                 endpoint_id)
    assert signature_count(headers) == 2  # never more than two
    assert accepted_by(third, headers, body) and accepted_by(second, headers, body)
    assert not accepted_by(first, headers, body)
    with sessions() as session:
        row = session.get_one(WebhookEndpointRow, endpoint_id)
        assert (row.secret, row.previous_secret) == (third, second)

    headers, body = _after_the_overlap(api, sessions, container, receiver, acme, rotation)
    assert accepted_by(third, headers, body) and not accepted_by(second, headers, body)


def test_with_no_overlap_set_the_old_secret_stops_at_once(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session],
    container: Container, receiver: Receiver, monkeypatch: pytest.MonkeyPatch,
) -> None:
    rotation = _rotated_endpoint(api, acme, container, receiver, monkeypatch, overlap_hours=0)
    assert "old_secret_signs_until" not in rotation.answer
    with sessions() as session:  # the replaced secret is not even kept
        row = session.get_one(WebhookEndpointRow, rotation.endpoint_id)
        assert (row.previous_secret, row.previous_secret_until) == (None, None)
    headers, body = _deliver_one(sessions, container, receiver, acme.workspace_id,
                                 rotation.endpoint_id)
    assert accepted_by(rotation.second, headers, body)
    assert not accepted_by(rotation.first, headers, body)


def test_a_rotations_overlap_keeps_its_end_when_the_setting_changes_later(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session],
    container: Container, receiver: Receiver, monkeypatch: pytest.MonkeyPatch,
) -> None:
    rotation = _rotated_endpoint(api, acme, container, receiver, monkeypatch, overlap_hours=24)
    endpoint_id, write = rotation.endpoint_id, rotation.write
    until = _moment(rotation.answer["old_secret_signs_until"])
    assert rotation.started + timedelta(hours=24) <= until <= utcnow() + timedelta(hours=24)

    for hours in (48, 0):  # the server's setting changes after the rotation
        monkeypatch.setattr(container.settings, "webhook_secret_overlap_hours", hours)
        (listed,) = api.get("webhooks", headers=write).json()["items"]
        assert _moment(listed["old_secret_signs_until"]) == until, hours
        headers, body = _deliver_one(sessions, container, receiver, acme.workspace_id,
                                     endpoint_id)
        assert signature_count(headers) == 2, hours
        assert accepted_by(rotation.first, headers, body)
        assert accepted_by(rotation.second, headers, body)

    # Its end come, a raised setting does not bring the old secret back.
    monkeypatch.setattr(container.settings, "webhook_secret_overlap_hours", 48)
    headers, body = _after_the_overlap(api, sessions, container, receiver, acme, rotation)
    assert not accepted_by(rotation.first, headers, body)

    # Rotating with no overlap set forgets the replaced secret (kept in clear) at once.
    monkeypatch.setattr(container.settings, "webhook_secret_overlap_hours", 0)
    api.patch(f"webhooks/{endpoint_id}", json={"rotate_secret": True}, headers=write)
    with sessions() as session:
        row = session.get_one(WebhookEndpointRow, endpoint_id)
        assert (row.previous_secret, row.previous_secret_until) == (None, None)


def test_the_worker_forgets_a_replaced_secret_once_its_overlap_is_over(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session],
    container: Container, receiver: Receiver, monkeypatch: pytest.MonkeyPatch,
) -> None:
    rotation = _rotated_endpoint(api, acme, container, receiver, monkeypatch, overlap_hours=24)
    until = _moment(rotation.answer["old_secret_signs_until"])
    jobs = [job for job in default_jobs(container) if job.name == SECRET_EXPIRY_JOB]

    # During the overlap the worker's job keeps the old secret, which goes on signing.
    assert [outcome for _, outcome, _ in Worker(container, jobs).run_due()] == ["ok"]
    with sessions() as session:
        row = session.get_one(WebhookEndpointRow, rotation.endpoint_id)
        assert (row.previous_secret, row.previous_secret_until) == (rotation.first, until)
    headers, body = _deliver_one(sessions, container, receiver, acme.workspace_id,
                                 rotation.endpoint_id)
    assert accepted_by(rotation.first, headers, body)
    assert accepted_by(rotation.second, headers, body)

    # Run past the overlap's end, the job clears it from the row.
    assert forget_secrets_replaced_before(container, until + timedelta(seconds=1)) == 1
    with sessions() as session:
        row = session.get_one(WebhookEndpointRow, rotation.endpoint_id)
        assert (row.secret, row.previous_secret, row.previous_secret_until) == (
            rotation.second, None, None)
    (listed,) = api.get("webhooks", headers=rotation.write).json()["items"]
    assert "old_secret_signs_until" not in listed
    headers, body = _deliver_one(sessions, container, receiver, acme.workspace_id,
                                 rotation.endpoint_id)
    assert signature_count(headers) == 1 and accepted_by(rotation.second, headers, body)
    assert forget_replaced_secrets(container) == (
        "0 replaced webhook secrets past their overlap forgotten")
