"""The suite's PostgreSQL copies are reset and reused (tests/databases.py): a reused copy
must be indistinguishable from a fresh one, or no test could trust its isolation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.databases import DatabaseFactory, _psycopg_dsn, require_engine

pytestmark = pytest.mark.postgres


@pytest.fixture
def factory(tmp_path: Path) -> Iterator[DatabaseFactory]:
    require_engine("postgresql")
    made = DatabaseFactory(tmp_path, "reuse_check")
    yield made
    made.close()


def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(_psycopg_dsn(url)) as connection:
        return connection.execute(sql).fetchall()  # type: ignore[arg-type]


def test_a_reused_copy_has_the_templates_rows_and_sequences(factory: DatabaseFactory) -> None:
    first = factory.fresh("postgresql")
    version = _rows(first, "SELECT version_num FROM alembic_version")
    with psycopg.connect(_psycopg_dsn(first), autocommit=True) as connection:
        for slug in ("a", "b", "c"):
            connection.execute("INSERT INTO workspaces (slug, name, created_at)"
                               " VALUES (%s, %s, now())", (slug, slug))
        connection.execute("UPDATE alembic_version SET version_num = 'changed'")
    lingering = psycopg.connect(_psycopg_dsn(first))  # a test's pool left open
    lingering.execute("SELECT 1")
    factory.drop(first)

    again = factory.fresh("postgresql")
    assert again == first  # reused, not created
    assert _rows(again, "SELECT count(*) FROM workspaces") == [(0,)]
    assert _rows(again, "SELECT version_num FROM alembic_version") == version
    with psycopg.connect(_psycopg_dsn(again), autocommit=True) as connection:
        new_id = connection.execute("INSERT INTO workspaces (slug, name, created_at)"
                                    " VALUES ('d', 'd', now()) RETURNING id").fetchone()
    assert new_id == (1,)  # the id sequence starts over, as on a fresh copy
    assert lingering.closed or lingering.broken or _closed_by_server(lingering)
    factory.drop(again)


def _closed_by_server(connection: psycopg.Connection[tuple[object, ...]]) -> bool:
    try:
        connection.execute("SELECT 1")
    except psycopg.OperationalError:
        return True
    return False


def test_a_copy_whose_schema_changed_is_not_reused(factory: DatabaseFactory) -> None:
    first = factory.fresh("postgresql")
    with psycopg.connect(_psycopg_dsn(first), autocommit=True) as connection:
        connection.execute("CREATE TABLE left_behind (x integer)")
    factory.drop(first)
    second = factory.fresh("postgresql")
    assert second != first
    assert _rows(second, "SELECT to_regclass('left_behind') IS NULL") == [(True,)]
    factory.drop(second)
