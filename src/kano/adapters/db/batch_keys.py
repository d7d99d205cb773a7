"""Foreign keys checked a batch at a time, not by one trigger per row (bulk writes).

Of PostgreSQL's ~1.8 s per 100,000
responses, ~1.0 s are the foreign-key triggers, one look-up per row and key
(``bench/RESULTS.md``). Where the role may set ``session_replication_role`` (a superuser,
or on PostgreSQL 15+ after ``GRANT SET ON PARAMETER session_replication_role TO kano``;
the role owns the tables, so this gives it nothing it could not do already), the
``COPY`` runs with the per-row triggers off and the same guarantee is taken set-based:
first every distinct referenced row of the batch is locked ``FOR KEY SHARE`` — what
the triggers do, row by row — and one that is missing fails the batch with the
``IntegrityError`` a violated key would raise. ``SET LOCAL`` and back to ``origin``
right after the ``COPY``: nothing else of the transaction runs without its triggers. The
table's own triggers and rules, if any (an audit trigger a DBA added, say), would be
skipped as well: a table that has any is written with the per-row triggers on. Without
the privilege, the ``COPY`` keeps the triggers too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy import Table, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from kano.adapters.db.bulk_writes import Columns, copy_texts, driver_connection, send_copy, table_of

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


# Triggers and rules besides the foreign keys' (which are internal): someone's audit
# trigger, say. ``session_replication_role = replica`` would skip them too, so a table
# with any is written with the per-row triggers on. Asked before every ``COPY`` (one
# catalog look-up), so one added while Kano runs is seen at once.
_OTHER_TRIGGERS = (
    "SELECT EXISTS (SELECT FROM pg_trigger WHERE tgrelid = %(table)s::regclass "
    "AND NOT tgisinternal) OR EXISTS (SELECT FROM pg_rewrite "
    "WHERE ev_class = %(table)s::regclass AND rulename <> '_RETURN')"
)


def checked_copy(
    connection: psycopg.Connection[Any],
    statement: str,
    texts: Sequence[str],
    parents: Sequence[ParentKeys],
    table: str,
) -> None:
    """``COPY`` into ``table`` with the referenced rows locked first and the per-row
    triggers off (on, as always, when the table has triggers of its own)."""
    try:
        other = connection.execute(_OTHER_TRIGGERS, {"table": f'"{table}"'}).fetchone()
        if other is not None and other[0]:
            send_copy(connection, statement, texts)
            return
        lock_parents(connection, parents)
        connection.execute("SET LOCAL session_replication_role = replica")
    except psycopg.Error as error:
        raise DBAPIError.instance(statement, None, error, psycopg.Error) from error
    send_copy(connection, statement, texts)
    connection.execute("SET LOCAL session_replication_role = origin")


_ALLOWED: dict[str, bool] = {}  # per database URL and role: it does not change while Kano runs


def keys_per_batch_allowed(session: Session, *, cached: bool = True) -> bool:
    """Whether the session's role may turn the per-row triggers off (PostgreSQL only);
    ``cached=False`` asks again (a grant given while Kano runs)."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    known = bind.engine.url.render_as_string(hide_password=True)
    if not cached or known not in _ALLOWED:
        _ALLOWED[known] = bool(session.execute(_MAY_SKIP_TRIGGERS).scalar_one())
    return _ALLOWED[known]


def copy_keys_checked(session: Session, table: Any, columns: Columns) -> None:
    """``copy_columns`` with the foreign keys checked for the batch, not per row (only
    where :func:`keys_per_batch_allowed`)."""
    target = table_of(table)
    statement, texts = copy_texts(target, columns)
    parents = parent_keys(target, columns)
    checked_copy(driver_connection(session), statement, texts, parents, target.name)
