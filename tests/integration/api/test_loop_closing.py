"""Closing the loop tells the customer what changed (issue 6: "loop closed → message").

The owner's message goes through the outbox in the same transaction as the status change:
an e-mail in the language of the response to a real local SMTP server, and a signed
``case.loop_closed`` event to a real webhook receiver (both from ``test_response_intake``),
each delivered once; the case shows what was sent and how far delivery got.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.orm import Customer, OutboxMessageRow
from kano.adapters.jobs.outbox import deliver_due_messages
from kano.bootstrap import Container
from kano.domain.workspaces import Scope
from tests.integration.api import test_response_intake as intake
from tests.integration.api.problems import assert_invalid_field
from tests.integration.api.seed import SeededWorkspace
from tests.integration.api.test_response_intake import (
    MailBox,
    Receiver,
    standard_webhooks_signature,
    submission,
)

# The SMTP server, the webhook receiver, the settings that point at them, and an endpoint.
mailbox, receiver, settings, endpoint = (
    intake.mailbox, intake.receiver, intake.settings, intake.endpoint
)

WHAT_CHANGED = "We moved your deliveries to the morning route; the driver now calls ahead."


def resolved_case(api: TestClient, acme: SeededWorkspace, container: Container,
                  **overrides: Any) -> tuple[int, int]:
    """A detractor's response (acknowledged, delivered) and its case moved to resolved."""
    created = api.post("responses", json=submission(**overrides), headers=acme.auth(Scope.WRITE))
    assert created.status_code == 201, created.text
    response_id = int(created.json()["id"])
    (case,) = api.get("cases", params={"response": response_id}, headers=acme.auth()).json()[
        "items"]
    deliver_due_messages(container)  # the acknowledgements, out of the way
    for status in ("in_progress", "resolved"):
        moved = api.patch(f"cases/{case['id']}", json={"status": status},
                          headers=acme.auth(Scope.WRITE))
        assert moved.status_code == 200, moved.text
    return response_id, int(case["id"])


def closing_rows(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxMessageRow).where(
            OutboxMessageRow.purpose == "loop-closed")) or 0)


def test_closing_the_loop_sends_what_changed_once_by_email_and_signed_webhook(
    api: TestClient,
    acme: SeededWorkspace,
    container: Container,
    sessions: sessionmaker[Session],
    mailbox: MailBox,
    receiver: Receiver,
    endpoint: str,
) -> None:
    response_id, case_id = resolved_case(api, acme, container)
    mailbox.messages.clear()
    receiver.deliveries.clear()
    write = acme.auth(Scope.WRITE)

    without = api.patch(f"cases/{case_id}", json={"status": "loop_closed"}, headers=write)
    assert_invalid_field(without, "message")
    assert api.get(f"cases/{case_id}", headers=acme.auth()).json()["status"] == "resolved"
    assert closing_rows(sessions) == 0, "a refused close writes nothing"

    closed = api.patch(f"cases/{case_id}", headers=write, json={
        "status": "loop_closed", "message": WHAT_CHANGED, "root_causes": ["ox:delivery-delay"]})
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["status"] == "loop_closed" and body["loop_closed_at"]
    closing = body["closing_message"]
    assert closing["message"] == WHAT_CHANGED and closing["told"] == ["email", "webhook"]
    assert sorted((d["kind"], d["recipient"], d["status"]) for d in closing["deliveries"]) == [
        ("email", "ann@example.com", "pending"), ("webhook", receiver.url, "pending")]

    assert deliver_due_messages(container) == "outbox: 2 sent, 0 to retry, 0 failed"
    assert deliver_due_messages(container) is None, "nothing is sent twice"
    (mail,) = mailbox.messages
    assert mail["To"] == "ann@example.com"
    assert mail["Subject"] == "Amit a visszajelzése nyomán változtattunk"  # the response's hu
    content = mail.get_content()
    assert WHAT_CHANGED in content and f"R-{response_id}" in content and "Ann Lee" in content
    ((headers, raw),) = receiver.deliveries
    assert headers["webhook-signature"] == standard_webhooks_signature(endpoint, headers, raw)
    event = json.loads(raw)
    assert event["type"] == "case.loop_closed"
    assert event["data"]["case_id"] == case_id and event["data"]["response_id"] == response_id
    assert event["data"]["message"] == WHAT_CHANGED
    assert event["data"]["root_causes"] == ["ox:delivery-delay"]
    assert event["data"]["customer"]["email"] == "ann@example.com"

    after = api.get(f"cases/{case_id}", headers=acme.auth()).json()["closing_message"]
    assert sorted(d["status"] for d in after["deliveries"]) == ["sent", "sent"]
    acknowledgements = api.get(f"responses/{response_id}", headers=acme.auth()).json()[
        "acknowledgements"]
    assert len(acknowledgements) == 2, "the response lists its acknowledgements only"


def test_a_message_goes_only_with_closing_the_loop(
    api: TestClient, acme: SeededWorkspace, container: Container, sessions: sessionmaker[Session]
) -> None:
    _, case_id = resolved_case(api, acme, container)
    write = acme.auth(Scope.WRITE)
    early = api.patch(f"cases/{case_id}", json={"message": WHAT_CHANGED}, headers=write)
    assert_invalid_field(early, "message")
    blank = api.patch(f"cases/{case_id}", json={"status": "loop_closed", "message": "   "},
                      headers=write)
    assert_invalid_field(blank, "message")
    assert api.patch(f"cases/{case_id}", json={"status": "loop_closed", "message": "Fixed."},
                     headers=write).status_code == 200
    again = api.patch(f"cases/{case_id}", json={"message": "And more"}, headers=write)
    assert_invalid_field(again, "message")
    assert closing_rows(sessions) == 1  # the e-mail of the one close; no endpoint here


def test_a_customer_who_may_not_be_emailed_gets_nothing_and_the_case_says_so(
    api: TestClient, acme: SeededWorkspace, container: Container, sessions: sessionmaker[Session],
    mailbox: MailBox,
) -> None:
    _, case_id = resolved_case(api, acme, container)
    with sessions.begin() as session:
        session.execute(update(Customer).where(Customer.email == "ann@example.com").values(
            consent_contact=False))
    mailbox.messages.clear()
    closed = api.patch(f"cases/{case_id}", json={"status": "loop_closed", "message": "Called"},
                       headers=acme.auth(Scope.WRITE)).json()
    assert closed["status"] == "loop_closed"
    assert closed["closing_message"]["told"] == [] and closed["closing_message"]["deliveries"] == []
    assert deliver_due_messages(container) is None and mailbox.messages == []
