"""The migrations are what build every database, so they are tested on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from kano.adapters.db import migrate
from kano.adapters.db.engine import make_engine
from kano.adapters.db.orm import Base


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_round_trip(db_url: str) -> None:
    assert _tables(db_url) == set(Base.metadata.tables)
    migrate.downgrade(db_url, "base")
    assert _tables(db_url) == set()
    assert migrate.current_revision(db_url) is None
    migrate.upgrade(db_url, "head")
    assert _tables(db_url) == set(Base.metadata.tables)


def test_migrations_match_the_orm_models(db_url: str) -> None:
    """A model change without a migration (or the reverse) fails here."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


# Tables whose rows Kano deletes many at a time: deleting a webhook endpoint deletes its
# outbox messages. The database checks every foreign key pointing at a deleted row.
DELETED_IN_BULK = {"outbox"}


def test_every_foreign_key_into_a_table_deleted_in_bulk_has_an_index(db_url: str) -> None:
    """Without an index on the referencing column, each deleted row costs a scan of the
    referencing table (invitations' two keys into the outbox: 1 s per 16,667 messages)."""
    engine = make_engine(db_url)
    try:
        inspector = inspect(engine)
        unindexed = []
        for table in inspector.get_table_names():
            leading = {index["column_names"][0] for index in inspector.get_indexes(table)}
            leading |= {u["column_names"][0] for u in inspector.get_unique_constraints(table)}
            primary = inspector.get_pk_constraint(table)["constrained_columns"]
            leading |= set(primary[:1])
            for key in inspector.get_foreign_keys(table):
                column = key["constrained_columns"][0]
                if key["referred_table"] in DELETED_IN_BULK and column not in leading:
                    unindexed.append(f"{table}.{column}")
    finally:
        engine.dispose()
    assert unindexed == []
