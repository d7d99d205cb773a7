"""Warehouses for tests, one per engine: DuckDB, SQLite, PostgreSQL and Spark local mode.

Each is loaded once per test session from the generated demo company (the loader under
test), so the whole conformance suite pays one load and one Spark start-up. PostgreSQL
warehouses live in fresh databases on the server at 127.0.0.1:5432 (the pattern of
``tests/databases.py``), dropped at the end of the session. Outside CI a missing engine
skips with the reason; with ``CI=true`` it fails, so CI cannot go green without all four.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from kano.adapters.warehouse import connect, load_warehouse, open_store
from kano.adapters.warehouse.sources import Source
from tests.databases import IN_CI, POSTGRES_ADMIN_URL, _admin_execute, postgres_reachable

ENGINES = ("duckdb", "sqlite", "postgres", "spark")
ENGINE_PARAMS = [
    pytest.param("duckdb", id="duckdb"),
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    pytest.param("spark", id="spark"),
]


def engine_problem(engine: str) -> str | None:
    """Why ``engine`` cannot run here, or None."""
    if engine == "postgres":
        problem = postgres_reachable()
        return f"PostgreSQL unreachable: {problem}" if problem else None
    if engine == "spark":
        if importlib.util.find_spec("pyspark") is None:
            return "pyspark is not installed (pip install 'kano[spark]')"
        if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
            return "Java is not installed (Spark needs Java 17)"
    return None


def require_engine(engine: str) -> None:
    problem = engine_problem(engine)
    if problem:
        if IN_CI:
            pytest.fail(f"CI=true but {engine} cannot run: {problem}")
        pytest.skip(problem)


class WarehouseFactory:
    """Hands out warehouse URLs per engine and cleans up what it created."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self._databases: list[str] = []

    def new_url(self, engine: str) -> str:
        name = f"w{uuid.uuid4().hex[:10]}"
        if engine == "duckdb":
            return f"duckdb:///{self.workdir / name}.duckdb"
        if engine == "sqlite":
            return f"sqlite:///{self.workdir / name}.sqlite"
        if engine == "spark":
            return f"spark://local?path={self.workdir / name}&cache=true"
        database = f"kano_wh_{name}"
        _admin_execute(f'CREATE DATABASE "{database}"')
        self._databases.append(database)
        base = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql", database=database)
        return base.render_as_string(hide_password=False)

    def close(self) -> None:
        for database in self._databases:
            _admin_execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        self._databases.clear()


def load_into(url: str, source: Source, workspace_id: int, **options: Any) -> None:
    store = open_store(url)
    try:
        load_warehouse(store, source, workspace_id, **options)
    finally:
        store.close()


def loaded_warehouse(
    factory: WarehouseFactory, engine: str, source: Source, workspace_id: int
) -> Any:
    """A new warehouse on ``engine`` holding ``source`` as ``workspace_id``; its backend."""
    url = factory.new_url(engine)
    load_into(url, source, workspace_id)
    return connect(url)
