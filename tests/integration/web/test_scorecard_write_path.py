"""Scorecards and perspectives have one write path (``scorecard_store``), as objectives,
links and measures do (``test_one_write_path``): the same input through the API and
through a page's form (the scorecard page, the strategy session) stores the same row,
leaves the same audit entry and is refused naming the same field. On SQLite and
PostgreSQL, with one person acting through both (their session and their own token)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Membership, PerspectiveRow, ScorecardRow, User
from kano.domain.workspaces import Role
from tests.integration.web.browsing import text_of
from tests.integration.web.seed import SeededCompanies
from tests.integration.web.test_one_write_path import Both, _without
from tests.integration.web.test_one_write_path import both as both  # the fixture


def _perspectives(both: Both, card_key: str) -> list[tuple[str, str, int]]:
    with both.sessions() as session:
        rows = session.execute(
            select(PerspectiveRow.key, PerspectiveRow.name, PerspectiveRow.position)
            .join(ScorecardRow, ScorecardRow.id == PerspectiveRow.scorecard_id)
            .where(ScorecardRow.workspace_id == both.workspace_id, ScorecardRow.key == card_key)
            .order_by(PerspectiveRow.position, PerspectiveRow.id)).all()
    return [(row.key, row.name, row.position) for row in rows]


def test_a_perspective_is_renamed_and_audited_alike_through_the_form_and_the_api(
    both: Both, companies: SeededCompanies
) -> None:
    by_form = both.form(f"/scorecard/perspectives/{both.perspective_id('financial')}/rename",
                        {"name": "  Money  "})
    by_api = both.api("PATCH", "/scorecards/company/perspectives/customer",
                      {"name": "  Clients  "})

    assert by_form.status_code == 303, by_form.text
    assert by_api.status_code == 200, by_api.text
    assert by_api.json()["name"] == "Clients"  # trimmed both ways (the API kept the spaces)
    assert _perspectives(both, "company") == [("financial", "Money", 0),
                                              ("customer", "Clients", 1)]
    form_entry, api_entry = both.audit("perspective", "update")
    assert form_entry.actor == api_entry.actor == companies.bob
    assert form_entry.detail == {"scorecard": "company", "key": "financial",
                                 "name": {"from": "Financial", "to": "Money"}}
    assert api_entry.detail == {"scorecard": "company", "key": "customer",
                                "name": {"from": "Customer", "to": "Clients"}}


@pytest.mark.parametrize(("name", "message"), [
    ("   ", "Please fill this in."),
    ("x" * 201, "This text is too long."),
    ("Mo\x07ney", "This text contains invisible control characters."),
])
def test_a_bad_perspective_name_is_refused_naming_the_name_both_ways(
    both: Both, name: str, message: str
) -> None:
    by_form = both.form(f"/scorecard/perspectives/{both.perspective_id('financial')}/rename",
                        {"name": name})
    by_api = both.api("PATCH", "/scorecards/company/perspectives/financial", {"name": name})
    added = both.api("POST", "/scorecards/company/perspectives", {"key": "x", "name": name})

    assert by_form.status_code == by_api.status_code == added.status_code == 422
    assert text_of(by_form.text, "name-error") == message
    assert [error["field"] for error in by_api.json()["errors"]] == ["name"]
    assert [error["field"] for error in added.json()["errors"]] == ["name"]
    assert both.audit("perspective", "update") == both.audit("perspective") == []


def test_a_move_audits_every_perspective_whose_place_changed(both: Both) -> None:
    assert both.api("POST", "/scorecards/company/perspectives",
                    {"key": "process", "name": "Internal processes"}).status_code == 201
    process = both.perspective_id("process")

    moved = both.form(f"/scorecard/perspectives/{process}/move", {"direction": "up"})
    stays = both.form(f"/scorecard/perspectives/{both.perspective_id('financial')}/move",
                      {"direction": "up"})

    assert moved.status_code == stays.status_code == 303
    assert _perspectives(both, "company") == [("financial", "Financial", 0),
                                              ("process", "Internal processes", 1),
                                              ("customer", "Customer", 2)]
    assert sorted((entry.detail["key"], entry.detail["position"]["from"],
                   entry.detail["position"]["to"])
                  for entry in both.audit("perspective", "update")) == [
        ("customer", 1, 2), ("process", 2, 1)]
    assert all(entry.detail["scorecard"] == "company"
               for entry in both.audit("perspective", "update"))


def test_a_scorecard_is_created_and_audited_alike_through_the_session_and_the_api(
    both: Both, companies: SeededCompanies
) -> None:
    by_form = both.form("/strategy/session", {"name": "  Acme 2027  "})
    by_api = both.api("POST", "/scorecards", {"key": "acme-api", "name": "  Acme 2027  "})

    assert by_form.status_code == 303, by_form.text
    assert by_api.status_code == 201, by_api.text
    form_card, api_card = both.row(ScorecardRow, "company-2"), both.row(ScorecardRow, "acme-api")
    assert (form_card.name, form_card.level, form_card.parent_id) == (
        api_card.name, api_card.level, api_card.parent_id) == ("Acme 2027", "company", None)
    form_entry, api_entry = both.audit("scorecard")
    assert form_entry.actor == api_entry.actor == companies.bob
    assert _without(form_entry.detail, "key") == _without(api_entry.detail, "key") == {
        "name": "Acme 2027", "level": "company", "parent": None, "owner_team": None}
    # the session's four perspectives are created as the API creates one
    assert both.api("POST", "/scorecards/acme-api/perspectives",
                    {"key": "financial", "name": "Financial"}).status_code == 201
    perspective_entries = both.audit("perspective")
    assert len(perspective_entries) == 5
    assert perspective_entries[0].detail == {"scorecard": "company-2", "key": "financial",
                                             "name": "Financial", "position": 0}
    assert _without(perspective_entries[-1].detail, "scorecard") == \
        _without(perspective_entries[0].detail, "scorecard")


def test_a_blank_scorecard_name_is_refused_naming_the_name_both_ways(both: Both) -> None:
    # the session offers its form to a workspace without a scorecard
    assert both.api("DELETE", "/scorecards/company").status_code == 204
    by_form = both.form("/strategy/session", {"name": "  "})
    by_api = both.api("POST", "/scorecards", {"key": "blank", "name": "  "})

    assert by_form.status_code == by_api.status_code == 422
    assert text_of(by_form.text, "name-error") == "Please fill this in."
    assert [error["field"] for error in by_api.json()["errors"]] == ["name"]
    assert both.audit("scorecard") == []
    assert [entry.detail for entry in both.audit("scorecard", "delete")] == [
        {"key": "company", "name": "Acme company scorecard"}]


def test_a_manager_changes_no_scorecard_or_perspective_either_way(
    both: Both, companies: SeededCompanies, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        bob = session.scalar(select(User).where(User.email == companies.bob))
        assert bob is not None
        membership = session.scalar(select(Membership).where(
            Membership.user_id == bob.id, Membership.workspace_id == companies.acme_id))
        assert membership is not None
        membership.role = Role.MANAGER.value
    financial = both.perspective_id("financial")

    forms = [both.form(f"/scorecard/perspectives/{financial}/rename", {"name": "Money"}),
             both.form(f"/scorecard/perspectives/{financial}/move", {"direction": "down"}),
             both.form("/strategy/session", {"name": "Mine"})]
    calls: list[tuple[str, str, dict[str, Any] | None]] = [
        ("PATCH", "/scorecards/company/perspectives/financial", {"name": "Money"}),
        ("POST", "/scorecards/company/perspectives", {"key": "mine", "name": "Mine"}),
        ("DELETE", "/scorecards/company/perspectives/financial", None),
        ("POST", "/scorecards", {"key": "mine", "name": "Mine"}),
        ("PATCH", "/scorecards/company", {"name": "Mine"}),
        ("DELETE", "/scorecards/company", None),
    ]
    apis = [both.api(method, path, body) for method, path, body in calls]

    assert [response.status_code for response in forms + apis] == [403] * 9
    assert _perspectives(both, "company") == [("financial", "Financial", 0),
                                              ("customer", "Customer", 1)]
    with both.sessions() as session:
        assert accounts.get_workspace(session, "acme") is not None
    assert both.audit("perspective", "update") == both.audit("scorecard") == []
    assert both.audit("perspective") == both.audit("scorecard", "delete") == []
