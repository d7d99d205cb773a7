"""Warehouse stores on SQL engines: DuckDB, PostgreSQL and SQLite.

Atomicity: every load runs in one database transaction on one connection — ``BEGIN``,
then per table ``DELETE … WHERE workspace_id = ?`` (for a replaced table) and inserts,
then the new load state, then ``COMMIT``. All three engines have transactional DML (and
roll back on error), so a failed load leaves tables *and* load state as they were, and
readers never see half a load (PostgreSQL and DuckDB readers keep their snapshot;
SQLite readers wait on the write lock or read the old pages in WAL mode).

Data moves as Arrow: DuckDB scans the Arrow batch directly, PostgreSQL receives it as
CSV through ``COPY … FROM STDIN`` (quoted values, unquoted empty = NULL), SQLite through
``executemany`` (it has no bulk path; it is the small-data engine).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv

from kano.adapters.warehouse.location import WarehouseLocation
from kano.adapters.warehouse.store import (
    STATE_SCHEMA,
    STATE_TABLE,
    StoreWriter,
    TableState,
    WarehouseStore,
    state_rows,
    states_from_rows,
)
from kano.metrics.warehouse_schema import DERIVED_TABLES, TABLES, TEXT_TABLES

_TYPES = {
    "duckdb": {
        "int64": "BIGINT",
        "int16": "SMALLINT",
        "double": "DOUBLE",
        "string": "VARCHAR",
        "bool": "BOOLEAN",
        "date32[day]": "DATE",
        "timestamp[us]": "TIMESTAMP",
    },
    "postgres": {
        "int64": "BIGINT",
        "int16": "SMALLINT",
        "double": "DOUBLE PRECISION",
        "string": "TEXT",
        "bool": "BOOLEAN",
        "date32[day]": "DATE",
        "timestamp[us]": "TIMESTAMP",
    },
    "sqlite": {
        "int64": "BIGINT",
        "int16": "SMALLINT",
        "double": "DOUBLE",
        "string": "TEXT",
        "bool": "BOOLEAN",
        "date32[day]": "DATE",
        "timestamp[us]": "TIMESTAMP",
    },
}


def ensure_postgres_schema(location: WarehouseLocation) -> None:
    import psycopg
    from psycopg import sql

    statement = sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(location.schema))
    with psycopg.connect(location.psycopg_conninfo(), autocommit=True) as connection:
        connection.execute(statement)


class SqlStore(WarehouseStore):
    """A store on one DB-API connection; subclasses know their dialect's bulk insert."""

    dialect = ""
    placeholder = "?"

    def __init__(self, connection: Any, prefix: str = "") -> None:
        self.connection = connection
        self.prefix = prefix  # "schema." on PostgreSQL

    def name(self, table: str) -> str:
        return f'{self.prefix}"{table}"'

    def ensure_tables(self) -> None:
        types = _TYPES[self.dialect]
        schemas = [(table.name, table.schema) for table in (*TABLES, *TEXT_TABLES)]
        schemas.append((STATE_TABLE, STATE_SCHEMA))
        outdated = [
            table.name
            for table in (*DERIVED_TABLES, *TEXT_TABLES)  # text: re-analysed when missing
            if self._columns(table.name) not in (None, table.schema.names)
        ]
        with self.transaction():
            for name in outdated:
                # A derived table from an older version: dropped with its load state, so
                # the load that called this rebuilds it (and later loads of other
                # workspaces rebuild theirs) in the current shape.
                self.execute(f"DROP TABLE {self.name(name)}")
                self.execute(
                    f"DELETE FROM {self.name(STATE_TABLE)} "
                    f"WHERE table_name = {self.placeholder}",
                    (name,),
                )
            for name, schema in schemas:
                columns = ", ".join(f'"{field.name}" {types[str(field.type)]}' for field in schema)
                self.execute(f"CREATE TABLE IF NOT EXISTS {self.name(name)} ({columns})")
                if self.dialect != "duckdb":  # DuckDB's zone maps serve the same purpose
                    self.execute(
                        f'CREATE INDEX IF NOT EXISTS "ix_{name}_workspace" '
                        f"ON {self.name(name)} (workspace_id)"
                    )
            if self.dialect != "duckdb":
                for table in TEXT_TABLES:
                    if table.id_column:
                        # Reads join the stored rows to their responses by id: without
                        # this SQLite scanned a workspace's rows once per response
                        # (quadratic; bench/text_read.py --engine sqlite).
                        self.execute(
                            f'CREATE INDEX IF NOT EXISTS "ix_{table.name}_{table.id_column}" '
                            f'ON {self.name(table.name)} (workspace_id, "{table.id_column}")'
                        )

    def _columns(self, table: str) -> list[str] | None:
        """The stored table's column names, None when it does not exist (yet)."""
        try:
            cursor = self.execute(f"SELECT * FROM {self.name(table)} WHERE 1 = 0")
            names = [column[0] for column in cursor.description]
        except Exception:  # each engine raises its own "no such table"
            names = None
        # End the implicit read transaction (PostgreSQL); DuckDB has none open to end.
        with contextlib.suppress(Exception):
            self._rollback()
        return names

    def read_state(self, workspace_id: int) -> dict[str, TableState]:
        names = [field.name for field in STATE_SCHEMA]
        rows = self.execute(
            f"SELECT {', '.join(names)} FROM {self.name(STATE_TABLE)} "
            f"WHERE workspace_id = {self.placeholder}",
            (workspace_id,),
        ).fetchall()
        return states_from_rows([dict(zip(names, row, strict=True)) for row in rows])

    def loaded_workspaces(self) -> list[int]:
        rows = self.execute(
            f"SELECT DISTINCT workspace_id FROM {self.name(STATE_TABLE)} ORDER BY workspace_id"
        ).fetchall()
        return [int(row[0]) for row in rows]

    def execute(self, sql: str, parameters: tuple[Any, ...] = ()) -> Any:
        """Run ``sql`` on *this* connection, inside its transaction.

        Not through ``connection.cursor()``: in DuckDB a cursor is a second connection
        with its own (auto-committed) transaction, which would escape the load's.
        """
        return self.connection.execute(sql, parameters)

    @contextmanager
    def transaction(self) -> Iterator[StoreWriter]:
        self._begin()
        writer = _SqlWriter(self)
        try:
            yield writer
            self._commit()
        except BaseException:
            self._rollback()
            raise
        if writer.changed:
            self._refresh_statistics(sorted(writer.changed))

    def _refresh_statistics(self, tables: list[str]) -> None:
        """Update the planner's statistics of tables a committed load changed (a hook)."""

    def _begin(self) -> None:
        self.connection.execute("BEGIN")

    def _commit(self) -> None:
        self.connection.commit()

    def _rollback(self) -> None:
        self.connection.rollback()

    def insert(self, table: str, batch: pa.Table) -> None:
        columns = ", ".join(f'"{name}"' for name in batch.column_names)
        marks = ", ".join([self.placeholder] * batch.num_columns)
        rows = zip(*(_python_column(column) for column in batch.columns), strict=True)
        self.connection.executemany(
            f"INSERT INTO {self.name(table)} ({columns}) VALUES ({marks})", list(rows)
        )

    def close(self) -> None:
        self.connection.close()


class _SqlWriter(StoreWriter):
    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self.changed: set[str] = set()

    def delete_workspace(self, table: str, workspace_id: int) -> None:
        self.changed.add(table)
        self.store.execute(
            f"DELETE FROM {self.store.name(table)} WHERE workspace_id = {self.store.placeholder}",
            (workspace_id,),
        )

    def append(self, table: str, batch: pa.Table) -> None:
        if batch.num_rows:
            self.changed.add(table)
            self.store.insert(table, batch)

    def save_state(self, workspace_id: int, states: dict[str, TableState]) -> None:
        self.delete_workspace(STATE_TABLE, workspace_id)
        self.append(STATE_TABLE, state_rows(workspace_id, states))


class DuckDbStore(SqlStore):
    dialect = "duckdb"

    def _begin(self) -> None:
        self.connection.begin()

    def insert(self, table: str, batch: pa.Table) -> None:
        columns = ", ".join(f'"{name}"' for name in batch.column_names)
        self.connection.register("_kano_batch", batch)
        try:
            self.connection.execute(
                f"INSERT INTO {self.name(table)} ({columns}) SELECT {columns} FROM _kano_batch"
            )
        finally:
            self.connection.unregister("_kano_batch")


class SqliteStore(SqlStore):
    """SQLite in autocommit mode with explicit ``BEGIN IMMEDIATE`` … ``COMMIT``."""

    dialect = "sqlite"

    def _begin(self) -> None:
        self.connection.execute("BEGIN IMMEDIATE")

    def _commit(self) -> None:
        if self.connection.in_transaction:
            self.connection.execute("COMMIT")

    def _rollback(self) -> None:
        if self.connection.in_transaction:
            self.connection.execute("ROLLBACK")


class PostgresStore(SqlStore):
    dialect = "postgres"
    placeholder = "%s"

    def _begin(self) -> None:
        """psycopg opens the transaction with the first statement (autocommit is off)."""

    def _refresh_statistics(self, tables: list[str]) -> None:
        """``ANALYZE`` what the load changed, right after it commits.

        Freshly copied tables have no statistics until autovacuum gets round to them, and
        until then the planner takes a million-row fact table for a few rows and joins it
        to its dimensions in nested loops: a metric over 356 k process events took four
        minutes instead of a fraction of a second.
        """
        for table in tables:
            self.connection.execute(f"ANALYZE {self.name(table)}")
        self.connection.commit()

    def insert(self, table: str, batch: pa.Table) -> None:
        buffer = io.BytesIO()
        options = pa_csv.WriteOptions(include_header=False, quoting_style="all_valid")
        pa_csv.write_csv(batch, buffer, write_options=options)
        columns = ", ".join(f'"{name}"' for name in batch.column_names)
        with self.connection.cursor().copy(
            f"COPY {self.name(table)} ({columns}) FROM STDIN (FORMAT csv)"
        ) as copy:
            copy.write(buffer.getvalue())


def open_sql_store(location: WarehouseLocation) -> SqlStore:
    if location.engine == "duckdb":
        import duckdb

        try:
            return DuckDbStore(duckdb.connect(location.path or ":memory:"))
        except duckdb.IOException as error:  # another process (a server) holds the file
            from kano.adapters.warehouse.connection import WarehouseBusy

            raise WarehouseBusy(location.path or ":memory:", error) from error
    if location.engine == "sqlite":
        import sqlite3

        database = sqlite3.connect(location.path or ":memory:", isolation_level=None, timeout=30)
        database.execute("PRAGMA journal_mode=WAL")
        return SqliteStore(database)
    import psycopg

    ensure_postgres_schema(location)
    schema = location.schema.replace('"', '""')
    return PostgresStore(psycopg.connect(location.psycopg_conninfo()), prefix=f'"{schema}".')


def _python_column(column: pa.ChunkedArray) -> list[Any]:
    """Values SQLite stores the way Ibis reads them back (ISO text for dates and times)."""
    values = column.to_pylist()
    kind = column.type
    if pa.types.is_timestamp(kind):
        return [None if v is None else _timestamp_text(v) for v in values]
    if pa.types.is_date(kind):
        return [None if v is None else v.isoformat() for v in values]
    return values


def _timestamp_text(value: datetime | date) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="microseconds")
    return value.isoformat()
