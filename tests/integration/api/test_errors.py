"""Failures the framework produces are problem documents too, and a 500 leaks nothing."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from kano.adapters.api.app import API_PREFIX, create_api
from kano.adapters.api.errors import field_name
from kano.bootstrap import Container
from tests.integration.api.problems import assert_problem
from tests.integration.api.seed import SeededWorkspace


def test_unknown_path_is_404_problem(api: TestClient, acme: SeededWorkspace) -> None:
    body = assert_problem(api.get("/no-such-thing", headers=acme.auth()), 404)
    assert body["instance"] == "/api/v1/no-such-thing"


def test_path_with_an_encoded_newline_is_answered_by_the_api(
    api: TestClient, acme: SeededWorkspace
) -> None:
    assert_problem(api.get("/responses/x%0Ay", headers=acme.auth()), 422)
    assert_problem(api.get("/no%0Athing", headers=acme.auth()), 404)


def test_wrong_method_is_405_problem_with_allow(api: TestClient, acme: SeededWorkspace) -> None:
    response = api.post("/customers", headers=acme.auth())
    assert_problem(response, 405)
    assert "GET" in response.headers["allow"]


def test_unexpected_error_is_500_problem_without_internals(
    container: Container, acme: SeededWorkspace
) -> None:
    api = create_api(container)

    @api.get("/explode")
    def explode() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    host = Starlette(routes=[Mount(API_PREFIX, app=api)])
    with TestClient(host, raise_server_exceptions=False) as client:
        response = client.get(f"{API_PREFIX}/explode")
    body = assert_problem(response, 500)
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text
    assert "RuntimeError" not in response.text
    assert body["detail"]


def test_field_names_are_dotted_paths_without_the_request_part() -> None:
    assert field_name(("query", "limit")) == "limit"
    assert field_name(("body", "answers", "nps")) == "answers.nps"
    assert field_name(("body", "items", 0, "nps")) == "items.0.nps"
    assert field_name(("body",)) == "body"
    assert field_name(()) == "request"
