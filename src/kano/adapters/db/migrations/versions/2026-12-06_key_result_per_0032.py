"""key_results.per: the window a live key result is computed over ("cycle" or "month")

Every existing key result keeps today's window, the cycle so far (server default
"cycle"). ``ADD COLUMN`` with a constant default needs no table copy; the downgrade drops
it in place (SQLite supports it since 3.35).

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-06 23:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("key_results", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("per", sa.String(length=8), nullable=False, server_default="cycle")
        )


def downgrade() -> None:
    op.execute("ALTER TABLE key_results DROP COLUMN per")
