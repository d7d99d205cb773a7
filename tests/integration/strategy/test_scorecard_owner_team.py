"""A scorecard's owner team in strategy as code: named by the team's key, stored through
the scorecard store (audited), exported back, refused with its line and path when the
workspace has no such team."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import AuditEntry, ScorecardRow, Team
from kano.adapters.strategy_code import StrategyFileInvalid
from kano.adapters.strategy_code import entries as e
from tests.integration.strategy.seed import seed_people
from tests.integration.strategy.support import example_text, export_text, import_text

SERVICE_CARD = "    level: department\n    parent: company\n"


def _owned_by(team: str) -> str:
    """The example, with its customer-service scorecard owned by ``team``."""
    text = example_text()
    assert text.count(SERVICE_CARD) == 1
    return text.replace(SERVICE_CARD, f"{SERVICE_CARD}    owner_team: {team}\n")


def _owners(sessions: sessionmaker[Session]) -> dict[str, str | None]:
    with sessions() as session:
        rows = session.execute(
            select(ScorecardRow.key, Team.key)
            .outerjoin(Team, Team.id == ScorecardRow.owner_team_id)
        )
        return {card: team for card, team in rows}


def test_owner_team_is_stored_exported_and_round_trips(sessions: sessionmaker[Session]) -> None:
    seed_people(sessions)
    import_text(sessions, _owned_by("customer-service"))
    assert _owners(sessions) == {"company": None, "service": "customer-service"}
    first = export_text(sessions)
    assert f"{SERVICE_CARD}    owner_team: customer-service\n" in first
    assert first.count("\n    owner_team:") == 1  # the company scorecard has none
    assert not import_text(sessions, first).changed
    assert export_text(sessions) == first


def test_a_changed_team_is_counted_and_audited(sessions: sessionmaker[Session]) -> None:
    seed_people(sessions)
    import_text(sessions, _owned_by("customer-service"))
    dry = import_text(sessions, _owned_by("sales"), dry_run=True)
    assert dry.summary.table() == [(e.SCORECARD, 0, 1, 0)]
    assert _owners(sessions)["service"] == "customer-service"
    assert import_text(sessions, _owned_by("sales")).summary == dry.summary
    assert _owners(sessions)["service"] == "sales"
    import_text(sessions, example_text())  # left out: no team
    assert _owners(sessions)["service"] is None
    with sessions() as session:
        updates = [entry.detail for entry in session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "scorecard", AuditEntry.action == "update")
            .order_by(AuditEntry.id))]
        teams = {key: id_ for key, id_ in session.execute(select(Team.key, Team.id))}
    assert [(u or {}).get("owner_team_id") for u in updates] == [
        {"from": teams["customer-service"], "to": teams["sales"]},
        {"from": teams["sales"], "to": None},
    ]


@pytest.mark.parametrize("team", ["support-elsewhere", "no-such-team"])
def test_a_team_the_workspace_lacks_is_refused_with_its_line_and_path(
    sessions: sessionmaker[Session], team: str
) -> None:
    seed_people(sessions)
    seed_people(sessions, "globex", users=(), teams=("support-elsewhere",), employees=())
    text = _owned_by(team)
    line = text.splitlines().index(f"    owner_team: {team}") + 1
    with pytest.raises(StrategyFileInvalid) as raised:
        import_text(sessions, text)
    (error,) = raised.value.errors
    assert (error.line, error.path, error.message) == (
        line, "scorecards[1].owner_team", f"no team with key '{team}' in this workspace")
    assert "service" not in _owners(sessions)
