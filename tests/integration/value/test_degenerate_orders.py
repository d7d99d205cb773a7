"""RFM, churn risk, the client matrix and CLV on degenerate orders (one customer, everyone
spending the same, nobody buying twice) through the API: a result, or a 422 problem that
names the parameter and says what is missing — never a server error or a non-JSON number."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from kano.adapters.warehouse import ParquetSource
from kano.config import Settings
from tests.integration.api.seed import SeededWorkspace
from tests.integration.value.pages import every_item
from tests.warehouses import load_into

from .conftest import Company
from .degenerate_orders import DEGENERATE, with_degenerate_orders

ANALYSES = ("/value/rfm", "/value/churn", "/value/churn?method=boosting", "/value/matrix",
            "/value/clv", "/value/clv?pooled=true")  # fmt: skip


@pytest.fixture(scope="module", params=sorted(DEGENERATE))
def degenerate(
    request: pytest.FixtureRequest, value_company: Company,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[str, Path]:  # fmt: skip
    kind = str(request.param)
    target = tmp_path_factory.mktemp(kind) / "M-1"
    return kind, with_degenerate_orders(value_company.folder, target, kind)


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


def test_value_analyses_answer_degenerate_orders_without_a_server_error(
    api: TestClient, acme: SeededWorkspace, settings: Settings, degenerate: tuple[str, Path]
) -> None:
    kind, files = degenerate
    load_into(settings.resolved_warehouse_url(), ParquetSource(files), acme.workspace_id)

    answers = {path: api.get(path, headers=acme.auth()) for path in ANALYSES}

    for path, response in answers.items():
        assert response.status_code in (200, 422), (kind, path, response.text)
        body = json.loads(response.text)  # strict JSON: no NaN or Infinity
        assert _finite(body), (kind, path)
        if response.status_code == 422:
            assert response.headers["content-type"] == "application/problem+json"
            assert body["errors"][0]["field"] and body["detail"], (kind, path)
    # RFM scores whoever ordered, however alike they are.
    rfm = answers["/value/rfm"]
    assert rfm.status_code == 200, rfm.text
    items = every_item(api, "/value/rfm", acme.auth())
    if kind == "one_customer":
        assert len(items) == 1
    if kind == "same_spend":  # revenue is 100 × orders: M follows F, ties share a score
        assert all(i["m"] == i["f"] for i in items)
    if kind == "no_repeat_buyers":
        assert {i["f"] for i in items} == {1}
        clv = answers["/value/clv"].json()
        assert clv["code"] == "clv_not_fitted"
        assert {s["reason"] for s in clv["segments"]} == {"few_repeat_buyers"}
