"""``/value/profit`` over the API: by default two periods inside the data window (acme is
the demo company, seed 1: its window starts in November 2024, its last complete month is
September 2026), a ``start`` the caller gives used as is."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from kano.adapters.api.routers import ROUTERS
from kano.adapters.api.routers import value as value_router
from tests.integration.api.problems import assert_invalid_field
from tests.integration.api.seed import SeededWorkspace

pytestmark = pytest.mark.skipif(
    value_router.router not in ROUTERS,
    reason="the /value router is not yet listed in kano.adapters.api.routers (shared file)",
)


def test_default_periods_are_shortened_to_lie_inside_the_data_window(
    api: TestClient, acme: SeededWorkspace, warehouse: str
) -> None:
    body = api.get("/value/profit", params={"months": 12}, headers=acme.auth()).json()
    assert body["before_period"] == ["2024-12-01", "2025-11-01"]
    assert body["after_period"] == ["2025-11-01", "2026-10-01"]
    assert (body["months"], body["months_asked"], body["windowed"]) == (11, 12, True)
    quarter = api.get("/value/profit", headers=acme.auth()).json()
    assert quarter["before_period"] == ["2026-04-01", "2026-07-01"]
    assert (quarter["months"], quarter["windowed"]) == (3, False)


def test_a_start_the_caller_gives_is_used_as_is(
    api: TestClient, acme: SeededWorkspace, warehouse: str
) -> None:
    body = api.get("/value/profit", params={"months": 12, "start": "2024-10-01"},
                   headers=acme.auth()).json()  # fmt: skip
    assert body["before_period"] == ["2024-10-01", "2025-10-01"]
    assert (body["months"], body["windowed"]) == (12, False)
    assert sum(lever["contribution"] for lever in body["levers"]) == pytest.approx(body["change"])
    assert_invalid_field(api.get("/value/profit", params={"start": "2024-13-01"},
                                 headers=acme.auth()), "start")  # fmt: skip
