"""Module fixtures for page tests on the demo company (``live`` from the live-binding
tests): a browser signed in as the demo's admin, and the demo warehouse read-only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from kano.adapters.warehouse import connect
from kano.app import create_app
from kano.bootstrap import Container
from tests.integration.web.browsing import Browser

DEMO_ADMIN = ("helen.carter@northwind.example", "demo")


@pytest.fixture(scope="module")
def browser(live: Container) -> Browser:
    signed_in = Browser(TestClient(create_app(container=live), follow_redirects=False))
    signed_in.log_in(*DEMO_ADMIN)
    return signed_in


@pytest.fixture(scope="module")
def backend(live: Container) -> Iterator[Any]:
    opened = connect(live.settings.resolved_warehouse_url(), read_only=True)
    yield opened
    opened.disconnect()
