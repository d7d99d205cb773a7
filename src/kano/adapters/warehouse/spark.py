"""Spark: one shared session per process, and a warehouse of Parquet files.

Spark's default catalogue forgets tables when the session ends, so the warehouse is a
directory of Parquet files described by a manifest (``_manifest.json``): for every table
and workspace, the list of part files that make up its rows, plus the load state.
:func:`connect_spark` reads each table through a temporary view over the files the
manifest lists, made when a query first names it (:mod:`.spark_views`).

Atomicity: a load writes new part files next to the old ones (invisible, since no
manifest names them), then replaces the manifest with ``os.replace`` — an atomic rename
on POSIX file systems. A failed load therefore leaves the old manifest, i.e. the old
state, and its stray files are deleted; replaced files are deleted after the swap.
(A cluster needs the same on a shared file system; object stores would need a table
format such as Delta or Iceberg instead.)
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from kano.adapters.warehouse.location import WarehouseLocation
from kano.adapters.warehouse.spark_views import views_of
from kano.adapters.warehouse.store import (
    STATE_SCHEMA,
    STATE_TABLE,
    StoreWriter,
    TableState,
    WarehouseStore,
    state_rows,
    states_from_rows,
)
from kano.metrics.warehouse_schema import TABLES, TEXT_TABLES, WarehouseTable

MANIFEST = "_manifest.json"
_TABLES: dict[str, WarehouseTable] = {t.name: t for t in (*TABLES, *TEXT_TABLES)}
"""Every table a Spark warehouse holds: the loader's and the text analysis's (written
by the worker after a load through the same store, :mod:`kano.adapters.jobs.text_insights`)."""
_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def spark_session(master: str) -> Any:
    """The process's Spark session (local mode starts in ~5–10 s, so it is shared)."""
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master(master)
        .appName("kano")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        # Few, small shuffles: one partition per core beats Spark's default of 200.
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def view_prefix(root: Path) -> str:
    """Temporary views are global to the shared session, so each warehouse directory
    gets its own prefix: two warehouses open in one process never see each other."""
    return f"kano_{hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:10]}_"


def connect_spark(location: WarehouseLocation) -> Any:
    """An Ibis PySpark backend whose tables are the warehouse's current Parquet files.

    Cheap: no view is made here. A table's view is looked up when a query names the
    table, from the manifest as it is then (:mod:`.spark_views`)."""
    import ibis

    backend_class = _backend_class()
    if getattr(ibis.options, "pyspark", None) is None:
        backend_class.register_options()  # what ``ibis.pyspark`` does on first use
    root = Path(location.path or ".")
    session = spark_session(location.master)
    backend = backend_class().connect(session)
    backend.warehouse = _WarehouseViews(session, root, location.cache)
    return backend


@lru_cache(maxsize=1)
def _backend_class() -> Any:
    from ibis.backends.pyspark import Backend

    class WarehouseBackend(Backend):
        """Resolves ``table("responses")`` to this warehouse's current view of it, and
        the load state to a view of the manifest's; other names (Ibis's own cached
        tables, ``Table.cache()``) stay as they are."""

        warehouse: _WarehouseViews

        def table(self, name: str, /, *, database: Any = None) -> Any:
            return super().table(self.warehouse.view(name), database=database)

        def disconnect(self) -> None:
            """Keep the session running: it is the process's one Spark session (Ibis's
            ``disconnect`` stops it, and the next connection would find it dead)."""

    return WarehouseBackend


class _WarehouseViews:
    """One warehouse directory's tables as views of the shared session."""

    def __init__(self, session: Any, root: Path, cache: bool) -> None:
        self.root = root
        self.prefix = view_prefix(root)
        self.cache = cache
        self.views = views_of(session)

    def view(self, name: str) -> str:
        if name not in _TABLES and name != STATE_TABLE:
            return name
        try:
            return self._current_view(name)
        except FileNotFoundError:  # a load swapped the manifest and deleted the files read
            return self._current_view(name)

    def _current_view(self, name: str) -> str:
        manifest = _read_manifest(self.root)
        if name == STATE_TABLE:
            rows = [
                row
                for workspace, states in sorted(manifest["state"].items())
                for row in state_rows(int(workspace), states_from_rows(states)).to_pylist()
            ]
            return self.views.rows_view(self.prefix, name, rows, STATE_SCHEMA)
        tables = manifest["tables"].get(name, {})
        files = [str(self.root / part) for parts in tables.values() for part in parts]
        return self.views.parquet_view(self.prefix, name, files, _TABLES[name].schema, self.cache)


def _empty_file(root: Path, table: str) -> Path:
    """An empty Parquet file with the table's schema, so empty tables still have columns."""
    path = root / table / "_empty.parquet"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(_TABLES[table].schema.empty_table(), path)
    return path


def _empty_schema(root: Path, table: str) -> pa.Schema | None:
    path = root / table / "_empty.parquet"
    return pq.read_schema(path) if path.exists() else None


def _read_manifest(root: Path) -> dict[str, Any]:
    path = root / MANIFEST
    if not path.exists():
        return {"tables": {}, "state": {}}
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return manifest


class SparkParquetStore(WarehouseStore):
    def __init__(self, root: Path) -> None:
        self.root = root

    def ensure_tables(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        outdated = [table.name for table in TEXT_TABLES if _empty_schema(self.root, table.name)
                    not in (None, table.schema)]  # fmt: skip
        if outdated:
            # Text tables of an older shape: their rows go (the worker re-analyses a
            # workspace whose analysis is missing), as the SQL stores drop such a table.
            with self.transaction() as writer:
                for name in outdated:
                    for workspace in list(writer.manifest["tables"].get(name, {})):
                        writer.delete_workspace(name, int(workspace))
                    (self.root / name / "_empty.parquet").unlink()
        for name in _TABLES:
            _empty_file(self.root, name)

    def read_state(self, workspace_id: int) -> dict[str, TableState]:
        rows = _read_manifest(self.root)["state"].get(str(workspace_id), [])
        return states_from_rows(rows)

    def loaded_workspaces(self) -> list[int]:
        return sorted(int(workspace) for workspace in _read_manifest(self.root)["state"])

    @contextmanager
    def transaction(self) -> Iterator[StoreWriter]:
        with _LOCK:
            manifest = _read_manifest(self.root)
            writer = _ManifestWriter(self.root, manifest)
            try:
                yield writer
            except BaseException:
                for path in writer.written:
                    path.unlink(missing_ok=True)
                raise
            temporary = self.root / f".{MANIFEST}.{uuid.uuid4().hex}"
            temporary.write_text(json.dumps(manifest, indent=1, default=str), encoding="utf-8")
            os.replace(temporary, self.root / MANIFEST)
            for path in writer.replaced:
                path.unlink(missing_ok=True)


class _ManifestWriter(StoreWriter):
    def __init__(self, root: Path, manifest: dict[str, Any]) -> None:
        self.root = root
        self.manifest = manifest
        self.written: list[Path] = []
        self.replaced: list[Path] = []

    def _parts(self, table: str, workspace_id: int) -> list[str]:
        tables = self.manifest["tables"].setdefault(table, {})
        parts: list[str] = tables.setdefault(str(workspace_id), [])
        return parts

    def delete_workspace(self, table: str, workspace_id: int) -> None:
        parts = self._parts(table, workspace_id)
        self.replaced += [self.root / part for part in parts]
        parts.clear()

    def append(self, table: str, batch: pa.Table) -> None:
        if not batch.num_rows:
            return
        workspace_id = int(batch["workspace_id"][0].as_py())
        relative = f"{table}/ws-{workspace_id}/part-{uuid.uuid4().hex}.parquet"
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        self.written.append(path)
        pq.write_table(batch, path, compression="zstd")
        self._parts(table, workspace_id).append(relative)

    def save_state(self, workspace_id: int, states: dict[str, TableState]) -> None:
        self.manifest["state"][str(workspace_id)] = [
            {
                "table_name": name,
                "source": state.source,
                "high_water": state.high_water,
                "row_count": state.row_count,
                "min_date": state.min_date,
                "max_date": state.max_date,
            }
            for name, state in sorted(states.items())
        ]


def open_spark_store(location: WarehouseLocation) -> SparkParquetStore:
    return SparkParquetStore(Path(location.path or "."))
