"""Fresh, migrated app databases for tests, on SQLite and on the real PostgreSQL server.

Each engine gets one template built by ``alembic upgrade head`` per test process; each
test gets its own copy (a file copy for SQLite, ``CREATE DATABASE … TEMPLATE`` for
PostgreSQL). Copies are real databases, so a ``kano serve`` subprocess can use them too,
and no test sees another's rows.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from kano.adapters.db.migrate import upgrade

POSTGRES_ADMIN_URL = os.environ.get(
    "KANO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _psycopg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def postgres_reachable() -> str | None:
    """None when the server answers, else the reason."""
    try:
        with psycopg.connect(_psycopg_dsn(POSTGRES_ADMIN_URL), connect_timeout=3):
            return None
    except psycopg.Error as error:
        return str(error)


def require_engine(engine: str) -> None:
    """Skip a PostgreSQL test when the server does not answer, but fail it under
    ``CI=true``, where every PostgreSQL test must run."""
    if engine != "postgresql" or (problem := postgres_reachable()) is None:
        return
    if IN_CI:
        pytest.fail(f"CI=true but PostgreSQL is unreachable: {problem}")
    pytest.skip(f"PostgreSQL unreachable: {problem}")


def _admin_execute(sql: str) -> None:
    with psycopg.connect(_psycopg_dsn(POSTGRES_ADMIN_URL), autocommit=True) as connection:
        connection.execute(sql)  # type: ignore[arg-type]


class DatabaseFactory:
    """Builds the per-process templates lazily and hands out fresh copies."""

    def __init__(self, workdir: Path, worker: str) -> None:
        self.workdir = workdir
        self.worker = worker.replace("-", "_")
        self._sqlite_template: Path | None = None
        self._postgres_template: str | None = None
        self._created_postgres: list[str] = []

    def fresh(self, engine: str) -> str:
        if engine == "sqlite":
            return self._fresh_sqlite()
        if engine == "postgresql":
            return self._fresh_postgres()
        raise ValueError(engine)

    def _fresh_sqlite(self) -> str:
        if self._sqlite_template is None:
            template = self.workdir / "template.db"
            upgrade(f"sqlite:///{template}")
            self._sqlite_template = template
        copy = self.workdir / f"kano-{uuid.uuid4().hex[:10]}.db"
        shutil.copyfile(self._sqlite_template, copy)
        return f"sqlite:///{copy}"

    def _fresh_postgres(self) -> str:
        base = make_url(POSTGRES_ADMIN_URL)
        if self._postgres_template is None:
            name = f"kano_tpl_{self.worker}_{os.getpid()}"
            _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            _admin_execute(f'CREATE DATABASE "{name}"')
            self._created_postgres.append(name)
            upgrade(base.set(database=name).render_as_string(hide_password=False))
            self._postgres_template = name
        name = f"kano_t_{uuid.uuid4().hex[:12]}"
        _admin_execute(f'CREATE DATABASE "{name}" TEMPLATE "{self._postgres_template}"')
        self._created_postgres.append(name)
        return base.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() == "postgresql" and parsed.database:
            _admin_execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
            if parsed.database in self._created_postgres:
                self._created_postgres.remove(parsed.database)

    def close(self) -> None:
        for name in list(self._created_postgres):
            _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._created_postgres.clear()
