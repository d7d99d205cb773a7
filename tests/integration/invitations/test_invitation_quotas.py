"""Invitations and survey quotas: a contact whose answer would meet a full quota (on every
channel or on e-mail) is not invited, and the report says "quota full"; quotas on other
channels, or not yet full, leave invitations alone."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.engine import transaction
from kano.adapters.db.invitations import InvitationPolicy, InviteReport, invite
from kano.adapters.db.orm import InvitationRow, SurveyQuotaRow
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
