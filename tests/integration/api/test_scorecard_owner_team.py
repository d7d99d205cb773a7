"""A scorecard of the cascade names the team that owns it: written and read by the team's
key, refused (422 naming ``owner_team``) for a team of another workspace, audited."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import AuditEntry, ScorecardRow, Team
from tests.integration.api.problems import assert_invalid_field
from tests.integration.api.strategy_support import ok, seed_actors


def _audit(sessions: sessionmaker[Session]) -> list[tuple[str, dict[str, object]]]:
    with sessions() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.entity == "scorecard")
                                  .order_by(AuditEntry.id))
        return [(entry.action, entry.detail or {}) for entry in entries]


def test_owner_team_is_written_changed_and_cleared_by_key(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    admin = actors.auth()
    with transaction(sessions) as session:
        session.add(Team(workspace_id=actors.workspace_id, key="service", name="Service"))
    ok(api.post("/scorecards", json={"key": "company", "name": "Company"}, headers=admin), 201)
    created = ok(api.post("/scorecards", json={
        "key": "delivery", "name": "Delivery", "level": "department", "parent": "company",
        "owner_team": "logistics"}, headers=admin), 201)
    assert created["owner_team"] == "logistics"
    assert ok(api.get("/scorecards/delivery", headers=actors.auth("reader"))) == created
    changed = ok(api.patch("/scorecards/delivery", json={"owner_team": "service"},
                           headers=admin))
    assert (changed["owner_team"], changed["name"], changed["parent"]) == (
        "service", "Delivery", "company")
    listed = ok(api.get("/scorecards", headers=admin))["items"]
    assert {card["key"]: card["owner_team"] for card in listed} == {
        "company": None, "delivery": "service"}
    cleared = ok(api.patch("/scorecards/delivery", json={"owner_team": None}, headers=admin))
    assert cleared["owner_team"] is None

    trail = _audit(sessions)
    assert [action for action, _ in trail] == ["create", "create", "update", "update"]
    assert trail[1][1]["owner_team"] == "logistics"
    with sessions() as session:
        ids = {key: id_ for key, id_ in session.execute(select(Team.key, Team.id))}
    assert trail[2][1]["owner_team_id"] == {"from": ids["logistics"], "to": ids["service"]}
    assert trail[3][1]["owner_team_id"] == {"from": ids["service"], "to": None}


def test_a_team_of_another_workspace_or_none_at_all_is_refused_naming_the_field(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    other = seed_actors(sessions, "globex")
    with transaction(sessions) as session:
        session.add(Team(workspace_id=other.workspace_id, key="globex-only", name="Globex"))
    admin = actors.auth()
    ok(api.post("/scorecards", json={"key": "company", "name": "Company"}, headers=admin), 201)

    for team in ("globex-only", "nobody"):
        assert_invalid_field(api.post("/scorecards", json={
            "key": "x", "name": "X", "owner_team": team}, headers=admin), "owner_team")
        assert_invalid_field(api.patch("/scorecards/company", json={"owner_team": team},
                                       headers=admin), "owner_team")

    with sessions() as session:
        cards = session.scalars(select(ScorecardRow).where(
            ScorecardRow.workspace_id == actors.workspace_id)).all()
    assert [(card.key, card.owner_team_id) for card in cards] == [("company", None)]
    assert [action for action, _ in _audit(sessions)] == ["create"]


def test_deleting_the_team_keeps_the_scorecard(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    admin = actors.auth()
    ok(api.post("/scorecards", json={"key": "company", "name": "Company",
                                     "owner_team": "logistics"}, headers=admin), 201)
    with transaction(sessions) as session:
        session.delete(session.scalars(select(Team).where(Team.key == "logistics")).one())
    assert ok(api.get("/scorecards/company", headers=admin))["owner_team"] is None
