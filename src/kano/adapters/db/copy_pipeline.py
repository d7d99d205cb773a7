"""PostgreSQL storing one batch while Kano prepares the next (the file import).

A file import spends about as much CPU in Kano (reading and checking rows, finding their
customers, building ``COPY`` text) as in PostgreSQL (the rows, their foreign-key checks
and indexes); one after the other they were ~2.8 s per 100,000 rows. Here the batch's
``COPY`` runs on the transaction's connection in a thread of its own, which waits on the
socket with the GIL released, while the caller prepares the next batch: its look-ups
(import keys, customers) go to a second, read-only connection (:attr:`reader`), since the
transaction's connection is busy with the ``COPY``.

What the reader cannot see are the rows of this very transaction; callers carry those
themselves (the import's column reader knows the file's keys, ``KnownCustomers`` the
customers earlier batches created). Anything that writes on the transaction's connection
first calls :meth:`wait`, which also raises the ``COPY``'s error, if it had one.

**Foreign keys checked per batch, not per row.** Of PostgreSQL's ~1.8 s per 100,000
responses, ~1.0 s are the foreign-key triggers, one look-up per row and key
(``bench/RESULTS.md``). Where the role may set ``session_replication_role`` (a superuser,
or on PostgreSQL 15+ after ``GRANT SET ON PARAMETER session_replication_role TO kano``;
the role owns the tables, so this gives it nothing it could not do already), the
``COPY`` runs with the per-row triggers off and the same guarantee is taken set-based:
first every distinct referenced row of the batch is locked ``FOR KEY SHARE`` — what
the triggers do, row by row — and one that is missing fails the batch with the
``IntegrityError`` a violated key would raise. ``SET LOCAL`` and back to ``origin``
right after the ``COPY``: nothing else of the transaction runs without its triggers. The
table must have no triggers besides its foreign keys' (a test holds this). Without the
privilege, the ``COPY`` keeps the triggers.

A writer thread that ran the whole store step (look-ups and ``COPY`` text included) gained
nothing (session 8, bench/RESULTS.md): that work holds the GIL and ran one after the other
with PostgreSQL's. Only the wait on PostgreSQL is moved here.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy import Connection, Table, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from kano.adapters.db.bulk_writes import (
    Columns,
    _table,
    copy_texts,
    driver_connection,
    send_copy,
)

_MAY_SKIP_TRIGGERS = text(
    "SELECT current_setting('is_superuser') = 'on' OR ("
    "current_setting('server_version_num')::int >= 150000 AND "
    "has_parameter_privilege('session_replication_role', 'SET'))"
)


@dataclass(frozen=True)
class ParentKeys:
    """The distinct values of one foreign-key column of a batch and the row they name."""

    column: str
    parent_table: str
    parent_column: str
    values: list[Any]


def parent_keys(table: Table, columns: Columns) -> list[ParentKeys]:
    """Every foreign key of ``table`` among ``columns``, with the batch's distinct values."""
    found = []
    for key in sorted(table.foreign_keys, key=lambda key: key.parent.name):
        name = key.parent.name
        if name in columns:
            values = sorted({value for value in columns[name] if value is not None})
            if values:
                target = key.column
                found.append(ParentKeys(name, target.table.name, target.name, values))
    return found


def lock_parents(connection: psycopg.Connection[Any], parents: Sequence[ParentKeys]) -> None:
    """Lock every referenced row ``FOR KEY SHARE`` (as the foreign-key triggers do);
    a missing one raises ``psycopg.errors.ForeignKeyViolation`` naming it."""
    with connection.cursor() as cursor:
        for parent in parents:
            # Counted by the server: fetching 10,000 ids back into Python while the
            # caller's thread holds the GIL delayed the COPY by tens of milliseconds.
            locked = (
                f'SELECT count(*) FROM (SELECT FROM "{parent.parent_table}" '
                f'WHERE "{parent.parent_column}" = ANY(%s) FOR KEY SHARE) AS locked'
            )
            row = cursor.execute(locked, (parent.values,)).fetchone()
            if row is None or row[0] != len(parent.values):
                present = (
                    f'SELECT "{parent.parent_column}" FROM "{parent.parent_table}" '
                    f'WHERE "{parent.parent_column}" = ANY(%s)'
                )
                found = {found for (found,) in cursor.execute(present, (parent.values,))}
                missing = sorted(set(parent.values) - found)
                raise psycopg.errors.ForeignKeyViolation(
                    f"{parent.column} {missing[0]} ({len(missing)} in all) is not present "
                    f"in table {parent.parent_table!r}: changed while the rows were stored; "
                    "run it again"
                )


def _checked_copy(
    connection: psycopg.Connection[Any],
    statement: str,
    texts: Sequence[str],
    parents: Sequence[ParentKeys],
) -> None:
    """``COPY`` with the referenced rows locked first and the per-row triggers off."""
    try:
        lock_parents(connection, parents)
        connection.execute("SET LOCAL session_replication_role = replica")
    except psycopg.Error as error:
        raise DBAPIError.instance(statement, None, error, psycopg.Error) from error
    send_copy(connection, statement, texts)
    connection.execute("SET LOCAL session_replication_role = origin")


class CopyPipeline:
    """One ``COPY`` in flight at a time on ``session``'s connection; use as a context
    manager (leaving it waits for the last ``COPY`` and closes the reader)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="kano-copy")
        self._pending: Future[None] | None = None
        self._read_connection: Connection = (
            session.get_bind().engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        )
        self.reader = Session(bind=self._read_connection)
        """A session for look-ups of committed rows while a ``COPY`` runs."""
        self.keys_per_batch = bool(self.reader.execute(_MAY_SKIP_TRIGGERS).scalar_one())
        """Whether foreign keys are checked per batch (see the module docstring)."""

    def submit(self, table: Any, columns: Columns) -> None:
        """Build the rows' ``COPY`` text here, then send it from the thread once the
        previous ``COPY`` has finished."""
        statement, texts = copy_texts(table, columns)
        self.wait()
        connection = driver_connection(self.session)
        if self.keys_per_batch:
            parents = parent_keys(_table(table), columns)
            self._pending = self._executor.submit(
                _checked_copy, connection, statement, texts, parents
            )
        else:
            self._pending = self._executor.submit(send_copy, connection, statement, texts)

    def wait(self) -> None:
        """Until the ``COPY`` in flight is done; its error, if any, is raised here."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        """Wait for the ``COPY`` in flight (its error is the caller's to have seen or
        not: an earlier error is already on its way), then release the reader."""
        try:
            if self._pending is not None:
                self._pending.exception()
                self._pending = None
        finally:
            self._executor.shutdown(wait=True)
            self.reader.close()
            self._read_connection.close()

    def __enter__(self) -> CopyPipeline:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        try:
            if exc_type is None:
                self.wait()
        finally:
            self.close()
