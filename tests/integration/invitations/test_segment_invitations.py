"""Inviting a rule or computed segment (SQLite and PostgreSQL): the contacts are the
segment's members at its last refresh, not the customers filed under a manual segment."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import segments
from kano.adapters.db.engine import transaction
from kano.adapters.db.invitations import InvitationPolicy, invite
from kano.adapters.db.orm import utcnow
from kano.adapters.db.survey_store import save_survey
from kano.domain.feedback.surveys import checked_definition
from tests.integration.api.seed import seed_workspace

SURVEY = "after-delivery"
DEFINITION: dict[str, Any] = {"questions": [
    {"key": "nps", "type": "nps", "required": True, "text": {"en": "Recommend us?"}}]}  # fmt: skip
SOUTH_PERSONS = {"all": [{"field": "region", "op": "eq", "value": "south"}]}


def test_a_rule_segment_invites_its_members_now(sessions: sessionmaker[Session]) -> None:
    acme = seed_workspace(sessions, "acme")  # odd customers are persons in the south
    globex = seed_workspace(sessions, "globex", customers=4)  # same external ids, same rule
    with transaction(sessions) as session:
        save_survey(session, acme.workspace_id, SURVEY, name="After delivery", touchpoint=None,
                    definition=checked_definition(DEFINITION), actor="test", user_id=None)
        for workspace_id in (acme.workspace_id, globex.workspace_id):
            segments.save_segment(session, workspace_id, {
                "key": "south", "name": "South", "source": "rule", "rule": SOUTH_PERSONS})
            segments.refresh_segments(session, workspace_id, utcnow())
        report = invite(session, acme.workspace_id, SURVEY,
                        lambda nonce, language: f"https://kano.example/s/{SURVEY}?t={nonce}",
                        InvitationPolicy(), segment="south", dry_run=True)  # fmt: skip
    # globex's C0001 and C0003 are in its own "south": a leak would list them twice
    assert sorted(c.external_id for c in report.invited) == ["C0001", "C0003", "C0005"]
