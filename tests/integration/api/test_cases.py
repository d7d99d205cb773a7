"""Closed loop (issue 6): a detractor's response opens a case with an SLA, routed to the
touchpoint's team; the case moves through its statuses with a full history; overdue cases
escalate."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.orm import CaseRow, utcnow
from kano.adapters.jobs.cases import escalate_overdue_cases
from kano.bootstrap import Container
from kano.domain.workspaces import Scope
from tests.integration.api.problems import assert_invalid_field, assert_problem
from tests.integration.api.seed import SeededWorkspace


def respond(api: TestClient, acme: SeededWorkspace, **answers: object) -> int:
    reply = api.post(
        "responses",
        json={"survey": "after-delivery", "customer": {"external_id": "C0001"},
              "answers": answers},
        headers=acme.auth(Scope.WRITE),
    )
    assert reply.status_code == 201, reply.text
    return int(reply.json()["id"])


def test_detractor_response_opens_a_case_with_sla_routed_to_the_touchpoint_team(
    api: TestClient, acme: SeededWorkspace
) -> None:
    detractor = respond(api, acme, nps=2, comment="Late again")
    promoter = respond(api, acme, nps=10)
    (case,) = api.get("cases", params={"response": detractor}, headers=acme.auth()).json()["items"]
    assert case["rule"] == "detractor" and case["status"] == "new"
    assert case["owner_team"] == "logistics"
    assert case["opened_at"] < case["first_response_due_at"] <= case["resolution_due_at"]
    assert api.get("cases", params={"response": promoter}, headers=acme.auth()).json()[
        "items"] == []


def test_a_case_moves_through_its_statuses_and_keeps_its_history(
    api: TestClient, acme: SeededWorkspace
) -> None:
    response_id = respond(api, acme, csat=1)
    case_id = api.get("cases", params={"response": response_id}, headers=acme.auth()).json()[
        "items"][0]["id"]
    write = acme.auth(Scope.WRITE)
    skipped = api.patch(f"cases/{case_id}", json={"status": "loop_closed"}, headers=write)
    assert_invalid_field(skipped, "status")
    started = api.patch(f"cases/{case_id}", json={"status": "in_progress"}, headers=write)
    assert started.status_code == 200 and started.json()["first_responded_at"]
    api.patch(f"cases/{case_id}", json={"status": "resolved", "root_causes": ["ox:delivery-delay"],
                                       "note": "Route re-planned"}, headers=write)
    closed = api.patch(f"cases/{case_id}", json={"status": "loop_closed",
                                                  "message": "Your route is re-planned."},
                       headers=write).json()
    assert closed["status"] == "loop_closed" and closed["loop_closed_at"]
    assert closed["root_causes"] == ["ox:delivery-delay"]
    kinds = [event["kind"] for event in closed["events"]]
    assert kinds == ["opened", "status", "status", "root_causes", "note", "status"]
    assert_problem(api.patch(f"cases/{case_id}", json={"note": "x"}, headers=acme.auth()), 403)


def test_overdue_cases_escalate_once_per_level(
    api: TestClient, acme: SeededWorkspace, container: Container, sessions: sessionmaker[Session]
) -> None:
    response_id = respond(api, acme, nps=0)
    with sessions.begin() as session:
        session.execute(update(CaseRow).where(CaseRow.response_id == response_id).values(
            first_response_due_at=utcnow() - timedelta(minutes=1)))
    assert escalate_overdue_cases(container) == "1 cases escalated"
    assert escalate_overdue_cases(container) == "0 cases escalated"
    with sessions.begin() as session:
        session.execute(update(CaseRow).where(CaseRow.response_id == response_id).values(
            resolution_due_at=utcnow() - timedelta(minutes=1)))
    assert escalate_overdue_cases(container) == "1 cases escalated"
    case = api.get("cases", params={"response": response_id}, headers=acme.auth()).json()[
        "items"][0]
    assert case["escalation_level"] == 2
    detail = api.get(f"cases/{case['id']}", headers=acme.auth()).json()
    assert [e["detail"]["reason"] for e in detail["events"] if e["kind"] == "escalated"] == [
        "first response overdue", "resolution overdue"]


def test_cases_of_another_workspace_are_invisible(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace
) -> None:
    response_id = respond(api, acme, nps=1)
    case_id = api.get("cases", params={"response": response_id}, headers=acme.auth()).json()[
        "items"][0]["id"]
    assert_problem(api.get(f"cases/{case_id}", headers=globex.auth()), 404)
    assert api.get("cases", headers=globex.auth()).json()["items"] == []
