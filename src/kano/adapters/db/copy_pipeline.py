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

Where the role may, the foreign keys are checked a batch at a time
(:mod:`.batch_keys`).

A writer thread that ran the whole store step (look-ups and ``COPY`` text included) gained
nothing (session 8, bench/RESULTS.md): that work holds the GIL and ran one after the other
with PostgreSQL's. Only the wait on PostgreSQL is moved here.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from kano.adapters.db.batch_keys import checked_copy, keys_per_batch_allowed, parent_keys
from kano.adapters.db.bulk_writes import Columns, copy_texts, driver_connection, send_copy, table_of


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
        self.keys_per_batch = keys_per_batch_allowed(self.reader, cached=False)
        """Whether foreign keys are checked per batch (see the module docstring)."""

    def submit(self, table: Any, columns: Columns) -> None:
        """Build the rows' ``COPY`` text here, then send it from the thread once the
        previous ``COPY`` has finished."""
        statement, texts = copy_texts(table, columns)
        self.wait()
        connection = driver_connection(self.session)
        if self.keys_per_batch:
            target = table_of(table)
            parents = parent_keys(target, columns)
            self._pending = self._executor.submit(
                checked_copy, connection, statement, texts, parents, target.name
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
