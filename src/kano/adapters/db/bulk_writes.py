"""Writing and looking up many rows at once, the fastest way each engine offers.

PostgreSQL: ids are reserved from the table's sequence in one round trip
(``nextval`` over ``generate_series``), rows go in through ``COPY … FROM STDIN`` on the
session's own connection (so inside its transaction), and look-ups of many keys send one
array parameter (``= ANY(%s)``) instead of thousands of ``IN`` parameters.

Elsewhere (SQLite): Core ``insert()`` with many parameter sets, ``RETURNING`` the ids in
parameter order, and chunked ``IN`` look-ups.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, cast

import psycopg
from sqlalchemy import JSON, ColumnElement, Table, any_, bindparam, insert, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session


class JsonText(str):
    """A value already serialised as JSON (written as is, not serialised again)."""

    __slots__ = ()


IN_CHUNK = 5_000  # keys per IN (…) where arrays are not available
INSERT_PAGE = 10_000


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def rows_where_in(
    session: Session,
    columns: Sequence[Any],
    key: Any,
    values: Sequence[Any],
    *conditions: ColumnElement[bool],
) -> Iterable[Any]:
    """Rows of ``columns`` whose ``key`` column is one of ``values`` (and ``conditions``)."""
    if not values:
        return
    if is_postgres(session):
        array = bindparam("keys", list(values), type_=ARRAY(key.type))
        yield from session.execute(select(*columns).where(key == any_(array), *conditions))
        return
    for start in range(0, len(values), IN_CHUNK):
        chunk = values[start : start + IN_CHUNK]
        yield from session.execute(select(*columns).where(key.in_(chunk), *conditions))


Rows = Sequence[dict[str, Any]] | Sequence[tuple[Any, ...]]  # dicts or NamedTuples


def _columns(rows: Rows) -> tuple[list[str], Sequence[Sequence[Any]]]:
    """Column names and value sequences of ``rows`` (dicts with the same keys, or
    NamedTuples, which are written as they are: no copy per row)."""
    first = rows[0]
    if isinstance(first, dict):
        dicts = cast(Sequence[dict[str, Any]], rows)
        return list(first), [tuple(row.values()) for row in dicts]
    return list(first._fields), cast(Sequence[tuple[Any, ...]], rows)  # type: ignore[attr-defined]


def _table(table: Any) -> Table:
    return cast(Table, table.__table__ if hasattr(table, "__table__") else table)


def inserted_ids(session: Session, table: Any, rows: Rows) -> list[int]:
    """Insert ``rows`` and return their new ids, in order."""
    if not rows:
        return []
    target = _table(table)
    names, values = _columns(rows)
    if is_postgres(session):
        sequence = session.execute(
            text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": target.name}
        ).scalar_one()
        # The sequence named as a constant: pg_get_serial_sequence() inside the query would
        # run once per row and cost ten times the nextval() calls themselves.
        literal = "'" + str(sequence).replace("'", "''") + "'"
        ids = list(
            session.execute(
                text(f"SELECT nextval({literal}) FROM generate_series(1, :n)"),
                {"n": len(rows)},
            ).scalars()
        )
        _copy(
            session,
            target,
            ["id", *names],
            [(new_id, *row) for new_id, row in zip(ids, values, strict=True)],
        )
        return ids
    statement = insert(target).returning(target.c.id, sort_by_parameter_order=True)
    ids = []
    for start in range(0, len(values), INSERT_PAGE):
        page = _dicts(names, values[start : start + INSERT_PAGE])
        ids.extend(session.execute(statement, page).scalars())
    return ids


def copy_rows(session: Session, table: Any, rows: Rows) -> None:
    """Insert ``rows``: ``COPY`` on PostgreSQL, else Core executemany."""
    if not rows:
        return
    target = _table(table)
    names, values = _columns(rows)
    if is_postgres(session):
        _copy(session, target, names, values)
        return
    for start in range(0, len(values), INSERT_PAGE):
        session.execute(insert(target), _dicts(names, values[start : start + INSERT_PAGE]))


def _dicts(names: list[str], values: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    """Parameter sets for a Core insert; JSON written in advance is parsed back."""
    return [
        {
            name: json.loads(value) if isinstance(value, JsonText) else value
            for name, value in zip(names, row, strict=True)
        }
        for row in values
    ]


def _copy(
    session: Session, target: Table, names: list[str], values: Sequence[Sequence[Any]]
) -> None:
    as_json = [isinstance(target.c[name].type, JSON) for name in names]
    connection = session.connection().connection.driver_connection
    assert connection is not None
    quoted = ", ".join(f'"{name}"' for name in names)
    statement = f'COPY "{target.name}" ({quoted}) FROM STDIN'
    try:
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            if any(as_json):
                for row in values:
                    copy.write_row(
                        [
                            json.dumps(value)
                            if wrap and value is not None and not isinstance(value, JsonText)
                            else value
                            for value, wrap in zip(row, as_json, strict=True)
                        ]
                    )
            else:
                for row in values:
                    copy.write_row(row)
    except psycopg.Error as error:
        # The same exception classes as a Core insert would raise (IntegrityError for a
        # unique key a concurrent transaction took first), so callers handle both alike.
        raise DBAPIError.instance(statement, None, error, psycopg.Error) from error
