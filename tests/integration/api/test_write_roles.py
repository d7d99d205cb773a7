"""A write token acts with its user's role, as the web UI's forms do: a viewer's token
reads but changes nothing (cases, journeys, invitations), and only admins and owners (or
a token without a user) change the workspace's settings. Found in session 11: these
routes asked only for the ``write`` scope, so a viewer given a write token could change
what the web UI refuses them."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from tests.integration.api.problems import assert_problem
from tests.integration.api.strategy_support import seed_actors

SETTINGS = "/workspace/settings"


def test_only_admins_change_the_workspace_settings(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    change = {"survey_fatigue_days": 30}
    for who in ("vic", "mia", "ann", "out"):
        refused = api.patch(SETTINGS, json=change, headers=actors.auth(who))
        assert_problem(refused, 403)
    assert api.get(SETTINGS, headers=actors.auth("vic")).json()["survey_fatigue_days"] != 30
    for who in ("owner", "admin"):
        changed = api.patch(SETTINGS, json=change, headers=actors.auth(who))
        assert changed.status_code == 200 and changed.json()["survey_fatigue_days"] == 30


def test_a_viewers_write_token_creates_no_journey(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    journey = {"key": "smb", "name": "Small business", "kind": "b2c"}
    assert_problem(api.post("/journeys", json=journey, headers=actors.auth("vic")), 403)
    assert_problem(api.post("/journeys", json=journey, headers=actors.auth("out")), 403)
    listed = api.get("/journeys", headers=actors.auth("vic")).json()["items"]
    assert [j["key"] for j in listed] == []
    created = api.post("/journeys", json=journey, headers=actors.auth("mia"))
    assert created.status_code == 201, created.text
