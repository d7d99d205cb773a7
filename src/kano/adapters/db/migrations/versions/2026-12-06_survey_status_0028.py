"""surveys.status: "open" or "closed"; a closed survey takes no answers and sends no
invitations

Every existing survey stays open (the server default). ``ADD COLUMN`` with a constant
default needs no table copy on SQLite, and the downgrade drops the column in place:
copying ``surveys`` would cascade-delete its definitions, quotas and invitations.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 19:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            "status", sa.String(length=16), nullable=False, server_default="open"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Not batch mode: it would copy ``surveys`` and drop the original, and with foreign
        # keys on, dropping it deletes every definition, quota and invitation (CASCADE).
        op.execute("ALTER TABLE surveys DROP COLUMN status")
    else:
        op.drop_column("surveys", "status")
