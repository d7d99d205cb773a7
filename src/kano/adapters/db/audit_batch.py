"""Audit entries written in bulk during a large write (a strategy file's import).

The stores write one audit entry per row they change (``accounts.audit``). As ORM
objects, each new entry's id is fetched back, so a flush of a few thousand entries on
PostgreSQL becomes multi-row ``INSERT … RETURNING`` statements of hundreds of kilobytes,
and turning those into the server's placeholders (psycopg, in Python) cost more than the
rows they audit; building the objects cost as much again. Nobody reads an entry's id
during the write, so inside ``audit_entries_in_bulk`` ``accounts.audit`` keeps the
entries as plain values, and each flush first inserts those kept so far with one
executemany without RETURNING (psycopg pipelines it: one short statement, converted
once). The entries, their values and their order (ids ascending in the order they were
written) are the ones the ORM would have written, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from kano.adapters.db.orm import AuditEntry

# session.info key: the entries (column values) waiting for the next flush.
PENDING = "kano.audit_entries_pending"


def kept_for_bulk(session: Session, values: dict[str, Any]) -> bool:
    """Keep an entry's column values for the bulk insert when ``session`` is inside
    ``audit_entries_in_bulk`` (True), else leave it to the caller (False)."""
    pending: list[dict[str, Any]] | None = session.info.get(PENDING)
    if pending is None:
        return False
    pending.append(values)
    return True


def _write_pending(session: Session, _context: Any = None, _instances: Any = None) -> None:
    """Before a flush: insert the entries kept so far."""
    pending: list[dict[str, Any]] = session.info[PENDING]
    if not pending:
        return
    entries = list(pending)
    pending.clear()
    # The connection's execute, not the session's: that one would flush (from inside one).
    session.connection().execute(insert(AuditEntry), entries)


@contextmanager
def audit_entries_in_bulk(session: Session) -> Iterator[None]:
    """Within the block, ``session``'s audit entries are inserted at each flush with one
    statement and no ids fetched; those still waiting at the end are inserted before it
    returns (on an error they are dropped with the transaction the caller rolls back)."""
    if PENDING in session.info:  # already inside one
        yield
        return
    session.info[PENDING] = []
    event.listen(session, "before_flush", _write_pending)
    try:
        yield
        _write_pending(session)
    finally:
        event.remove(session, "before_flush", _write_pending)
        del session.info[PENDING]
