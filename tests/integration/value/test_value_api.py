"""``/value``: the numbers of ``kano value …`` over the API, on the caller's own workspace
(a DuckDB warehouse holding two generated companies: seed 1 as acme, seed 2 as globex)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from kano.adapters.api.routers import ROUTERS
from kano.adapters.api.routers import value as value_router
from kano.adapters.warehouse import connect
from kano.analytics.value import report
from kano.analytics.value.inputs import ValueReader, clv_summary
from tests.integration.api.problems import assert_invalid_field
from tests.integration.api.seed import SeededWorkspace
from tests.integration.value.pages import every_item

pytestmark = pytest.mark.skipif(
    value_router.router not in ROUTERS,
    reason="the /value router is not yet listed in kano.adapters.api.routers (shared file)",
)


def test_clv_matches_the_analytics_on_the_callers_workspace(
    api: TestClient, acme: SeededWorkspace, warehouse: str
) -> None:
    response = api.get("/value/clv", params={"segment": "smb"}, headers=acme.auth())
    assert response.status_code == 200, response.text
    body = response.json()
    backend = connect(warehouse, read_only=True)
    try:
        reader = ValueReader(backend, acme.workspace_id, "smb")
        summary = clv_summary(reader, calibration_end=reader.data_end().date())
    finally:
        backend.disconnect()
    bg, gg = report.fit_clv(summary)
    fit = body["fits"][0]["bg_nbd"]
    # The same numbers to the last bit: the warehouse sums spend exactly (as DECIMAL), so
    # its parallel threads' order does not matter, and the fit is deterministic.
    assert (fit["r"], fit["alpha"], fit["a"], fit["b"]) == (bg.r, bg.alpha, bg.a, bg.b)
    spend = body["fits"][0]["gamma_gamma"]
    assert (spend["p"], spend["q"], spend["gamma"]) == (gg.p, gg.q, gg.gamma)
    items = every_item(api, "/value/clv", acme.auth(), segment="smb")
    assert sorted(i["customer_id"] for i in items) == sorted(summary.customer)


def test_clv_marks_a_segment_valued_by_each_customers_own_average(
    api: TestClient, acme: SeededWorkspace, warehouse: str
) -> None:
    """Acme's key accounts: Gamma-Gamma's likelihood rises for ever along p, so the answer
    is its limit p → ∞ — said as such (p and gamma null in strict JSON, own_average, the
    inverse gamma's scale, the note), with each repeat buyer's own average as expected spend."""
    response = api.get("/value/clv", headers=acme.auth())
    assert response.status_code == 200, response.text
    body = response.json()
    spend = {f["segment"]: f["gamma_gamma"] for f in body["fits"]}
    backend = connect(warehouse, read_only=True)
    try:
        reader = ValueReader(backend, acme.workspace_id, "key_account")
        _, gg = report.fit_clv(clv_summary(reader, calibration_end=reader.data_end().date()))
    finally:
        backend.disconnect()

    assert [s["status"] for s in body["segments"]] == ["fitted"] * 3
    key = spend["key_account"]
    assert (key["own_average"], key["p"], key["gamma"]) == (True, None, None)
    assert (key["q"], key["mean_spend_scale"]) == (gg.q, gg.mean_spend_scale)
    assert (
        key["note"] == "each customer's own average order value: the data show no spread per order"
    )
    assert not spend["smb"]["own_average"] and spend["smb"]["note"] is None
    assert spend["smb"]["p"] > 0 and spend["smb"]["mean_spend_scale"] is None
    items = every_item(api, "/value/clv", acme.auth())
    accounts = [i for i in items if i["segment"] == "key_account" and i["frequency"]]
    assert accounts and all(i["expected_spend"] == i["monetary"] for i in accounts)


def test_rfm_matrix_profit_and_churn(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace, warehouse: str
) -> None:
    rfm = every_item(api, "/value/rfm", acme.auth())
    other = every_item(api, "/value/rfm", globex.auth())
    assert {i["segment"] for i in rfm} >= {"Champions", "Lost"}
    assert [i["customer_id"] for i in rfm] != [i["customer_id"] for i in other]
    matrix = api.get("/value/matrix", headers=acme.auth()).json()
    accounts = every_item(api, "/value/matrix", acme.auth())
    assert sum(c["accounts"] for c in matrix["cells"]) == len(accounts) > 0
    profit = api.get("/value/profit", params={"costs_after": 100}, headers=acme.auth()).json()
    assert sum(lever["contribution"] for lever in profit["levers"]) == pytest.approx(
        profit["change"]
    )
    churn = api.get("/value/churn", headers=acme.auth()).json()
    assert 0.5 < churn["holdout_auc"] <= 1 and churn["items"]


def test_bad_parameters_are_named(api: TestClient, acme: SeededWorkspace, warehouse: str) -> None:
    assert_invalid_field(api.get("/value/profit", params={"industry": "mining"},
                                 headers=acme.auth()), "industry")  # fmt: skip
    assert_invalid_field(api.get("/value/rfm", params={"segment": "whales"},
                                 headers=acme.auth()), "segment")  # fmt: skip
