"""MBO sheets through the API: weights that must add up once a sheet is agreed, the
weighted achievement, and objectives that serve the strategy."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

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
