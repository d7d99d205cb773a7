"""App database adapter: SQLAlchemy engine, ORM tables, Alembic migrations."""
