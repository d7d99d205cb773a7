"""Tenant isolation on every route with an id (SPEC §2.1: "data of one workspace is never
visible from another").

Workspace B is the demo company (scorecard, OKRs, MBO, journeys, cases, pilots, surveys…)
plus the few things the demo has no row of (a token, a webhook, a quota). Workspace A is
a small company of its own. Every route of the route table with a path parameter is asked
for B's row as A's owner (web) or with A's write token (API): the answer must be the same
404 as for an id nobody has — not 403 (which tells the row exists), not 200, not 5xx. A GET
is asked as B's admin too, to prove the id is real and the route works.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from kano.adapters.db import accounts, journey_store
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import (
    ApiToken,
    CaseRow,
    CauseEffectLinkRow,
    CheckInRow,
    Customer,
    CustomMetricRow,
    FeedbackResponse,
    InitiativeRow,
    JourneyRow,
    KeyResultRow,
    MboObjectiveRow,
    MboSheetRow,
    MeasureRow,
    MeasureValueRow,
    Membership,
    ObjectiveRow,
    OkrCycleRow,
    OkrObjectiveRow,
    PerspectiveRow,
    PilotRow,
    ProductRow,
    ScorecardRow,
    Segment,
    SpecialRequirementRow,
    Survey,
    SurveyQuotaRow,
    Touchpoint,
    Transaction,
    WebhookEndpointRow,
)
from kano.app import create_app
from kano.bootstrap import Container
from kano.domain.workspaces import Role, Scope
from tests.integration.jobs.test_live_binding import WORKSPACE, demo_data, live, workspace_id
from tests.integration.web.browsing import Browser, csrf_token_in
from tests.integration.web.demo_session import DEMO_ADMIN
from tests.integration.web.route_table import Endpoint, endpoints, form_fields

__all__ = ["demo_data", "live"]

INTRUDER = ("mallory@intruder.test", "intruder password")
# Parameters that name no row: a file type, an analysis, a step of a guided flow.
NOT_IDS = {"extension": "csv", "kind": "csv", "analysis": "rfm", "digest": "0" * 16,
           "step_kind": None}
# Public by design: anyone with a survey's link may answer it (rate-limited, no tenant).
PUBLIC_PREFIXES = ("/s/", "/widget/")
PILOT_FORM = {
    "name": "B's pilot", "hypothesis": "", "pilot_by": "region", "pilot_values": "north",
    "control_by": "region", "control_values": "south", "kpis": "revenue",
    "baseline_start": "2025-01-01", "baseline_end": "2025-06-30", "test_start": "2025-07-01",
    "test_end": "2025-09-30", "owner": "", "target_effect": "",
}


@dataclass(frozen=True)
class Tenants:
    app: TestClient
    values: dict[str, str]  # (route family, parameter) keys → one of B's values
    intruder_token: str
    intruder: Browser
    owner: Browser


def _one(db: Session, statement: Any) -> Any:
    value = db.execute(statement).first()
    assert value is not None, f"workspace B has no row for {statement}"
    return value


def _b_values(db: Session, b: int) -> dict[str, str]:
    """One coherent row of each kind in B (a check-in with its own key result …)."""
    check_in, kr_key, kr_id, okr_objective, okr_objective_id, cycle = _one(db, (
        select(CheckInRow.id, KeyResultRow.key, KeyResultRow.id, OkrObjectiveRow.key,
               OkrObjectiveRow.id, OkrCycleRow.key)
        .join(KeyResultRow, KeyResultRow.id == CheckInRow.key_result_id)
        .join(OkrObjectiveRow, OkrObjectiveRow.id == KeyResultRow.okr_objective_id)
        .join(OkrCycleRow, OkrCycleRow.id == OkrObjectiveRow.cycle_id)
        .where(CheckInRow.workspace_id == b)))
    measure_key, measure_id, period, objective_key, objective_id, perspective_key, \
        perspective_id, card_key, card_id = _one(db, (
            select(MeasureRow.key, MeasureRow.id, MeasureValueRow.period_start, ObjectiveRow.key,
                   ObjectiveRow.id, PerspectiveRow.key, PerspectiveRow.id, ScorecardRow.key,
                   ScorecardRow.id)
            .join(MeasureValueRow, MeasureValueRow.measure_id == MeasureRow.id)
            .join(ObjectiveRow, ObjectiveRow.id == MeasureRow.objective_id)
            .join(PerspectiveRow, PerspectiveRow.id == ObjectiveRow.perspective_id)
            .join(ScorecardRow, ScorecardRow.id == PerspectiveRow.scorecard_id)
            .where(MeasureRow.workspace_id == b)))
    sheet, mbo_objective = _one(db, (
        select(MboSheetRow.key, MboObjectiveRow.key)
        .join(MboObjectiveRow, MboObjectiveRow.sheet_id == MboSheetRow.id)
        .where(MboSheetRow.workspace_id == b)))
    survey, quota = _one(db, (
        select(Survey.key, SurveyQuotaRow.id)
        .join(SurveyQuotaRow, SurveyQuotaRow.survey_id == Survey.id)
        .where(Survey.workspace_id == b)))

    def first(column: Any) -> str:
        return str(_one(db, select(column).where(column.class_.workspace_id == b))[0])

    commented = select(FeedbackResponse.id).where(  # the text API analyses a comment
        FeedbackResponse.workspace_id == b, FeedbackResponse.comment.is_not(None))

    return {
        "customer_id": first(Customer.id), "response_id": str(_one(db, commented)[0]),
        "transaction_id": first(Transaction.id), "case_id": first(CaseRow.id),
        "requirement_id": first(SpecialRequirementRow.id),
        "endpoint_id": first(WebhookEndpointRow.id), "pilot_id": first(PilotRow.id),
        "code": first(ProductRow.code), "metric_id": first(CustomMetricRow.key),
        "touchpoint": first(Touchpoint.key), "link_id": first(CauseEffectLinkRow.id),
        "initiative_key": first(InitiativeRow.key),
        "member_id": str(_one(db, select(Membership.id).where(Membership.workspace_id == b))[0]),
        "token_id": str(_one(db, select(ApiToken.id).where(ApiToken.workspace_id == b))[0]),
        "segment": first(Segment.key), "journey": first(JourneyRow.key),
        "survey": survey, "survey_key": survey, "quota_id": str(quota),
        "check_in_id": str(check_in), "kr_key": kr_key, "key_result_id": str(kr_id),
        "okr_objective_key": okr_objective, "okr_objective_id": str(okr_objective_id),
        "cycle_key": cycle, "measure_key": measure_key, "measure_id": str(measure_id),
        "measure_period": period.isoformat(), "objective_key": objective_key,
        "objective_id": str(objective_id), "perspective_key": perspective_key,
        "perspective_id": str(perspective_id), "scorecard_key": card_key,
        "card_key": card_key, "scorecard_id": str(card_id),
        "sheet_key": sheet, "mbo_objective_key": mbo_objective,
    }


def value_of(values: dict[str, str], endpoint: Endpoint, name: str) -> str | None:
    """B's value for parameter ``name`` of ``endpoint`` (some names mean different rows)."""
    path = endpoint.path.removeprefix("/api/v1")
    if name == "step_kind":  # a perspective's step of a strategy session, or its review
        return "perspectives" if "{step_key}" in path else "review"
    if name == "step_key":
        return values["perspective_key"]
    if name in NOT_IDS:
        return NOT_IDS[name]
    if name == "period":
        return values["measure_period"] if path.startswith("/measures/") else None
    if name == "key":
        for prefix, kind in (("/segments/", "segment"), ("/journeys/", "journey"),
                             ("/surveys/", "survey"),
                             ("/mbo/sheets/{sheet_key}/", "mbo_objective_key"),
                             ("/mbo/sheets/", "sheet_key")):
            if path.startswith(prefix):
                return values[kind]
        return None
    if name == "objective_key" and path.startswith("/okr/"):
        return values["okr_objective_key"]
    if name == "objective_key" and path.startswith("/mbo/"):
        return values["mbo_objective_key"]
    if name == "objective_id" and path.startswith("/okr/"):
        return values["okr_objective_id"]
    return values.get(name)


def _swept(app_endpoints: list[Endpoint]) -> list[Endpoint]:
    """The routes with a parameter naming a row (a period only names one of a measure's
    values: /mbo/periods/{period} lists the reader's own sheets of a period)."""
    return [e for e in app_endpoints if not e.path.startswith(PUBLIC_PREFIXES)
            and not e.path.startswith("/mbo/periods/")
            and any(name not in NOT_IDS for name in e.parameters)]


def _fill_what_the_demo_lacks(db: Session, b: int) -> None:
    """A case, a requirement, a product, the journeys, a custom metric: rows the demo loader
    of the tests leaves to ``kano demo`` or to the first visit of a page."""
    customer = db.scalars(select(Customer).where(Customer.workspace_id == b)).first()
    assert customer is not None
    db.add(CaseRow(workspace_id=b, customer_id=customer.id, rule="manual", title="B's case",
                   first_response_due_at=datetime(2030, 1, 1),
                   resolution_due_at=datetime(2030, 1, 2)))
    db.add(SpecialRequirementRow(workspace_id=b, customer_id=customer.id, kind="delivery",
                                 text="B's requirement"))
    db.add(ProductRow(workspace_id=b, code="b-product", name="B's product"))
    assert journey_store.list_journeys(db, b), "the demo's stages make its journeys"
    db.add(CustomMetricRow(workspace_id=b, key="b_big_orders", position=0, definition={
        "id": "b_big_orders", "name": "B's big orders", "layer": "TX", "unit": "%",
        "direction": "higher", "source": "transactions", "aggregate": "share",
        "condition": "amount > 1000"}))


def fill_workspace(container: Container, b: int) -> dict[str, str]:
    """Give the demo workspace ``b`` a row of every kind a route names; one value of each."""
    with transaction(container.sessions) as db:
        accounts.create_api_token(db, accounts.ensure_workspace(db, WORKSPACE), Scope.READ,
                                  "B's reader")
        db.add(WebhookEndpointRow(workspace_id=b, url="https://b.example/hook", secret="whsec_b"))
        survey = db.scalars(select(Survey).where(Survey.workspace_id == b)).first()
        assert survey is not None
        db.add(SurveyQuotaRow(workspace_id=b, survey_id=survey.id, name="B's quota",
                              response_limit=10))
        _fill_what_the_demo_lacks(db, b)
    with TestClient(create_app(container=container), follow_redirects=False) as client:
        owner = Browser(client)
        owner.log_in(*DEMO_ADMIN)
        made = owner.client.post("/pilots",
                                 data={**PILOT_FORM, "csrf_token": owner.session_token()})
        assert made.status_code == 303, made.text
    with container.sessions() as db:
        return _b_values(db, b)


@pytest.fixture(scope="module")
def tenants(live: Container) -> Iterator[Tenants]:
    values = fill_workspace(live, workspace_id(live.sessions))
    with transaction(live.sessions) as db:
        a = accounts.ensure_workspace(db, "intruder", "Intruder Ltd")
        mallory = accounts.ensure_user(db, INTRUDER[0], INTRUDER[1], name="Mallory")
        accounts.grant_role(db, a, mallory, Role.OWNER)
        own = Customer(workspace_id=a.id, external_id="A1", kind="person", name="A's customer")
        db.add(own)
        db.flush()
        db.add(FeedbackResponse(workspace_id=a.id, customer_id=own.id, channel="email",
                                submitted_at=datetime(2025, 1, 1), nps=9))
        token = accounts.create_api_token(db, a, Scope.WRITE, "A's writer").token
    with TestClient(create_app(container=live), follow_redirects=False) as client:
        intruder = Browser(TestClient(client.app, follow_redirects=False))
        intruder.log_in(*INTRUDER)
        owner = Browser(TestClient(client.app, follow_redirects=False))
        owner.log_in(*DEMO_ADMIN)
        yield Tenants(client, values, token, intruder, owner)


def test_every_id_parameter_of_the_route_table_is_swept(tenants: Tenants) -> None:
    """A new route whose parameter this sweep cannot fill fails here, not silently."""
    unfilled = [str(e) for e in _swept(endpoints(tenants.app.app))  # type: ignore[arg-type]
                if e.filled(lambda e, n: value_of(tenants.values, e, n)) is None]
    assert unfilled == []


def _missing(values: dict[str, str], endpoint: Endpoint, name: str) -> str | None:
    """A value like B's that names no row at all."""
    value = value_of(values, endpoint, name)
    if name in NOT_IDS or value is None:
        return value
    if name == "period":
        return "2099-01-01"
    return "987654321" if value.isdigit() else "nobody_has_this"


def _foreign_and_missing(tenants: Tenants, endpoint: Endpoint) -> tuple[str, str]:
    foreign = endpoint.filled(lambda e, n: value_of(tenants.values, e, n))
    assert foreign is not None
    missing = endpoint.filled(lambda e, n: _missing(tenants.values, e, n))
    assert missing is not None
    return foreign, missing


def _ask(tenants: Tenants, endpoint: Endpoint, path: str) -> tuple[int, str]:
    if endpoint.is_api:
        response = tenants.app.request(
            endpoint.method, path, headers={"Authorization": f"Bearer {tenants.intruder_token}"},
            json=None if endpoint.method in ("GET", "DELETE") else {})
    else:
        client = tenants.intruder.client
        data = None
        if endpoint.method != "GET":
            data = {**form_fields(endpoint.route),
                    "csrf_token": csrf_token_in(tenants.intruder.page("/").text)}
        response = client.request(endpoint.method, path, data=data)
    return response.status_code, response.headers.get("content-type", "")


def test_another_workspace_row_is_404_like_a_missing_one_on_every_route(
    tenants: Tenants,
) -> None:
    wrong = []
    for endpoint in _swept(endpoints(tenants.app.app)):  # type: ignore[arg-type]
        foreign, missing = _foreign_and_missing(tenants, endpoint)
        status, _ = _ask(tenants, endpoint, foreign)
        missing_status, _ = _ask(tenants, endpoint, missing)
        # 404, as for a row nobody has; a write refused by validation (422) before any
        # lookup tells nothing either, as long as a missing id gets the same answer.
        if status != missing_status or status not in (404, 422):
            wrong.append(f"{endpoint} → {status} (missing id: {missing_status})")
    assert wrong == []


def test_every_swept_get_finds_the_row_for_its_own_workspace(tenants: Tenants) -> None:
    """The sweep above means something only if B's ids are real and the routes work."""
    not_found = []
    for endpoint in _swept(endpoints(tenants.app.app)):  # type: ignore[arg-type]
        if endpoint.method != "GET":
            continue
        foreign, _ = _foreign_and_missing(tenants, endpoint)
        if endpoint.is_api:
            bearer = {"Authorization": f"Bearer {_b_read_token(tenants)}"}
            status = tenants.app.get(foreign, headers=bearer).status_code
        else:
            status = tenants.owner.client.get(foreign).status_code
        if status != 200:
            not_found.append(f"{endpoint} → {status}")
    assert not_found == []


def _b_read_token(tenants: Tenants) -> str:
    if "b_token" not in tenants.values:
        container: Container = tenants.app.app.state.container  # type: ignore[attr-defined]
        with transaction(container.sessions) as db:
            tenants.values["b_token"] = accounts.create_api_token(
                db, accounts.ensure_workspace(db, WORKSPACE), Scope.READ, "B's sweep").token
    return tenants.values["b_token"]



# Query parameters that pick a row of the reader's workspace (a scorecard, a cycle, a
# customer …) and the row kind of B each takes.
ID_QUERIES = {"scorecard": "scorecard_key", "cycle": "cycle_key", "sheet": "sheet_key",
              "metric": "metric_id", "journey": "journey", "segment": "segment",
              "member_of": "segment", "survey": "survey", "case": "case_id",
              "customer": "customer_id", "touchpoint": "touchpoint"}


def _visible(html: str, *values: str) -> str:
    """The page's words, the asked values blotted out (a page may echo what it was asked)."""
    words = " ".join(re.sub(r"<[^>]+>", " ", html.split("<main", 1)[-1]).split())
    for value in values:
        words = re.sub(rf"(?<![\w-]){re.escape(value)}(?![\w-])", "VALUE", words)
    return words


def test_a_query_parameter_naming_another_workspace_row_shows_what_a_missing_one_does(
    tenants: Tenants,
) -> None:
    """`?customer=`, `?case=`, `?scorecard=` … with B's row read like an unknown one."""
    asked, differing = 0, []
    for endpoint in endpoints(tenants.app.app):  # type: ignore[arg-type]
        if endpoint.method != "GET" or endpoint.is_api or endpoint.parameters:
            continue
        for name in (f.alias for f in endpoint.route.dependant.query_params):
            if name not in ID_QUERIES:
                continue
            foreign = tenants.values[ID_QUERIES[name]]
            missing = "987654321" if foreign.isdigit() else "nobody_has_this"
            # the unknown value asked before and after: a page's first visit may differ
            # from the next (facts being refreshed), and must not fail the sweep
            answers = [tenants.intruder.client.get(endpoint.path, params={name: value})
                       for value in (missing, foreign, missing)]
            asked += 1
            seen = [(a.status_code, _visible(a.text, foreign, missing)) for a in answers]
            if answers[1].status_code >= 500 or seen[1] not in (seen[0], seen[2]):
                differing.append(f"{endpoint.path}?{name}= → {answers[1].status_code} "
                                 f"(missing: {answers[2].status_code})")
    assert asked >= 20
    assert differing == []

