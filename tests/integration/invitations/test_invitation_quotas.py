"""Invitations and survey quotas: a contact whose answer would meet a full quota (on every
channel or on e-mail) is not invited, and the report says "quota full"; quotas on other
channels, or not yet full, leave invitations alone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.engine import transaction
from kano.adapters.db.invitations import (
    InvitationPolicy,
    InviteReport,
    invite,
    queue_due_reminders,
)
from kano.adapters.db.orm import InvitationRow, OutboxMessageRow, SurveyQuotaRow
from kano.adapters.db.quotas import add_quota
from kano.adapters.db.survey_store import save_survey
from kano.domain.feedback.surveys import checked_definition
from tests.integration.api.seed import seed_workspace

SURVEY = "after-delivery"  # the seed's 3 e-mail responses come from C0000, C0002, C0004
DEFINITION: dict[str, Any] = {"questions": [
    {"key": "nps", "type": "nps", "required": True, "text": {"en": "Recommend us?"}}]}


def _invite(sessions: sessionmaker[Session], workspace_id: int, **quota: Any) -> InviteReport:
    with transaction(sessions) as session:
        save_survey(session, workspace_id, SURVEY, name="After delivery", touchpoint=None,
                    definition=checked_definition(DEFINITION), actor="test", user_id=None)
        add_quota(session, workspace_id, SURVEY, actor="test", **quota)
        return invite(session, workspace_id, SURVEY,
                      lambda nonce, language: f"https://kano.example/s/{SURVEY}?t={nonce}",
                      InvitationPolicy())


def _invitations(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(InvitationRow)) or 0)


def test_a_full_overall_quota_skips_every_contact(sessions: sessionmaker[Session]) -> None:
    acme = seed_workspace(sessions, "acme")
    report = _invite(sessions, acme.workspace_id, name="All", limit=3)
    assert report.invited == []
    assert sorted((s.contact, s.reason) for s in report.skipped) == [
        (f"C{i:04d}", "quota full") for i in range(6)]
    assert report.as_dict()["skips"][0]["reason"] == "quota full"
    assert _invitations(sessions) == 0


def test_a_full_segment_quota_skips_only_that_segments_contacts(
    sessions: sessionmaker[Session]
) -> None:
    acme = seed_workspace(sessions, "acme")
    report = _invite(sessions, acme.workspace_id, name="SMB by e-mail", limit=1,
                     segment="smb", channel="email")
    assert sorted(s.contact for s in report.skipped if s.reason == "quota full") == [
        "C0001", "C0004"]
    assert sorted(c.external_id for c in report.invited) == ["C0000", "C0002", "C0003", "C0005"]
    assert _invitations(sessions) == 4


def test_quotas_on_other_channels_or_with_room_do_not_stop_invitations(
    sessions: sessionmaker[Session]
) -> None:
    acme = seed_workspace(sessions, "acme")
    with transaction(sessions) as session:
        links = add_quota(session, acme.workspace_id, SURVEY, name="Links", limit=1,
                          channel="link", actor="test")
        session.execute(update(SurveyQuotaRow).where(SurveyQuotaRow.id == links.id)
                        .values(filled=1))  # full: one link answer came in
    report = _invite(sessions, acme.workspace_id, name="All", limit=4)  # 3 of 4
    assert len(report.invited) == 6 and report.skipped == []


def test_no_reminder_while_the_answer_would_meet_a_full_quota(
    sessions: sessionmaker[Session],
) -> None:
    """The link would show the quota-full page: the reminder waits (it is not used up) and
    goes once the quota has room; a full quota on another channel or language does not
    hold it back."""
    acme = seed_workspace(sessions, "acme")
    with transaction(sessions) as session:
        save_survey(session, acme.workspace_id, SURVEY, name="After delivery", touchpoint=None,
                    definition=checked_definition(DEFINITION), actor="test", user_id=None)
        invite(session, acme.workspace_id, SURVEY,
               lambda nonce, language: f"https://kano.example/s/{SURVEY}?t={nonce}",
               InvitationPolicy())
        session.execute(update(OutboxMessageRow).values(status="sent"))  # first e-mails out
        for invitation in session.scalars(select(InvitationRow)):
            invitation.invited_at -= timedelta(days=4)
        for name, condition in [("widget", {"channel": "widget"}), ("hu", {"language": "hu"}),
                                ("en by e-mail", {"channel": "email", "language": "en"})]:
            add_quota(session, acme.workspace_id, SURVEY, name=name, limit=1, actor="test",
                      **condition)
        session.execute(update(SurveyQuotaRow).values(filled=1))  # all three full

    def reminders() -> int:
        with transaction(sessions) as session:
            return queue_due_reminders(session, lambda workspace_id, key: (
                lambda nonce, language: f"https://kano.example/s/{key}?t={nonce}"),
                InvitationPolicy())

    assert _invitations(sessions) == 6
    assert reminders() == 0, "the seed's contacts answer in English, by e-mail"
    with transaction(sessions) as session:
        session.execute(update(SurveyQuotaRow).where(SurveyQuotaRow.name == "en by e-mail")
                        .values(response_limit=10))
    assert reminders() == 6
    assert reminders() == 0
