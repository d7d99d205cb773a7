"""Migration 0034 adds the customer facts tables; its downgrade drops them on SQLite and
PostgreSQL, with rows in them, and leaves customers and orders as they were."""

from __future__ import annotations

from kano.adapters.db import migrate
from tests.migrations.test_scorecard_owner_team_migration import _run

SEED = (
    "INSERT INTO workspaces (id, slug, name, created_at) VALUES "
    "(7, 'w7', 'W7', '2026-01-01 00:00:00')",
    "INSERT INTO customers (id, workspace_id, external_id, kind, name, consent_contact, "
    "created_at) VALUES (1, 7, 'A', 'account', 'A', true, '2026-02-01 00:00:00')",
)
FACTS = (
    "INSERT INTO customer_facts (customer_id, workspace_id, revenue_12m, margin_12m, "
    "orders_12m, last_order_at) VALUES (1, 7, 120.5, 12.0, 2, '2026-11-30 10:00:00')",
    "INSERT INTO customer_facts_runs (workspace_id, as_of, computed_at, last_transaction_id, "
    "last_customer_id) VALUES (7, '2026-12-07 05:00:00', '2026-12-07 05:00:01', 0, 1)",
)


def test_facts_tables_come_and_go_with_0034(db_url: str) -> None:
    migrate.downgrade(db_url, "0033")
    _run(db_url, *SEED)
    migrate.upgrade(db_url, "0034")
    _run(db_url, *FACTS)
    assert _run(db_url, "SELECT customer_id, revenue_12m, orders_12m FROM customer_facts") == [
        (1, 120.5, 2)]
    _run(db_url, "DELETE FROM customers WHERE id = 1")  # the facts go with their customer
    assert _run(db_url, "SELECT count(*) FROM customer_facts") == [(0,)]
    _run(db_url, SEED[1], FACTS[0])

    migrate.downgrade(db_url, "0033")
    assert _run(db_url, "SELECT id, name FROM customers") == [(1, "A")]
    migrate.upgrade(db_url, "head")
    assert _run(db_url, "SELECT count(*) FROM customer_facts_runs") == [(0,)]
