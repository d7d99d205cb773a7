"""One MBO sheet per employee and period; review comments kept on the sheet and objective

``mbo_sheets`` and ``mbo_objectives`` gain ``review_comment`` (the reviewer's note on the
whole sheet, on one objective's achievement). Until now an objective's comment lived only
in the audit log (``detail.comment`` of its update entries): the latest one of each
objective is copied into the column.

A unique index on ``mbo_sheets (workspace_id, employee_id, period_label)`` then refuses a
second sheet for an employee and period. Older databases may hold such twins (the web,
the API and the strategy file all allowed them). None is deleted or merged — their
achievements may differ, and which one counts is a person's call: of each group the sheet
furthest along (reviewed, then agreed, then draft; the oldest among equals) keeps the
period, and each other one gets the period with `` #2``, `` #3`` … appended (cut to fit
the 32 characters), with an audit entry by ``migration 0035`` saying so. An admin then
sees both on the MBO page and deletes or re-labels the extra one.

The columns are added in place and the unique index is an index, not a table constraint:
on SQLite a batch copy of ``mbo_sheets`` would have cascade-deleted every objective.
The downgrade drops the index and the columns (re-labelled periods stay as they are).

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07 06:00:00
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0035"
down_revision: str | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COMMENT_MAX = 2000
PERIOD_MAX = 32
FURTHEST = {"reviewed": 0, "agreed": 1, "draft": 2}
ACTOR = "migration 0035"

sheets = sa.table(
    "mbo_sheets", sa.column("id", sa.Integer), sa.column("workspace_id", sa.Integer),
    sa.column("key", sa.String), sa.column("employee_id", sa.Integer),
    sa.column("period_label", sa.String), sa.column("status", sa.String),
)
objectives = sa.table(
    "mbo_objectives", sa.column("id", sa.Integer), sa.column("review_comment", sa.String),
)
audit = sa.table(
    "audit_log", sa.column("id", sa.Integer), sa.column("workspace_id", sa.Integer),
    sa.column("actor", sa.String), sa.column("action", sa.String),
    sa.column("entity", sa.String), sa.column("entity_id", sa.String),
    sa.column("detail", sa.JSON), sa.column("at", sa.DateTime),
)


def upgrade() -> None:
    op.add_column("mbo_sheets",
                  sa.Column("review_comment", sa.String(length=COMMENT_MAX), nullable=True))
    op.add_column("mbo_objectives",
                  sa.Column("review_comment", sa.String(length=COMMENT_MAX), nullable=True))
    connection = op.get_bind()
    _copy_comments(connection)
    _relabel_twins(connection)
    op.create_index("ix_mbo_sheets_employee_period", "mbo_sheets",
                    ["workspace_id", "employee_id", "period_label"], unique=True)


def _copy_comments(connection: Any) -> None:
    """The latest ``comment`` of each objective's audit entries, into its column."""
    latest: dict[int, str] = {}
    entries = connection.execute(
        sa.select(audit.c.entity_id, audit.c.detail)
        .where(audit.c.entity == "mbo_objective", audit.c.action == "update")
        .order_by(audit.c.id))
    for entity_id, detail in entries:
        comment = detail.get("comment") if isinstance(detail, dict) else None
        if comment and entity_id is not None and str(entity_id).isdigit():
            latest[int(entity_id)] = str(comment)[:COMMENT_MAX]
    existing = set(connection.scalars(sa.select(objectives.c.id)))
    for objective_id, comment in latest.items():
        if objective_id in existing:  # a deleted objective keeps its entries, not a row
            connection.execute(objectives.update().where(objectives.c.id == objective_id)
                               .values(review_comment=comment))


def _relabel_twins(connection: Any) -> None:
    groups: dict[tuple[int, int, str], list[Any]] = defaultdict(list)
    for row in connection.execute(sa.select(sheets)):
        groups[(row.workspace_id, row.employee_id, row.period_label)].append(row)
    taken = {(w, e, p) for w, e, p in groups}
    now = datetime.now(UTC).replace(tzinfo=None)
    for (workspace_id, employee_id, period), rows in groups.items():
        if len(rows) < 2:
            continue
        rows.sort(key=lambda r: (FURTHEST.get(r.status, 3), r.id))
        number = 2
        for row in rows[1:]:
            while True:
                suffix = f" #{number}"
                label = period[:PERIOD_MAX - len(suffix)] + suffix
                number += 1
                if (workspace_id, employee_id, label) not in taken:
                    break
            taken.add((workspace_id, employee_id, label))
            connection.execute(sheets.update().where(sheets.c.id == row.id)
                               .values(period_label=label))
            connection.execute(audit.insert().values(
                workspace_id=workspace_id, actor=ACTOR, action="update", entity="mbo_sheet",
                entity_id=str(row.id), at=now,
                detail={"key": row.key, "period": {"from": period, "to": label},
                        "reason": f"one sheet per employee and period: "
                                  f"'{rows[0].key}' keeps {period}"}))


def downgrade() -> None:
    op.drop_index("ix_mbo_sheets_employee_period", table_name="mbo_sheets")
    # In place on SQLite too (a batch copy of mbo_sheets would cascade to the objectives).
    op.execute("ALTER TABLE mbo_objectives DROP COLUMN review_comment")
    op.execute("ALTER TABLE mbo_sheets DROP COLUMN review_comment")
