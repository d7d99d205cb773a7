"""sentiment_models: a workspace's stored sentiment model (coefficients as float32 bytes,
intercept, hashing vectoriser parameters, figures; never a pickle); case_rules.
threshold_probability for the rule kind ``sentiment``

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 18:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sentiment_models",
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("trained_at", sa.DateTime(), nullable=False),
        sa.Column("comments_fingerprint", sa.String(length=200), nullable=True),
        sa.Column("labelled", sa.Integer(), nullable=False),
        sa.Column("negative", sa.Integer(), nullable=False),
        sa.Column("positive", sa.Integer(), nullable=False),
        sa.Column("trained_on", sa.Integer(), nullable=False),
        sa.Column("folds", sa.Integer(), nullable=False),
        sa.Column("accuracy", sa.Float(), nullable=True),
        sa.Column("macro_f1", sa.Float(), nullable=True),
        sa.Column("vectorizer", sa.JSON(), nullable=True),
        sa.Column("coefficients", sa.LargeBinary(), nullable=True),
        sa.Column("intercept", sa.Float(), nullable=True),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"],
            name=op.f("fk_sentiment_models_workspace_id_workspaces"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sentiment_models")),
        sa.UniqueConstraint("workspace_id", name=op.f("uq_sentiment_models_workspace_id")),
    )  # fmt: skip
    with op.batch_alter_table("sentiment_models", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sentiment_models_workspace_id"), ["workspace_id"], unique=False
        )
    with op.batch_alter_table("case_rules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("threshold_probability", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_rules", schema=None) as batch_op:
        batch_op.drop_column("threshold_probability")
    with op.batch_alter_table("sentiment_models", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sentiment_models_workspace_id"))
    op.drop_table("sentiment_models")
