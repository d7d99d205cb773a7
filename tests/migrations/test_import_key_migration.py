"""Migration 0013 moves the file import's row keys from ``idempotency_keys`` onto the
responses (so an earlier import is still recognised) and back on downgrade, on both
engines; the API's own idempotency keys stay where they are."""

from __future__ import annotations

from sqlalchemy import text

from kano.adapters.db import migrate
from kano.adapters.db.engine import make_engine


def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


def _run(url: str, *statements: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def test_import_keys_move_onto_the_responses_and_back(db_url: str) -> None:
    migrate.downgrade(db_url, "0012")
    _run(
        db_url,
        "INSERT INTO workspaces (id, slug, name, created_at) "
        "VALUES (7, 'w', 'W', '2026-01-01 00:00:00')",
        *(
            "INSERT INTO feedback_responses (id, workspace_id, channel, submitted_at, "
            f"created_at) VALUES ({i}, 7, 'import', '2026-01-01', '2026-01-01')"
            for i in (1, 2, 3)
        ),
        "INSERT INTO idempotency_keys (workspace_id, key, request_hash, status_code, body, "
        "response_id, created_at) VALUES "
        "(7, 'feedback-import:s:id:R1', 'h', 201, '{}', 1, '2026-01-01'), "
        "(7, 'feedback-import:s:id:R2', 'h', 201, '{}', 2, '2026-01-01'), "
        "(7, 'api-key-of-a-client', 'h', 201, '{}', 3, '2026-01-01')",
    )
    migrate.upgrade(db_url, "head")
    assert _rows(db_url, "SELECT id, import_key FROM feedback_responses ORDER BY id") == [
        (1, "feedback-import:s:id:R1"),
        (2, "feedback-import:s:id:R2"),
        (3, None),
    ]
    assert _rows(db_url, "SELECT key FROM idempotency_keys") == [("api-key-of-a-client",)]

    migrate.downgrade(db_url, "0012")
    assert _rows(db_url, "SELECT key, response_id FROM idempotency_keys ORDER BY key") == [
        ("api-key-of-a-client", 3),
        ("feedback-import:s:id:R1", 1),
        ("feedback-import:s:id:R2", 2),
    ]
    migrate.upgrade(db_url, "head")
