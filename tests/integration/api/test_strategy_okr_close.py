"""Closing an OKR cycle through the API: grades by commitment, unfinished key results carried
over under copies of their objectives, one transaction with an audit trail, a close that
happens once, problems that name the field, and admins only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.orm import AuditEntry, KeyResultRow, OkrObjectiveRow
from tests.integration.api.problems import assert_invalid_field, assert_problem
from tests.integration.api.strategy_support import (
    MIA,
    Actors,
    build_strategy,
    nps_key_result,
    ok,
    seed_actors,
)

NPS_BINDING = {"id": "nps", "slice": {"segment": "b2b"}}


def _cycle(api: TestClient, actors: Actors, key: str, status: str = "open") -> None:
    ok(api.post("/okr/cycles", json={"key": key, "name": key, "starts_on": "2027-01-01",
                                     "ends_on": "2027-03-31", "status": status},
                headers=actors.auth()), 201)


def quarter(api: TestClient, sessions: sessionmaker[Session]) -> Actors:
    """Cycle q4 (from ``build_strategy``) with four objectives to grade, an open 2027-q1 to
    carry over to and a closed ``old`` cycle.

    * delight — company, aspirational, Mia's: NPS 30 → 40 at 38 (0.8) and a launch done
      (1.0): grade 0.9, a success; NPS carries over.
    * mia-okr — person, committed, aligned to delight: NPS not checked in (0.0) and ten
      playbooks of ten (1.0): grade 0.5, no success; its NPS carries over.
    * max-okr — no key results: grade 0.0.
    * shipped — committed, its one key result done: grade 1.0, a success; nothing carries.
    """
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    admin = actors.auth()
    _cycle(api, actors, "2027-q1")
    _cycle(api, actors, "old", status="closed")
    for body in (
        {"key": "delight", "cycle": "q4", "title": "Delight B2B customers", "level": "company",
         "team": "logistics", "owner": MIA, "scorecard_objective": "happy-customers",
         "commitment": "aspirational"},
        {"key": "shipped", "cycle": "q4", "title": "Ship the portal"},
    ):
        ok(api.post("/okr/objectives", json=body, headers=admin), 201)
    ok(api.patch("/okr/objectives/mia-okr", json={"parent": "delight"}, headers=admin))
    for body in (
        {**nps_key_result("nps-up", "delight"), "current": 38, "unit": "points", "weight": 2,
         "metric": NPS_BINDING},
        {"key": "launch", "objective": "delight", "title": "Launch", "kind": "yes_no",
         "done": True, "weight": 2},
        {"key": "mia-playbooks", "objective": "mia-okr", "title": "Ten playbooks",
         "kind": "milestone", "milestones_done": 10, "milestones_total": 10},
        {"key": "portal-live", "objective": "shipped", "title": "Portal live",
         "kind": "yes_no", "done": True},
    ):
        ok(api.post("/okr/key-results", json=body, headers=admin), 201)
    return actors


def _close(api: TestClient, actors: Actors, carry_over_to: str | None,
           who: str = "admin", cycle: str = "q4") -> Any:
    return api.post(f"/okr/cycles/{cycle}/close", json={"carry_over_to": carry_over_to},
                    headers=actors.auth(who))


def test_closing_grades_by_commitment_and_carries_unfinished_key_results_over(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = quarter(api, sessions)
    admin = actors.auth()

    closed = ok(_close(api, actors, "2027-q1"))

    assert closed["cycle"]["status"] == "closed" and closed["carried_over_to"] == "2027-q1"
    grades = {g["objective"]: (g["commitment"], g["grade"], g["success"])
              for g in closed["grades"]}
    assert grades == {
        "delight": ("aspirational", 0.9, True),
        "mia-okr": ("committed", 0.5, False),
        "max-okr": ("committed", 0.0, False),
        "shipped": ("committed", 1.0, True),
    }
    assert [(c["key_result"], c["copy_key"], c["objective"]) for c in closed["carried"]] == [
        ("nps-up", "nps-up-2027-q1", "delight-2027-q1"),
        ("mia-nps", "mia-nps-2027-q1", "mia-okr-2027-q1"),
    ]
    assert ok(api.get("/okr/objectives/delight", headers=admin))["grade"] == 0.9
    assert ok(api.get("/okr/cycles/q4", headers=admin))["status"] == "closed"

    delight = ok(api.get("/okr/objectives/delight-2027-q1", headers=admin))
    assert delight == {
        "id": delight["id"], "key": "delight-2027-q1", "cycle": "2027-q1",
        "title": "Delight B2B customers", "level": "company", "team": "logistics",
        "owner": MIA, "parent": None, "scorecard_objective": "happy-customers",
        "commitment": "aspirational", "grade": None, "position": delight["position"],
        "progress": 0.0,
    }
    mia = ok(api.get("/okr/objectives/mia-okr-2027-q1", headers=admin))
    assert (mia["parent"], mia["level"], mia["owner"]) == ("delight-2027-q1", "person", MIA)
    nps = ok(api.get("/okr/key-results/nps-up-2027-q1", headers=admin))
    assert (nps["carried_over_from"], nps["objective"], nps["kind"]) == (
        "nps-up", "delight-2027-q1", "metric")
    assert (nps["start"], nps["current"], nps["target"], nps["progress"]) == (38, 38, 40, 0.0)
    assert (nps["unit"], nps["weight"], nps["metric"]) == ("points", 2.0, NPS_BINDING)
    mia_nps = ok(api.get("/okr/key-results/mia-nps-2027-q1", headers=admin))
    assert (mia_nps["start"], mia_nps["current"], mia_nps["target"]) == (30, None, 40)
    listed = ok(api.get("/okr/objectives", params={"cycle": "2027-q1"}, headers=admin))
    assert {item["key"] for item in listed["items"]} == {"delight-2027-q1", "mia-okr-2027-q1"}
    with sessions() as session:
        entries = session.execute(
            select(AuditEntry.action, AuditEntry.entity, AuditEntry.detail)
            .where(AuditEntry.workspace_id == actors.workspace_id,
                   AuditEntry.action.in_(["close", "create"]),
                   AuditEntry.entity.in_(["okr_cycle", "okr_objective", "key_result"]))
            .order_by(AuditEntry.id.desc()).limit(5)
        ).all()
    close_entry = next(detail for action, _, detail in entries if action == "close")
    assert close_entry["grades"]["delight"] == 0.9
    assert close_entry["carried"] == {"nps-up": "nps-up-2027-q1",
                                      "mia-nps": "mia-nps-2027-q1"}
    copied = {(entity, detail["carried_over_from"]) for action, entity, detail in entries
              if action == "create"}
    assert copied == {("okr_objective", "delight"), ("okr_objective", "mia-okr"),
                      ("key_result", "nps-up"), ("key_result", "mia-nps")}


def test_a_cycle_closes_once(api: TestClient, sessions: sessionmaker[Session]) -> None:
    actors = quarter(api, sessions)
    ok(_close(api, actors, None))

    again = assert_problem(_close(api, actors, "2027-q1"), 409)

    assert "closed" in again["detail"]
    assert ok(api.get("/okr/objectives", params={"cycle": "2027-q1"},
                      headers=actors.auth()))["items"] == []


def test_closing_without_a_target_only_grades(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = quarter(api, sessions)

    closed = ok(_close(api, actors, None))

    assert closed["carried"] == [] and closed["carried_over_to"] is None
    with sessions() as session:
        assert session.scalar(select(KeyResultRow).where(
            KeyResultRow.carried_over_from_id.is_not(None))) is None


def test_setting_the_status_to_closed_grades_too(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = quarter(api, sessions)

    ok(api.patch("/okr/cycles/q4", json={"status": "closed", "name": "Q4 (closed)"},
                 headers=actors.auth()))

    assert ok(api.get("/okr/objectives/shipped", headers=actors.auth()))["grade"] == 1.0
    assert ok(api.get("/okr/cycles/q4", headers=actors.auth()))["name"] == "Q4 (closed)"
    assert_problem(_close(api, actors, None), 409)


def _nothing_changed(api: TestClient, actors: Actors) -> None:
    assert ok(api.get("/okr/cycles/q4", headers=actors.auth()))["status"] == "open"
    assert ok(api.get("/okr/objectives/delight", headers=actors.auth()))["grade"] is None


def test_problems_name_the_field_and_change_nothing(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = quarter(api, sessions)

    for target, words in (("nowhere", "no cycle 'nowhere'"), ("old", "closed"),
                          ("q4", "the cycle being closed")):
        body = assert_invalid_field(_close(api, actors, target), "carry_over_to")
        assert words in body["detail"]
    assert_problem(_close(api, actors, None, cycle="no-such-cycle"), 404)
    assert_invalid_field(api.post("/okr/cycles/q4/close", json={"carry_over_to": "a b"},
                                  headers=actors.auth()), "carry_over_to")
    _nothing_changed(api, actors)


def test_a_copy_whose_key_is_taken_stops_the_whole_close(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = quarter(api, sessions)
    ok(api.post("/okr/key-results", json=nps_key_result("mia-nps-2027-q1", "max-okr"),
                headers=actors.auth()), 201)

    body = assert_problem(_close(api, actors, "2027-q1"), 409)

    assert "mia-nps-2027-q1" in body["detail"]
    _nothing_changed(api, actors)
    with sessions() as session:
        assert session.scalar(select(OkrObjectiveRow).where(
            OkrObjectiveRow.key == "delight-2027-q1")) is None


def test_only_admins_close(api: TestClient, sessions: sessionmaker[Session]) -> None:
    actors = quarter(api, sessions)

    for who in ("mia", "ann", "vic", "reader"):
        assert_problem(_close(api, actors, "2027-q1", who=who), 403)

    _nothing_changed(api, actors)
    assert ok(_close(api, actors, None, who="owner"))["cycle"]["status"] == "closed"
