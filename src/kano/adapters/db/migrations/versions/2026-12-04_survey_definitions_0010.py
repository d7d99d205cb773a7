"""survey definitions and the answers beyond the score columns

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 15:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "survey_definitions",
        sa.Column("survey_id", ID, nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["surveys.id"],
            name=op.f("fk_survey_definitions_survey_id_surveys"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"],
            name=op.f("fk_survey_definitions_workspace_id_workspaces"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_definitions")),
        sa.UniqueConstraint("survey_id", name=op.f("uq_survey_definitions_survey_id")),
    )
    with op.batch_alter_table("survey_definitions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_definitions_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "response_answers",
        sa.Column("response_id", ID, nullable=False),
        sa.Column("question", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("kano_category", sa.String(length=16), nullable=True),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"], ["feedback_responses.id"],
            name=op.f("fk_response_answers_response_id_feedback_responses"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"],
            name=op.f("fk_response_answers_workspace_id_workspaces"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_answers")),
    )
    with op.batch_alter_table("response_answers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_response_answers_response_question", ["response_id", "question"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_response_answers_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("response_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_response_answers_workspace_id"))
        batch_op.drop_index("ix_response_answers_response_question")
    op.drop_table("response_answers")
    with op.batch_alter_table("survey_definitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_definitions_workspace_id"))
    op.drop_table("survey_definitions")
