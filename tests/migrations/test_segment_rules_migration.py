"""Migration 0033 turns every existing segment into a manual one without touching the
customers filed under it (a table copy of ``segments`` on SQLite would have set their
``segment_id`` to NULL), and backfills each such customer's open membership span; the
downgrade keeps the segments and the customers' segment too."""

from __future__ import annotations

from kano.adapters.db import migrate
from tests.migrations.test_scorecard_owner_team_migration import _run

SEED = (
    "INSERT INTO workspaces (id, slug, name, created_at) VALUES "
    "(7, 'w7', 'W7', '2026-01-01 00:00:00')",
    "INSERT INTO segments (id, workspace_id, key, name, kind) VALUES "
    "(1, 7, 'key', 'Key accounts', 'rule'), (2, 7, 'smb', 'SMB', 'computed')",
    "INSERT INTO customers (id, workspace_id, external_id, kind, name, segment_id, "
    "consent_contact, created_at) VALUES "
    "(1, 7, 'A', 'account', 'A', 1, true, '2026-02-01 00:00:00'), "
    "(2, 7, 'B', 'account', 'B', 2, true, '2026-03-01 00:00:00'), "
    "(3, 7, 'C', 'person', 'C', NULL, true, '2026-04-01 00:00:00')",
)


def test_existing_segments_become_manual_and_their_customers_members(db_url: str) -> None:
    migrate.downgrade(db_url, "0032")
    _run(db_url, *SEED)
    migrate.upgrade(db_url, "0033")

    assert _run(db_url, "SELECT id, source, kind, rule FROM segments ORDER BY id") == [
        (1, "manual", "manual", None), (2, "manual", "manual", None)]
    assert _run(db_url, "SELECT id, segment_id FROM customers ORDER BY id") == [
        (1, 1), (2, 2), (3, None)]
    spans = _run(db_url, "SELECT customer_id, segment_id, valid_to FROM segment_memberships "
                         "ORDER BY customer_id")  # fmt: skip
    assert spans == [(1, 1, None), (2, 2, None)]
    _run(db_url, "DELETE FROM segments WHERE id = 2")  # spans go with their segment
    assert _run(db_url, "SELECT customer_id FROM segment_memberships") == [(1,)]

    migrate.downgrade(db_url, "0032")
    assert _run(db_url, "SELECT id, segment_id FROM customers ORDER BY id") == [
        (1, 1), (2, None), (3, None)]
    migrate.upgrade(db_url, "head")
