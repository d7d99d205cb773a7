"""workspaces.currency: the ISO 4217 code a workspace keeps its money in (default EUR)

Every existing workspace gets EUR, which is what the demo company and every figure written
so far assumed. A column on ``workspaces`` rather than a settings table: the pages read it
with the workspace on every request (the viewer already loads that row), so it costs no
query. On SQLite, ``ADD COLUMN`` with a constant default needs no table copy (batch mode
adds it in place), and the downgrade drops it in place too: copying ``workspaces`` would
cascade-delete every row that refers to it.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 02:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("currency", sa.String(length=3), server_default="EUR", nullable=False)
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Not batch mode: it would copy ``workspaces`` and drop the original, and with
        # foreign keys on, dropping it deletes every row that refers to a workspace
        # (ON DELETE CASCADE). SQLite 3.35+ drops a plain column in place.
        op.execute("ALTER TABLE workspaces DROP COLUMN currency")
    else:
        op.drop_column("workspaces", "currency")
