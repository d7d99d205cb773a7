"""API test fixtures: the API app mounted at /api/v1 as in production, on each engine.

The app under test is ``create_api`` alone (not ``kano.app.create_app``), so these tests
do not depend on the web UI; it is mounted at the same prefix so paths, the OpenAPI
``servers`` entry and problem ``instance`` values are the real ones.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.testclient import TestClient

from kano.adapters.api.app import API_PREFIX, api_mount
from kano.bootstrap import Container
from tests.integration.api.seed import SeededWorkspace, seed_workspace


@pytest.fixture
def host_app(container: Container) -> Starlette:
    return Starlette(routes=[api_mount(container)])


@pytest.fixture
def api(host_app: Starlette) -> Iterator[TestClient]:
    """A client whose relative URLs start at /api/v1 (``api.get("/customers")``)."""
    with TestClient(host_app, base_url=f"http://testserver{API_PREFIX}/") as client:
        yield client


@pytest.fixture
def acme(sessions: sessionmaker[Session]) -> SeededWorkspace:
    return seed_workspace(sessions, "acme")


@pytest.fixture
def globex(sessions: sessionmaker[Session]) -> SeededWorkspace:
    """A second tenant whose rows acme must never see."""
    return seed_workspace(sessions, "globex", customers=4)
