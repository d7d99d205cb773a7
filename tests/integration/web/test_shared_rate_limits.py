"""The public endpoints' rate limits shared by every server process on PostgreSQL: two app
instances on two engines to one database count against one limit (429 with Retry-After on
the other instance), windows roll over, the counters of past windows are deleted by the
table upkeep job, and an unreachable database or a missing table lets requests through
(with a warning) instead of failing the public page. SQLite keeps the in-process limiter
(one server process): the shared one is not applicable there, so its tests run on
PostgreSQL only (``db_url`` parametrised with "postgresql" alone)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text
from starlette.testclient import TestClient

from kano.adapters.db.engine import make_engine
from kano.adapters.db.orm import RateLimitHitRow
from kano.adapters.jobs.table_upkeep import keep_tables_planned
from kano.adapters.web.rate_limit import (
    RateLimiter,
    SharedRateLimiter,
    rate_limiter_for,
)
from kano.adapters.web.routes.survey_public_base import PublicLimits
from kano.app import create_app
from kano.bootstrap import Container, build_container
from kano.config import Settings

POSTGRESQL_ONLY = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
WINDOW_START = 1_800_000_000  # a multiple of 60: a minute begins here


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _limits(container: Container, clock: Clock, per_ip: int) -> PublicLimits:
    engine = container.engine
    return PublicLimits(SharedRateLimiter(engine, per_ip, "posts", clock=clock),
                        SharedRateLimiter(engine, 600, "posts", clock=clock),
                        SharedRateLimiter(engine, 240, "reads", clock=clock))


@pytest.fixture
def second_container(settings: Settings) -> Iterator[Container]:
    """Another server process: its own engine (pool) to the same database."""
    other = build_container(settings)
    yield other
    other.close()


def _client(app: FastAPI) -> TestClient:
    return TestClient(app, follow_redirects=False)


@POSTGRESQL_ONLY
def test_two_app_instances_share_one_limit_and_windows_roll_over(
    container: Container, second_container: Container,
) -> None:
    assert container.engine is not second_container.engine
    clock = Clock(WINDOW_START + 30.0)
    first, second = create_app(container=container), create_app(container=second_container)
    first.state.kano_public_limits = _limits(container, clock, per_ip=5)
    second.state.kano_public_limits = _limits(second_container, clock, per_ip=5)
    with _client(first) as one, _client(second) as other:
        def post(client: TestClient) -> int:
            return client.post("/s/relationship-nps", data={"t": "no-such-link"}).status_code

        # Five posts, split between the two instances: each counted, none limited (the
        # link is not valid, so each is a 404, after the limit was checked).
        assert [post(one), post(other), post(one), post(other), post(one)] == [404] * 5
        limited = other.post("/s/relationship-nps", data={"t": "no-such-link"})
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "30"  # the window ends in 30 s
        widget = one.post("/s/relationship-nps/widget", json={"t": "x", "answers": {"nps": 9}})
        assert widget.status_code == 429 and widget.headers["Retry-After"] == "30"

        clock.now = WINDOW_START + 60.0  # the next window
        assert post(other) == 404 and post(one) == 404

        # The page reads count apart from the posts (another name, same address key).
        assert one.get("/s/relationship-nps?t=x").status_code == 404


@POSTGRESQL_ONLY
def test_limiters_on_two_engines_count_each_key_once_per_window(
    container: Container, second_container: Container,
) -> None:
    clock = Clock(WINDOW_START + 59.5)
    a = SharedRateLimiter(container.engine, 2, "posts", clock=clock)
    b = SharedRateLimiter(second_container.engine, 2, "posts", clock=clock)
    reads = SharedRateLimiter(second_container.engine, 2, "reads", clock=clock)
    assert [a.hit("ip:1"), b.hit("ip:1"), a.hit("ip:1"), b.hit("ip:1")] == [None, None, 1, 1]
    assert b.hit("ip:2") is None, "another key has a count of its own"
    assert reads.hit("ip:1") is None, "another limiter's name has a count of its own"
    clock.now = WINDOW_START + 60.0
    assert a.hit("ip:1") is None and b.hit("ip:1") is None and a.hit("ip:1") == 60


def test_the_engine_chooses_the_limiter(container: Container) -> None:
    chosen = rate_limiter_for(container.engine, 5, "posts")
    if container.engine.dialect.name == "postgresql":
        assert isinstance(chosen, SharedRateLimiter)
    else:  # one embedded server process: counting in memory is enough
        assert isinstance(chosen, RateLimiter)


@POSTGRESQL_ONLY
def test_table_upkeep_deletes_the_counters_of_past_windows(container: Container) -> None:
    import time

    now = time.time()
    SharedRateLimiter(container.engine, 5, "posts", clock=Clock(now - 3600)).hit("ip:old")
    SharedRateLimiter(container.engine, 5, "posts", clock=Clock(now)).hit("ip:new")
    keep_tables_planned(container)
    with container.sessions() as session:
        left = session.scalars(select(RateLimitHitRow.key)).all()
    assert left == ["posts:ip:new"]


@POSTGRESQL_ONLY
def test_the_counters_table_is_unlogged(container: Container) -> None:
    with container.engine.connect() as connection:
        persistence = connection.execute(text(
            "SELECT relpersistence FROM pg_class WHERE relname = 'rate_limit_hits'")).scalar()
    assert persistence == "u"


def test_an_unreachable_database_lets_requests_through_with_a_warning(
    container: Container, caplog: pytest.LogCaptureFixture,
) -> None:
    """Fails open: a closed port stands for a database that is down."""
    engine = make_engine("postgresql+psycopg://kano@127.0.0.1:1/nowhere",
                         connect_args={"connect_timeout": 2})
    try:
        app = create_app(container=container)
        app.state.kano_public_limits = PublicLimits(
            SharedRateLimiter(engine, 1, "posts"), SharedRateLimiter(engine, 1, "posts"),
            SharedRateLimiter(engine, 1, "reads"))
        with caplog.at_level(logging.WARNING, "kano.adapters.web.rate_limit"), \
                _client(app) as client:
            statuses = [client.post("/s/relationship-nps", data={"t": "x"}).status_code
                        for _ in range(3)]
            page = client.get("/s/relationship-nps?t=x").status_code
        assert statuses == [404, 404, 404] and page == 404  # limit 1, yet never a 429 or 500
        warnings = [r for r in caplog.records if "not counted" in r.getMessage()]
        # Three limiters (address and token of the posts, address of the reads), each
        # warning once a minute, not once per request.
        assert len(warnings) == 3
    finally:
        engine.dispose()


@POSTGRESQL_ONLY
def test_a_missing_counters_table_lets_requests_through(
    container: Container, caplog: pytest.LogCaptureFixture,
) -> None:
    limiter = SharedRateLimiter(container.engine, 1, "posts")
    with container.engine.connect() as connection:
        connection.execute(text("DROP TABLE rate_limit_hits"))
        connection.commit()
    with caplog.at_level(logging.WARNING, "kano.adapters.web.rate_limit"):
        assert [limiter.hit("ip:1") for _ in range(3)] == [None, None, None]
    assert any("not counted" in r.getMessage() for r in caplog.records)
    with container.engine.connect() as connection:  # the pool's connections still work
        assert connection.execute(select(func.count()).select_from(text("workspaces"))
                                  ).scalar() == 0
