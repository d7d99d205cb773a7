"""Walking the pages of a ``/value`` answer that lists customers."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient


def every_page(
    api: TestClient, path: str, headers: dict[str, str], limit: int = 1000, **params: Any
) -> list[dict[str, Any]]:
    """Each page's body, following ``next_cursor`` until it is null."""
    bodies: list[dict[str, Any]] = []
    query: dict[str, Any] = {**params, "limit": limit}
    while True:
        response = api.get(path, params=query, headers=headers)
        assert response.status_code == 200, response.text
        bodies.append(response.json())
        cursor = bodies[-1]["next_cursor"]
        if cursor is None:
            return bodies
        assert len(bodies) <= 10_000, "the pages do not end"
        query = {**params, "limit": limit, "cursor": cursor}


def every_item(
    api: TestClient, path: str, headers: dict[str, str], limit: int = 1000, **params: Any
) -> list[dict[str, Any]]:
    """The items of every page, in the order they came."""
    return [item for body in every_page(api, path, headers, limit, **params)
            for item in body["items"]]  # fmt: skip
