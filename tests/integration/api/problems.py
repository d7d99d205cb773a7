"""Assertions on RFC 9457 problem responses, shared by the API tests."""

from __future__ import annotations

from typing import Any

import httpx

PROBLEM_MEDIA_TYPE = "application/problem+json"


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The response is a problem document with this status; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["type"] == "about:blank"
    return body


def assert_invalid_field(response: httpx.Response, field: str) -> dict[str, Any]:
    """A 422 whose ``errors`` name ``field`` and whose ``detail`` names the first error."""
    body = assert_problem(response, 422)
    fields = [error["field"] for error in body["errors"]]
    assert field in fields, body
    assert body["detail"].startswith(f"{fields[0]}:")
    return body
