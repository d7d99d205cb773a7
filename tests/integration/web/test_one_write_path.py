"""Objectives, cause–effect links and measures have one write path (``strategy_store``,
``measure_store``): the same input through the API and through a page's form stores the
same row, leaves the same audit entry and is refused naming the same field. On SQLite and
PostgreSQL, with one person acting through both (their session and their own token)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import (
    AuditEntry,
    CauseEffectLinkRow,
    MeasureRow,
    MeasureValueRow,
    ObjectiveRow,
    PerspectiveRow,
    ScorecardRow,
    User,
)
from kano.domain.workspaces import Scope
from tests.integration.strategy.support import import_text
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies

CARD = """\
format: kano-strategy/1
scorecards:
  - key: company
    name: Acme company scorecard
    perspectives:
      - {key: financial, name: Financial}
      - {key: customer, name: Customer}
    links: []
"""
OBJECTIVE_COLUMNS = ("perspective_id", "title", "description", "customer_voice",
                     "owner_user_id", "owner_team_id", "aligned_to_id")
MEASURE_COLUMNS = ("objective_id", "name", "unit", "kind", "direction", "baseline",
                   "amber_from", "green_from", "target", "band_low", "band_high",
                   "tolerance", "weight", "frequency", "metric_id", "metric_slice")


class Both:
    """Bob (Acme's owner) signed in to the web and holding a write token of his own."""

    def __init__(self, browser: Browser, token: str, sessions: sessionmaker[Session],
                 workspace_id: int, audited_before: int = 0) -> None:
        self.browser, self.token, self.sessions = browser, token, sessions
        self.workspace_id = workspace_id
        self.audited_before = audited_before  # the seeding's own entries (the import's)

    def form(self, path: str, data: dict[str, Any]) -> Any:
        return self.browser.client.post(
            path, data={**data, "csrf_token": self.browser.session_token()})

    def api(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.browser.client.request(method, f"/api/v1{path}", json=body,
                                           headers={"Authorization": f"Bearer {self.token}"})

    def row(self, table: Any, key: str) -> Any:
        with self.sessions() as session:
            return session.scalar(select(table).where(table.workspace_id == self.workspace_id,
                                                      table.key == key))

    def audit(self, entity: str, action: str = "create") -> list[AuditEntry]:
        with self.sessions() as session:
            return list(session.scalars(select(AuditEntry).where(
                AuditEntry.workspace_id == self.workspace_id, AuditEntry.entity == entity,
                AuditEntry.action == action, AuditEntry.id > self.audited_before)
                .order_by(AuditEntry.id)))

    def perspective_id(self, key: str) -> int:
        with self.sessions() as session:
            found = session.scalar(
                select(PerspectiveRow.id)
                .join(ScorecardRow, ScorecardRow.id == PerspectiveRow.scorecard_id)
                .where(ScorecardRow.workspace_id == self.workspace_id,
                       PerspectiveRow.key == key))
        assert found is not None
        return int(found)


@pytest.fixture
def both(browser: Browser, companies: SeededCompanies,
         sessions: sessionmaker[Session]) -> Both:
    import_text(sessions, CARD, "acme")
    with transaction(sessions) as session:
        acme = accounts.get_workspace(session, "acme")
        bob = session.scalar(select(User).where(User.email == companies.bob))
        token = accounts.create_api_token(session, acme, Scope.WRITE, "bob", user=bob).token
        # The import audits the rows it writes (one write path); the tests compare what the
        # form and the API leave after it.
        audited_before = session.scalar(select(func.max(AuditEntry.id))) or 0
    browser.log_in(companies.bob, PASSWORD)
    return Both(browser, token, sessions, companies.acme_id, audited_before)


def _columns(row: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


def _without(detail: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: value for name, value in detail.items() if name not in names}


def _objective_by_form(both: Both, title: str, **fields: str) -> ObjectiveRow:
    made = both.form("/scorecard/objectives", {
        "perspective_id": str(both.perspective_id("customer")), "title": title, **fields})
    assert made.status_code == 303, made.text
    with both.sessions() as session:
        row = session.scalar(select(ObjectiveRow).where(
            ObjectiveRow.workspace_id == both.workspace_id,
            ObjectiveRow.title == title.strip()))
    assert row is not None
    return row


def test_an_objective_is_stored_and_audited_alike_through_the_form_and_the_api(
    both: Both, companies: SeededCompanies
) -> None:
    typed = {"title": "  Answer within a day ", "customer_voice": " They reply fast  ",
             "description": ""}
    by_form = _objective_by_form(both, **typed)

    made = both.api("POST", "/objectives", {
        "key": "answer-api", "scorecard": "company", "perspective": "customer",
        "owner": companies.bob, **typed})

    assert made.status_code == 201, made.text
    by_api = both.row(ObjectiveRow, "answer-api")
    assert by_form.key == "answer-within-a-day"
    assert _columns(by_api, OBJECTIVE_COLUMNS) == _columns(by_form, OBJECTIVE_COLUMNS)
    assert (by_api.title, by_api.customer_voice, by_api.description) == (
        "Answer within a day", "They reply fast", None)  # trimmed, blank is none, both ways
    form_entry, api_entry = both.audit("objective")
    assert form_entry.actor == api_entry.actor == companies.bob
    assert _without(api_entry.detail, "key", "position") == \
        _without(form_entry.detail, "key", "position")
    assert api_entry.detail["owner"] == companies.bob
    assert api_entry.detail["perspective"] == "customer"


@pytest.mark.parametrize(("title", "message"), [
    ("   ", "Please fill this in."),
    ("x" * 301, "This text is too long."),
])
def test_a_bad_title_is_refused_naming_the_title_both_ways(
    both: Both, title: str, message: str
) -> None:
    by_form = both.form("/scorecard/objectives", {
        "perspective_id": str(both.perspective_id("customer")), "title": title})
    by_api = both.api("POST", "/objectives", {
        "key": "bad", "scorecard": "company", "perspective": "customer", "title": title})

    assert by_form.status_code == by_api.status_code == 422
    assert text_of(by_form.text, "title-error") == message
    assert [error["field"] for error in by_api.json()["errors"]] == ["title"]
    assert both.audit("objective") == []


def test_a_link_is_stored_and_audited_alike_and_takes_the_files_lag_both_ways(
    both: Both,
) -> None:
    first = _objective_by_form(both, "Be easy to work with")
    second = _objective_by_form(both, "Keep our customers")
    third = _objective_by_form(both, "Grow revenue")
    typed = {"hypothesis": " Easy service keeps customers ", "lag_months": 90}

    by_form = both.form(f"/scorecard/objectives/{first.id}/links",
                        {"effect_id": str(second.id), "hypothesis": typed["hypothesis"],
                         "lag_months": str(typed["lag_months"])})
    by_api = both.api("POST", "/links", {"scorecard": "company", "cause": second.key,
                                         "effect": third.key, **typed})

    assert by_form.status_code == 303, by_form.text
    assert by_api.status_code == 201, by_api.text
    with both.sessions() as session:
        rows = session.scalars(select(CauseEffectLinkRow).order_by(CauseEffectLinkRow.id)).all()
    assert [(row.hypothesis, row.lag_months) for row in rows] == [
        ("Easy service keeps customers", 90)] * 2  # the web refused lags above 60 before
    form_entry, api_entry = both.audit("cause_effect_link")
    assert form_entry.detail == {"scorecard": "company", "cause": first.key,
                                 "effect": second.key, **_without(api_entry.detail,
                                                                  "cause", "effect")}
    assert api_entry.detail["lag_months"] == 90


@pytest.mark.parametrize(("change", "form_field", "api_field", "api_status"), [
    ({"lag_months": 121}, "lag_months", "lag_months", 422),
    ({"to_itself": True}, "effect_id", "effect", 422),
    ({"again": True}, "effect_id", None, 409),
])
def test_a_bad_link_is_refused_on_the_same_field_both_ways(
    both: Both, change: dict[str, Any], form_field: str, api_field: str | None,
    api_status: int,
) -> None:
    cause = _objective_by_form(both, "Be easy to work with")
    effect = _objective_by_form(both, "Keep our customers")
    _objective_by_form(both, "Grow revenue")  # so the page still offers a link to add
    if change.get("again"):
        assert both.api("POST", "/links", {"scorecard": "company", "cause": cause.key,
                                           "effect": effect.key}).status_code == 201
    target = cause if change.get("to_itself") else effect
    lag = change.get("lag_months", 0)

    by_form = both.form(f"/scorecard/objectives/{cause.id}/links",
                        {"effect_id": str(target.id), "lag_months": str(lag)})
    by_api = both.api("POST", "/links", {"scorecard": "company", "cause": cause.key,
                                         "effect": target.key, "lag_months": lag})

    assert by_form.status_code == 422
    assert f'id="{form_field}-error"' in by_form.text
    assert by_api.status_code == api_status
    if api_field is not None:
        assert [error["field"] for error in by_api.json()["errors"]] == [api_field]
    assert len(both.audit("cause_effect_link")) == (1 if change.get("again") else 0)


def test_a_measure_is_stored_and_audited_alike_through_the_session_and_the_api(
    both: Both,
) -> None:
    objective = _objective_by_form(both, "Be easy to work with")
    made = both.form(f"/strategy/session/company/objectives/{objective.id}/measures", {
        "name": " Net promoter score ", "metric": "nps", "kind": "say", "direction": "higher",
        "baseline": "30", "target": "40"})
    assert made.status_code == 303, made.text
    by_form = both.row(MeasureRow, "net-promoter-score")

    by_api = both.api("POST", "/measures", {
        "key": "nps-api", "objective": objective.key, "name": " Net promoter score ",
        "metric": {"id": "nps"}, "kind": "say", "direction": "higher", "baseline": 30,
        "target": 40, "amber_from": by_form.amber_from, "green_from": by_form.green_from})

    assert by_api.status_code == 201, by_api.text
    stored = both.row(MeasureRow, "nps-api")
    assert _columns(stored, MEASURE_COLUMNS) == _columns(by_form, MEASURE_COLUMNS)
    assert (stored.name, stored.unit) == ("Net promoter score", "points")  # the metric's unit
    form_entry, api_entry = both.audit("measure")
    assert _without(api_entry.detail, "key", "position") == \
        _without(form_entry.detail, "key", "position")


def test_an_unknown_metric_is_refused_naming_the_metric_both_ways(both: Both) -> None:
    objective = _objective_by_form(both, "Be easy to work with")

    by_form = both.form(f"/strategy/session/company/objectives/{objective.id}/measures", {
        "name": "Happiness", "metric": "happiness", "direction": "higher", "baseline": "1",
        "target": "2"})
    by_api = both.api("POST", "/measures", {
        "key": "happiness", "objective": objective.key, "name": "Happiness",
        "metric": {"id": "happiness"}, "direction": "higher", "amber_from": 1,
        "green_from": 1.5, "target": 2})

    assert by_form.status_code == by_api.status_code == 422
    assert text_of(by_form.text, "metric-error") == "Choose a metric of the catalogue."
    assert [error["field"] for error in by_api.json()["errors"]] == ["metric.id"]
    assert both.audit("measure") == []


def test_a_measure_value_is_stored_and_audited_alike_through_the_form_and_the_api(
    both: Both,
) -> None:
    objective = _objective_by_form(both, "Be easy to work with")
    assert both.api("POST", "/measures", {
        "key": "nps", "objective": objective.key, "name": "NPS", "direction": "higher",
        "amber_from": 30, "green_from": 35, "target": 40}).status_code == 201
    measure = both.row(MeasureRow, "nps")

    by_form = both.form(f"/scorecard/measures/{measure.id}/values",
                        {"period": "2026-10", "actual": "37,5", "target": "40"})
    by_api = both.api("POST", "/measures/nps/values",
                      {"period": "2026-11-01", "actual": 37.5, "target": 40})
    again = both.api("POST", "/measures/nps/values", {"period": "2026-10-01", "actual": 1})
    corrected_by_form = both.form(f"/scorecard/measures/{measure.id}/values",
                                  {"period": "2026-10", "actual": "38"})
    corrected_by_api = both.api("PATCH", "/measures/nps/values/2026-11-01", {"actual": 38})

    assert by_form.status_code == corrected_by_form.status_code == 303, by_form.text
    assert (by_api.status_code, again.status_code, corrected_by_api.status_code) == (
        201, 409, 200)
    with both.sessions() as session:
        rows = session.scalars(select(MeasureValueRow).where(
            MeasureValueRow.measure_id == measure.id).order_by(MeasureValueRow.period_start))
        stored = [(row.actual, row.target, row.source, row.n) for row in rows]
    assert stored == [(38.0, 40.0, "manual", None)] * 2
    form_entry, api_entry = both.audit("measure_value")
    assert _without(form_entry.detail, "period") == _without(api_entry.detail, "period")
    form_update, api_update = both.audit("measure_value", "update")
    assert _without(form_update.detail, "period") == _without(api_update.detail, "period") \
        == {"measure": "nps", "actual": {"from": 37.5, "to": 38.0}}
