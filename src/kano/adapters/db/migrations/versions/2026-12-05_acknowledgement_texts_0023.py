"""workspace_feedback_settings.acknowledgement_texts: a workspace's own wording of the
acknowledgement e-mail (language → part → text; NULL: the built-in texts)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 17:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspace_feedback_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("acknowledgement_texts", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspace_feedback_settings", schema=None) as batch_op:
        batch_op.drop_column("acknowledgement_texts")
