"""Shared fixtures: one ``db_url`` fixture parametrised over SQLite and PostgreSQL.

PostgreSQL tests run against the real server. Outside CI an unreachable server skips
them with the reason; with ``CI=true`` it fails them, so CI can never go green without
having run them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, settings
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.bootstrap import Container
from kano.config import Settings
from tests.databases import DatabaseFactory, require_engine

# Properties are about results, not speed: on a shared two-core machine generating an
# input can take over a second, which Hypothesis would report as a failed health check
# (seen in test_closing at load average 6), and example deadlines would flake likewise.
settings.register_profile(
    "kano", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("kano")

# Passwords: argon2id at its lowest cost inside the test processes. The production hasher
# spends ~0.18 s of CPU on each hash and each check by design, and most web and API tests
# seed two users and log one in: over half a second per test, some 15 CPU-minutes a suite
# run. Hashes stay real salted argon2id and every check still verifies (parameters travel
# in the hash, so a ``kano serve`` subprocess checks these too); the cost of the
# production parameters is tested in tests/integration/db (its conftest restores them).
TEST_PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PRODUCTION_PASSWORD_HASHER = accounts._hasher


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing() -> Iterator[None]:
    accounts._hasher = TEST_PASSWORD_HASHER
    accounts._dummy_hash.cache_clear()
    yield
    accounts._hasher = PRODUCTION_PASSWORD_HASHER
    accounts._dummy_hash.cache_clear()


ENGINES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@pytest.fixture(scope="session")
def database_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    factory = DatabaseFactory(tmp_path_factory.mktemp("databases"), worker)
    yield factory
    factory.close()


@pytest.fixture(params=ENGINES)
def db_url(request: pytest.FixtureRequest, database_factory: DatabaseFactory) -> Iterator[str]:
    """A fresh database migrated to head, on each engine in turn."""
    engine: str = request.param
    require_engine(engine)
    url = database_factory.fresh(engine)
    yield url
    database_factory.drop(url)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=db_url,
        warehouse_url=f"duckdb:///{tmp_path / 'warehouse.duckdb'}",
        secret_key="test-secret-key-0123456789abcdef",
        demo_data_dir=str(tmp_path / "demo-data"),
    )


@pytest.fixture
def container(settings: Settings) -> Iterator[Container]:
    from kano.bootstrap import build_container

    built = build_container(settings)
    yield built
    built.close()


@pytest.fixture
def sessions(container: Container) -> sessionmaker[Session]:
    return container.sessions
