"""Writing and looking up many rows at once, the fastest way each engine offers.

PostgreSQL: ids are reserved from the table's sequence in one round trip
(``nextval`` over ``generate_series``), rows go in through ``COPY … FROM STDIN`` on the
session's own connection (so inside its transaction), and look-ups of many keys send one
array parameter (``= ANY(%s)``) instead of thousands of ``IN`` parameters.

Elsewhere (SQLite): Core ``insert()`` with many parameter sets, ``RETURNING`` the ids in
parameter order, and chunked ``IN`` look-ups.

Rows can also be given as columns (:func:`copy_columns`): the ``COPY`` text is then built a
column at a time and sent in a few large writes, instead of one ``write_row`` call per row
(psycopg's ``write_row`` cost 2.2 s of client CPU for 200,000 rows of the file import;
building the text from columns ~0.3 s).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

import psycopg
from sqlalchemy import (
    JSON,
    ColumnElement,
    Table,
    Text,
    any_,
    bindparam,
    func,
    insert,
    select,
    text,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from kano.adapters import json_codec


class JsonText(str):
    """A value already serialised as JSON (written as is, not serialised again)."""

    __slots__ = ()


IN_CHUNK = 5_000  # keys per IN (…) where arrays are not available
FEW_KEYS = 64  # up to this many text keys, rows_where_in sends an array (see there)
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
        if isinstance(values[0], str) and len(values) > FEW_KEYS:
            # Joined with the keys sent as one JSON text: psycopg's array dumper is Python
            # code (0.6 s for 100,000 keys), orjson is C. A join, not ``= ANY(…)``: an
            # array PostgreSQL must compute at run time is searched linearly for each row
            # (0.3 s a batch of 1,000 against 9,000 customers); a join hashes or probes.
            # Not for a few keys: the planner takes the JSON function for 100 rows, and
            # for 100 keys a hash join over a seq scan of the whole table looks cheaper
            # than 100 index probes. With the 16 keys of a fast-intake batch and 20,000
            # customers it read every customer twice per batch (auto_explain); the array
            # form is planned for the number of keys it holds, i.e. index probes.
            unique = list(dict.fromkeys(values))  # a join repeats a row per repeated key
            as_json = sql_cast(bindparam("keys", json_codec.dumps(unique), type_=Text), JSON)
            wanted = func.json_array_elements_text(as_json).table_valued("value").alias("wanted")
            yield from session.execute(select(*columns).where(key == wanted.c.value, *conditions))
            return
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


def table_of(table: Any) -> Table:
    return cast(Table, table.__table__ if hasattr(table, "__table__") else table)


def inserted_ids(session: Session, table: Any, rows: Rows) -> list[int]:
    """Insert ``rows`` and return their new ids, in order."""
    if not rows:
        return []
    target = table_of(table)
    names, values = _columns(rows)
    if is_postgres(session):
        ids = reserved_ids(session, target, len(rows))
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
    target = table_of(table)
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
            name: json_codec.loads(value) if isinstance(value, JsonText) else value
            for name, value in zip(names, row, strict=True)
        }
        for row in values
    ]


def _copy(
    session: Session, target: Table, names: list[str], values: Sequence[Sequence[Any]]
) -> None:
    as_json = [isinstance(target.c[name].type, JSON) for name in names]
    connection = driver_connection(session)
    quoted = ", ".join(f'"{name}"' for name in names)
    statement = f'COPY "{target.name}" ({quoted}) FROM STDIN'
    try:
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            if any(as_json):
                for row in values:
                    copy.write_row(
                        [
                            json_codec.dumps(value)
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


Columns = Mapping[str, Sequence[Any]]  # column name → its values, every column as long
COPY_WRITE_ROWS = 20_000  # rows of COPY text built and sent per write


def _escaped(text: str) -> str:
    """``text`` as a field of COPY's text format (backslash, tab, newline and carriage
    return escaped). Four ``str.replace`` calls: ``str.translate`` with a mapping took
    59 µs for one acknowledgement's JSON, a quarter of a bulk request's server time."""
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    return text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_texts(values: Sequence[Any], start: int, stop: int) -> list[str]:
    """One column's values as COPY text fields (``\\N`` for NULL)."""
    part = values[start:stop]
    sample = next((value for value in part if value is not None), None)
    if sample is None:
        return ["\\N"] * len(part)
    if isinstance(sample, bool):
        return ["\\N" if v is None else ("t" if v else "f") for v in part]
    if isinstance(sample, int | float | datetime):  # str(datetime) is ISO with a space
        distinct = set(part)
        if len(distinct) * 4 < len(part):  # a few values (ids, scores, one timestamp)
            texts = {v: "\\N" if v is None else str(v) for v in distinct}
            return [texts[v] for v in part]
        return ["\\N" if v is None else str(v) for v in part]
    if isinstance(sample, str) and not isinstance(sample, JsonText):
        texts_ = ["\\N" if v is None else v for v in part]
        joined = "\x00".join(texts_)
        if any(char in joined for char in "\\\t\n\r"):
            return ["\\N" if v is None else _escaped(v) for v in part]
        return texts_
    if isinstance(sample, JsonText):
        return ["\\N" if v is None else _escaped(v) for v in part]
    if isinstance(sample, dict | list):
        # JSON writes control characters as escapes: only its backslashes double
        return ["\\N" if v is None else json_codec.dumps(v).replace("\\", "\\\\") for v in part]
    return ["\\N" if v is None else _escaped(str(v)) for v in part]


def copy_columns(session: Session, table: Any, columns: Columns) -> None:
    """Insert rows given as columns: ``COPY`` text built per column on PostgreSQL, Core
    executemany elsewhere. Values must be int, float, bool, str, datetime, JSON-able
    dict/list, :class:`JsonText` or None, one type per column."""
    names = list(columns)
    size = len(columns[names[0]]) if names else 0
    if not size:
        return
    target = table_of(table)
    if not is_postgres(session):
        values = [columns[name] for name in names]
        for start in range(0, size, INSERT_PAGE):
            stop = min(size, start + INSERT_PAGE)
            rows = list(zip(*(column[start:stop] for column in values), strict=True))
            session.execute(insert(target), _dicts(names, rows))
        return
    statement, texts = copy_texts(target, columns)
    send_copy(driver_connection(session), statement, texts)


def copy_texts(table: Any, columns: Columns) -> tuple[str, list[str]]:
    """The ``COPY … FROM STDIN`` statement for ``columns`` and its text, in pieces of
    :data:`COPY_WRITE_ROWS` rows (built apart from sending, so that a caller can build the
    next rows' text while PostgreSQL stores the last ones: :mod:`.copy_pipeline`)."""
    names = list(columns)
    size = len(columns[names[0]]) if names else 0
    quoted = ", ".join(f'"{name}"' for name in names)
    statement = f'COPY "{table_of(table).name}" ({quoted}) FROM STDIN'
    texts = []
    for start in range(0, size, COPY_WRITE_ROWS):
        stop = min(size, start + COPY_WRITE_ROWS)
        fields = [_copy_texts(columns[name], start, stop) for name in names]
        texts.append("\n".join(map("\t".join, zip(*fields, strict=True))) + "\n")
    return statement, texts


def driver_connection(session: Session) -> psycopg.Connection[Any]:
    """The psycopg connection under the session's transaction."""
    connection = session.connection().connection.driver_connection
    assert connection is not None
    return cast("psycopg.Connection[Any]", connection)


def send_copy(connection: psycopg.Connection[Any], statement: str, texts: Sequence[str]) -> None:
    """Run ``COPY`` with the text built by :func:`copy_texts`; errors as SQLAlchemy's."""
    try:
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            for piece in texts:
                copy.write(piece)
    except psycopg.Error as error:
        # The same exception classes as a Core insert would raise (IntegrityError for a
        # unique key a concurrent transaction took first), so callers handle both alike.
        raise DBAPIError.instance(statement, None, error, psycopg.Error) from error


# The sequence behind each table's id, per database. It does not change while Kano runs,
# and asking for it cost a round trip per table and batch: 3 of the ~25 statements of a
# batch of single responses (fast intake), whose per-batch costs dominate at 1,000/s.
_SEQUENCES: dict[tuple[Any, str], str] = {}


def reserved_ids(session: Session, table: Any, count: int) -> list[int]:
    """``count`` new ids of ``table`` (PostgreSQL: from its sequence, in one round trip)."""
    target = table_of(table)
    known = (session.get_bind().engine.url, target.name)
    sequence = _SEQUENCES.get(known)
    if sequence is None:
        sequence = str(
            session.execute(
                text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": target.name}
            ).scalar_one()
        )
        _SEQUENCES[known] = sequence
    # Straight to psycopg: SQLAlchemy's result set-up for a text() statement cost more
    # CPU than PostgreSQL's nextval for a batch of 16 (py-spy on the fast intake). The
    # sequence is a constant parameter: pg_get_serial_sequence() inside the query would
    # run once per row and cost ten times the nextval() calls themselves.
    driver = driver_connection(session)
    rows = driver.execute(
        "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", (sequence, count)
    ).fetchall()
    return [row[0] for row in rows]


def inserted_column_ids(
    session: Session,
    table: Any,
    columns: Columns,
    *,
    ids_wanted: bool = True,
    copy: Callable[[Session, Any, Columns], None] | None = None,
) -> list[int]:
    """Insert rows given as columns and return their new ids, in order (none when not
    ``ids_wanted``: on PostgreSQL the column default then numbers the rows, which saves
    reserving them in a round trip and sending them back: 0.2 s per 100,000 rows).
    ``copy`` writes the rows on PostgreSQL (default :func:`copy_columns`)."""
    names = list(columns)
    size = len(columns[names[0]]) if names else 0
    if not size:
        return []
    copy = copy or copy_columns
    if not ids_wanted:
        copy(session, table, columns)
        return []
    if is_postgres(session):
        ids = reserved_ids(session, table, size)
        copy(session, table, {"id": ids, **columns})
        return ids
    values = [columns[name] for name in names]
    return inserted_ids(
        session, table, [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]
    )
