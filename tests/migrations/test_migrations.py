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
