"""A strategy file and the API write the scorecard side through the same stores: the same
objective, measure and link sent both ways give the same rows and the same audit entries
(action, values, who), down to the trimming of texts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.orm import AuditEntry, User
from kano.adapters.strategy_code import import_strategy
from tests.integration.api.strategy_support import MIA, PEOPLE, ok, seed_actors

OWNER = PEOPLE["owner"][0]

SKELETON = """\
format: kano-strategy/1
scorecards:
  - key: company
    name: Company
    perspectives:
      - key: financial
        name: Financial
      - key: customer
        name: Customer
"""

WITH_OBJECTIVES = """\
format: kano-strategy/1
scorecards:
  - key: company
    name: Company
    perspectives:
      - key: financial
        name: Financial
        objectives:
          - key: grow
            title: Grow
      - key: customer
        name: Customer
        objectives:
          - key: delight
            title: "  Delighted customers  "
            description: "Customers who would come back. "
            customer_voice: I get what I ordered
            owner: mia@acme.example
            owner_team: logistics
            measures:
              - key: nps
                name: " Net promoter score"
                direction: higher
                amber_from: 20
                green_from: 30
                target: 40
                weight: 2
                values:
                  - period: 2026-01-01
                    actual: 31.5
    links:
      - cause: delight
        effect: grow
        hypothesis: Happy customers buy more.
        lag_months: 3
"""


def _import(sessions: sessionmaker[Session], text: str, slug: str) -> None:
    import_strategy(sessions, text, source="strategy.yaml", workspace=slug, as_user=OWNER)


def _through_the_api(api: TestClient, auth: dict[str, str]) -> None:
    ok(api.post("/objectives", headers=auth, json={
        "scorecard": "company", "perspective": "financial", "key": "grow", "title": "Grow",
    }), 201)
    ok(api.post("/objectives", headers=auth, json={
        "scorecard": "company", "perspective": "customer", "key": "delight",
        "title": "  Delighted customers  ", "description": "Customers who would come back. ",
        "customer_voice": "I get what I ordered", "owner": MIA, "owner_team": "logistics",
    }), 201)
    ok(api.post("/measures", headers=auth, json={
        "objective": "delight", "key": "nps", "name": " Net promoter score",
        "direction": "higher", "amber_from": 20, "green_from": 30, "target": 40, "weight": 2,
    }), 201)
    ok(api.post("/measures/nps/values", headers=auth, json={
        "period": "2026-01-01", "actual": 31.5}), 201)
    ok(api.post("/links", headers=auth, json={
        "scorecard": "company", "cause": "delight", "effect": "grow",
        "hypothesis": "Happy customers buy more.", "lag_months": 3,
    }), 201)


def _audit(sessions: sessionmaker[Session], workspace_id: int,
           after: int) -> list[tuple[Any, ...]]:
    """The workspace's audit entries after id ``after``: what a reader of the log sees."""
    with sessions() as session:
        rows = session.scalars(select(AuditEntry).where(
            AuditEntry.workspace_id == workspace_id, AuditEntry.id > after,
            AuditEntry.entity != "strategy",  # the import's own summary entry
        ).order_by(AuditEntry.id))
        return [(row.actor, row.user_id, row.action, row.entity, row.detail) for row in rows]


def _last_audit_id(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) or 0


def test_the_file_and_the_api_write_the_same_rows_and_audit_entries(
    api: TestClient, sessions: sessionmaker[Session],
) -> None:
    by_api, by_file = seed_actors(sessions, "acme"), seed_actors(sessions, "globex")
    for slug in ("acme", "globex"):
        _import(sessions, SKELETON, slug)
    start = _last_audit_id(sessions)

    _through_the_api(api, by_api.auth("owner"))
    _import(sessions, WITH_OBJECTIVES, "globex")

    api_entries = _audit(sessions, by_api.workspace_id, start)
    file_entries = _audit(sessions, by_file.workspace_id, start)
    assert [entry[2:4] for entry in api_entries] == [
        ("create", "objective"), ("create", "objective"), ("create", "measure"),
        ("create", "measure_value"), ("create", "cause_effect_link"),
    ]
    assert file_entries == api_entries
    with sessions() as session:
        owner_id = session.scalar(select(User.id).where(User.email == OWNER))
    assert {entry[:2] for entry in file_entries} == {(OWNER, owner_id)}
    delight = api_entries[1][4]
    assert delight["title"] == "Delighted customers"  # trimmed both ways
    assert delight["description"] == "Customers who would come back."
    assert api_entries[2][4]["name"] == "Net promoter score"

    # The rows as the API reads them back: equal but for their ids.
    def read(auth: dict[str, str]) -> list[Any]:
        found = []
        for path in ("/objectives", "/measures", "/links", "/measures/nps/values"):
            items = ok(api.get(path, headers=auth))["items"]
            found.append([{k: v for k, v in item.items() if k != "id"} for item in items])
        return found

    assert read(by_file.auth()) == read(by_api.auth())


def test_a_change_through_the_file_is_audited_as_the_api_audits_it(
    api: TestClient, sessions: sessionmaker[Session],
) -> None:
    by_api, by_file = seed_actors(sessions, "acme"), seed_actors(sessions, "globex")
    for slug in ("acme", "globex"):
        _import(sessions, WITH_OBJECTIVES, slug)
    start = _last_audit_id(sessions)

    ok(api.patch("/objectives/delight", headers=by_api.auth("owner"), json={
        "title": "Customers who stay ", "owner": None}))
    changed = WITH_OBJECTIVES.replace('"  Delighted customers  "', "Customers who stay ").replace(
        "            owner: mia@acme.example\n", "")
    _import(sessions, changed, "globex")

    api_entries = _audit(sessions, by_api.workspace_id, start)
    file_entries = _audit(sessions, by_file.workspace_id, start)
    assert len(api_entries) == 1 and api_entries[0][2:4] == ("update", "objective")
    detail = api_entries[0][4]
    assert detail["title"] == {"from": "Delighted customers", "to": "Customers who stay"}
    assert detail["owner_user_id"]["to"] is None
    assert file_entries == api_entries

    # Importing the same file again writes nothing at all.
    again = _last_audit_id(sessions)
    _import(sessions, changed, "globex")
    assert _last_audit_id(sessions) == again


def test_links_a_file_leaves_out_are_deleted_and_audited_as_the_api_deletes_them(
    api: TestClient, sessions: sessionmaker[Session],
) -> None:
    two_links = WITH_OBJECTIVES + (
        "      - cause: grow\n        effect: delight\n        hypothesis: Margin pays for care.\n"
    )
    by_api, by_file = seed_actors(sessions, "acme"), seed_actors(sessions, "globex")
    for slug in ("acme", "globex"):
        _import(sessions, two_links, slug)
    start = _last_audit_id(sessions)

    links = ok(api.get("/links", headers=by_api.auth("owner")))["items"]
    for link in sorted(links, key=lambda link: (link["cause"], link["effect"])):
        ok(api.delete(f"/links/{link['id']}", headers=by_api.auth("owner")), 204)
    _import(sessions, WITH_OBJECTIVES.split("    links:\n")[0], "globex")

    api_entries = _audit(sessions, by_api.workspace_id, start)
    file_entries = _audit(sessions, by_file.workspace_id, start)
    assert [entry[2:4] for entry in api_entries] == [("delete", "cause_effect_link")] * 2
    assert [(entry[4]["cause"], entry[4]["effect"]) for entry in api_entries] == [
        ("delight", "grow"), ("grow", "delight")]
    assert api_entries[1][4]["hypothesis"] == "Margin pays for care."
    assert file_entries == api_entries
    assert ok(api.get("/links", headers=by_file.auth("owner")))["items"] == []
