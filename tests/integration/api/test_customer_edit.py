"""Changing a customer through ``PATCH /api/v1/customers/{id}`` (issue 6, SPEC 2.2): the
fields change and the audit log holds old → new, a bad field is a 422 naming it, another
customer's external id a 409, another workspace's customer a 404, only owners, admins and
managers write — and a new address (or ``email_deliverable``) lifts a bounce mark, so the
customer's next response is acknowledged by e-mail again.

The bounce mark is set as :func:`kano.adapters.db.bounces.record_bounce` sets it (the
bounced address and the moment on the customer row); ``tests/integration/bounces`` proves
the way in from a real returned message.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import AuditEntry, Customer, Membership, OutboxMessageRow, User
from kano.config import Settings
from kano.domain.workspaces import Role, Scope
from tests.integration.api.problems import assert_invalid_field, assert_problem
from tests.integration.api.seed import SeededWorkspace

BOUNCED = "customer1@acme.example"  # the seeded address of acme's customer 1
BOUNCED_AT = datetime(2026, 11, 30, 8, 15)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """E-mail acknowledgements on (queued in the outbox; nothing is delivered here)."""
    return Settings(
        database_url=db_url,
        warehouse_url=f"duckdb:///{tmp_path / 'warehouse.duckdb'}",
        secret_key="test-secret-key-0123456789abcdef",
        smtp_url="smtp://127.0.0.1:9",
        mail_from="Kano test <kano@test.example>",
    )


def patch(api: TestClient, ws: SeededWorkspace, customer_id: int, body: dict[str, Any],
          headers: dict[str, str] | None = None) -> Any:
    return api.patch(f"customers/{customer_id}", json=body,
                     headers=headers or ws.auth(Scope.WRITE))


def updates(sessions: sessionmaker[Session], workspace_id: int,
            action: str = "update") -> list[AuditEntry]:
    with sessions() as session:
        return list(session.scalars(
            select(AuditEntry).where(AuditEntry.workspace_id == workspace_id,
                                     AuditEntry.entity == "customer",
                                     AuditEntry.action == action)
            .order_by(AuditEntry.id)))


def mark_bounced(sessions: sessionmaker[Session], customer_id: int,
                 address: str = BOUNCED) -> None:
    with transaction(sessions) as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        customer.undeliverable_email = address
        customer.email_bounced_at = BOUNCED_AT


def role_tokens(sessions: sessionmaker[Session], slug: str) -> dict[str, dict[str, str]]:
    """A write token per role (and one of a user who is no member), by the user's e-mail."""
    tokens: dict[str, dict[str, str]] = {}
    with transaction(sessions) as session:
        workspace = accounts.get_workspace(session, slug)
        for role in (*Role, None):
            email = f"{role.value if role else 'former'}@{slug}.test"
            user = User(email=email, name=email, password_hash="-")
            session.add(user)
            session.flush()
            if role is not None:
                session.add(Membership(workspace_id=workspace.id, user_id=user.id,
                                       role=role.value))
            token = accounts.create_api_token(session, workspace, Scope.WRITE, email,
                                              user=user).token
            tokens[email] = {"Authorization": f"Bearer {token}"}
    return tokens


def respond(api: TestClient, ws: SeededWorkspace, external_id: str = "C0001") -> int:
    """A response of the customer (no e-mail in it: the stored address decides)."""
    reply = api.post("responses", headers=ws.auth(Scope.WRITE), json={
        "survey": "after-delivery", "answers": {"nps": 9},
        "customer": {"external_id": external_id}})
    assert reply.status_code == 201, reply.text
    response_id: int = reply.json()["id"]
    return response_id


def emails_for(sessions: sessionmaker[Session], response_id: int) -> list[str]:
    """The recipients of the acknowledgement e-mails queued for a response."""
    with sessions() as session:
        return list(session.scalars(select(OutboxMessageRow.recipient).where(
            OutboxMessageRow.response_id == response_id, OutboxMessageRow.kind == "email")))


def test_patch_changes_the_fields_sent_and_audits_old_and_new(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session],
) -> None:
    customer_id = acme.customer_ids[1]  # C0001, person, segment smb, attributes {index: 1}
    before = api.get(f"customers/{customer_id}", headers=acme.auth()).json()

    changed = patch(api, acme, customer_id, {
        "name": "  Ann Lee  ", "email": "ann.lee@customer.example",
        "segment_key": "key-accounts", "industry": "Chemicals", "consent_contact": False,
        "attributes": {"tier": "gold", "index": None},
    })
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["name"], body["email"], body["segment_key"], body["industry"],
            body["consent_contact"], body["attributes"]) == (
        "Ann Lee", "ann.lee@customer.example", "key-accounts", "Chemicals", False,
        {"tier": "gold"})
    assert (body["external_id"], body["region"], body["kind"]) == (
        before["external_id"], before["region"], before["kind"]), "fields not sent keep"
    assert api.get(f"customers/{customer_id}", headers=acme.auth()).json() == body

    (entry,) = updates(sessions, acme.workspace_id)
    assert entry.entity_id == "C0001" and entry.actor.startswith("api-token:")
    assert entry.detail == {"id": customer_id, "changes": {
        "name": {"from": "acme Customer 1", "to": "Ann Lee"},
        "email": {"from": "customer1@acme.example", "to": "ann.lee@customer.example"},
        "segment_key": {"from": "smb", "to": "key-accounts"},
        "industry": {"from": None, "to": "Chemicals"},
        "consent_contact": {"from": True, "to": False},
        "attributes": {"from": {"index": 1}, "to": {"tier": "gold"}},
    }}

    cleared = patch(api, acme, customer_id, {"segment_key": None, "email": None,
                                             "external_id": "CRM-0001"})
    assert cleared.status_code == 200, cleared.text
    assert (cleared.json()["segment_key"], cleared.json()["email"],
            cleared.json()["external_id"]) == (None, None, "CRM-0001")
    listed = api.get("customers", params={"segment": "key-accounts"}, headers=acme.auth())
    assert customer_id not in [c["id"] for c in listed.json()["items"]]

    unchanged = patch(api, acme, customer_id, {"name": "Ann Lee"})
    assert unchanged.status_code == 200
    assert len(updates(sessions, acme.workspace_id)) == 2, "a change that changes nothing " \
        "leaves no audit entry"


@pytest.mark.parametrize(("body", "field"), [
    ({"email": "not-an-address"}, "email"),
    ({"email": "  "}, "email"),
    ({"email": "ann@localhost"}, "email"),
    ({"email": "ann lee@customer.example"}, "email"),
    ({"email": "a" * 310 + "@example.com"}, "email"),
    ({"name": "   "}, "name"),
    ({"name": None}, "name"),
    ({"name": "Ann\x00Lee"}, "name"),
    ({"external_id": ""}, "external_id"),
    ({"segment_key": "no-such-segment"}, "segment_key"),
    ({"consent_contact": "yes"}, "consent_contact"),
    ({"attributes": {"note": "bad\x00byte"}}, "attributes.note"),
    ({"attributes": None}, "attributes"),
    ({"email_deliverable": False}, "email_deliverable"),
    ({"colour": "red"}, "colour"),
])
def test_a_bad_field_is_a_422_naming_it_and_changes_nothing(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session],
    body: dict[str, Any], field: str,
) -> None:
    customer_id = acme.customer_ids[1]
    before = api.get(f"customers/{customer_id}", headers=acme.auth()).json()
    refused = patch(api, acme, customer_id, {"name": "Should not stick", **body})
    assert_invalid_field(refused, field)
    assert api.get(f"customers/{customer_id}", headers=acme.auth()).json() == before
    assert updates(sessions, acme.workspace_id) == []


def test_another_customers_external_id_is_a_409_naming_it(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace,
) -> None:
    clash = assert_problem(patch(api, acme, acme.customer_ids[1], {"external_id": "C0002"}), 409)
    assert clash["detail"].startswith("external_id: 'C0002'")
    # Another workspace's external ids are no clash: globex has a C0002 too.
    assert patch(api, acme, acme.customer_ids[1], {"external_id": "C0099"}).status_code == 200
    assert patch(api, acme, acme.customer_ids[2], {"external_id": "C0002"}).status_code == 200


def test_another_workspaces_customer_is_404_and_stays_as_it_was(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace,
) -> None:
    theirs = globex.customer_ids[0]
    before = api.get(f"customers/{theirs}", headers=globex.auth()).json()
    assert_problem(patch(api, acme, theirs, {"name": "Hijacked"}), 404)
    assert_problem(patch(api, acme, theirs, {"email_deliverable": True}), 404)
    assert_problem(patch(api, acme, 2**62, {"name": "Nobody"}), 404)
    assert api.get(f"customers/{theirs}", headers=globex.auth()).json() == before


def test_only_owners_admins_and_managers_change_customers(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session],
) -> None:
    tokens = role_tokens(sessions, "acme")
    customer_id = acme.customer_ids[1]
    assert_problem(patch(api, acme, customer_id, {"name": "R"}, acme.auth(Scope.READ)), 403)
    for who in ("viewer@acme.test", "analyst@acme.test", "former@acme.test"):
        assert_problem(patch(api, acme, customer_id, {"name": who}, tokens[who]), 403)
    for who in ("owner@acme.test", "admin@acme.test", "manager@acme.test"):
        changed = patch(api, acme, customer_id, {"name": who}, tokens[who])
        assert changed.status_code == 200, (who, changed.text)
    assert patch(api, acme, customer_id, {"name": "by token"}).status_code == 200
    actors = [e.actor for e in updates(sessions, acme.workspace_id)]
    assert actors[:3] == ["owner@acme.test", "admin@acme.test", "manager@acme.test"]
    assert actors[3].startswith("api-token:"), "a write token without a user acts as admin"


def test_reads_show_the_bounce_mark(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session],
) -> None:
    marked, other = acme.customer_ids[1], acme.customer_ids[2]
    mark_bounced(sessions, marked)
    listed = {c["id"]: c for c in api.get("customers", headers=acme.auth()).json()["items"]}
    assert (listed[marked]["email_undeliverable"], listed[other]["email_undeliverable"]) == (
        True, False)
    assert "bounced_email" not in listed[marked], "the list shows only the flag"
    one = api.get(f"customers/{marked}", headers=acme.auth()).json()
    assert (one["email_undeliverable"], one["bounced_email"], one["email_bounced_at"]) == (
        True, BOUNCED, "2026-11-30T08:15:00")


def test_a_new_address_lifts_the_mark_and_the_bounced_one_brings_it_back(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session],
) -> None:
    customer_id = acme.customer_ids[1]
    assert emails_for(sessions, respond(api, acme)) == [BOUNCED], "acknowledged before"
    mark_bounced(sessions, customer_id)
    assert emails_for(sessions, respond(api, acme)) == [], "no e-mail to a bounced address"

    moved = patch(api, acme, customer_id, {"email": "ann.lee@customer.example"})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["email_undeliverable"], moved.json()["bounced_email"]) == (
        False, BOUNCED), "the bounced address is remembered"
    assert emails_for(sessions, respond(api, acme)) == ["ann.lee@customer.example"]
    (entry,) = updates(sessions, acme.workspace_id)
    assert entry.detail is not None
    assert entry.detail["changes"]["email_undeliverable"] == {"from": True, "to": False}

    # Back to the mailbox that bounced (in other letters: the same mailbox): paused again.
    back = patch(api, acme, customer_id, {"email": BOUNCED.upper()})
    assert back.status_code == 200 and back.json()["email_undeliverable"] is True
    assert emails_for(sessions, respond(api, acme)) == []


def test_email_deliverable_lifts_the_mark_without_a_new_address(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session],
) -> None:
    customer_id = acme.customer_ids[1]
    mark_bounced(sessions, customer_id)
    assert emails_for(sessions, respond(api, acme)) == []

    lifted = patch(api, acme, customer_id, {"email_deliverable": True})
    assert lifted.status_code == 200, lifted.text
    assert (lifted.json()["email"], lifted.json()["email_undeliverable"],
            lifted.json()["bounced_email"], lifted.json()["email_bounced_at"]) == (
        BOUNCED, False, None, None)
    assert emails_for(sessions, respond(api, acme)) == [BOUNCED]
    (entry,) = updates(sessions, acme.workspace_id, "email-deliverable")
    assert entry.entity_id == "C0001"
    assert entry.detail == {"id": customer_id, "email": BOUNCED, "bounced_email": BOUNCED,
                            "bounced_at": "2026-11-30T08:15:00"}
    assert updates(sessions, acme.workspace_id) == [], "no field changed"

    again = patch(api, acme, customer_id, {"email_deliverable": True})
    assert again.status_code == 200
    assert len(updates(sessions, acme.workspace_id, "email-deliverable")) == 1, \
        "lifting a mark that is not there records nothing"
