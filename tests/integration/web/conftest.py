"""Web UI fixtures: the whole application (API + web) in-process, on each engine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.app import create_app
from kano.bootstrap import Container
from tests.integration.web.browsing import Browser
from tests.integration.web.seed import SeededCompanies, seed_companies


@pytest.fixture
def app(container: Container) -> FastAPI:
    return create_app(container=container)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client that does not follow redirects, so tests can see them."""
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def browser(client: TestClient) -> Browser:
    return Browser(client)


@pytest.fixture
def companies(sessions: sessionmaker[Session]) -> SeededCompanies:
    return seed_companies(sessions)
