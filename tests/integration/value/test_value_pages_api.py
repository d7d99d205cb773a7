"""``/value/rfm``, ``/matrix``, ``/clv`` and ``/churn`` a page at a time, like every API list
(``limit``, ``cursor`` → ``next_cursor``): every customer of the analysis exactly once, in
customer id order, the filters kept, the summaries the same on every page, bad paging
input a 422 naming the field; generated requests never end in a 5xx. On the demo
warehouse the API suite loads (demo company 1 as acme, 2 as globex), app database on
SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from starlette.applications import Starlette
from starlette.testclient import TestClient

from kano.adapters.api.pagination import encode_cursor
from kano.adapters.warehouse import connect
from kano.analytics.value import views
from kano.domain.workspaces import Scope
from tests.integration.api.problems import assert_invalid_field
from tests.integration.api.schemathesis_run import MODES, Draw, FuzzRun, fuzz
from tests.integration.api.seed import SeededWorkspace
from tests.integration.value.pages import every_page

# path → (the analysis, its list of customers, the summaries that describe all of them)
PAGED = {
    "/value/rfm": (views.rfm_view, "customers", ("as_of", "segments", "transitions")),
    "/value/matrix": (views.matrix_view, "accounts", ("as_of", "cells", "movements")),
    "/value/clv": (views.clv_view, "customers", ("fits", "segments")),
    "/value/churn": (views.churn_view, "customers", ("holdout_auc", "drivers", "reliability")),
}


def analysed_ids(warehouse: str, workspace_id: int, path: str, **options: Any) -> list[int]:
    """The customer ids the analysis itself gives, run straight on the warehouse."""
    analysis, listed, _ = PAGED[path]
    backend = connect(warehouse, read_only=True)
    try:
        view = analysis(backend, workspace_id, **options)
    finally:
        backend.disconnect()
    return [int(row["customer_id"]) for row in getattr(view, listed)]


@pytest.mark.parametrize("path", list(PAGED))
def test_walking_the_pages_gives_every_customer_once_in_id_order(
    api: TestClient, acme: SeededWorkspace, warehouse: str, path: str
) -> None:
    expected = analysed_ids(warehouse, acme.workspace_id, path)
    assert len(expected) > 250, "too few customers to span pages"
    bodies = every_page(api, path, acme.auth(), limit=97)

    walked = [item["customer_id"] for body in bodies for item in body["items"]]
    assert walked == sorted(expected)  # each once, ascending
    assert [len(body["items"]) for body in bodies[:-1]] == [97] * (len(bodies) - 1)
    assert 0 < len(bodies[-1]["items"]) <= 97
    summaries = PAGED[path][2]
    first = {name: bodies[0][name] for name in summaries}
    assert all({name: body[name] for name in summaries} == first for body in bodies)


def test_the_default_page_is_100_customers_with_a_cursor_to_the_next(
    api: TestClient, acme: SeededWorkspace, warehouse: str
) -> None:
    body = api.get("/value/rfm", headers=acme.auth()).json()
    ids = [item["customer_id"] for item in body["items"]]
    assert len(ids) == 100 and ids == sorted(ids)
    following = api.get("/value/rfm", params={"cursor": body["next_cursor"]},
                        headers=acme.auth()).json()  # fmt: skip
    assert following["items"][0]["customer_id"] > ids[-1]


# The function-scoped fixtures are shared by the examples on purpose (one warehouse).
@settings(max_examples=5, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limit=st.integers(min_value=40, max_value=1000),
       lookback_days=st.sampled_from([90, 365, 730]),
       segment=st.sampled_from([None, "smb", "consumer", "key_account"]))
def test_rfm_pages_keep_the_filters_and_give_each_customer_once(
    api: TestClient, acme: SeededWorkspace, warehouse: str, limit: int, lookback_days: int,
    segment: str | None,
) -> None:  # fmt: skip
    options = {"lookback_days": lookback_days, "segment": segment}
    expected = analysed_ids(warehouse, acme.workspace_id, "/value/rfm", **options)
    asked = {name: value for name, value in options.items() if value is not None}
    bodies = every_page(api, "/value/rfm", acme.auth(), limit=limit, **asked)
    walked = [item["customer_id"] for body in bodies for item in body["items"]]
    assert walked == sorted(expected)
    assert all(len(body["items"]) <= limit for body in bodies)
    assert sum(s["customers"] for s in bodies[0]["segments"]) == len(expected)


def test_another_workspace_pages_through_its_own_customers(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace, warehouse: str
) -> None:
    def walked(seeded: SeededWorkspace) -> set[int]:
        bodies = every_page(api, "/value/rfm", seeded.auth())
        return {item["customer_id"] for body in bodies for item in body["items"]}

    ours, theirs = walked(acme), walked(globex)
    assert theirs == set(analysed_ids(warehouse, globex.workspace_id, "/value/rfm"))
    assert ours == set(analysed_ids(warehouse, acme.workspace_id, "/value/rfm"))


@pytest.mark.parametrize("path", list(PAGED))
@pytest.mark.parametrize("limit", ["0", "-1", "1001", "ten"])
def test_limit_out_of_range_is_a_422_naming_limit(
    api: TestClient, acme: SeededWorkspace, warehouse: str, path: str, limit: str
) -> None:
    assert_invalid_field(api.get(path, params={"limit": limit}, headers=acme.auth()), "limit")


@pytest.mark.parametrize("cursor", ["garbage", "x" * 65, encode_cursor(1) + "A"])
def test_a_cursor_the_api_did_not_give_is_a_422_naming_cursor(
    api: TestClient, acme: SeededWorkspace, warehouse: str, cursor: str
) -> None:
    for path in PAGED:
        response = api.get(path, params={"cursor": cursor}, headers=acme.auth())
        assert_invalid_field(response, "cursor")


def test_a_cursor_past_the_last_customer_is_an_empty_last_page(
    api: TestClient, acme: SeededWorkspace, warehouse: str
) -> None:
    body = api.get("/value/rfm", params={"cursor": encode_cursor(2**62)},
                   headers=acme.auth()).json()  # fmt: skip
    assert body["items"] == [] and body["next_cursor"] is None and body["segments"]


def test_a_negative_discount_rate_is_a_422_not_a_clv_of_null(
    api: TestClient, acme: SeededWorkspace, warehouse: str
) -> None:
    """Schemathesis found it: (1 − 0.99999)^180 is 0 in floating point, so every CLV was
    infinite and went out as null where the document promises a number."""
    response = api.get("/value/clv", params={"discount_rate": -0.99999, "steps": 180},
                       headers=acme.auth())  # fmt: skip
    assert_invalid_field(response, "discount_rate")


def test_the_paging_is_documented(api: TestClient) -> None:
    document = api.get("/openapi.json").json()
    for path in PAGED:
        operation = document["paths"][path]["get"]
        names = {p["name"] for p in operation["parameters"]}
        assert {"limit", "cursor"} <= names, path
        assert "customer id order" in operation["description"], path
        assert "`next_cursor`" in operation["description"], path


# Churn is left to the "warehouse-reads" run: a boosted fit for each generated segment and
# window outlasts the test client's 10 s on a busy machine.
PAGED_RUN = FuzzRun("test_value_pages_api.py::test_paged_value_lists_never_error",
                    Scope.READ, r"/value/(rfm|matrix|clv)$", examples=10)  # fmt: skip


@MODES
def test_paged_value_lists_never_error_and_conform_to_the_openapi(
    host_app: Starlette, acme: SeededWorkspace, warehouse: str, mode: GenerationMode
) -> None:
    """Generated limits, cursors (often a real one) and options on the loaded warehouse:
    never a 5xx, and every answer as the document declares it. (Valid-looking options may
    ask what the data cannot answer — a day before any order — so a 422 is allowed.)"""
    ids = analysed_ids(warehouse, acme.workspace_id, "/value/rfm")
    cursors = [encode_cursor(ids[0]), encode_cursor(ids[len(ids) // 2]), encode_cursor(ids[-1])]

    def real_cursor(case: schemathesis.Case[Any], draw: Draw) -> None:
        if mode is GenerationMode.POSITIVE and case.query is not None:
            chosen = draw(st.sampled_from([None, *cursors]))
            if chosen is not None:
                case.query["cursor"] = chosen

    fuzz(host_app, PAGED_RUN, acme.auth(PAGED_RUN.scope), mode, prepare=real_cursor)
