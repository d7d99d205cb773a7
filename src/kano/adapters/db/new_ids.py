"""Ids for many new rows at once, so their insert needs no RETURNING (PostgreSQL).

A batch of new ORM rows (a strategy file's objectives, measures, values, links) is
flushed as multi-row ``INSERT … RETURNING id`` statements: on PostgreSQL, statements of
hundreds of kilobytes whose conversion to the server's placeholders (psycopg, in Python)
cost more than the server's work. Taking the ids from the table's own sequence first (one
query) lets the ORM insert rows that have their ids with a plain executemany, which
psycopg pipelines: one short statement, converted once. The ids are the ones the inserts
would have drawn, ascending in the rows' order. SQLite (whose inserts are cheap, and which
has no sequences) keeps the ORM's way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

_NEXT_IDS = text(
    "SELECT nextval(pg_get_serial_sequence(:table, 'id')) AS id "
    "FROM generate_series(1, :count) ORDER BY 1"
)


def assign_ids(db: Session, rows: Sequence[Any]) -> None:
    """Give ``rows`` (new, of one table with an ``id`` drawn from a sequence) their ids
    on PostgreSQL when there are several; elsewhere leave them to the insert."""
    if len(rows) < 2 or db.get_bind().dialect.name != "postgresql":
        return
    table = type(rows[0]).__table__.name
    ids = db.scalars(_NEXT_IDS, {"table": table, "count": len(rows)}).all()
    for row, new_id in zip(rows, ids, strict=True):
        row.id = new_id
