"""``connect(url)``: an Ibis backend on the warehouse, whatever engine holds it.

The metrics engine only ever sees the returned Ibis backend; which engine answers is
decided here, from the URL (:mod:`kano.adapters.warehouse.location`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kano.adapters.warehouse.location import WarehouseLocation, parse_warehouse_url
from kano.domain.shared.errors import KanoError
from kano.metrics.warehouse_errors import WarehouseNotLoaded


class WarehouseBusy(KanoError):
    def __init__(self, path: str, error: Exception) -> None:
        super().__init__(f"cannot open the warehouse {path}: {error}")


def connect(url: str, read_only: bool = False) -> Any:
    """An Ibis backend for ``url`` (DuckDB, PostgreSQL, SQLite or Spark).

    ``read_only`` matters for a DuckDB file: many read-only processes may share it,
    while a writer (``kano warehouse load``) needs it to itself.
    """
    return connect_location(parse_warehouse_url(url), read_only)


def connect_location(location: WarehouseLocation, read_only: bool = False) -> Any:
    import ibis

    if location.engine == "duckdb":
        if location.path is None:
            return ibis.duckdb.connect(":memory:")
        if read_only and not Path(location.path).exists():
            raise WarehouseNotLoaded("responses")
        try:
            return ibis.duckdb.connect(location.path, read_only=read_only)
        except Exception as error:  # duckdb.IOException: another process holds the file
            raise WarehouseBusy(location.path, error) from error
    if location.engine == "sqlite":
        return ibis.sqlite.connect(location.path)
    if location.engine == "postgres":
        from kano.adapters.warehouse.sql_store import ensure_postgres_schema

        ensure_postgres_schema(location)
        return ibis.postgres.connect(
            host=location.host,
            port=location.port or 5432,
            user=location.user,
            password=location.password,
            database=location.database,
            schema=location.schema,
        )
    from kano.adapters.warehouse.spark import connect_spark

    return connect_spark(location)
