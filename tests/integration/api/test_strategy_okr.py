"""OKR cycles, objectives, key results and check-ins through the API: round trips,
progress that follows check-ins, and a check-in history that keeps every old value."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from tests.integration.api.problems import assert_invalid_field, assert_problem
from tests.integration.api.strategy_support import (
    MIA,
    build_strategy,
    nps_key_result,
    ok,
    seed_actors,
)


def test_cycle_round_trip(api: TestClient, sessions: sessionmaker[Session]) -> None:
    actors = seed_actors(sessions)
    admin = actors.auth()
    body = {"key": "2027", "name": "Year 2027", "kind": "year", "starts_on": "2027-01-01",
            "ends_on": "2027-12-31", "status": "open"}
    cycle = ok(api.post("/okr/cycles", json=body, headers=admin), 201)
    assert cycle == {**body, "id": cycle["id"]}
    assert ok(api.get("/okr/cycles/2027", headers=admin)) == cycle
    assert ok(api.patch("/okr/cycles/2027", json={"status": "closed"}, headers=admin))[
        "status"] == "closed"
    assert_invalid_field(api.patch("/okr/cycles/2027", json={"ends_on": "2026-01-01"},
                                   headers=admin), "ends_on")
    assert_problem(api.post("/okr/cycles", json=body, headers=admin), 409)
    assert [c["key"] for c in ok(api.get("/okr/cycles", headers=admin))["items"]] == ["2027"]
    ok(api.delete("/okr/cycles/2027", headers=admin), 204)
    assert_problem(api.get("/okr/cycles/2027", headers=admin), 404)


def test_okr_objective_round_trip_and_alignment(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    admin = actors.auth()
    body = {"key": "delight", "cycle": "q4", "title": "Delight B2B customers", "level": "team",
            "team": "logistics", "owner": MIA, "scorecard_objective": "happy-customers",
            "commitment": "aspirational"}
    created = ok(api.post("/okr/objectives", json=body, headers=admin), 201)
    assert created == {**body, "id": created["id"], "parent": None, "grade": None,
                       "position": 2, "progress": 0.0}
    ok(api.patch("/okr/objectives/mia-okr", json={"parent": "delight"}, headers=admin))
    assert_invalid_field(api.patch("/okr/objectives/delight", json={"parent": "mia-okr"},
                                   headers=admin), "parent")
    changed = ok(api.patch("/okr/objectives/delight", json={"grade": 0.7}, headers=admin))
    assert changed["grade"] == 0.7
    assert_invalid_field(api.patch("/okr/objectives/delight", json={"grade": 1.5},
                                   headers=admin), "grade")
    teams = ok(api.get("/okr/objectives", params={"team": "logistics"}, headers=admin))
    assert [item["key"] for item in teams["items"]] == ["delight"]
    people = ok(api.get("/okr/objectives", params={"cycle": "q4", "level": "person"},
                        headers=admin))
    assert {item["key"] for item in people["items"]} == {"mia-okr", "max-okr"}
    ok(api.delete("/okr/objectives/delight", headers=admin), 204)
    assert ok(api.get("/okr/objectives/mia-okr", headers=admin))["parent"] is None


def test_key_result_round_trip_and_progress(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    admin = actors.auth()
    body = {"key": "churn", "objective": "mia-okr", "title": "Churn from 8 % to 5 %",
            "kind": "metric", "unit": "%", "start": 8, "target": 5, "current": 6.5,
            "weight": 2, "metric": {"id": "churn_m3", "slice": None}}
    created = ok(api.post("/okr/key-results", json=body, headers=admin), 201)
    assert created["progress"] == 0.5  # start > target: (6.5 − 8) / (5 − 8)
    assert (created["objective"], created["carried_over_from"], created["kind"]) == (
        "mia-okr", None, "metric")
    objective = ok(api.get("/okr/objectives/mia-okr", headers=admin))
    assert objective["progress"] == 2 * 0.5 / 3  # weights 1 (nps, no progress) and 2
    milestone = ok(api.patch("/okr/key-results/churn", json={
        "kind": "milestone", "milestones_total": 4, "milestones_done": 3}, headers=admin))
    assert milestone["progress"] == 0.75
    assert_invalid_field(api.patch("/okr/key-results/churn", json={"milestones_done": 9},
                                   headers=admin), "milestones_done")
    assert_invalid_field(api.post("/okr/key-results", json={
        **nps_key_result("no-target", "mia-okr"), "target": None}, headers=admin), "target")
    assert_invalid_field(api.post("/okr/key-results", json={
        "key": "band", "objective": "mia-okr", "title": "Band", "kind": "band",
        "band_low": 5, "band_high": 2}, headers=admin), "band_low")
    carried = ok(api.post("/okr/key-results", json={
        **nps_key_result("nps-q1", "max-okr"), "carried_over_from": "mia-nps"}, headers=admin),
        201)
    assert carried["carried_over_from"] == "mia-nps"
    assert_invalid_field(api.patch("/okr/key-results/mia-nps",
                                   json={"carried_over_from": "nps-q1"}, headers=admin),
                         "carried_over_from")
    listed = ok(api.get("/okr/key-results", params={"objective": "mia-okr"}, headers=admin))
    assert [item["key"] for item in listed["items"]] == ["mia-nps", "churn"]
    ok(api.delete("/okr/key-results/churn", headers=admin), 204)
    assert_problem(api.get("/okr/key-results/churn", headers=admin), 404)


def test_check_ins_move_the_key_result_and_keep_their_history(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    mia = actors.auth("mia")
    path = "/okr/key-results/mia-nps/check-ins"
    first = ok(api.post(path, json={"at": "2026-10-15T09:00:00Z", "value": 33, "confidence": 6,
                                    "comment": "Slow start."}, headers=mia), 201)
    assert (first["author"], first["band"], first["key_result"]) == (MIA, "at_risk", "mia-nps")
    assert first["at"] == "2026-10-15T09:00:00Z"
    second = ok(api.post(path, json={"at": "2026-11-15T09:00:00Z", "value": 36,
                                     "confidence": 8}, headers=mia), 201)
    assert ok(api.get("/okr/key-results/mia-nps", headers=mia))["current"] == 36.0
    assert_problem(api.post(path, json={"at": "2026-11-15T09:00:00Z", "confidence": 1},
                            headers=mia), 409)
    # correcting the latest check-in moves the key result, and the old values are kept
    fixed = ok(api.patch(f"{path}/{second['id']}", json={"value": 38, "comment": "Recount."},
                         headers=mia))
    assert (fixed["value"], fixed["comment"], fixed["confidence"]) == (38.0, "Recount.", 8)
    assert ok(api.get("/okr/key-results/mia-nps", headers=mia))["progress"] == 0.8
    ok(api.delete(f"{path}/{second['id']}", headers=mia), 204)
    assert ok(api.get("/okr/key-results/mia-nps", headers=mia))["current"] == 33.0
    history = ok(api.get(f"{path}/{second['id']}/history", headers=actors.auth("reader")))
    assert [entry["action"] for entry in history] == ["create", "update", "delete"]
    assert history[1]["before"]["value"] == 36.0 and history[1]["after"]["value"] == 38.0
    assert history[2]["before"]["comment"] == "Recount."
    assert all(entry["actor"] == MIA for entry in history)
    assert_problem(api.get(f"{path}/{second['id']}", headers=mia), 404)
    listed = ok(api.get(path, headers=mia))["items"]
    assert [item["id"] for item in listed] == [first["id"]]


def test_check_in_values_fit_the_key_result_kind(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    admin = actors.auth()
    ok(api.post("/okr/key-results", json={"key": "playbooks", "objective": "mia-okr",
                                          "title": "10 playbooks", "kind": "milestone",
                                          "milestones_total": 10}, headers=admin), 201)
    ok(api.post("/okr/key-results", json={"key": "launched", "objective": "mia-okr",
                                          "title": "Launch", "kind": "yes_no"}, headers=admin),
       201)
    assert_invalid_field(api.post("/okr/key-results/playbooks/check-ins",
                                  json={"value": 11, "confidence": 5}, headers=admin), "value")
    assert_invalid_field(api.post("/okr/key-results/playbooks/check-ins",
                                  json={"value": 2.5, "confidence": 5}, headers=admin), "value")
    ok(api.post("/okr/key-results/playbooks/check-ins", json={"value": 6, "confidence": 7},
                headers=admin), 201)
    assert ok(api.get("/okr/key-results/playbooks", headers=admin))["progress"] == 0.6
    assert_invalid_field(api.post("/okr/key-results/launched/check-ins",
                                  json={"value": 2, "confidence": 5}, headers=admin), "value")
    ok(api.post("/okr/key-results/launched/check-ins", json={"value": 1, "confidence": 10},
                headers=admin), 201)
    assert ok(api.get("/okr/key-results/launched", headers=admin))["done"] is True
    assert_invalid_field(api.post("/okr/key-results/launched/check-ins",
                                  json={"value": 1, "confidence": 11}, headers=admin),
                         "confidence")


def test_okr_rows_of_another_workspace_are_404(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    acme, globex = seed_actors(sessions, "acme"), seed_actors(sessions, "globex")
    build_strategy(api, acme)
    check_in = ok(api.post("/okr/key-results/mia-nps/check-ins", json={"confidence": 5},
                           headers=acme.auth()), 201)
    for path in ("/okr/cycles/q4", "/okr/objectives/mia-okr", "/okr/key-results/mia-nps",
                 f"/okr/key-results/mia-nps/check-ins/{check_in['id']}",
                 f"/okr/key-results/mia-nps/check-ins/{check_in['id']}/history"):
        assert_problem(api.get(path, headers=globex.auth()), 404)
    for path in ("/okr/cycles", "/okr/objectives", "/okr/key-results"):
        assert ok(api.get(path, headers=globex.auth()))["items"] == []
