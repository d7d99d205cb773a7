"""A survey's requirement question enters the customer's words in the special requirements
register (issue 6: "intake through the same channels (a survey question type and the API)").

Through the single and the bulk API: the answer is kept with its response and a proposed
requirement of the question's kind is entered for the customer, linked to the response and
to the survey's touchpoint as its process, in the same transaction (a refused batch enters
nothing). An anonymous answer has no customer to hold a requirement.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.orm import AuditEntry, SpecialRequirementRow
from kano.adapters.db.survey_store import save_survey
from kano.domain.feedback.surveys import checked_definition
from kano.domain.workspaces import Scope
from tests.integration.api.problems import assert_invalid_field
from tests.integration.api.seed import SeededWorkspace

NEEDS = "Deliveries only before 7 am, at gate B; the forklift takes 1.2 t at most."


@pytest.fixture
def with_requirement_question(sessions: sessionmaker[Session], acme: SeededWorkspace) -> None:
    definition = checked_definition({"questions": [
        {"key": "nps", "type": "nps", "text": {"en": "Recommend us?"}},
        {"key": "comment", "type": "text", "text": {"en": "Why?"}},
        {"key": "site-needs", "type": "requirement", "kind": "delivery",
         "text": {"en": "Anything we must know about delivering to your site?"}},
    ]})
    with sessions.begin() as session:
        save_survey(session, acme.workspace_id, "after-delivery", name="After delivery",
                    touchpoint="delivery-call", definition=definition, actor="test",
                    user_id=None)


def body(customer: dict[str, str] | None, **answers: Any) -> dict[str, Any]:
    given: dict[str, Any] = {"survey": "after-delivery", "answers": {"nps": 8, **answers}}
    if customer is not None:
        given["customer"] = customer
    return given


def requirements(sessions: sessionmaker[Session]) -> list[SpecialRequirementRow]:
    with sessions() as session:
        return list(session.scalars(select(SpecialRequirementRow)
                                    .order_by(SpecialRequirementRow.id)))


@pytest.mark.usefixtures("with_requirement_question")
def test_a_requirement_answer_enters_the_register_for_the_customer(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    created = api.post("responses", json=body({"external_id": "C0001"}, **{"site-needs": NEEDS}),
                       headers=acme.auth(Scope.WRITE))
    assert created.status_code == 201, created.text
    response_id = created.json()["id"]
    (row,) = requirements(sessions)
    assert (row.kind, row.text, row.status, row.process_key, row.response_id) == (
        "delivery", NEEDS, "proposed", "delivery-call", response_id)
    listed = api.get("requirements", params={"customer": "C0001"}, headers=acme.auth()).json()
    (item,) = listed["items"]
    assert item["text"] == NEEDS and item["response_id"] == response_id
    answers = api.get(f"responses/{response_id}", headers=acme.auth()).json()["answers"]
    assert answers == [{"question": "site-needs", "value": NEEDS, "kano_category": None}]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.entity == "requirement", AuditEntry.entity_id == str(row.id))) == 1


@pytest.mark.usefixtures("with_requirement_question")
def test_an_anonymous_or_blank_answer_enters_nothing(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    anonymous = api.post("responses", json=body(None, **{"site-needs": NEEDS}),
                         headers=acme.auth(Scope.WRITE))
    blank = api.post("responses", json=body({"external_id": "C0001"}, **{"site-needs": "  "}),
                     headers=acme.auth(Scope.WRITE))
    assert (anonymous.status_code, blank.status_code) == (201, 201)
    assert requirements(sessions) == []
    wrong_type = api.post("responses", json=body({"external_id": "C0001"}, **{"site-needs": 7}),
                          headers=acme.auth(Scope.WRITE))
    assert_invalid_field(wrong_type, "answers.site-needs")


@pytest.mark.usefixtures("with_requirement_question")
def test_the_bulk_api_enters_each_stated_requirement_or_none(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    batch = [
        body({"external_id": "C0001"}, **{"site-needs": NEEDS}),
        body({"external_id": "C0002"}),
        body({"external_id": "C0003"}, **{"site-needs": "Pallets no higher than 1.5 m"}),
    ]
    refused = api.post("./responses:bulk", json={"responses": [*batch, body(
        {"external_id": "C0004"}, **{"site-needs": "x" * 4_001})]}, headers=acme.auth(Scope.WRITE))
    assert_invalid_field(refused, "responses.3.answers.site-needs")
    assert requirements(sessions) == []

    accepted = api.post("./responses:bulk", json={"responses": batch},
                        headers=acme.auth(Scope.WRITE))
    assert accepted.status_code == 201, accepted.text
    ids = accepted.json()["ids"]
    rows = requirements(sessions)
    assert [(r.response_id, r.text, r.kind) for r in rows] == [
        (ids[0], NEEDS, "delivery"), (ids[2], "Pallets no higher than 1.5 m", "delivery")]
    assert {r.process_key for r in rows} == {"delivery-call"}


def test_a_response_of_another_workspace_is_never_named_as_the_source(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace,
    sessions: sessionmaker[Session],
) -> None:
    """A requirement row pointing at another workspace's response (a bad import, a bug)
    lists no response id rather than leak one."""
    with sessions.begin() as session:
        session.add_all([
            SpecialRequirementRow(workspace_id=acme.workspace_id,
                                  customer_id=acme.customer_ids[0],
                                  response_id=globex.response_ids[0], kind="other",
                                  text="Points elsewhere"),
            SpecialRequirementRow(workspace_id=acme.workspace_id,
                                  customer_id=acme.customer_ids[0],
                                  response_id=acme.response_ids[0], kind="other",
                                  text="Stated here"),
        ])
    listed = api.get("requirements", headers=acme.auth()).json()["items"]
    assert {item["text"]: item["response_id"] for item in listed} == {
        "Points elsewhere": None, "Stated here": acme.response_ids[0]}
