"""Scorecards, perspectives, objectives, links and initiatives: create, read, update,
list, delete — each change audited, each response in the shape it was written."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.orm import AuditEntry
from tests.integration.api.problems import assert_invalid_field, assert_problem
from tests.integration.api.strategy_support import MAX, MIA, build_strategy, ok, seed_actors


def audit_trail(sessions: sessionmaker[Session], entity: str) -> list[tuple[str, dict[str, Any]]]:
    with sessions() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
        )
        return [(entry.action, entry.detail or {}) for entry in entries]


def test_scorecard_round_trip_with_cascade_parent(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    admin = actors.auth()
    company = ok(api.post("/scorecards", json={"key": "company", "name": "Company"},
                          headers=admin), 201)
    assert company == {"id": company["id"], "key": "company", "name": "Company",
                       "level": "company", "parent": None, "owner_team": None}
    service = ok(api.post("/scorecards", json={"key": "service", "name": "Service",
                                               "level": "department", "parent": "company"},
                          headers=admin), 201)
    assert service["parent"] == "company"
    assert ok(api.get("/scorecards/service", headers=actors.auth("reader"))) == service
    changed = ok(api.patch("/scorecards/service", json={"name": "Customer service"},
                           headers=admin))
    assert (changed["name"], changed["level"], changed["parent"]) == (
        "Customer service", "department", "company")
    listed = ok(api.get("/scorecards", params={"level": "department"}, headers=admin))
    assert [card["key"] for card in listed["items"]] == ["service"]
    ok(api.delete("/scorecards/service", headers=admin), 204)
    assert_problem(api.get("/scorecards/service", headers=admin), 404)
    assert [action for action, _ in audit_trail(sessions, "scorecard")] == [
        "create", "create", "update", "delete"]
    _, update = audit_trail(sessions, "scorecard")[2]
    assert update["name"] == {"from": "Service", "to": "Customer service"}


def test_a_scorecard_cannot_become_its_own_ancestor(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    admin = actors.auth()
    ok(api.post("/scorecards", json={"key": "a", "name": "A"}, headers=admin), 201)
    ok(api.post("/scorecards", json={"key": "b", "name": "B", "parent": "a"}, headers=admin), 201)
    assert_invalid_field(api.patch("/scorecards/a", json={"parent": "b"}, headers=admin), "parent")
    assert_invalid_field(api.post("/scorecards", json={"key": "c", "name": "C", "parent": "zz"},
                                  headers=admin), "parent")


def test_perspectives_are_renamed_and_reordered(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    admin = actors.auth()
    listed = ok(api.get("/scorecards/company/perspectives", headers=admin))["items"]
    assert [(p["key"], p["position"]) for p in listed] == [("customer", 0), ("process", 1)]
    ok(api.patch("/scorecards/company/perspectives/process",
                 json={"name": "How we work", "position": 0}, headers=admin))
    one = ok(api.get("/scorecards/company/perspectives/process", headers=admin))
    assert (one["name"], one["position"], one["scorecard"]) == ("How we work", 0, "company")
    ok(api.delete("/scorecards/company/perspectives/process", headers=admin), 204)
    assert_problem(api.get("/objectives/fast-delivery", headers=admin), 404)  # cascaded


def test_objective_round_trip(api: TestClient, sessions: sessionmaker[Session]) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    admin = actors.auth()
    body = {"key": "easy", "scorecard": "company", "perspective": "customer",
            "title": "Be easy to work with", "customer_voice": "Acme makes my job easier",
            "description": "Little effort,\nmany orders.", "owner": MIA.upper(),
            "owner_team": "logistics"}
    created = ok(api.post("/objectives", json=body, headers=admin), 201)
    assert created == {**body, "id": created["id"], "owner": MIA, "aligned_to": None,
                       "position": 1}
    assert ok(api.get("/objectives/easy", headers=admin)) == created
    changed = ok(api.patch("/objectives/easy", json={"perspective": "process", "owner": MAX,
                                                     "customer_voice": None}, headers=admin))
    assert (changed["perspective"], changed["owner"], changed["customer_voice"]) == (
        "process", MAX, None)
    assert changed["title"] == "Be easy to work with"
    in_process = ok(api.get("/objectives", params={"perspective": "process"}, headers=admin))
    assert {o["key"] for o in in_process["items"]} == {"fast-delivery", "easy"}
    of_max = ok(api.get("/objectives", params={"owner": MAX}, headers=admin))
    assert {o["key"] for o in of_max["items"]} == {"fast-delivery", "easy"}
    ok(api.delete("/objectives/easy", headers=admin), 204)
    assert_problem(api.get("/objectives/easy", headers=admin), 404)


def test_objective_aligns_only_to_a_parent_scorecard(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    admin = actors.auth()
    ok(api.post("/scorecards", json={"key": "service", "name": "Service", "parent": "company"},
                headers=admin), 201)
    ok(api.post("/scorecards/service/perspectives", json={"key": "customer", "name": "C"},
                headers=admin), 201)
    body = {"key": "effortless", "scorecard": "service", "perspective": "customer",
            "title": "Effortless service", "aligned_to": "happy-customers"}
    assert ok(api.post("/objectives", json=body, headers=admin), 201)["aligned_to"] == (
        "happy-customers")
    assert_invalid_field(api.patch("/objectives/happy-customers",
                                   json={"aligned_to": "effortless"}, headers=admin), "aligned_to")
    wrong = {**body, "key": "other", "perspective": "nowhere"}
    assert_invalid_field(api.post("/objectives", json=wrong, headers=admin), "perspective")


def test_link_round_trip(api: TestClient, sessions: sessionmaker[Session]) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    admin = actors.auth()
    body = {"scorecard": "company", "cause": "fast-delivery", "effect": "happy-customers",
            "hypothesis": "On-time deliveries make customers happy.", "lag_months": 1}
    link = ok(api.post("/links", json=body, headers=admin), 201)
    assert link == {**body, "id": link["id"]}
    assert ok(api.get(f"/links/{link['id']}", headers=admin)) == link
    changed = ok(api.patch(f"/links/{link['id']}", json={"lag_months": 3}, headers=admin))
    assert (changed["lag_months"], changed["hypothesis"]) == (3, body["hypothesis"])
    assert_problem(api.post("/links", json=body, headers=admin), 409)
    loop = {**body, "effect": "fast-delivery"}
    assert_invalid_field(api.post("/links", json=loop, headers=admin), "effect")
    listed = ok(api.get("/links", params={"scorecard": "company"}, headers=admin))["items"]
    assert [item["id"] for item in listed] == [link["id"]]
    ok(api.delete(f"/links/{link['id']}", headers=admin), 204)
    assert_problem(api.get(f"/links/{link['id']}", headers=admin), 404)


def test_initiative_round_trip(api: TestClient, sessions: sessionmaker[Session]) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    admin = actors.auth()
    body = {"key": "crm", "scorecard": "company", "name": "One CRM", "owner": MIA,
            "owner_team": "logistics", "budget": 250000.5, "starts_on": "2026-01-15",
            "ends_on": "2026-12-31", "status": "active",
            "objectives": ["happy-customers", "fast-delivery"]}
    created = ok(api.post("/initiatives", json=body, headers=admin), 201)
    assert created == {**body, "id": created["id"],
                       "objectives": ["fast-delivery", "happy-customers"]}
    changed = ok(api.patch("/initiatives/crm", json={"objectives": ["happy-customers"],
                                                     "status": "on_hold"}, headers=admin))
    assert (changed["objectives"], changed["status"], changed["budget"]) == (
        ["happy-customers"], "on_hold", 250000.5)
    assert_invalid_field(api.patch("/initiatives/crm", json={"ends_on": "2025-01-01"},
                                   headers=admin), "ends_on")
    bad = {**body, "key": "crm2", "objectives": ["happy-customers", "nope"]}
    assert_invalid_field(api.post("/initiatives", json=bad, headers=admin), "objectives.1")
    listed = ok(api.get("/initiatives", params={"status": "on_hold"}, headers=admin))["items"]
    assert [item["key"] for item in listed] == ["crm"]
    ok(api.delete("/initiatives/crm", headers=admin), 204)
    assert_problem(api.get("/initiatives/crm", headers=admin), 404)


def test_duplicate_keys_are_409(api: TestClient, sessions: sessionmaker[Session]) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    admin = actors.auth()
    assert_problem(api.post("/scorecards", json={"key": "company", "name": "Again"},
                            headers=admin), 409)
    assert_problem(api.post("/scorecards/company/perspectives",
                            json={"key": "customer", "name": "Again"}, headers=admin), 409)
    again = {"key": "happy-customers", "scorecard": "company", "perspective": "process",
             "title": "Again"}
    body = assert_problem(api.post("/objectives", json=again, headers=admin), 409)
    assert "happy-customers" in body["detail"]


def test_bad_input_is_422_naming_the_field(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    admin = actors.auth()
    assert_invalid_field(api.post("/scorecards", json={"key": "-bad", "name": "X"},
                                  headers=admin), "key")
    assert_invalid_field(api.post("/scorecards", json={"key": "x", "name": "X", "colour": "red"},
                                  headers=admin), "colour")
    assert_invalid_field(api.patch("/objectives/happy-customers", json={"title": None},
                                   headers=admin), "title")
    assert_invalid_field(api.patch("/objectives/happy-customers", json={"owner": "no@one.example"},
                                   headers=admin), "owner")
    assert_invalid_field(api.post("/objectives", json={
        "key": "x", "scorecard": "company", "perspective": "customer", "title": "T\x00"
    }, headers=admin), "title")
    assert_invalid_field(api.get("/scorecards/bad%20key", headers=admin), "scorecard_key")


def test_other_workspaces_rows_are_404(api: TestClient, sessions: sessionmaker[Session]) -> None:
    acme, globex = seed_actors(sessions, "acme"), seed_actors(sessions, "globex")
    build_strategy(api, acme)
    link = ok(api.post("/links", json={"scorecard": "company", "cause": "fast-delivery",
                                       "effect": "happy-customers"}, headers=acme.auth()), 201)
    for path in ("/scorecards/company", "/scorecards/company/perspectives/customer",
                 "/objectives/happy-customers", f"/links/{link['id']}"):
        assert_problem(api.get(path, headers=globex.auth()), 404)
        assert_problem(api.delete(path, headers=globex.auth()), 404)
    for path in ("/scorecards", "/objectives", "/links", "/initiatives"):
        assert ok(api.get(path, headers=globex.auth()))["items"] == []
    # keys are unique per workspace: globex may use the same ones
    build_strategy(api, globex)
    assert ok(api.get("/objectives/happy-customers", headers=globex.auth()))["id"] != (
        ok(api.get("/objectives/happy-customers", headers=acme.auth()))["id"])


def test_lists_walk_every_row_once(api: TestClient, sessions: sessionmaker[Session]) -> None:
    actors = seed_actors(sessions)
    admin = actors.auth()
    keys = [f"card-{index:02d}" for index in range(7)]
    for key in keys:
        ok(api.post("/scorecards", json={"key": key, "name": key}, headers=admin), 201)
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 3}
    while True:
        page = ok(api.get("/scorecards", params=params, headers=admin))
        seen += [card["key"] for card in page["items"]]
        if page["next_cursor"] is None:
            break
        params = {"limit": 3, "cursor": page["next_cursor"]}
    assert seen == keys
