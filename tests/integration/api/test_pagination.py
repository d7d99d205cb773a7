"""Cursor pagination: every row exactly once, in id order, whatever the page size."""

from __future__ import annotations

import math
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.api.pagination import decode_cursor, encode_cursor
from kano.domain.shared.errors import InvalidInput
from tests.integration.api.problems import assert_invalid_field
from tests.integration.api.seed import SeededWorkspace, seed_workspace

LISTS = {"customers": "customer_ids", "responses": "response_ids",
         "transactions": "transaction_ids"}


def walk(api: TestClient, path: str, headers: dict[str, str], limit: int) -> list[list[int]]:
    """The ids of every page, following ``next_cursor`` until it is null."""
    pages: list[list[int]] = []
    params: dict[str, str | int] = {"limit": limit}
    while True:
        response = api.get(path, params=params, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append([item["id"] for item in body["items"]])
        if body["next_cursor"] is None:
            return pages
        assert len(pages) <= 1000, "pagination does not end"
        params = {"limit": limit, "cursor": body["next_cursor"]}


# One workspace per example (a fresh slug) keeps examples apart inside one database; the
# function-scoped fixtures are shared on purpose, so their health check is silenced.
@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.integers(min_value=0, max_value=12), limit=st.integers(min_value=1, max_value=14))
def test_walking_the_pages_returns_every_row_exactly_once(
    api: TestClient, sessions: sessionmaker[Session], rows: int, limit: int
) -> None:
    seeded = seed_workspace(sessions, f"pages-{uuid.uuid4().hex[:10]}", customers=rows)
    for path, ids in LISTS.items():
        pages = walk(api, f"/{path}", seeded.auth(), limit)
        assert [row_id for page in pages for row_id in page] == getattr(seeded, ids)
        assert all(len(page) <= limit for page in pages)
        assert len(pages) == max(1, math.ceil(rows / limit))


def test_last_page_has_no_next_cursor(api: TestClient, acme: SeededWorkspace) -> None:
    body = api.get("/customers", params={"limit": len(acme.customer_ids)},
                   headers=acme.auth()).json()
    assert len(body["items"]) == len(acme.customer_ids)
    assert body["next_cursor"] is None


def test_default_page_size_is_100(api: TestClient, sessions: sessionmaker[Session]) -> None:
    seeded = seed_workspace(sessions, "big", customers=101)
    body = api.get("/customers", headers=seeded.auth()).json()
    assert len(body["items"]) == 100
    assert body["next_cursor"] is not None


@pytest.mark.parametrize("limit", ["0", "-1", "1001", "ten"])
def test_limit_out_of_range_is_422_naming_limit(
    api: TestClient, acme: SeededWorkspace, limit: str
) -> None:
    assert_invalid_field(api.get("/customers", params={"limit": limit}, headers=acme.auth()),
                         "limit")


@pytest.mark.parametrize("cursor", [
    "garbage", "x" * 65, "not a cursor!", encode_cursor(1) + "A", "aw", "azE6",
])
def test_malformed_cursor_is_422_naming_cursor(
    api: TestClient, acme: SeededWorkspace, cursor: str
) -> None:
    for path in LISTS:
        response = api.get(f"/{path}", params={"cursor": cursor}, headers=acme.auth())
        assert_invalid_field(response, "cursor")


@given(st.integers(min_value=0, max_value=2**63 - 1))
def test_cursor_round_trips_and_is_url_safe(last_id: int) -> None:
    cursor = encode_cursor(last_id)
    assert decode_cursor(cursor) == last_id
    assert cursor.replace("-", "").replace("_", "").isalnum()


@given(st.text(max_size=40))
def test_decoding_arbitrary_text_gives_an_id_or_names_the_cursor(text: str) -> None:
    try:
        last_id = decode_cursor(text)
    except InvalidInput as error:
        assert error.field == "cursor"
    else:
        assert encode_cursor(last_id) == text
