"""strategy-map link tests

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-04 11:55:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "link_tests",
        sa.Column(
            "scorecard_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("cause_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "effect_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("proposed", sa.Boolean(), nullable=False),
        sa.Column("verdict", sa.String(length=24), nullable=False),
        sa.Column("cause_measure", sa.String(length=64), nullable=True),
        sa.Column("effect_measure", sa.String(length=64), nullable=True),
        sa.Column("cause_metric", sa.String(length=64), nullable=True),
        sa.Column("effect_metric", sa.String(length=64), nullable=True),
        sa.Column("lag", sa.String(length=8), nullable=True),
        sa.Column("estimate", sa.Float(), nullable=True),
        sa.Column("ci_low", sa.Float(), nullable=True),
        sa.Column("ci_high", sa.Float(), nullable=True),
        sa.Column("standardized", sa.Float(), nullable=True),
        sa.Column("p_value", sa.Float(), nullable=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=120), nullable=True),
        sa.Column("tested_at", sa.DateTime(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "workspace_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["cause_id"],
            ["objectives.id"],
            name=op.f("fk_link_tests_cause_id_objectives"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["effect_id"],
            ["objectives.id"],
            name=op.f("fk_link_tests_effect_id_objectives"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scorecard_id"],
            ["scorecards.id"],
            name=op.f("fk_link_tests_scorecard_id_scorecards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_link_tests_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_tests")),
    )
    with op.batch_alter_table("link_tests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_link_tests_scorecard_id"), ["scorecard_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_link_tests_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("link_tests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_link_tests_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_link_tests_scorecard_id"))

    op.drop_table("link_tests")
