"""Web UI fixtures: the whole application (API + web) in-process, on each engine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.web.rate_limit import rate_limiter_for
from kano.adapters.web.routes import set_password
from kano.adapters.web.routes.auth import LOGIN_POSTS_PER_MINUTE
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
def mid_window_limits(app: FastAPI, container: Container) -> Iterator[None]:
    """The per-address limits of the login and set-password forms with their clock held in
    the middle of a minute: on PostgreSQL windows follow the wall clock, and a test's
    eleven posts crossing a minute's end would start a new window (a flaky test)."""
    held = 1_800_000_030.0  # 30 s into a minute
    limits = {}
    for name, per_minute in (("login", LOGIN_POSTS_PER_MINUTE),
                             ("set-password", set_password.POSTS_PER_MINUTE_PER_IP)):
        limiter = rate_limiter_for(container.engine, per_minute, name)
        limiter.clock = lambda: held  # type: ignore[union-attr]
        limits[name] = limiter
    app.state.kano_client_limits = limits
    yield


@pytest.fixture
def companies(sessions: sessionmaker[Session]) -> SeededCompanies:
    return seed_companies(sessions)
