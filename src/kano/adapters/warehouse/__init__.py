"""The analytics warehouse: connections for Ibis and the loader that fills them.

``connect(url)`` returns an Ibis backend on DuckDB (default), PostgreSQL, SQLite or
Spark; ``open_store(url)`` the matching store the loader writes through;
``load_warehouse(store, source, workspace_id)`` loads one workspace incrementally and
atomically from the app database (:class:`AppDatabaseSource`) or generator Parquet
files (:class:`ParquetSource`).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from kano.adapters.warehouse.connection import connect
from kano.adapters.warehouse.location import WarehouseLocation, parse_warehouse_url

if TYPE_CHECKING:
    from kano.adapters.warehouse.loader import LoadReport, load_warehouse
    from kano.adapters.warehouse.sources import AppDatabaseSource, ParquetSource, Source
    from kano.adapters.warehouse.store import WarehouseStore

#: Names whose modules load on first use: the loader and its sources import pandas and
#: pyarrow, and every page module that reads the warehouse imports this package (through
#: ``.connection``), so an eager import here cost each server start pandas (0.4–0.8 s here).
_LAZY = {
    "LoadReport": "loader",
    "load_warehouse": "loader",
    "AppDatabaseSource": "sources",
    "ParquetSource": "sources",
    "Source": "sources",
    "WarehouseStore": "store",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f"kano.adapters.warehouse.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_store(url: str) -> WarehouseStore:
    """The writable store behind ``url`` (same URL forms as :func:`connect`)."""
    location = parse_warehouse_url(url)
    if location.engine == "spark":
        from kano.adapters.warehouse.spark import open_spark_store

        return open_spark_store(location)
    from kano.adapters.warehouse.sql_store import open_sql_store

    return open_sql_store(location)


__all__ = [
    "AppDatabaseSource",
    "LoadReport",
    "ParquetSource",
    "Source",
    "WarehouseLocation",
    "WarehouseStore",
    "connect",
    "load_warehouse",
    "open_store",
    "parse_warehouse_url",
]
