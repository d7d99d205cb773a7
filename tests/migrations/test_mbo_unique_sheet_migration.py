"""Migration 0035: the review comments the audit log held move onto their objectives, an
employee's twin sheets for one period are told apart instead of deleted (the furthest
along keeps the period, the others get " #2", " #3" and an audit entry), objectives stay
on every sheet (no table copy on SQLite), and from then on the database refuses a second
sheet for an employee and period. The downgrade keeps every row."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from kano.adapters.db import migrate
from tests.migrations.test_scorecard_owner_team_migration import _run

SEED = (
    "INSERT INTO workspaces (id, slug, name, created_at) VALUES "
    "(7, 'w7', 'W7', '2026-01-01 00:00:00')",
    "INSERT INTO employees (id, workspace_id, external_id, name) VALUES "
    "(1, 7, 'E-1', 'Eva'), (2, 7, 'E-2', 'Emil')",
    # Eva has three sheets for 2026 (the reviewed one is the real one) and one for 2027;
    # a period of 31 characters is cut to make room for its number (32 at most).
    "INSERT INTO mbo_sheets (id, workspace_id, key, employee_id, period_label, status) VALUES "
    "(1, 7, 'eva-a', 1, '2026', 'draft'), (2, 7, 'eva-b', 1, '2026', 'reviewed'), "
    "(3, 7, 'eva-c', 1, '2026', 'draft'), (4, 7, 'eva-2027', 1, '2027', 'agreed'), "
    "(5, 7, 'emil-a', 2, '2026-H1 people and culture plan', 'draft'), "
    "(6, 7, 'emil-b', 2, '2026-H1 people and culture plan', 'agreed'), "
    "(7, 7, 'emil-2026', 2, '2026', 'draft')",
    "INSERT INTO mbo_objectives (id, workspace_id, sheet_id, key, title, weight_percent, "
    "position) VALUES (1, 7, 1, 'a', 'A', 100, 0), (2, 7, 2, 'b', 'B', 100, 0), "
    "(3, 7, 3, 'c', 'C', 100, 0), (4, 7, 6, 'd', 'D', 100, 0)",
    "INSERT INTO audit_log (workspace_id, actor, action, entity, entity_id, detail, at) VALUES "
    "(7, 'ana', 'update', 'mbo_objective', '2', '{\"key\": \"b\", \"comment\": \"First\"}', "
    "'2026-06-01 10:00:00'), "
    "(7, 'ana', 'update', 'mbo_objective', '2', '{\"key\": \"b\", \"weight_percent\": "
    "{\"from\": 90, \"to\": 100}}', '2026-06-02 10:00:00'), "
    "(7, 'bob', 'update', 'mbo_objective', '2', '{\"key\": \"b\", \"comment\": \"Latest\"}', "
    "'2026-06-03 10:00:00'), "
    "(7, 'bob', 'update', 'mbo_objective', '99', '{\"comment\": \"Deleted since\"}', "
    "'2026-06-03 10:00:00')",
)


def test_comments_move_to_their_objectives_and_twin_sheets_are_told_apart(
    db_url: str,
) -> None:
    migrate.downgrade(db_url, "0034")
    _run(db_url, *SEED)
    migrate.upgrade(db_url, "0035")

    assert _run(db_url, "SELECT id, period_label FROM mbo_sheets ORDER BY id") == [
        (1, "2026 #2"), (2, "2026"), (3, "2026 #3"), (4, "2027"),
        (5, "2026-H1 people and culture pl #2"), (6, "2026-H1 people and culture plan"),
        (7, "2026")]
    assert _run(db_url, "SELECT id, review_comment FROM mbo_objectives ORDER BY id") == [
        (1, None), (2, "Latest"), (3, None), (4, None)]
    assert _run(db_url, "SELECT COUNT(*) FROM mbo_objectives") == [(4,)]
    relabelled = _run(db_url, "SELECT entity_id, actor FROM audit_log WHERE entity = "
                              "'mbo_sheet' ORDER BY entity_id")  # fmt: skip
    assert relabelled == [("1", "migration 0035"), ("3", "migration 0035"),
                          ("5", "migration 0035")]
    with pytest.raises(IntegrityError, match=r"employee_period|mbo_sheets\.employee_id"):
        _run(db_url, "INSERT INTO mbo_sheets (id, workspace_id, key, employee_id, "
                     "period_label, status) VALUES (9, 7, 'eva-d', 1, '2027', 'draft')")
    _run(db_url, "INSERT INTO mbo_sheets (id, workspace_id, key, employee_id, period_label, "
                 "status) VALUES (8, 7, 'emil-2027', 2, '2027', 'draft')")

    migrate.downgrade(db_url, "0034")
    assert _run(db_url, "SELECT COUNT(*) FROM mbo_sheets") == [(8,)]
    assert _run(db_url, "SELECT COUNT(*) FROM mbo_objectives") == [(4,)]
    migrate.upgrade(db_url, "head")
