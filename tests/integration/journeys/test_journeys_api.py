"""``GET /api/v1/journeys`` and ``/journeys/{key}/painpoints`` on the demo company, on
SQLite and PostgreSQL app databases: the same numbers as the analytics, worst first."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from kano.adapters.api.app import API_PREFIX, api_mount
from kano.adapters.warehouse import connect
from kano.analytics.journeys.report import as_dict, journey_pain_points
from kano.bootstrap import Container
from kano.domain.journeys import Journey, JourneyStagePlan, JourneyTouchpoint
from tests.integration.journeys.conftest import DemoWorkspace


@pytest.fixture
def api(container: Container) -> Iterator[TestClient]:
    app = Starlette(routes=[api_mount(container)])
    with TestClient(app, base_url=f"http://testserver{API_PREFIX}/") as client:
        yield client


def test_journeys_per_segment_with_their_touchpoints(
    api: TestClient, demo_workspace: DemoWorkspace
) -> None:
    response = api.get("/journeys", headers=demo_workspace.auth)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [(j["key"], j["kind"], j["segment"]) for j in items] == [
        ("key-account", "b2b", "key_account"),
        ("smb", "b2b", "smb"),
        ("consumer", "b2c", "consumer"),
    ]
    delivery = next(s for s in items[0]["stages"] if s["key"] == "delivery")
    field = next(t for t in delivery["touchpoints"] if t["key"] == "delivery-field")
    assert field["channel"] == "field"
    assert field["surveys"] == ["delivery-csat"]


def test_pain_points_rank_the_planted_touchpoint_first_with_the_engine_numbers(
    api: TestClient, demo_workspace: DemoWorkspace
) -> None:
    response = api.get(
        "/journeys/smb/painpoints", params={"segment": "*"}, headers=demo_workspace.auth
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["journey"] == "smb" and body["segment"] is None
    top = body["items"][0]
    assert top["touchpoint"] == "delivery-field" and top["rank"] == 1
    # revenue at risk has no planted sign (the harm is planted in CSAT, not churn): it
    # comes with its interval, and equals the engine's below
    assert top["revenue_at_risk_ci"]["low"] <= top["revenue_at_risk"]
    assert top["revenue_at_risk"] <= top["revenue_at_risk_ci"]["high"]

    backend = connect(demo_workspace.warehouse_url, read_only=True)
    try:
        journey = Journey(
            "smb", "x", "b2b", None,
            (JourneyStagePlan("all", "all", tuple(
                JourneyTouchpoint(t["touchpoint"], "", "") for t in body["items"])),),
        )  # fmt: skip
        expected = journey_pain_points(backend, demo_workspace.workspace_id, journey)
    finally:
        backend.disconnect()
    assert [p["touchpoint"] for p in body["items"]] == [p.touchpoint for p in expected]
    assert top["revenue_at_risk"] == pytest.approx(as_dict(expected[0])["revenue_at_risk"])
    assert top["score"]["n"] == expected[0].score.n


def test_unknown_journey_segment_and_period(api: TestClient, demo_workspace: DemoWorkspace) -> None:
    auth = demo_workspace.auth
    assert api.get("/journeys/ghost/painpoints", headers=auth).status_code == 404
    bad = api.get("/journeys/smb/painpoints", params={"segment": "martians"}, headers=auth)
    assert bad.status_code == 422 and "segment" in bad.text
    period = api.get(
        "/journeys/smb/painpoints", params={"from": "2026-01-01", "to": "2025-01-01"},
        headers=auth,
    )  # fmt: skip
    assert period.status_code == 422 and "from" in period.text
    assert api.get("/journeys").status_code == 401


def test_journeys_are_edited_through_the_api_and_kept_per_workspace(
    api: TestClient, demo_workspace: DemoWorkspace
) -> None:
    auth = demo_workspace.auth
    body = {"key": "distributors", "name": "Distributors", "kind": "b2b", "segment": "smb"}
    created = api.post("/journeys", headers=auth, json=body)
    assert created.status_code == 201, created.text
    stages = [s["key"] for s in created.json()["stages"]]
    assert stages == ["awareness", "needs", "evaluation", "approval", "onboarding", "delivery",
                      "support", "renewal"]  # fmt: skip
    again = api.post("/journeys", headers=auth, json={
        "key": "distributors", "name": "X", "kind": "b2b"})  # fmt: skip
    assert again.status_code == 422 and "key" in again.text
    assert api.post("/journeys", headers=auth, json={
        "key": "x", "name": "X", "kind": "b2x"}).status_code == 422  # fmt: skip

    moved = api.put("/journeys/distributors/stages", headers=auth,
                    json={"stages": list(reversed(stages))})  # fmt: skip
    assert moved.status_code == 200
    assert [s["key"] for s in moved.json()["stages"]] == list(reversed(stages))
    short = api.put("/journeys/distributors/stages", headers=auth, json={"stages": stages[:2]})
    assert short.status_code == 422

    assert api.post("/journeys/touchpoints/delivery-field/measures", headers=auth,
                    json={"kind": "process", "ref": "defect_rate"}).status_code == 204  # fmt: skip
    listed = api.get("/journeys", headers=auth).json()["items"]
    field = next(t for s in listed[0]["stages"] for t in s["touchpoints"]
                 if t["key"] == "delivery-field")  # fmt: skip
    assert field["process_measures"] == ["defect_rate"]
    bad_survey = api.post("/journeys/touchpoints/delivery-field/measures", headers=auth,
                          json={"kind": "survey", "ref": "nope"})  # fmt: skip
    assert bad_survey.status_code == 422

    link = api.post("/journeys/smb/links", headers=auth,
                    json={"touchpoint": "delivery-field", "initiative": "nope"})  # fmt: skip
    assert link.status_code == 422 and "initiative" in link.text
    assert api.get("/journeys/smb/links", headers=auth).json() == {"items": []}
    assert api.get("/journeys/ghost/links", headers=auth).status_code == 404


def test_a_touchpoint_is_edited_audited_and_isolated(
    api: TestClient, demo_workspace: DemoWorkspace, container: Container
) -> None:
    from sqlalchemy import select

    from kano.adapters.db.orm import AuditEntry, Team, Touchpoint

    with container.sessions() as session:
        team = session.scalars(select(Team.key).where(
            Team.workspace_id == demo_workspace.workspace_id).order_by(Team.key)).first()
    response = api.patch("/journeys/touchpoints/delivery-field", headers=demo_workspace.auth,
                         json={"name": "Own fleet delivery", "channel": "van",
                               "owner_team": team})  # fmt: skip

    assert response.status_code == 200, response.text
    assert response.json() == {"key": "delivery-field", "name": "Own fleet delivery",
                               "channel": "van", "stage": "delivery", "owner_team": team}
    journeys = api.get("/journeys", headers=demo_workspace.auth).json()["items"]
    delivery = next(s for s in journeys[0]["stages"] if s["key"] == "delivery")
    assert any(t["key"] == "delivery-field" and t["channel"] == "van"
               for t in delivery["touchpoints"])  # fmt: skip
    with container.sessions() as session:
        audit = session.scalars(select(AuditEntry).where(
            AuditEntry.workspace_id == demo_workspace.workspace_id,
            AuditEntry.entity == "touchpoint")).all()  # fmt: skip
        assert len(audit) == 1 and audit[0].detail["channel"]["to"] == "van"
        others = session.scalars(select(Touchpoint.name).where(
            Touchpoint.workspace_id != demo_workspace.workspace_id,
            Touchpoint.key == "delivery-field")).all()  # fmt: skip
        assert others and "Own fleet delivery" not in others

    bad = api.patch("/journeys/touchpoints/delivery-field", headers=demo_workspace.auth,
                    json={"owner_team": "nobody"})  # fmt: skip
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "owner_team"
    missing = api.patch("/journeys/touchpoints/teleport", headers=demo_workspace.auth,
                        json={"name": "x"})  # fmt: skip
    assert missing.status_code == 404
