"""cases.root_causes: one spelling per tag in each workspace

Root-cause tags that differ only in case or spacing ("Billing issue", "billing  issue")
are one tag. From this revision on, ``case_actions.update_case`` stores a tag in the
spelling the workspace's other cases already use; this migration brings the tags stored
before it under the same rule, so every reader (the case page, the API, the CSV/XLSX
export, the suggestions) can count a tag by plain equality. Per workspace, each tag takes
its most used spelling, the oldest case's on a tie (what the suggestions offered), and a
case that carried two spellings of one tag keeps it once, where it came first.

Why a migration rather than grouping at read time: then there is one rule, applied where
tags are written, instead of a grouping that every reader of ``root_causes`` must repeat
(and the same tag spelled differently on two cases' pages). Each case whose tags change
gets a ``root_causes`` event by ``kano`` (its audit trail), from the old list to the new.

The rule is copied here, not imported: a migration must keep doing what it did when the
application's code moves on. Downgrade leaves the tags as they are (the old code reads
them as well; the events hold the earlier spellings).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 23:00:00
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CASES = sa.table(
    "cases",
    sa.column("id", sa.BigInteger()),
    sa.column("workspace_id", sa.BigInteger()),
    sa.column("root_causes", sa.JSON()),
)
CASE_EVENTS = sa.table(
    "case_events",
    sa.column("workspace_id", sa.BigInteger()),
    sa.column("case_id", sa.BigInteger()),
    sa.column("at", sa.DateTime()),
    sa.column("kind", sa.String()),
    sa.column("actor", sa.String()),
    sa.column("detail", sa.JSON()),
)


def _key(tag: str) -> str:
    """``case_actions.root_cause_key`` as of this revision."""
    return " ".join(tag.split()).casefold()


def _tidy(tags: object) -> list[str]:
    """A case's tags, each trimmed with its spacing collapsed, once per key (first kept)."""
    kept: dict[str, str] = {}
    for tag in tags if isinstance(tags, list) else []:
        if isinstance(tag, str) and tag.strip():
            kept.setdefault(_key(tag), " ".join(tag.split()))
    return list(kept.values())


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(CASES.c.id, CASES.c.workspace_id, CASES.c.root_causes)
        .where(CASES.c.root_causes.is_not(None))
        .order_by(CASES.c.workspace_id, CASES.c.id)
    ).all()
    spellings: dict[tuple[int, str], Counter[str]] = {}
    for _, workspace_id, tags in rows:
        for tag in _tidy(tags):
            spellings.setdefault((workspace_id, _key(tag)), Counter())[tag] += 1
    now = datetime.now(UTC).replace(tzinfo=None)
    for case_id, workspace_id, tags in rows:
        if not isinstance(tags, list):  # a JSON null: no tags, nothing to respell
            continue
        respelled = [spellings[(workspace_id, _key(tag))].most_common(1)[0][0]
                     for tag in _tidy(tags)]
        if respelled == tags:
            continue
        connection.execute(
            sa.update(CASES).where(CASES.c.id == case_id).values(root_causes=respelled))
        connection.execute(sa.insert(CASE_EVENTS).values(
            workspace_id=workspace_id, case_id=case_id, at=now, kind="root_causes",
            actor="kano", detail={"from": tags, "to": respelled},
        ))


def downgrade() -> None:
    """Nothing to undo: the tags stay in their workspace's spelling."""
