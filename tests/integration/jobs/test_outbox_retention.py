"""KANO_OUTBOX_RETENTION_DAYS: the worker deletes messages delivered, bounced or given up
more than that many days before (90 by default, a chunk at a time), never a pending one,
never an e-mail an invitation still points at, never the messages of a response whose
case is still open; 0 deletes nothing. A response whose acknowledgements were deleted
lists none, in the API and on its case page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, insert, select
from starlette.testclient import TestClient

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.invitations import invitations_of
from kano.adapters.db.orm import (
    CaseRow,
    Customer,
    InvitationRow,
    OutboxMessageRow,
    Survey,
    Workspace,
    utcnow,
)
from kano.adapters.db.orm.outbox import EmailBounceRow
from kano.adapters.jobs.outbox_retention import (
    RETENTION_JOB,
    delete_messages_finished_before,
    delete_old_outbox_messages,
)
from kano.adapters.jobs.worker import default_jobs
from kano.app import create_app
from kano.bootstrap import Container
from kano.config import Settings
from kano.domain.workspaces import Role
from tests.integration.api.seed import SeededWorkspace, seed_workspace
from tests.integration.web.browsing import Browser, text_of

DAY = timedelta(days=1)


def _message(workspace_id: int, key: str, status: str, *, created: timedelta,
             due: timedelta | None = None, sent: timedelta | None = None,
             response_id: int | None = None) -> dict[str, object]:
    """An e-mail created ``created`` ago, last due ``due`` ago (default: when created),
    sent ``sent`` ago (None: never)."""
    now = utcnow()
    return {
        "workspace_id": workspace_id, "kind": "email", "purpose": "acknowledgement",
        "dedupe_key": key, "recipient": "ann@example.com", "payload": {}, "status": status,
        "response_id": response_id, "created_at": now - created,
        "next_attempt_at": now - (due if due is not None else created),
        "sent_at": None if sent is None else now - sent,
    }


def _ids_by_key(container: Container) -> dict[str, int]:
    with container.sessions() as session:
        rows = session.execute(select(OutboxMessageRow.dedupe_key, OutboxMessageRow.id))
        return {key: message_id for key, message_id in rows}


@pytest.fixture
def acme(container: Container) -> SeededWorkspace:
    return seed_workspace(container.sessions, "acme", customers=2)


def test_old_final_messages_go_a_chunk_at_a_time_and_the_rest_stay(
    container: Container, acme: SeededWorkspace,
) -> None:
    ws = acme.workspace_id
    with transaction(container.sessions) as session:
        session.execute(insert(OutboxMessageRow), [
            _message(ws, "old-sent-1", "sent", created=40 * DAY, sent=40 * DAY),
            _message(ws, "old-sent-2", "sent", created=31 * DAY, sent=31 * DAY),
            _message(ws, "old-failed", "failed", created=36 * DAY, due=35 * DAY),
            _message(ws, "old-bounced", "bounced", created=33 * DAY, sent=33 * DAY),
            # pending (a retry due long ago, or never claimed): never deleted
            _message(ws, "old-pending", "pending", created=60 * DAY),
            # created long ago but delivered or given up recently: counted from then
            _message(ws, "late-sent", "sent", created=40 * DAY, due=10 * DAY, sent=10 * DAY),
            _message(ws, "late-failed", "failed", created=40 * DAY, due=2 * DAY),
            _message(ws, "recent-sent", "sent", created=DAY, sent=DAY),
            # invitation e-mails: kept while their invitation points at them
            _message(ws, "invited", "sent", created=40 * DAY, sent=40 * DAY),
            _message(ws, "reminded", "bounced", created=38 * DAY, sent=38 * DAY),
            _message(ws, "invitation-deleted", "sent", created=40 * DAY, sent=40 * DAY),
        ])
        rows = session.execute(select(OutboxMessageRow.dedupe_key, OutboxMessageRow.id))
        ids = {key: message_id for key, message_id in rows}
        session.add(EmailBounceRow(workspace_id=ws, outbox_id=ids["old-bounced"],
                                   recipient="ann@example.com", status_code="5.1.1",
                                   permanent=True))
        survey_id = session.scalar(select(Survey.id).where(Survey.workspace_id == ws))
        customer = session.get_one(Customer, acme.customer_ids[0])
        for nonce, message, reminder in (
            ("reminded", ids["invited"], ids["reminded"]),
            ("deleted-since", ids["invitation-deleted"], None),
        ):
            session.add(InvitationRow(
                workspace_id=ws, survey_id=survey_id, customer_id=customer.id,
                email="ann@example.com", nonce=nonce, invited_at=utcnow() - 40 * DAY,
                message_id=message, reminder_message_id=reminder,
                reminded_at=utcnow() - 38 * DAY if reminder else None))
        session.flush()
        session.execute(delete(InvitationRow).where(InvitationRow.nonce == "deleted-since"))
    with container.sessions() as session:
        statuses_before = [line.status for line in invitations_of(session, ws)]

    deleted = delete_messages_finished_before(container, utcnow() - 30 * DAY, chunk=2)

    assert deleted == 5  # chunks of 2, 2, 1
    assert sorted(_ids_by_key(container)) == [
        "invited", "late-failed", "late-sent", "old-pending", "recent-sent", "reminded"]
    with container.sessions() as session:
        invitation = session.scalars(select(InvitationRow)).one()  # it and its links stay
        assert (invitation.message_id, invitation.reminder_message_id) == (
            ids["invited"], ids["reminded"])
        assert [line.status for line in invitations_of(session, ws)] == statuses_before == [
            "bounced"]
        assert session.scalars(select(EmailBounceRow)).all() == []  # went with its e-mail


def test_retention_is_90_days_by_default_and_0_keeps_everything(
    container: Container, acme: SeededWorkspace, monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws = acme.workspace_id
    with transaction(container.sessions) as session:
        session.execute(insert(OutboxMessageRow), [
            _message(ws, "a-year-old", "sent", created=365 * DAY, sent=365 * DAY),
            _message(ws, "a-quarter-old", "failed", created=91 * DAY),
            _message(ws, "two-months-old", "bounced", created=60 * DAY, sent=60 * DAY),
            _message(ws, "a-week-old", "failed", created=7 * DAY),
            _message(ws, "pending-for-a-year", "pending", created=365 * DAY),
        ])
    assert Settings.model_fields["outbox_retention_days"].default == 90
    monkeypatch.setattr(container.settings, "outbox_retention_days", 0)
    assert RETENTION_JOB not in {job.name for job in default_jobs(container)}
    assert delete_old_outbox_messages(container) == (
        "outbox messages kept for ever (KANO_OUTBOX_RETENTION_DAYS is 0)")
    assert len(_ids_by_key(container)) == 5

    monkeypatch.setattr(container.settings, "outbox_retention_days", 90)
    assert RETENTION_JOB in {job.name for job in default_jobs(container)}
    assert delete_old_outbox_messages(container) == (
        "2 outbox messages delivered or given up over 90 days ago deleted")
    assert sorted(_ids_by_key(container)) == [
        "a-week-old", "pending-for-a-year", "two-months-old"]

    monkeypatch.setattr(container.settings, "outbox_retention_days", 30)
    assert delete_old_outbox_messages(container).startswith("1 outbox messages")
    assert sorted(_ids_by_key(container)) == ["a-week-old", "pending-for-a-year"]


def test_the_messages_of_a_response_with_an_open_case_stay_until_it_is_resolved(
    container: Container, acme: SeededWorkspace,
) -> None:
    ws = acme.workspace_id
    open_response, closed_response = acme.response_ids[0], acme.response_ids[1]
    opened = datetime(2026, 1, 5, 9, 0)
    with transaction(container.sessions) as session:
        session.execute(insert(OutboxMessageRow), [
            _message(ws, "open-case-ack", "sent", created=200 * DAY, sent=200 * DAY,
                     response_id=open_response),
            _message(ws, "closed-case-ack", "sent", created=200 * DAY, sent=200 * DAY,
                     response_id=closed_response),
        ])
        cases = {status: CaseRow(
            workspace_id=ws, response_id=response_id, customer_id=acme.customer_ids[0],
            rule="detractor", title="Detractor", priority=2, status=status,
            opened_at=opened, first_response_due_at=opened, resolution_due_at=opened)
            for status, response_id in (("in_progress", open_response),
                                        ("loop_closed", closed_response))}
        session.add_all(cases.values())
        session.flush()
        open_case_id = cases["in_progress"].id

    assert delete_messages_finished_before(container, utcnow() - 90 * DAY) == 1
    assert sorted(_ids_by_key(container)) == ["open-case-ack"]

    with transaction(container.sessions) as session:
        session.get_one(CaseRow, open_case_id).status = "resolved"
    assert delete_messages_finished_before(container, utcnow() - 90 * DAY) == 1
    assert _ids_by_key(container) == {}


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container=container), follow_redirects=False) as test_client:
        yield test_client


def test_a_response_whose_acknowledgements_were_deleted_lists_none(
    container: Container, acme: SeededWorkspace, client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws, response_id = acme.workspace_id, acme.response_ids[0]
    with transaction(container.sessions) as session:
        session.execute(insert(OutboxMessageRow), [
            _message(ws, "ack", "sent", created=40 * DAY, sent=40 * DAY,
                     response_id=response_id)])
        opened = datetime(2026, 1, 5, 9, 0)
        case = CaseRow(workspace_id=ws, response_id=response_id,
                       customer_id=acme.customer_ids[0], rule="detractor", title="Detractor",
                       priority=2, status="resolved", opened_at=opened,
                       first_response_due_at=opened, resolution_due_at=opened)
        session.add(case)
        workspace = session.get_one(Workspace, ws)
        user = accounts.ensure_user(session, "mia@acme.test", "correct horse battery")
        accounts.grant_role(session, workspace, user, Role.MANAGER)
        session.flush()
        case_id = case.id
    browser = Browser(client)
    browser.log_in("mia@acme.test", "correct horse battery")
    api = f"/api/v1/responses/{response_id}"

    before = client.get(api, headers=acme.auth()).json()["acknowledgements"]
    assert [(ack["kind"], ack["status"]) for ack in before] == [("email", "sent")]
    assert text_of(browser.page(f"/cases/{case_id}").text, "acknowledgement-email")

    monkeypatch.setattr(container.settings, "outbox_retention_days", 30)
    assert delete_old_outbox_messages(container).startswith("1 outbox messages")

    after = client.get(api, headers=acme.auth())
    assert after.status_code == 200 and after.json()["acknowledgements"] == []
    page = browser.page(f"/cases/{case_id}").text
    assert 'id="acknowledgement-email"' not in page
