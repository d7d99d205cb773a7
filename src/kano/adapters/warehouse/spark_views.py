"""Spark's views of a Parquet warehouse: made when a query first names a table, kept for
the session until the warehouse's manifest lists other files for that table.

Why: a view over Parquet files costs Spark a listing of the files and, unless it is told
the schema, a job to read a footer — about 0.15 s a table when warm, 2.5 s for the 18
tables, and every connection (i.e. every page and API read) used to pay it for all 18.
Now a view is registered once per session and version of the table, only for tables a
query names, and with the schema read from a footer by pyarrow (no Spark job).

Invalidation is by name: a view's name carries a fingerprint of the part files it reads.
Part files are never rewritten (a load writes new ones, then swaps the manifest), so the
file list identifies the rows exactly: a load or an analysis that changes a table gives
the next lookup a new view, never a stale one. A superseded version is dropped (and
uncached) once a newer one replaces it, except the one just before, which queries
compiled a moment earlier may still be reading.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

KEPT_VERSIONS = 2
"""Views kept per table and warehouse: the current one and the one it replaced."""


def spark_schema(schema: pa.Schema) -> Any:
    """The Spark schema Spark itself infers from Parquet files with this Arrow schema
    (timestamps without a zone read as ``TIMESTAMP_NTZ``, as Spark 4 infers them)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema, prefer_timestamp_ntz=True)


def fingerprint(parts: Sequence[str]) -> str:
    """What identifies a table's rows: the (never rewritten) part files that hold them."""
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()[:12]


class SparkViews:
    """The warehouse views registered in one Spark session, per (warehouse, table)."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self._lock = threading.Lock()
        self._versions: dict[tuple[str, str], list[str]] = {}  # newest last

    def parquet_view(
        self, prefix: str, table: str, files: Sequence[str], empty: pa.Schema, cache: bool
    ) -> str:
        """The view over ``files`` (absolute paths; none: an empty table of ``empty``)."""

        def frame() -> Any:
            if not files:
                return self.session.createDataFrame([], spark_schema(empty))
            # Spark infers a schema from one part file (no merging); so does this, without
            # a Spark job: the footer of the first file, read here.
            schema = spark_schema(pq.read_schema(files[0]))
            return self.session.read.schema(schema).parquet(*files)

        return self._view(prefix, table, fingerprint(files), frame, cache)

    def rows_view(
        self, prefix: str, table: str, rows: list[dict[str, Any]], schema: pa.Schema
    ) -> str:
        """A view over a few rows held in memory (the load state kept in the manifest)."""
        key = fingerprint([repr(sorted(row.items())) for row in rows])
        names = schema.names

        def frame() -> Any:
            values = [tuple(row.get(name) for name in names) for row in rows]
            return self.session.createDataFrame(values, spark_schema(schema))

        return self._view(prefix, table, key, frame, cache=False)

    def _view(
        self, prefix: str, table: str, key: str, frame: Callable[[], Any], cache: bool
    ) -> str:
        name = f"{prefix}{table}__{key}"
        with self._lock:
            versions = self._versions.setdefault((prefix, table), [])
            if name in versions:
                versions.remove(name)
            else:
                frame().createOrReplaceTempView(name)
                if cache:  # lazy: filled by the first query that reads it
                    self.session.catalog.cacheTable(name)
            versions.append(name)
            while len(versions) > KEPT_VERSIONS:
                self.session.catalog.dropTempView(versions.pop(0))  # uncaches it too
        return name


_REGISTRIES: dict[int, SparkViews] = {}
_REGISTRIES_LOCK = threading.Lock()


def views_of(session: Any) -> SparkViews:
    """The process keeps one registry per Spark session (in practice one session)."""
    with _REGISTRIES_LOCK:
        views = _REGISTRIES.get(id(session))
        if views is None or views.session is not session:
            views = _REGISTRIES[id(session)] = SparkViews(session)
        return views
