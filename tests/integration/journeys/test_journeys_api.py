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
    assert top["revenue_at_risk"] > 0
    assert top["revenue_at_risk_ci"]["low"] < top["revenue_at_risk"]
    assert top["revenue_at_risk"] < top["revenue_at_risk_ci"]["high"]

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
