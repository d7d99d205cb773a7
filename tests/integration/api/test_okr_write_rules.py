"""The API refuses what the OKR page refuses, since both write through ``okr_store``: no
check-in (nor new objective or key result) in a closed cycle, no typed value for a key
result that follows its metric live; and a key result's due date, the cycle's end unless
the body names a day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import AuditEntry, CheckInRow, KeyResultRow
from tests.integration.api.problems import assert_invalid_field, assert_problem
from tests.integration.api.strategy_support import (
    MIA,
    build_strategy,
    nps_key_result,
    ok,
    seed_actors,
)

CHECK_INS = "/okr/key-results/mia-nps/check-ins"


def _check_in_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return len(session.scalars(select(CheckInRow.id)).all())


def test_check_in_on_a_closed_cycle_is_409_naming_the_cycle(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    mia, admin = actors.auth("mia"), actors.auth()
    first = ok(api.post(CHECK_INS, json={"value": 33, "confidence": 6}, headers=mia), 201)
    ok(api.post("/okr/cycles/q4/close", json={}, headers=admin))
    before = ok(api.get("/okr/key-results/mia-nps", headers=mia))

    refused = assert_problem(api.post(CHECK_INS, json={"value": 39, "confidence": 9},
                                      headers=mia), 409)
    assert "'q4'" in refused["detail"] and "closed" in refused["detail"]
    # an admin is refused too: the cycle's grades are final, not a question of rights
    assert_problem(api.post(CHECK_INS, json={"confidence": 9}, headers=admin), 409)
    # nor may the check-ins that made the grade change or go
    assert_problem(api.patch(f"{CHECK_INS}/{first['id']}", json={"value": 40},
                             headers=mia), 409)
    assert_problem(api.delete(f"{CHECK_INS}/{first['id']}", headers=mia), 409)
    assert _check_in_count(sessions) == 1
    assert ok(api.get("/okr/key-results/mia-nps", headers=mia)) == before
    # the closed cycle takes no new objective or key result either
    detail = assert_problem(api.post("/okr/key-results", json=nps_key_result("late", "mia-okr"),
                                     headers=admin), 409)["detail"]
    assert "'q4'" in detail
    assert_problem(api.post("/okr/objectives", json={"key": "late-okr", "cycle": "q4",
                                                     "title": "Late", "owner": MIA},
                            headers=admin), 409)
    assert_problem(api.get("/okr/key-results/late", headers=admin), 404)


def _make_live(sessions: sessionmaker[Session], current: float) -> None:
    """What ``kano compute`` writes on a key result bound to a metric."""
    with transaction(sessions) as session:
        kr = session.scalars(select(KeyResultRow).where(KeyResultRow.key == "mia-nps")).one()
        kr.metric_id = "nps"
        kr.current, kr.current_n, kr.computed_at = current, 410, datetime(2026, 11, 1, 6, 0)


def test_typed_value_on_a_live_key_result_is_422_naming_value(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    _make_live(sessions, 34.5)
    mia = actors.auth("mia")

    body = assert_invalid_field(api.post(CHECK_INS, json={"value": 39, "confidence": 8},
                                         headers=mia), "value")
    assert body["code"] == "key_result_is_live" and body["key_result"] == "mia-nps"
    assert _check_in_count(sessions) == 0
    assert ok(api.get("/okr/key-results/mia-nps", headers=mia))["current"] == 34.5
    # confidence and a comment are what a live key result takes: the value is the metric's
    live = ok(api.post(CHECK_INS, json={"confidence": 8, "comment": "On track."},
                       headers=mia), 201)
    assert (live["value"], live["confidence"], live["comment"]) == (34.5, 8, "On track.")
    same = ok(api.post(CHECK_INS, json={"at": "2026-11-20T09:00:00Z", "value": 34.5,
                                        "confidence": 7}, headers=mia), 201)
    assert same["value"] == 34.5
    # correcting a check-in to a typed value is refused the same way
    assert_invalid_field(api.patch(f"{CHECK_INS}/{same['id']}", json={"value": 40},
                                   headers=mia), "value")
    assert ok(api.get("/okr/key-results/mia-nps", headers=mia))["current"] == 34.5


def test_key_result_is_due_at_the_cycle_end_unless_the_body_names_a_day(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    admin = actors.auth()
    assert ok(api.get("/okr/key-results/mia-nps", headers=admin))["due_on"] == "2026-12-31"
    early = ok(api.post("/okr/key-results", json={**nps_key_result("early", "mia-okr"),
                                                  "due_on": "2026-11-15"}, headers=admin), 201)
    assert early["due_on"] == "2026-11-15"
    moved = ok(api.patch("/okr/key-results/early", json={"due_on": "2026-12-01"},
                         headers=admin))
    assert moved["due_on"] == "2026-12-01"
    assert_invalid_field(api.patch("/okr/key-results/early", json={"due_on": "soon"},
                                   headers=admin), "due_on")
    with sessions() as session:
        row = session.scalars(select(KeyResultRow).where(KeyResultRow.key == "early")).one()
        assert row.due_on == date(2026, 12, 1)
        details = [entry.detail for entry in session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "key_result",
                                     AuditEntry.entity_id == str(row.id))
            .order_by(AuditEntry.id))]
    assert details[0] is not None and details[0]["due_on"] == "2026-11-15"
    assert details[1] == {"key": "early",
                          "due_on": {"from": "2026-11-15", "to": "2026-12-01"}}
