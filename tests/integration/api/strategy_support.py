"""People, tokens and a small strategy for the strategy API tests.

Every role the rules distinguish gets a ``write`` token of its own: a token without a
user (acts as admin), the workspace owner, two managers (Mia and Max), an analyst, a
viewer, and a user who is not a member. Users are created directly with a placeholder
hash (they never log in here), which keeps each test fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Employee, Membership, Team, User
from kano.domain.workspaces import Role, Scope

MIA = "mia@acme.example"
MAX = "max@acme.example"
PEOPLE = {
    "owner": ("olga@acme.example", Role.OWNER),
    "mia": (MIA, Role.MANAGER),
    "max": (MAX, Role.MANAGER),
    "ann": ("ann@acme.example", Role.ANALYST),
    "vic": ("vic@acme.example", Role.VIEWER),
    "out": ("out@acme.example", None),
}


@dataclass
class Actors:
    """A workspace and a token per actor: ``admin`` (no user, write), ``reader`` (no user,
    read) and one write token for each of ``PEOPLE``."""

    slug: str
    workspace_id: int
    tokens: dict[str, str] = field(default_factory=dict)

    def auth(self, who: str = "admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def seed_actors(sessions: sessionmaker[Session], slug: str = "acme") -> Actors:
    """The workspace, its people and tokens, a team ``logistics`` and employee ``E-1``."""
    with transaction(sessions) as session:
        workspace = accounts.ensure_workspace(session, slug)
        actors = Actors(slug, workspace.id)
        actors.tokens["admin"] = accounts.create_api_token(
            session, workspace, Scope.WRITE, "integration"
        ).token
        actors.tokens["reader"] = accounts.create_api_token(
            session, workspace, Scope.READ, "dashboard"
        ).token
        for name, (email, role) in PEOPLE.items():
            user = session.scalar(select(User).where(User.email == email))
            if user is None:
                user = User(email=email, name=name.title(), password_hash="-")
                session.add(user)
                session.flush()
            if role is not None:
                session.add(Membership(workspace_id=workspace.id, user_id=user.id, role=role))
            actors.tokens[name] = accounts.create_api_token(
                session, workspace, Scope.WRITE, name, user=user
            ).token
        session.add(Team(workspace_id=workspace.id, key="logistics", name="Logistics"))
        session.add(Employee(workspace_id=workspace.id, external_id="E-1", name="Eva Employee"))
    return actors


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return None if status == 204 else response.json()


def build_strategy(api: TestClient, actors: Actors) -> None:
    """A company scorecard with two perspectives, Mia's and Max's objectives, a measure
    of Mia's, a cycle with an OKR objective each, and a key result of Mia's."""
    admin = actors.auth()
    ok(api.post("/scorecards", json={"key": "company", "name": "Company"}, headers=admin), 201)
    for key, name in (("customer", "Customer"), ("process", "Internal processes")):
        ok(api.post("/scorecards/company/perspectives", json={"key": key, "name": name},
                    headers=admin), 201)
    for key, owner, perspective in (("happy-customers", MIA, "customer"),
                                    ("fast-delivery", MAX, "process")):
        body = {"key": key, "scorecard": "company", "perspective": perspective,
                "title": key.replace("-", " ").capitalize(), "owner": owner}
        ok(api.post("/objectives", json=body, headers=admin), 201)
    ok(api.post("/measures", json=nps_measure("nps", "happy-customers"), headers=admin), 201)
    ok(api.post("/okr/cycles", json={"key": "q4", "name": "Q4 2026", "starts_on": "2026-10-01",
                                     "ends_on": "2026-12-31"}, headers=admin), 201)
    for key, owner in (("mia-okr", MIA), ("max-okr", MAX)):
        ok(api.post("/okr/objectives", json={"key": key, "cycle": "q4", "title": key,
                                             "owner": owner, "level": "person"},
                    headers=admin), 201)
    ok(api.post("/okr/key-results", json=nps_key_result("mia-nps", "mia-okr"), headers=admin),
       201)


def nps_measure(key: str, objective: str) -> dict[str, Any]:
    return {"key": key, "objective": objective, "name": "Net Promoter Score", "unit": "points",
            "direction": "higher", "baseline": 31, "amber_from": 30, "green_from": 36,
            "target": 40, "kind": "say", "metric": {"id": "nps", "slice": {"segment": "smb"}}}


def nps_key_result(key: str, objective: str) -> dict[str, Any]:
    return {"key": key, "objective": objective, "title": "NPS from 30 to 40", "kind": "metric",
            "start": 30, "target": 40}


STRATEGY_OPERATIONS = {
    ("/scorecards", "get"), ("/scorecards", "post"),
    *{("/scorecards/{scorecard_key}", m) for m in ("get", "patch", "delete")},
    ("/scorecards/{scorecard_key}/perspectives", "get"),
    ("/scorecards/{scorecard_key}/perspectives", "post"),
    *{("/scorecards/{scorecard_key}/perspectives/{perspective_key}", m)
      for m in ("get", "patch", "delete")},
    ("/objectives", "get"), ("/objectives", "post"),
    *{("/objectives/{objective_key}", m) for m in ("get", "patch", "delete")},
    ("/links", "get"), ("/links", "post"),
    *{("/links/{link_id}", m) for m in ("get", "patch", "delete")},
    ("/measures", "get"), ("/measures", "post"),
    *{("/measures/{measure_key}", m) for m in ("get", "patch", "delete")},
    ("/measures/{measure_key}/values", "get"), ("/measures/{measure_key}/values", "post"),
    *{("/measures/{measure_key}/values/{period}", m) for m in ("get", "patch", "delete")},
    ("/initiatives", "get"), ("/initiatives", "post"),
    *{("/initiatives/{initiative_key}", m) for m in ("get", "patch", "delete")},
    ("/okr/cycles", "get"), ("/okr/cycles", "post"),
    *{("/okr/cycles/{cycle_key}", m) for m in ("get", "patch", "delete")},
    ("/okr/cycles/{cycle_key}/close", "post"),
    ("/okr/objectives", "get"), ("/okr/objectives", "post"),
    *{("/okr/objectives/{objective_key}", m) for m in ("get", "patch", "delete")},
    ("/okr/key-results", "get"), ("/okr/key-results", "post"),
    *{("/okr/key-results/{kr_key}", m) for m in ("get", "patch", "delete")},
    ("/okr/key-results/{kr_key}/check-ins", "get"),
    ("/okr/key-results/{kr_key}/check-ins", "post"),
    *{("/okr/key-results/{kr_key}/check-ins/{check_in_id}", m)
      for m in ("get", "patch", "delete")},
    ("/okr/key-results/{kr_key}/check-ins/{check_in_id}/history", "get"),
    ("/mbo/sheets", "get"), ("/mbo/sheets", "post"),
    *{("/mbo/sheets/{sheet_key}", m) for m in ("get", "patch", "delete")},
    *{("/mbo/sheets/{sheet_key}/objectives", m) for m in ("get", "post", "put")},
    *{("/mbo/sheets/{sheet_key}/objectives/{objective_key}", m)
      for m in ("get", "patch", "delete")},
}
"""Every operation of the strategy API (``test_openapi`` expects exactly these and more)."""
