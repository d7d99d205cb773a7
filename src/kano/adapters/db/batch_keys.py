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


def _array(values: list[Any]) -> Any:
    """``values`` as one array parameter: whole numbers as the text of an array literal
    (``{1,2,3}``, joined in C), since psycopg's list dumper is Python code (a tenth of a
    bulk request's server CPU went to dumping the ids of its lock statements)."""
    if values and all(type(value) is int for value in values):
        return "{" + ",".join(map(str, values)) + "}"
    return values


def _locked(parent: ParentKeys) -> str:
    """How many of ``parent``'s rows were found and locked ``FOR KEY SHARE``, counted by
    the server: fetching 10,000 ids back into Python while the caller's thread holds the
    GIL delayed the COPY by tens of milliseconds."""
    kind = "bigint[]" if parent.values and type(parent.values[0]) is int else "text[]"
    return (
        f'(SELECT count(*) FROM (SELECT FROM "{parent.parent_table}" '
        f'WHERE "{parent.parent_column}" = ANY(CAST(%s AS {kind})) FOR KEY SHARE) AS locked)'
    )


def _raise_missing(connection: psycopg.Connection[Any], parent: ParentKeys) -> None:
    present = (
        f'SELECT "{parent.parent_column}" FROM "{parent.parent_table}" '
        f'WHERE "{parent.parent_column}" = ANY(%s)'
    )
    found = {found for (found,) in connection.execute(present, (parent.values,))}
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
    "(EXISTS (SELECT FROM pg_trigger WHERE tgrelid = CAST(%s AS regclass) "
    "AND NOT tgisinternal) OR EXISTS (SELECT FROM pg_rewrite "
    "WHERE ev_class = CAST(%s AS regclass) AND rulename <> '_RETURN'))"
)


def checked_copy(
    connection: psycopg.Connection[Any],
    statement: str,
    texts: Sequence[str],
    parents: Sequence[ParentKeys],
    table: str,
) -> None:
    """``COPY`` into ``table`` with the referenced rows locked first and the per-row
    triggers off (on, as always, when the table has triggers of its own).

    The look for other triggers, the locks and the switch to ``replica`` are one
    statement, one round trip (they were 2 + one per key: most of a bulk request's ~45
    statements). It switches only when the table has no trigger of its own and every
    referenced row was there; otherwise the ``COPY`` keeps the triggers, or the missing
    row is named."""
    checks = [_OTHER_TRIGGERS, *(_locked(parent) for parent in parents)]
    names = [f"c{n}" for n in range(len(checks))]
    wanted = " AND ".join([f"NOT {names[0]}", *(f"{name} = %s" for name in names[1:])])
    query = (
        f"SELECT {', '.join(names)}, CASE WHEN {wanted} THEN "
        "set_config('session_replication_role', 'replica', true) END FROM (SELECT "
        + ", ".join(f"{check} AS {name}" for check, name in zip(checks, names, strict=True))
        + " OFFSET 0) AS checked"
    )  # OFFSET 0: each check runs once, not once more for the CASE
    quoted = f'"{table}"'
    # In the order of the placeholders: the counts wanted (in the CASE) come first.
    parameters: list[Any] = [len(parent.values) for parent in parents]
    parameters.extend([quoted, quoted, *(_array(parent.values) for parent in parents)])
    try:
        row = connection.execute(query, parameters).fetchone()
        assert row is not None
        if row[-1] is None:  # not switched
            if not row[0]:  # no trigger of its own: a referenced row is missing
                for parent, count in zip(parents, row[1:-1], strict=True):
                    if count != len(parent.values):
                        _raise_missing(connection, parent)
            send_copy(connection, statement, texts)
            return
    except psycopg.Error as error:
        raise DBAPIError.instance(statement, None, error, psycopg.Error) from error
    send_copy(connection, statement, texts)
    connection.execute("SET LOCAL session_replication_role = origin")


class BatchKeys:
    """What the writes of one batch know to be there, so that each referenced row is
    locked once per batch, not once per table written (and not at all when the batch
    wrote it itself).

    - A row the batch inserted cannot be deleted by anyone before the transaction
      commits: no other transaction sees it. Outbox messages and cases referencing the
      batch's new responses, and case events referencing its new cases, need no lock —
      ~1,400 of them a batch of 1,000 responses, each a row lock PostgreSQL writes to
      the table and its WAL.
    - A row the batch locked ``FOR KEY SHARE`` stays locked to the end of the
      transaction: the workspace (every table), the customers and touchpoints (the
      responses, then their cases) are locked once.

    One instance per batch and transaction (no savepoint rolled back in between, which
    would undo locks and rows): :func:`kano.adapters.db.feedback_bulk.accept_columns`
    makes one per call."""

    def __init__(self) -> None:
        self._present: dict[tuple[str, str], set[Any]] = {}

    def unknown(self, parents: Sequence[ParentKeys]) -> list[ParentKeys]:
        """``parents`` less the rows known to be there (a parent with none left goes)."""
        left = []
        for parent in parents:
            known = self._present.get((parent.parent_table, parent.parent_column))
            values = parent.values if not known else [v for v in parent.values if v not in known]
            if values:
                left.append(
                    ParentKeys(parent.column, parent.parent_table, parent.parent_column, values)
                )
        return left

    def add(self, table: str, column: str, values: Sequence[Any]) -> None:
        self._present.setdefault((table, column), set()).update(values)

    def copy(self, session: Session, table: Any, columns: Columns) -> None:
        """:func:`copy_keys_checked`, locking only rows not known to be there; the rows'
        ids (when given) are known to be there afterwards."""
        target = table_of(table)
        statement, texts = copy_texts(target, columns)
        parents = self.unknown(parent_keys(target, columns))
        checked_copy(driver_connection(session), statement, texts, parents, target.name)
        for parent in parents:
            self.add(parent.parent_table, parent.parent_column, parent.values)
        if "id" in columns:
            self.add(target.name, "id", columns["id"])


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
