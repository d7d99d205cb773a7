"""Each workspace's own survey fatigue window and reminder delay (SPEC §2.4): two
workspaces with different windows invite the same-aged contacts differently, the reminder
job follows each workspace's delay, and the settings round-trip through the API and the
CLI (NULL: the server default)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient
from typer.testing import CliRunner

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import AuditEntry, InvitationRow, OutboxMessageRow, Survey
from kano.adapters.db.survey_store import save_survey
from kano.adapters.jobs.invitations import remind_unanswered_invitations
from kano.app import create_app
from kano.bootstrap import Container
from kano.config import Settings, get_settings
from kano.domain.feedback.surveys import checked_definition
from kano.domain.workspaces import Scope
from tests.integration.api.seed import SeededWorkspace, seed_workspace

DEFINITION: dict[str, Any] = {"questions": [
    {"key": "nps", "type": "nps", "required": True, "text": {"en": "Recommend us?"}}]}


def _seed(sessions: sessionmaker[Session], slug: str) -> SeededWorkspace:
    seeded = seed_workspace(sessions, slug)
    with transaction(sessions) as session:
        session.add(Survey(workspace_id=seeded.workspace_id, key="relationship-nps",
                           name="Relationship NPS"))
        session.flush()
        for key in ("after-delivery", "relationship-nps"):
            save_survey(session, seeded.workspace_id, key, name=key, touchpoint=None,
                        definition=checked_definition(DEFINITION), actor="test", user_id=None)
    return seeded


@pytest.fixture
def acme(sessions: sessionmaker[Session]) -> SeededWorkspace:
    return _seed(sessions, "acme")


@pytest.fixture
def globex(sessions: sessionmaker[Session]) -> SeededWorkspace:
    return _seed(sessions, "globex")


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    app: FastAPI = create_app(container=container)
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def _change(client: TestClient, ws: SeededWorkspace, **body: Any) -> dict[str, Any]:
    changed = client.patch("/api/v1/workspace/settings", json=body,
                           headers=ws.auth(Scope.WRITE))
    assert changed.status_code == 200, changed.text
    result: dict[str, Any] = changed.json()
    return result


def _invite(client: TestClient, ws: SeededWorkspace, survey: str,
            customers: list[str]) -> dict[str, Any]:
    sent = client.post("/api/v1/invitations", json={"survey": survey, "customers": customers},
                       headers=ws.auth(Scope.WRITE))
    assert sent.status_code == 201, sent.text
    result: dict[str, Any] = sent.json()
    return result


def _days_pass(sessions: sessionmaker[Session], days: int) -> None:
    with transaction(sessions) as session:
        for invitation in session.scalars(select(InvitationRow)):
            invitation.invited_at -= timedelta(days=days)


def test_two_workspaces_with_different_fatigue_windows_invite_alike_contacts_differently(
    client: TestClient, acme: SeededWorkspace, globex: SeededWorkspace,
    sessions: sessionmaker[Session],
) -> None:
    _change(client, acme, survey_fatigue_days=7)  # globex keeps the server's 30 days
    for ws in (acme, globex):
        assert _invite(client, ws, "after-delivery", ["C0001"])["invited"] == 1
    _days_pass(sessions, 10)

    again = {ws.slug: _invite(client, ws, "relationship-nps", ["C0001"])
             for ws in (acme, globex)}
    assert again["acme"]["invited"] == 1 and again["acme"]["skipped"] == 0
    assert again["globex"]["invited"] == 0
    assert "within the 30-day fatigue window" in again["globex"]["skips"][0]["reason"]
    # Asked again at once, acme's contact is inside its own 7-day window.
    third = _invite(client, acme, "after-delivery", ["C0001"])
    assert "within the 7-day fatigue window" in third["skips"][0]["reason"]


def test_the_reminder_job_follows_each_workspace_reminder_delay(
    client: TestClient, container: Container, acme: SeededWorkspace, globex: SeededWorkspace,
    sessions: sessionmaker[Session],
) -> None:
    _change(client, acme, survey_reminder_days=5)  # globex keeps the server's 3 days
    for ws in (acme, globex):
        _invite(client, ws, "after-delivery", ["C0001"])
    with transaction(sessions) as session:  # the first e-mails went out
        session.execute(update(OutboxMessageRow).values(status="sent"))

    def reminded() -> set[int]:
        with sessions() as session:
            return set(session.scalars(select(InvitationRow.workspace_id)
                                       .where(InvitationRow.reminded_at.is_not(None))))

    _days_pass(sessions, 4)
    assert remind_unanswered_invitations(container) == "1 invitation reminders queued"
    assert reminded() == {globex.workspace_id}
    _days_pass(sessions, 1)  # five days: acme's turn
    assert remind_unanswered_invitations(container) == "1 invitation reminders queued"
    assert reminded() == {globex.workspace_id, acme.workspace_id}
    assert remind_unanswered_invitations(container) == "0 invitation reminders queued"


def test_settings_round_trip_through_the_api_and_are_audited(
    client: TestClient, acme: SeededWorkspace, globex: SeededWorkspace,
    sessions: sessionmaker[Session],
) -> None:
    fresh = client.get("/api/v1/workspace/settings", headers=acme.auth())
    assert fresh.status_code == 200, fresh.text
    assert fresh.json() == {
        "survey_fatigue_days": None, "survey_reminder_days": None,
        "defaults": {"survey_fatigue_days": 30, "survey_reminder_days": 3},
        "effective": {"survey_fatigue_days": 30, "survey_reminder_days": 3},
        "currency": "EUR"}

    changed = _change(client, acme, survey_fatigue_days=0, survey_reminder_days=10)
    assert changed["effective"] == {"survey_fatigue_days": 0, "survey_reminder_days": 10}
    # A field left out stays; null returns one to the server default.
    changed = _change(client, acme, survey_reminder_days=None)
    assert (changed["survey_fatigue_days"], changed["survey_reminder_days"]) == (0, None)
    assert changed["effective"] == {"survey_fatigue_days": 0, "survey_reminder_days": 3}
    assert client.get("/api/v1/workspace/settings", headers=acme.auth()).json() == changed
    # The other workspace is untouched.
    other = client.get("/api/v1/workspace/settings", headers=globex.auth()).json()
    assert other["survey_fatigue_days"] is None

    with sessions() as session:
        details = session.scalars(select(AuditEntry.detail).where(
            AuditEntry.entity == "feedback_settings",
            AuditEntry.workspace_id == acme.workspace_id).order_by(AuditEntry.id)).all()
    assert [d["after"] for d in details] == [
        {"survey_fatigue_days": 0, "survey_reminder_days": 10},
        {"survey_fatigue_days": 0, "survey_reminder_days": None}]


@pytest.mark.parametrize(("body", "field"), [
    ({"survey_fatigue_days": -1}, "survey_fatigue_days"),
    ({"survey_fatigue_days": 3651}, "survey_fatigue_days"),
    ({"survey_fatigue_days": 10**30}, "survey_fatigue_days"),
    ({"survey_fatigue_days": "14"}, "survey_fatigue_days"),
    ({"survey_reminder_days": 0}, "survey_reminder_days"),
    ({"survey_reminder_days": 366}, "survey_reminder_days"),
    ({"survey_reminder_days": 2.5}, "survey_reminder_days"),
    ({"survey_reminder_days": True}, "survey_reminder_days"),
    ({"survey_fatique_days": 3}, "survey_fatique_days"),
])
def test_absurd_settings_are_refused_naming_the_field(
    client: TestClient, acme: SeededWorkspace, body: dict[str, Any], field: str,
) -> None:
    refused = client.patch("/api/v1/workspace/settings", json=body,
                           headers=acme.auth(Scope.WRITE))
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in refused.json()["errors"]] == [field]
    settings = client.get("/api/v1/workspace/settings", headers=acme.auth()).json()
    assert settings["survey_fatigue_days"] is None and settings["survey_reminder_days"] is None


def test_a_read_token_cannot_change_the_settings(
    client: TestClient, acme: SeededWorkspace,
) -> None:
    refused = client.patch("/api/v1/workspace/settings", json={"survey_fatigue_days": 1},
                           headers=acme.auth())
    assert refused.status_code == 403
    assert client.get("/api/v1/workspace/settings",
                      headers=acme.auth()).json()["survey_fatigue_days"] is None


def test_cli_shows_and_changes_the_settings(
    settings: Settings, acme: SeededWorkspace, globex: SeededWorkspace, client: TestClient,
) -> None:
    from kano.adapters.cli.main import app

    env = {"KANO_DATABASE_URL": settings.database_url, "KANO_SECRET_KEY": settings.secret_key,
           "COLUMNS": "200"}
    get_settings.cache_clear()
    try:
        def run(*args: str) -> Any:
            return CliRunner().invoke(app, ["feedback", "settings", "--workspace", "acme",
                                            *args], env=env)

        shown = run()
        assert shown.exit_code == 0, shown.output
        assert "fatigue days" in shown.output and "30" in shown.output
        changed = run("--fatigue-days", "45", "--reminder-days", "default")
        assert changed.exit_code == 0, changed.output
        bad = run("--reminder-days", "400")
        assert bad.exit_code == 2 and "survey_reminder_days" in bad.output
        words = run("--fatigue-days", "soon")
        assert words.exit_code == 2 and "survey_fatigue_days" in words.output
    finally:
        get_settings.cache_clear()
    found = client.get("/api/v1/workspace/settings", headers=acme.auth()).json()
    assert found["effective"] == {"survey_fatigue_days": 45, "survey_reminder_days": 3}
