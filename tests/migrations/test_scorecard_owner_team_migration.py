"""Migration 0030 adds a scorecard's owner team on both engines without touching what
hangs below the scorecards (on SQLite a table copy would have cascade-deleted their
perspectives), and its foreign key holds: an unknown team is refused, a deleted team
leaves the scorecard without one. The downgrade keeps the rows too."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from kano.adapters.db import migrate
from kano.adapters.db.engine import make_engine

SEED = (
    "INSERT INTO workspaces (id, slug, name, created_at) VALUES "
    "(7, 'w7', 'W7', '2026-01-01 00:00:00')",
    "INSERT INTO teams (id, workspace_id, key, name) VALUES (3, 7, 'service', 'Service')",
    "INSERT INTO scorecards (id, workspace_id, key, name, level, parent_id) VALUES "
    "(1, 7, 'company', 'Company', 'company', NULL), "
    "(2, 7, 'service', 'Service', 'department', 1)",
    "INSERT INTO perspectives (id, workspace_id, scorecard_id, key, name, position) VALUES "
    "(1, 7, 1, 'customer', 'Customer', 0), (2, 7, 2, 'customer', 'Customer', 0)",
)


def _run(url: str, *statements: str) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            result = None
            for statement in statements:
                result = connection.execute(text(statement))
            return [tuple(row) for row in result] if result is not None and result.returns_rows \
                else []
    finally:
        engine.dispose()


def test_existing_scorecards_keep_their_perspectives_and_get_no_team(db_url: str) -> None:
    migrate.downgrade(db_url, "0029")
    _run(db_url, *SEED)
    migrate.upgrade(db_url, "0030")

    assert _run(db_url, "SELECT id, parent_id, owner_team_id FROM scorecards ORDER BY id") == [
        (1, None, None), (2, 1, None)]
    assert _run(db_url, "SELECT id, scorecard_id FROM perspectives ORDER BY id") == [
        (1, 1), (2, 2)]
    _run(db_url, "UPDATE scorecards SET owner_team_id = 3 WHERE id = 2")
    with pytest.raises(IntegrityError):
        _run(db_url, "UPDATE scorecards SET owner_team_id = 99 WHERE id = 1")
    _run(db_url, "DELETE FROM teams WHERE id = 3")
    assert _run(db_url, "SELECT owner_team_id FROM scorecards WHERE id = 2") == [(None,)]

    migrate.downgrade(db_url, "0029")
    assert _run(db_url, "SELECT id, scorecard_id FROM perspectives ORDER BY id") == [
        (1, 1), (2, 2)]
    migrate.upgrade(db_url, "head")
