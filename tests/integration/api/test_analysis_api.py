"""``/analysis``: the service-profit chain and key drivers on a real DuckDB warehouse
holding two generated companies (seed 1 as acme, seed 2 as globex). Every number equals
what the analytics compute directly on the same file for the token's own workspace."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from kano.adapters.warehouse import connect
from kano.analytics.linkage import SERVICE_PROFIT_CHAIN, test_links
from kano.config import Settings
from tests.integration.api.problems import assert_invalid_field, assert_problem
from tests.integration.api.seed import SeededWorkspace
from tests.integration.api.test_metrics_api import demo_files, warehouse

__all__ = ["demo_files", "warehouse"]  # fixtures shared with the metrics API tests


def test_links_are_the_chain_tested_on_the_callers_own_data(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace, warehouse: str,
) -> None:
    response = api.get("/analysis/links", headers=acme.auth())

    assert response.status_code == 200, response.text
    items = response.json()["items"]
    backend = connect(warehouse, read_only=True)
    try:
        expected = test_links(backend, SERVICE_PROFIT_CHAIN, acme.workspace_id)
        other = test_links(backend, SERVICE_PROFIT_CHAIN, globex.workspace_id)
    finally:
        backend.disconnect()
    assert [(i["cause"], i["effect"], i["lag"]) for i in items] == [
        (r.cause, r.effect, r.lag) for r in expected
    ]
    for item, mine, theirs in zip(items, expected, other, strict=True):
        assert item["n"] == mine.n and item["verdict"] == mine.verdict
        assert item["estimate"] == pytest.approx(mine.estimate)
        assert item["n"] != theirs.n or item["estimate"] != pytest.approx(theirs.estimate)


def test_drivers_weights_add_up_to_r_squared(
    api: TestClient, acme: SeededWorkspace, warehouse: str
) -> None:
    response = api.get("/analysis/drivers", params={"outcome": "nps", "bootstrap": 50},
                       headers=acme.auth())  # fmt: skip

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["drivers"][0]["driver"] == "delivery_delay_days"
    assert sum(d["weight"] for d in body["drivers"]) == pytest.approx(body["r_squared"])


def test_bad_outcome_and_missing_warehouse_are_clear(
    api: TestClient, acme: SeededWorkspace, settings: Settings
) -> None:
    assert_invalid_field(api.get("/analysis/drivers", params={"outcome": "mood"},
                                 headers=acme.auth()), "outcome")  # fmt: skip
    assert_problem(api.get("/analysis/links", headers=acme.auth()), 409)


def test_map_links_need_a_scorecard_and_a_token(api: TestClient, acme: SeededWorkspace) -> None:
    assert api.get("/analysis/map-links").status_code == 401
    assert_problem(api.get("/analysis/map-links", headers=acme.auth()), 404)
