"""The OpenAPI document: what clients and generators see."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from kano import __version__
from tests.integration.api.strategy_support import STRATEGY_OPERATIONS

EXPECTED_OPERATIONS = {
    ("/workspace", "get"), ("/workspace/settings", "get"),
    ("/workspace/settings", "patch"), ("/workspace/acknowledgement", "get"),
    ("/workspace/acknowledgement", "put"), ("/customers", "get"),
    ("/customers/{customer_id}", "get"), ("/customers/{customer_id}", "patch"),
    ("/responses", "get"), ("/responses", "post"), ("/responses:bulk", "post"),
    ("/responses/{response_id}", "get"), ("/transactions", "get"),
    ("/cases", "get"), ("/cases/{case_id}", "get"), ("/cases/{case_id}", "patch"),
    ("/case-rules", "get"), ("/case-rules", "put"),
    ("/transactions/{transaction_id}", "get"), ("/tokens/current", "delete"),
    ("/products", "get"), ("/products/{code}", "put"),
    ("/metrics", "get"), ("/metrics/{metric_id}", "get"),
    ("/analysis/links", "get"), ("/analysis/drivers", "get"), ("/analysis/map-links", "get"),
    ("/text/themes", "get"), ("/text/sentiment", "get"), ("/text/responses/{response_id}", "get"),
    ("/journeys", "get"), ("/journeys/{key}/painpoints", "get"), ("/journeys", "post"),
    ("/journeys/{key}/stages", "put"), ("/journeys/{key}/links", "get"),
    ("/journeys/{key}/links", "post"), ("/journeys/touchpoints/{touchpoint}/measures", "post"),
    ("/journeys/touchpoints/{touchpoint}", "patch"),
    ("/value/rfm", "get"), ("/value/matrix", "get"), ("/value/profit", "get"),
    ("/value/clv", "get"), ("/value/churn", "get"),
    ("/pilots", "get"), ("/pilots", "post"), ("/pilots/{pilot_id}", "get"),
    ("/pilots/{pilot_id}", "patch"), ("/pilots/{pilot_id}/plan", "get"),
    ("/pilots/{pilot_id}/evaluate", "post"),
    ("/invitations", "get"), ("/invitations", "post"), ("/bounces", "post"),
    ("/surveys/{survey}/quotas", "get"), ("/surveys/{survey}/quotas", "post"),
    ("/surveys/{survey}/quotas/{quota_id}", "patch"),
    ("/surveys/{survey}/quotas/{quota_id}", "delete"),
    ("/surveys/{survey}/definition", "put"),
    ("/requirements", "get"), ("/requirements", "post"), ("/requirements/{requirement_id}", "get"),
    ("/requirements/{requirement_id}", "patch"), ("/requirements/{requirement_id}", "delete"),
    ("/webhooks", "get"), ("/webhooks", "post"), ("/webhooks/{endpoint_id}", "patch"),
    ("/webhooks/{endpoint_id}", "delete"),
    ("/segments", "get"), ("/segments/{key}", "get"), ("/segments/{key}", "put"),
    ("/segments/{key}", "delete"), ("/segments/{key}/members", "get"),
    ("/segments:preview", "post"),
} | STRATEGY_OPERATIONS


def openapi(api: TestClient) -> dict[str, Any]:
    response = api.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    document: dict[str, Any] = response.json()
    return document


def test_openapi_describes_kano_with_every_operation(api: TestClient) -> None:
    document = openapi(api)
    assert document["openapi"].startswith("3.1")
    assert (document["info"]["title"], document["info"]["version"]) == ("Kano", __version__)
    assert document["servers"] == [{"url": "/api/v1"}]
    operations = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert operations == EXPECTED_OPERATIONS
    operation_ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert "list_customers" in operation_ids
    assert len(set(operation_ids)) == len(operation_ids)


def test_openapi_declares_bearer_auth_on_every_operation(api: TestClient) -> None:
    document = openapi(api)
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"].lower()) == ("http", "bearer")
    for path, method in EXPECTED_OPERATIONS:
        security = document["paths"][path][method]["security"]
        assert list(security[0]) == ["bearerAuth"], (path, method)
    assert document["paths"]["/customers"]["get"]["security"] == [{"bearerAuth": ["read"]}]
    assert document["paths"]["/tokens/current"]["delete"]["security"] == [
        {"bearerAuth": ["write"]}
    ]


def test_every_operation_documents_its_problems_as_problem_json(api: TestClient) -> None:
    document = openapi(api)
    for path, method in EXPECTED_OPERATIONS:
        responses = document["paths"][path][method]["responses"]
        assert "401" in responses, (path, method)
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                assert list(response["content"]) == ["application/problem+json"], (path, status)
        if "{" in path:
            assert "404" in responses
        if "422" in responses:
            schema = responses["422"]["content"]["application/problem+json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ValidationProblem"}


def test_the_interactive_docs_are_kanos_own_and_need_no_cdn(api: TestClient) -> None:
    """/docs is the vendored Swagger UI (tests/integration/web/test_api_reference.py has
    the details); FastAPI's CDN-loading pages stay off."""
    page = api.get("/docs")
    assert page.status_code == 200
    assert "http://" not in page.text and "https://" not in page.text
    assert api.get("/redoc").status_code == 404


def test_answers_document_the_score_keys_and_allow_question_keys(api: TestClient) -> None:
    """A client generator sees the five score keys with their scales, and that other keys
    (a survey's question keys) take a number, a text or a list of texts; GET shows them."""
    schemas = openapi(api)["components"]["schemas"]
    answers = schemas["AnswersIn"]
    assert set(answers["properties"]) == {"nps", "csat", "ces", "rating", "comment"}
    nps = next(s for s in answers["properties"]["nps"]["anyOf"] if s["type"] == "integer")
    assert (nps["minimum"], nps["maximum"]) == (0, 10)
    assert answers["additionalProperties"] == {"anyOf": [
        {"type": "string"}, {"type": "number"},
        {"type": "array", "items": {"type": "string"}}, {"type": "null"},
    ]}
    detail = schemas["FeedbackResponseDetail"]["properties"]["answers"]
    assert detail["items"] == {"$ref": "#/components/schemas/AnswerOut"}
    assert set(schemas["AnswerOut"]["properties"]) == {"question", "value", "kano_category"}
