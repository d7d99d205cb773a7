"""Migration 0029 gives each root-cause tag one spelling per workspace, on both engines:
the most used spelling (the oldest case's on a tie), a tag carried twice by one case kept
once, another workspace's spelling untouched, and a ``root_causes`` event on each case
whose tags changed."""

from __future__ import annotations

import json

from sqlalchemy import text

from kano.adapters.db import migrate
from kano.adapters.db.engine import make_engine

TAGS = {  # case id: (workspace id, tags as stored before 0029)
    1: (7, ["billing issue", "ox:delay"]),
    2: (7, ["Billing issue"]),
    3: (7, ["Billing  Issue", "billing issue", "OX:Delay"]),
    4: (7, ["Billing issue", "Packaging"]),
    5: (8, ["BILLING ISSUE"]),
    6: (7, None),
}


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


def _json(value: object) -> object:
    """A JSON column as Python (SQLite hands back its text, PostgreSQL the value)."""
    return json.loads(value) if isinstance(value, str) else value


def _tags(url: str) -> dict[object, object]:
    return {id_: _json(tags) for id_, tags in
            _rows(url, "SELECT id, root_causes FROM cases ORDER BY id")}


def test_each_tag_takes_its_workspaces_most_used_spelling(db_url: str) -> None:
    migrate.downgrade(db_url, "0028")
    _run(
        db_url,
        "INSERT INTO workspaces (id, slug, name, created_at) VALUES "
        "(7, 'w7', 'W7', '2026-01-01 00:00:00'), (8, 'w8', 'W8', '2026-01-01 00:00:00')",
        *(
            "INSERT INTO cases (id, workspace_id, rule, title, priority, status, opened_at, "
            "first_response_due_at, resolution_due_at, escalation_level, root_causes) VALUES "
            f"({case}, {workspace}, 'detractor', 'Case {case}', 2, 'resolved', '2026-01-01', "
            f"'2026-01-02', '2026-01-05', 0, "
            f"{'NULL' if tags is None else repr(json.dumps(tags))})"
            for case, (workspace, tags) in TAGS.items()
        ),
    )
    migrate.upgrade(db_url, "head")

    assert _tags(db_url) == {
        1: ["Billing issue", "ox:delay"],  # 2 cases spell it so, 1 each the other ways
        2: ["Billing issue"],
        3: ["Billing issue", "ox:delay"],  # a tie: the oldest case's spelling
        4: ["Billing issue", "Packaging"],
        5: ["BILLING ISSUE"],  # another workspace keeps its own
        6: None,
    }
    events = _rows(db_url, "SELECT case_id, workspace_id, kind, actor, detail FROM case_events "
                           "ORDER BY case_id")
    assert [(case, workspace, kind, actor) for case, workspace, kind, actor, _ in events] == [
        (1, 7, "root_causes", "kano"), (3, 7, "root_causes", "kano")]
    detail = events[1][4]
    assert _json(detail) == {
        "from": ["Billing  Issue", "billing issue", "OX:Delay"],
        "to": ["Billing issue", "ox:delay"],
    }

    migrate.downgrade(db_url, "0028")  # the tags stay as they are
    assert _tags(db_url)[3] == ["Billing issue", "ox:delay"]
    migrate.upgrade(db_url, "head")
