"""The analytics warehouse: connections for Ibis and the loader that fills them.

``connect(url)`` returns an Ibis backend on DuckDB (default), PostgreSQL, SQLite or
Spark; ``open_store(url)`` the matching store the loader writes through;
``load_warehouse(store, source, workspace_id)`` loads one workspace incrementally and
atomically from the app database (:class:`AppDatabaseSource`) or generator Parquet
files (:class:`ParquetSource`).
"""

from kano.adapters.warehouse.connection import connect
from kano.adapters.warehouse.loader import LoadReport, load_warehouse
from kano.adapters.warehouse.location import WarehouseLocation, parse_warehouse_url
from kano.adapters.warehouse.sources import AppDatabaseSource, ParquetSource, Source
from kano.adapters.warehouse.store import WarehouseStore


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
