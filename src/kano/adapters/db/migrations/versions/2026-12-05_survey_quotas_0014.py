"""survey quotas (SPEC 2.4): a survey stops taking responses on a channel once a quota is full

One table, ``survey_quotas``: a survey's quotas, each a name, a limit (> 0), an optional
condition (channel, language, segment, touchpoint) and ``filled``, the counter intake
updates in the response's transaction. A quota goes with its survey, segment or
touchpoint (ON DELETE CASCADE: it must never silently widen to "any").

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 03:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "survey_quotas",
        sa.Column("survey_id", ID, nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("response_limit", sa.Integer(), nullable=False),
        sa.Column("filled", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("segment_id", ID, nullable=True),
        sa.Column("touchpoint_id", ID, nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.CheckConstraint("response_limit > 0", name=op.f("ck_survey_quotas_positive_limit")),
        sa.CheckConstraint("filled >= 0", name=op.f("ck_survey_quotas_filled_not_negative")),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["surveys.id"],
            name=op.f("fk_survey_quotas_survey_id_surveys"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segments.id"],
            name=op.f("fk_survey_quotas_segment_id_segments"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["touchpoint_id"], ["touchpoints.id"],
            name=op.f("fk_survey_quotas_touchpoint_id_touchpoints"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"],
            name=op.f("fk_survey_quotas_workspace_id_workspaces"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_quotas")),
        sa.UniqueConstraint("survey_id", "name", name=op.f("uq_survey_quotas_survey_id_name")),
    )
    with op.batch_alter_table("survey_quotas", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_quotas_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("survey_quotas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_quotas_workspace_id"))
    op.drop_table("survey_quotas")
