"""per-workspace survey fatigue and reminder settings, and the shared rate-limit counters

``workspace_feedback_settings``: one optional row per workspace with its own fatigue
window and reminder delay for e-mail invitations; NULL (or no row) means the server's
``KANO_SURVEY_FATIGUE_DAYS`` / ``KANO_SURVEY_REMINDER_DAYS``. A table of its own rather
than columns on ``workspaces``: the workspace row is read on every request and stays
narrow, the feedback context owns its settings, and on SQLite adding columns to
``workspaces`` would mean batch mode copying a table that most others refer to.

``rate_limit_hits``: the request counters of the public survey endpoints, one row per key
(``ip:…``, ``token:…``) and fixed window, so every ``kano serve`` process (and machine)
behind one PostgreSQL database counts against one limit. On PostgreSQL the table is
UNLOGGED: its rows are disposable (a crash that empties it only resets the windows) and
one is written per public request, so it must not cost WAL (nor replication). SQLite
gets the same table for one schema on both engines, but an embedded server is one
process and keeps counting in memory.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 03:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "workspace_feedback_settings",
        sa.Column("workspace_id", ID, nullable=False),
        sa.Column("survey_fatigue_days", sa.Integer(), nullable=True),
        sa.Column("survey_reminder_days", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "survey_fatigue_days BETWEEN 0 AND 3650",
            name=op.f("ck_workspace_feedback_settings_fatigue_days_range"),
        ),
        sa.CheckConstraint(
            "survey_reminder_days BETWEEN 1 AND 365",
            name=op.f("ck_workspace_feedback_settings_reminder_days_range"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_workspace_feedback_settings_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_workspace_feedback_settings")),
    )
    unlogged = ["UNLOGGED"] if op.get_bind().dialect.name == "postgresql" else []
    op.create_table(
        "rate_limit_hits",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name=op.f("pk_rate_limit_hits")),
        prefixes=unlogged,
    )


def downgrade() -> None:
    op.drop_table("rate_limit_hits")
    op.drop_table("workspace_feedback_settings")
