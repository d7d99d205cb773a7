"""pilots (SPEC 2.10): pilots with control groups, their evaluation, decision and rollout

One table, ``pilots``: name (unique in the workspace), hypothesis, the pilot and control
groups (JSON: a customer filter or a list of customers), the KPI metric ids (JSON), the
baseline and test periods (in order, checked), the owner (a user; SET NULL when the user
goes), status and decision (checked lists), the rollout steps (JSON), the target effect
for the plan and the last evaluation's figures (JSON).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 17:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "pilots",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("hypothesis", sa.Text(), nullable=True),
        sa.Column("pilot_group", sa.JSON(), nullable=False),
        sa.Column("control_group", sa.JSON(), nullable=False),
        sa.Column("kpis", sa.JSON(), nullable=False),
        sa.Column("baseline_start", sa.Date(), nullable=False),
        sa.Column("baseline_end", sa.Date(), nullable=False),
        sa.Column("test_start", sa.Date(), nullable=False),
        sa.Column("test_end", sa.Date(), nullable=False),
        sa.Column("owner_user_id", ID, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("rollout", sa.JSON(), nullable=False),
        sa.Column("target_effect", sa.Float(), nullable=True),
        sa.Column("evaluation", sa.JSON(), nullable=True),
        sa.Column("evaluated_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.CheckConstraint(
            "status IN ('planned', 'running', 'evaluated', 'decided')",
            name=op.f("ck_pilots_known_status"),
        ),
        sa.CheckConstraint(
            "decision IS NULL OR decision IN ('scale', 'iterate', 'stop')",
            name=op.f("ck_pilots_known_decision"),
        ),
        sa.CheckConstraint(
            "baseline_start <= baseline_end AND baseline_end < test_start "
            "AND test_start <= test_end",
            name=op.f("ck_pilots_periods_in_order"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"], ["users.id"],
            name=op.f("fk_pilots_owner_user_id_users"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"],
            name=op.f("fk_pilots_workspace_id_workspaces"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pilots")),
        sa.UniqueConstraint("workspace_id", "name", name=op.f("uq_pilots_workspace_id_name")),
    )  # fmt: skip
    with op.batch_alter_table("pilots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pilots_workspace_id"), ["workspace_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_pilots_owner_user_id"), ["owner_user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pilots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pilots_owner_user_id"))
        batch_op.drop_index(batch_op.f("ix_pilots_workspace_id"))
    op.drop_table("pilots")
