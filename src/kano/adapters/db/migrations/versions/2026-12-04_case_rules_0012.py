"""case rules per workspace (score, keyword, VIP, segment) and the case routing table

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _workspace_columns(table: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f(f"fk_{table}_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "case_rules",
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("question", sa.String(length=16), nullable=True),
        sa.Column("comparison", sa.String(length=2), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=True),
        sa.Column("segment_key", sa.String(length=64), nullable=True),
        sa.Column("vip_attribute", sa.Boolean(), nullable=False),
        sa.Column("vip_accounts", sa.JSON(), nullable=True),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("first_response_hours", sa.Float(), nullable=False),
        sa.Column("resolution_hours", sa.Float(), nullable=False),
        sa.Column("team_key", sa.String(length=64), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        *_workspace_columns("case_rules"),
        sa.UniqueConstraint("workspace_id", "key", name=op.f("uq_case_rules_workspace_id_key")),
    )
    with op.batch_alter_table("case_rules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_rules_workspace_id"), ["workspace_id"], unique=False
        )
    op.create_table(
        "case_routes",
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("touchpoint_key", sa.String(length=64), nullable=True),
        sa.Column("segment_key", sa.String(length=64), nullable=True),
        sa.Column("team_key", sa.String(length=64), nullable=False),
        *_workspace_columns("case_routes"),
    )
    with op.batch_alter_table("case_routes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_routes_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("case_routes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_routes_workspace_id"))
    op.drop_table("case_routes")
    with op.batch_alter_table("case_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_rules_workspace_id"))
    op.drop_table("case_rules")
