"""MBO sheets through the API: weights that must add up once a sheet is agreed, the
weighted achievement, and objectives that serve the strategy."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import AuditEntry, Employee, MboObjectiveRow
from tests.integration.api.problems import assert_invalid_field, assert_problem
from tests.integration.api.strategy_support import build_strategy, ok, seed_actors

OBJECTIVES: list[dict[str, Any]] = [
    {"key": "coaching", "title": "Coach every new agent", "weight": 40, "achievement": 75,
     "okr_objective": "mia-okr"},
    {"key": "fcr", "title": "Raise first-contact resolution", "weight": 35,
     "scorecard_objective": "happy-customers"},
    {"key": "skills", "title": "Finish the service academy", "weight": 25, "achievement": 100},
]


def test_sheet_round_trip_with_weighted_achievement(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    admin = actors.auth()
    body = {"key": "eva-2026", "employee": "E-1", "period": "2026", "status": "agreed",
            "objectives": OBJECTIVES}
    sheet = ok(api.post("/mbo/sheets", json=body, headers=admin), 201)
    assert (sheet["employee"], sheet["period"], sheet["status"]) == ("E-1", "2026", "agreed")
    assert sheet["total_weight"] == 100
    assert sheet["weighted_achievement"] == (40 * 75 + 25 * 100) / 100
    assert [o["key"] for o in sheet["objectives"]] == ["coaching", "fcr", "skills"]
    assert sheet["objectives"][0]["okr_objective"] == "mia-okr"
    assert sheet["objectives"][1]["scorecard_objective"] == "happy-customers"
    assert ok(api.get("/mbo/sheets/eva-2026", headers=admin)) == sheet
    assert ok(api.patch("/mbo/sheets/eva-2026", json={"period": "2026-H2"}, headers=admin))[
        "period"] == "2026-H2"
    fcr = ok(api.patch("/mbo/sheets/eva-2026/objectives/fcr", json={"achievement": 80},
                       headers=admin))
    assert (fcr["achievement"], fcr["weight"], fcr["sheet"]) == (80.0, 35.0, "eva-2026")
    assert ok(api.get("/mbo/sheets/eva-2026/objectives/fcr", headers=admin)) == fcr
    listed = ok(api.get("/mbo/sheets/eva-2026/objectives", headers=admin))["items"]
    assert len(listed) == 3
    assert [s["key"] for s in ok(api.get("/mbo/sheets", headers=admin))["items"]] == ["eva-2026"]
    ok(api.delete("/mbo/sheets/eva-2026", headers=admin), 204)
    assert_problem(api.get("/mbo/sheets/eva-2026", headers=admin), 404)


def test_agreed_weights_must_add_up_to_100(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    admin = actors.auth()
    short = [{**OBJECTIVES[0], "weight": 60}, {**OBJECTIVES[2], "weight": 30}]
    body = {"key": "eva", "employee": "E-1", "period": "2026", "status": "agreed",
            "objectives": short}
    problem = assert_invalid_field(api.post("/mbo/sheets", json=body, headers=admin), "weights")
    assert "90" in problem["detail"] and "add 10" in problem["detail"]
    assert_problem(api.get("/mbo/sheets/eva", headers=admin), 404)  # nothing was written
    # a draft may not add up yet, but cannot be agreed until it does
    draft = ok(api.post("/mbo/sheets", json={**body, "status": "draft"}, headers=admin), 201)
    assert (draft["total_weight"], draft["weighted_achievement"]) == (90, None)
    assert_invalid_field(api.patch("/mbo/sheets/eva", json={"status": "agreed"}, headers=admin),
                         "weights")
    ok(api.patch("/mbo/sheets/eva/objectives/skills", json={"weight": 40}, headers=admin))
    assert ok(api.patch("/mbo/sheets/eva", json={"status": "agreed"}, headers=admin))[
        "status"] == "agreed"
    # on an agreed sheet a single change that breaks the total is refused …
    assert_invalid_field(api.patch("/mbo/sheets/eva/objectives/skills", json={"weight": 30},
                                   headers=admin), "weights")
    assert_invalid_field(api.delete("/mbo/sheets/eva/objectives/skills", headers=admin),
                         "weights")
    assert_invalid_field(api.post("/mbo/sheets/eva/objectives", json={
        "key": "extra", "title": "Extra", "weight": 5}, headers=admin), "weights")
    # … and re-weighting all at once works
    sheet = ok(api.put("/mbo/sheets/eva/objectives", json=OBJECTIVES, headers=admin))
    assert [o["weight"] for o in sheet["objectives"]] == [40, 35, 25]
    assert_invalid_field(api.put("/mbo/sheets/eva/objectives", json=short, headers=admin),
                         "weights")
    assert_invalid_field(api.put("/mbo/sheets/eva/objectives", json=[
        {**OBJECTIVES[0], "weight": 0}], headers=admin), "0.weight")


def test_mbo_input_errors_name_the_field(api: TestClient, sessions: sessionmaker[Session]) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    admin = actors.auth()
    base = {"key": "eva", "employee": "E-1", "period": "2026", "objectives": OBJECTIVES}
    assert_invalid_field(api.post("/mbo/sheets", json={**base, "employee": "E-404"},
                                  headers=admin), "employee")
    bad_link = [{**OBJECTIVES[0], "okr_objective": "nope"}, *OBJECTIVES[1:]]
    assert_invalid_field(api.post("/mbo/sheets", json={**base, "objectives": bad_link},
                                  headers=admin), "okr_objective")
    zero = [{**OBJECTIVES[0], "weight": 0}, *OBJECTIVES[1:]]
    assert_invalid_field(api.post("/mbo/sheets", json={**base, "objectives": zero},
                                  headers=admin), "objectives.0.weight")
    twice = [OBJECTIVES[0], OBJECTIVES[0]]
    assert_invalid_field(api.post("/mbo/sheets", json={**base, "objectives": twice},
                                  headers=admin), "objectives")
    ok(api.post("/mbo/sheets", json=base, headers=admin), 201)
    assert_problem(api.post("/mbo/sheets", json=base, headers=admin), 409)
    assert_problem(api.post("/mbo/sheets/eva/objectives", json=OBJECTIVES[0], headers=admin),
                   409)


def test_sheets_of_another_workspace_are_404(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    acme, globex = seed_actors(sessions, "acme"), seed_actors(sessions, "globex")
    build_strategy(api, acme)
    ok(api.post("/mbo/sheets", json={"key": "eva", "employee": "E-1", "period": "2026",
                                     "objectives": OBJECTIVES}, headers=acme.auth()), 201)
    for path in ("/mbo/sheets/eva", "/mbo/sheets/eva/objectives",
                 "/mbo/sheets/eva/objectives/fcr"):
        assert_problem(api.get(path, headers=globex.auth()), 404)
    assert ok(api.get("/mbo/sheets", headers=globex.auth()))["items"] == []


def _audit(sessions: sessionmaker[Session], workspace_id: int) -> list[tuple[str, Any]]:
    with sessions() as session:
        return [(entry.action, entry.detail) for entry in session.scalars(
            select(AuditEntry).where(AuditEntry.workspace_id == workspace_id,
                                     AuditEntry.entity == "mbo_sheet").order_by(AuditEntry.id))]


def test_one_sheet_per_employee_and_period_names_the_field(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    with transaction(sessions) as session:
        session.add(Employee(workspace_id=actors.workspace_id, external_id="E-2", name="Emil"))
    admin = actors.auth()
    ok(api.post("/mbo/sheets", json={"key": "eva-2026", "employee": "E-1", "period": "2026",
                                     "objectives": OBJECTIVES}, headers=admin), 201)
    ok(api.post("/mbo/sheets", json={"key": "eva-2027", "employee": "E-1", "period": "2027"},
                headers=admin), 201)
    ok(api.post("/mbo/sheets", json={"key": "emil-2026", "employee": "E-2", "period": "2026"},
                headers=admin), 201)

    again = assert_problem(api.post("/mbo/sheets", json={
        "key": "eva-again", "employee": "E-1", "period": "2026"}, headers=admin), 409)
    moved = assert_problem(api.patch("/mbo/sheets/eva-2027", json={"period": "2026"},
                                     headers=admin), 409)
    swapped = assert_problem(api.patch("/mbo/sheets/emil-2026", json={"employee": "E-1"},
                                       headers=admin), 409)

    assert again["detail"] == ("period: employee 'E-1' has a sheet for period '2026' already "
                               "('eva-2026'): choose another period, or change or delete "
                               "that sheet")
    assert moved["detail"].startswith("period: employee 'E-1' has a sheet for period '2026'")
    assert swapped["detail"].startswith("employee: employee 'E-1' has a sheet for period "
                                        "'2026' already ('eva-2026')")
    sheets = {s["key"]: (s["employee"], s["period"])
              for s in ok(api.get("/mbo/sheets", headers=admin))["items"]}
    assert sheets == {"eva-2026": ("E-1", "2026"), "eva-2027": ("E-1", "2027"),
                      "emil-2026": ("E-2", "2026")}
    # The employee's sheet may move to a free period, and another employee take the old one.
    ok(api.patch("/mbo/sheets/eva-2027", json={"period": "2028"}, headers=admin))
    changed = ok(api.patch("/mbo/sheets/emil-2026", json={"employee": "E-1", "period": "2027"},
                           headers=admin))
    assert (changed["employee"], changed["period"]) == ("E-1", "2027")
    assert _audit(sessions, actors.workspace_id)[-1] == ("update", {
        "key": "emil-2026", "employee": {"from": "E-2", "to": "E-1"},
        "period": {"from": "2026", "to": "2027"}})


def test_a_sheet_moves_one_status_at_a_time_through_the_store(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    admin = actors.auth()
    ok(api.post("/mbo/sheets", json={"key": "eva", "employee": "E-1", "period": "2026",
                                     "objectives": OBJECTIVES}, headers=admin), 201)

    skipped = assert_invalid_field(api.patch("/mbo/sheets/eva", json={"status": "reviewed"},
                                             headers=admin), "status")
    assert skipped["detail"] == ("status: a draft sheet cannot become reviewed; from draft it "
                                 "moves to agreed")
    for status in ("agreed", "reviewed"):
        assert ok(api.patch("/mbo/sheets/eva", json={"status": status}, headers=admin))[
            "status"] == status
    assert_invalid_field(api.patch("/mbo/sheets/eva", json={"status": "draft"}, headers=admin),
                         "status")
    assert ok(api.patch("/mbo/sheets/eva", json={"status": "agreed"}, headers=admin))[
        "status"] == "agreed"
    # The same status again changes nothing and leaves no entry.
    ok(api.patch("/mbo/sheets/eva", json={"status": "agreed"}, headers=admin))

    assert [detail["status"] for action, detail in _audit(sessions, actors.workspace_id)
            if action == "update"] == [{"from": "draft", "to": "agreed"},
                                       {"from": "agreed", "to": "reviewed"},
                                       {"from": "reviewed", "to": "agreed"}]
    ok(api.delete("/mbo/sheets/eva", headers=admin), 204)
    action, detail = _audit(sessions, actors.workspace_id)[-1]
    assert action == "delete"
    assert (detail["employee"], detail["period"], detail["status"]) == ("E-1", "2026", "agreed")
    assert [(o["key"], o["weight"], o["achievement"]) for o in detail["objectives"]] == [
        ("coaching", 40, 75), ("fcr", 35, None), ("skills", 25, 100)]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(MboObjectiveRow).where(
            MboObjectiveRow.workspace_id == actors.workspace_id)) == 0


def test_review_comments_are_written_read_and_cleared(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    admin = actors.auth()
    objectives = [{**OBJECTIVES[0], "comment": "Six of eight agents coached"}, *OBJECTIVES[1:]]
    sheet = ok(api.post("/mbo/sheets", json={
        "key": "eva", "employee": "E-1", "period": "2026", "comment": "A good start",
        "objectives": objectives}, headers=admin), 201)
    assert (sheet["comment"], sheet["objectives"][0]["comment"]) == (
        "A good start", "Six of eight agents coached")
    assert sheet["objectives"][1]["comment"] is None

    fcr = ok(api.patch("/mbo/sheets/eva/objectives/fcr", json={
        "achievement": 90, "comment": "  FCR rose to 74 %  "}, headers=admin))
    assert (fcr["achievement"], fcr["comment"]) == (90, "FCR rose to 74 %")
    assert ok(api.patch("/mbo/sheets/eva/objectives/fcr", json={"achievement": 95},
                        headers=admin))["comment"] == "FCR rose to 74 %"  # left alone
    assert ok(api.patch("/mbo/sheets/eva/objectives/coaching", json={"comment": None},
                        headers=admin))["comment"] is None
    assert ok(api.patch("/mbo/sheets/eva", json={"comment": "Strong year"}, headers=admin))[
        "comment"] == "Strong year"
    assert ok(api.patch("/mbo/sheets/eva", json={"comment": ""}, headers=admin))[
        "comment"] is None
    assert_invalid_field(api.patch("/mbo/sheets/eva", json={"comment": "x" * 2001},
                                   headers=admin), "comment")
    with sessions() as session:
        details = [entry.detail for entry in session.scalars(
            select(AuditEntry).where(AuditEntry.workspace_id == actors.workspace_id,
                                     AuditEntry.entity == "mbo_objective",
                                     AuditEntry.action == "update").order_by(AuditEntry.id))]
    assert details[0] == {"sheet": "eva", "key": "fcr",
                          "achievement_percent": {"from": None, "to": 90.0},
                          "review_comment": {"from": None, "to": "FCR rose to 74 %"}}
    assert details[-1] == {"sheet": "eva", "key": "coaching", "review_comment": {
        "from": "Six of eight agents coached", "to": None}}
