"""``PUT /surveys/{survey}/definition`` replaces a survey's questions through the builder's
own store function, and so guards quotas by answer the same way: a definition that removes
a question or option a quota counts is a 422 naming the quota (code
``quota_answer_removed``) and saves nothing; ``remove_quotas`` saves it and deletes those
quotas, audited. A quota orphaned before the guard is flagged ``orphaned`` in the list."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import AuditEntry, SurveyDefinitionRow, SurveyQuotaRow
from kano.adapters.db.quotas import add_quota
from kano.adapters.db.survey_store import defined_survey
from kano.domain.workspaces import Scope
from tests.integration.api.problems import assert_invalid_field
from tests.integration.api.seed import SeededWorkspace
from tests.integration.api.test_survey_answers_api import DEFINITION, SURVEY, define

PATH = f"./surveys/{SURVEY}/definition"


@pytest.fixture
def quotas(sessions: sessionmaker[Session], acme: SeededWorkspace) -> SeededWorkspace:
    define(sessions, acme, SURVEY, DEFINITION)
    with transaction(sessions) as session:
        for name, question, option in (("Reason = price", "reason", "price"),
                                       ("Uses the API", "features", "api")):
            add_quota(session, acme.workspace_id, SURVEY, name=name, limit=200,
                      question=question, option=option, actor="test")
        add_quota(session, acme.workspace_id, SURVEY, name="Everyone", limit=900,
                  actor="test")
    return acme


def _without(question: str, option: str | None = None) -> dict[str, Any]:
    """DEFINITION without the question, or only without one of its options."""
    changed = copy.deepcopy(DEFINITION)
    if option is None:
        changed["questions"] = [q for q in changed["questions"] if q["key"] != question]
    else:
        asked = next(q for q in changed["questions"] if q["key"] == question)
        asked["choices"] = [c for c in asked["choices"] if c["key"] != option]
    return changed


def _questions(sessions: sessionmaker[Session], acme: SeededWorkspace) -> list[str]:
    with sessions() as session:
        return [q.key for q in defined_survey(session, acme.workspace_id, SURVEY)
                .definition.questions]


def _quota_names(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(SurveyQuotaRow.name).order_by(SurveyQuotaRow.id)))


def test_removing_an_option_a_quota_counts_is_refused_naming_the_quota(
    api: TestClient, sessions: sessionmaker[Session], quotas: SeededWorkspace,
) -> None:
    refused = api.put(PATH, json={"definition": _without("features", "api")},
                      headers=quotas.auth(Scope.WRITE))

    problem = assert_invalid_field(refused, "questions")
    assert problem["code"] == "quota_answer_removed"
    assert problem["quotas"] == ["Uses the API"]
    assert "'Uses the API'" in problem["detail"]
    with sessions() as session:
        features = defined_survey(session, quotas.workspace_id, SURVEY).definition.questions[2]
    assert features.choice_keys() == ("chat", "export", "api")  # nothing saved
    assert _quota_names(sessions) == ["Reason = price", "Uses the API", "Everyone"]


def test_remove_quotas_saves_the_change_and_deletes_only_the_orphaned_quotas(
    api: TestClient, sessions: sessionmaker[Session], quotas: SeededWorkspace,
) -> None:
    changed = _without("reason")
    refused = api.put(PATH, json={"definition": changed}, headers=quotas.auth(Scope.WRITE))
    assert assert_invalid_field(refused, "questions")["quotas"] == ["Reason = price"]

    saved = api.put(PATH, json={"definition": changed, "remove_quotas": True},
                    headers=quotas.auth(Scope.WRITE))

    assert saved.status_code == 200, saved.text
    assert saved.json() == {"survey": SURVEY, "removed_quotas": ["Reason = price"],
                            "questions": ["nps", "features", "comment", "other", "dark-mode"]}
    assert _questions(sessions, quotas) == saved.json()["questions"]
    assert _quota_names(sessions) == ["Uses the API", "Everyone"]
    with sessions() as session:
        audited = session.scalars(select(AuditEntry.detail).where(
            AuditEntry.entity == "survey-quota", AuditEntry.action == "delete")).all()
    assert [detail["name"] for detail in audited if detail] == ["Reason = price"]


def test_a_change_keeping_the_counted_answers_saves_and_bad_input_names_its_field(
    api: TestClient, sessions: sessionmaker[Session], quotas: SeededWorkspace,
) -> None:
    more = copy.deepcopy(DEFINITION)
    more["questions"][1]["choices"].append({"key": "support", "label": {"en": "Support"}})
    saved = api.put(PATH, json={"definition": more}, headers=quotas.auth(Scope.WRITE))
    assert saved.status_code == 200 and saved.json()["removed_quotas"] == []
    assert len(_quota_names(sessions)) == 3

    bad = copy.deepcopy(DEFINITION)
    bad["questions"][1]["choices"] = bad["questions"][1]["choices"][:1]
    assert_invalid_field(api.put(PATH, json={"definition": bad},
                                 headers=quotas.auth(Scope.WRITE)), "questions[1].choices")
    assert api.put("./surveys/nope/definition", json={"definition": DEFINITION},
                   headers=quotas.auth(Scope.WRITE)).status_code == 404
    assert api.put(PATH, json={"definition": DEFINITION},
                   headers=quotas.auth(Scope.READ)).status_code == 403


def test_a_quota_orphaned_before_the_guard_is_flagged_in_the_list(
    api: TestClient, sessions: sessionmaker[Session], quotas: SeededWorkspace,
) -> None:
    with transaction(sessions) as session:  # as an older Kano saved it: unguarded
        session.execute(update(SurveyDefinitionRow).where(
            SurveyDefinitionRow.workspace_id == quotas.workspace_id)
            .values(definition=_without("features")))
    listed = api.get(f"./surveys/{SURVEY}/quotas", headers=quotas.auth()).json()["items"]
    assert {q["name"]: q["orphaned"] for q in listed} == {
        "Reason = price": False, "Uses the API": True, "Everyone": False}
    # an old orphan does not block other changes
    assert api.put(PATH, json={"definition": _without("features")},
                   headers=quotas.auth(Scope.WRITE)).status_code == 200
