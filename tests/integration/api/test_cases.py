"""Closed loop (issue 6): a detractor's response opens a case with an SLA, routed to the
touchpoint's team; the case moves through its statuses with a full history; overdue cases
escalate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import CaseRow, Membership, User, utcnow
from kano.adapters.jobs.cases import escalate_overdue_cases
from kano.bootstrap import Container
from kano.domain.workspaces import Role, Scope
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


def test_root_causes_are_stored_as_the_web_form_stores_them(
    api: TestClient, acme: SeededWorkspace
) -> None:
    """The API's list goes through the form's rule: each tag trimmed, its spaces kept but
    collapsed, repeats in another case dropped; a comma inside a tag is refused."""
    response_id = respond(api, acme, csat=1)
    case_id = api.get("cases", params={"response": response_id}, headers=acme.auth()).json()[
        "items"][0]["id"]
    write = acme.auth(Scope.WRITE)

    tagged = api.patch(f"cases/{case_id}", json={"root_causes": [
        " Billing   issue ", "ox:delivery-defects", "BILLING ISSUE", "   "]}, headers=write)
    comma = api.patch(f"cases/{case_id}", json={"root_causes": ["Billing, issue"]},
                      headers=write)
    too_long = api.patch(f"cases/{case_id}", json={"root_causes": ["x" * 65]}, headers=write)

    assert tagged.status_code == 200, tagged.text
    assert tagged.json()["root_causes"] == ["Billing issue", "ox:delivery-defects"]
    assert_invalid_field(comma, "root_causes.0")
    assert_invalid_field(too_long, "root_causes.0")
    stored = api.get(f"cases/{case_id}", headers=acme.auth()).json()
    assert stored["root_causes"] == ["Billing issue", "ox:delivery-defects"]


def test_a_tag_takes_the_spelling_the_workspace_already_uses(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace
) -> None:
    """"Billing issue" and "billing  ISSUE" are one tag: a case tagged with a new spelling
    of a tag other cases carry is stored in theirs, so the workspace counts it once; another
    workspace's spelling is its own, and a tag only this case carries may be respelled."""
    write = acme.auth(Scope.WRITE)
    first, second = (
        api.get("cases", params={"response": respond(api, acme, csat=1)},
                headers=acme.auth()).json()["items"][0]["id"]
        for _ in range(2)
    )
    elsewhere = api.get("cases", params={"response": respond(api, globex, csat=1)},
                        headers=globex.auth()).json()["items"][0]["id"]
    api.patch(f"cases/{elsewhere}", json={"root_causes": ["BILLING ISSUE"]},
              headers=globex.auth(Scope.WRITE))
    api.patch(f"cases/{first}", json={"root_causes": ["Billing issue"]}, headers=write)

    tagged = api.patch(f"cases/{second}", json={"root_causes": [" billing  ISSUE", "Packaging"]},
                       headers=write)
    respelled = api.patch(f"cases/{second}", json={"root_causes": ["BILLING issue", "packaging"]},
                          headers=write)

    assert tagged.status_code == 200, tagged.text
    assert tagged.json()["root_causes"] == ["Billing issue", "Packaging"]
    assert respelled.json()["root_causes"] == ["Billing issue", "packaging"]
    events = [event["detail"] for event in respelled.json()["events"]
              if event["kind"] == "root_causes"]
    assert events[-1] == {"from": ["Billing issue", "Packaging"],
                          "to": ["Billing issue", "packaging"]}
    assert api.get(f"cases/{elsewhere}", headers=globex.auth()).json()["root_causes"] == [
        "BILLING ISSUE"]


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


def test_case_titles_read_in_the_language_the_request_accepts(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    """Intake and bulk intake store one title form, '<survey>: <rule's words>' in English;
    `title_display` gives the rule's words in the Accept-Language's language, as the pages
    do, and `title` stays as stored (clients that read it keep working)."""
    detractor = respond(api, acme, nps=2)
    bulk = api.post("./responses:bulk", json={"responses": [
        {"survey": "after-delivery", "customer": {"external_id": "C0001"}, "answers": {"ces": 1}},
    ]}, headers=acme.auth(Scope.WRITE))  # fmt: skip
    assert bulk.status_code == 201, bulk.text
    hard = bulk.json()["ids"][0]
    renamed = respond(api, acme, csat=1)
    with sessions.begin() as session:  # a title someone wrote: shown as stored everywhere
        session.execute(update(CaseRow).where(CaseRow.response_id == renamed)
                        .values(title="Refund promised: detractor"))  # fmt: skip

    def titles(accept: str | None, language: str) -> dict[int, tuple[str, str]]:
        headers = acme.auth() | ({"Accept-Language": accept} if accept else {})
        reply = api.get("cases", headers=headers)
        assert reply.status_code == 200
        assert reply.headers["content-language"] == language
        assert "accept-language" in reply.headers["vary"].lower()
        return {case["response_id"]: (case["title"], case["title_display"])
                for case in reply.json()["items"] if case["response_id"] in stored}  # fmt: skip

    stored = {detractor: "After delivery: detractor", hard: "After delivery: hard to deal with",
              renamed: "Refund promised: detractor"}  # fmt: skip
    assert titles(None, "en") == {key: (title, title) for key, title in stored.items()}
    assert titles("ru-RU,ru;q=0.9,en;q=0.8", "ru") == {
        detractor: (stored[detractor], "After delivery: критик"),
        hard: (stored[hard], "After delivery: сложное взаимодействие"),
        renamed: (stored[renamed], stored[renamed]),
    }
    hungarian = titles("de, hu;q=0.5", "hu")
    assert hungarian[hard] == (stored[hard], "After delivery: nehézkes ügyintézés")
    case_id = _open_case_of(api, acme, detractor)
    detail = api.get(f"cases/{case_id}", headers=acme.auth() | {"Accept-Language": "hu"})
    assert detail.json()["title_display"] == "After delivery: kritikus"
    moved = api.patch(f"cases/{case_id}", json={"status": "in_progress"},
                      headers=acme.auth(Scope.WRITE) | {"Accept-Language": "ru"})  # fmt: skip
    assert moved.json()["title_display"] == "After delivery: критик"
    assert moved.json()["title"] == "After delivery: detractor"


def _open_case_of(api: TestClient, acme: SeededWorkspace, response_id: int) -> int:
    return int(api.get("cases", params={"response": response_id}, headers=acme.auth()).json()[
        "items"][0]["id"])


MIA = "mia@acme.test"  # manager of acme: may own cases
VERA = "vera@acme.test"  # viewer of acme: reads only
GUS = "gus@globex.test"  # manager of globex, a stranger to acme


def _members(sessions: sessionmaker[Session], acme: SeededWorkspace,
             globex: SeededWorkspace) -> None:
    with transaction(sessions) as session:
        for email, workspace_id, role in ((MIA, acme.workspace_id, Role.MANAGER),
                                          (VERA, acme.workspace_id, Role.VIEWER),
                                          (GUS, globex.workspace_id, Role.MANAGER)):
            user = User(email=email, name=email.split("@")[0].title(), password_hash="-")
            session.add(user)
            session.flush()
            session.add(Membership(workspace_id=workspace_id, user_id=user.id, role=role))


def _open_case(api: TestClient, acme: SeededWorkspace, **answers: object) -> int:
    response_id = respond(api, acme, **answers)
    return int(api.get("cases", params={"response": response_id}, headers=acme.auth()).json()[
        "items"][0]["id"])


def test_a_case_gets_an_owner_and_loses_it_with_an_event_each(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace,
    sessions: sessionmaker[Session],
) -> None:
    _members(sessions, acme, globex)
    case_id = _open_case(api, acme, nps=3)
    write = acme.auth(Scope.WRITE)
    assert api.get(f"cases/{case_id}", headers=acme.auth()).json()["owner"] is None

    taken = api.patch(f"cases/{case_id}", json={"owner": " Mia@Acme.test "}, headers=write)
    assert taken.status_code == 200, taken.text
    assert taken.json()["owner"] == MIA
    again = api.patch(f"cases/{case_id}", json={"owner": MIA, "note": "Calling"},
                      headers=write).json()  # unchanged owner: no second event
    assert again["owner"] == MIA
    kept = api.patch(f"cases/{case_id}", json={"status": "in_progress"}, headers=write).json()
    assert kept["owner"] == MIA  # a PATCH without "owner" keeps it
    unassigned = api.patch(f"cases/{case_id}", json={"owner": None}, headers=write).json()

    assert unassigned["owner"] is None and unassigned["status"] == "in_progress"
    owner_events = [e for e in unassigned["events"] if e["kind"] == "owner"]
    assert [e["detail"] for e in owner_events] == [{"from": None, "to": MIA},
                                                   {"from": MIA, "to": None}]
    assert owner_events[0]["actor"].startswith("token ")


@pytest.mark.parametrize("who", [VERA, GUS, "nobody@acme.test"])
def test_only_a_member_who_works_cases_can_own_one(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace,
    sessions: sessionmaker[Session], who: str,
) -> None:
    _members(sessions, acme, globex)
    case_id = _open_case(api, acme, nps=3)
    write = acme.auth(Scope.WRITE)

    refused = api.patch(f"cases/{case_id}", json={"owner": who, "status": "in_progress"},
                        headers=write)

    assert_invalid_field(refused, "owner")
    case = api.get(f"cases/{case_id}", headers=acme.auth()).json()
    assert case["owner"] is None and case["status"] == "new"  # nothing of the PATCH stayed
    assert [e["kind"] for e in case["events"]] == ["opened"]


def test_cases_are_filtered_by_owner(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace,
    sessions: sessionmaker[Session],
) -> None:
    _members(sessions, acme, globex)
    mine, other = _open_case(api, acme, nps=1), _open_case(api, acme, nps=2)
    assert api.patch(f"cases/{mine}", json={"owner": MIA},
                     headers=acme.auth(Scope.WRITE)).status_code == 200

    def ids(**params: str) -> list[int]:
        reply = api.get("cases", params=params, headers=acme.auth())
        assert reply.status_code == 200, reply.text
        return [case["id"] for case in reply.json()["items"]]

    assert ids(owner=MIA) == [mine]
    assert ids(owner="MIA@acme.test") == [mine]
    assert ids(owner="-") == [other]
    assert ids(owner=VERA) == []
    assert api.get("cases", params={"owner": MIA}, headers=globex.auth()).json()["items"] == []


def test_a_viewers_write_token_reads_cases_but_cannot_change_them(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace,
    sessions: sessionmaker[Session],
) -> None:
    _members(sessions, acme, globex)
    case_id = _open_case(api, acme, nps=1)
    tokens = {}
    with transaction(sessions) as session:
        workspace = accounts.get_workspace(session, acme.slug)
        for email in (VERA, MIA):
            user = session.scalars(select(User).where(User.email == email)).one()
            tokens[email] = accounts.create_api_token(
                session, workspace, Scope.WRITE, email, user=user).token
    viewer = {"Authorization": f"Bearer {tokens[VERA]}"}
    manager = {"Authorization": f"Bearer {tokens[MIA]}"}
    assert api.get(f"cases/{case_id}", headers=viewer).status_code == 200
    refused = api.patch(f"cases/{case_id}", json={"status": "in_progress"}, headers=viewer)
    assert_problem(refused, 403)
    assert api.get(f"cases/{case_id}", headers=viewer).json()["status"] == "new"
    moved = api.patch(f"cases/{case_id}", json={"status": "in_progress"}, headers=manager)
    assert moved.status_code == 200 and moved.json()["status"] == "in_progress"
