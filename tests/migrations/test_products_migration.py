"""Migration 0026 adds the product catalogue and takes it away again, on both engines,
without touching the orders whose codes it names; a code is unique per workspace only."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from kano.adapters.db import migrate
from kano.adapters.db.engine import make_engine


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


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_products_table_comes_and_goes_and_orders_stay(db_url: str) -> None:
    migrate.downgrade(db_url, "0025")
    assert "products" not in _tables(db_url)
    _run(
        db_url,
        "INSERT INTO workspaces (id, slug, name, created_at) VALUES "
        "(7, 'w', 'W', '2026-01-01 00:00:00'), (8, 'v', 'V', '2026-01-01 00:00:00')",
        "INSERT INTO customers (id, workspace_id, external_id, name, kind, consent_contact, "
        "created_at) "
        "VALUES (1, 7, 'C1', 'Customer 1', 'person', TRUE, '2026-01-01 00:00:00')",
        "INSERT INTO transactions (id, workspace_id, customer_id, occurred_at, amount, margin, "
        "product, channel) VALUES (1, 7, 1, '2026-01-02 00:00:00', 10, 3, 'welding', 'web')",
    )

    migrate.upgrade(db_url, "0026")
    insert = ("INSERT INTO products (workspace_id, code, name, created_at, updated_at) "
              "VALUES ({ws}, 'welding', '{name}', '2026-01-03', '2026-01-03')")
    _run(db_url, insert.format(ws=7, name="Welding supplies"),
         insert.format(ws=8, name="Hegesztéstechnika"))  # the same code in another workspace
    with pytest.raises(IntegrityError):
        _run(db_url, insert.format(ws=7, name="Welding again"))
    assert _run(db_url, "SELECT workspace_id, name FROM products ORDER BY workspace_id") == [
        (7, "Welding supplies"), (8, "Hegesztéstechnika")]

    migrate.downgrade(db_url, "0025")
    assert "products" not in _tables(db_url)
    assert _run(db_url, "SELECT product FROM transactions") == [("welding",)]
    migrate.upgrade(db_url, "head")
    assert _run(db_url, "SELECT count(*) FROM products") == [(0,)]
