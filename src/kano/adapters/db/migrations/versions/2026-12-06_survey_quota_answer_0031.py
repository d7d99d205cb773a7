"""survey_quotas.question_key / option_key: a quota may count one answer ("Plan = Enterprise")

Both NULL (every existing quota): any answer. Both set: only responses that chose that
option of that single or multi choice question count. ``ADD COLUMN`` of nullable columns
needs no table copy; the downgrade drops them in place (SQLite supports it since 3.35).

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06 23:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("survey_quotas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("question_key", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("option_key", sa.String(length=40), nullable=True))


def downgrade() -> None:
    for column in ("option_key", "question_key"):
        op.execute(f"ALTER TABLE survey_quotas DROP COLUMN {column}")
