"""live metrics: custom metrics, computed values, compute runs, scheduled jobs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 11:53:13.543351
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduled_jobs",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("next_run_at", sa.DateTime(), nullable=False),
        sa.Column("last_started_at", sa.DateTime(), nullable=True),
        sa.Column("last_finished_at", sa.DateTime(), nullable=True),
        sa.Column("last_status", sa.String(length=16), nullable=True),
        sa.Column("last_message", sa.Text(), nullable=True),
        sa.Column("claimed_by", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduled_jobs")),
    )
    op.create_table(
        "compute_runs",
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("trigger", sa.String(length=32), nullable=False),
        sa.Column("bindings", sa.Integer(), nullable=False),
        sa.Column("values_changed", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
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
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_compute_runs_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compute_runs")),
    )
    with op.batch_alter_table("compute_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_compute_runs_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "custom_metrics",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
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
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_custom_metrics_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_metrics")),
        sa.UniqueConstraint("workspace_id", "key", name=op.f("uq_custom_metrics_workspace_id_key")),
    )
    with op.batch_alter_table("custom_metrics", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_custom_metrics_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "computed_values",
        sa.Column("subject", sa.String(length=16), nullable=False),
        sa.Column(
            "subject_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("metric_id", sa.String(length=128), nullable=False),
        sa.Column("metric_slice", sa.JSON(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("ci_low", sa.Float(), nullable=True),
        sa.Column("ci_high", sa.Float(), nullable=True),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
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
            ["run_id"],
            ["compute_runs.id"],
            name=op.f("fk_computed_values_run_id_compute_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_computed_values_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_computed_values")),
    )
    with op.batch_alter_table("computed_values", schema=None) as batch_op:
        batch_op.create_index(
            "ix_computed_values_subject", ["subject", "subject_id", "period_start"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_computed_values_workspace_id"), ["workspace_id"], unique=False
        )

    with op.batch_alter_table("key_results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("current_n", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("current_ci_low", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("current_ci_high", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("computed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("key_results", schema=None) as batch_op:
        batch_op.drop_column("computed_at")
        batch_op.drop_column("current_ci_high")
        batch_op.drop_column("current_ci_low")
        batch_op.drop_column("current_n")

    with op.batch_alter_table("computed_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_computed_values_workspace_id"))
        batch_op.drop_index("ix_computed_values_subject")

    op.drop_table("computed_values")
    with op.batch_alter_table("custom_metrics", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_custom_metrics_workspace_id"))

    op.drop_table("custom_metrics")
    with op.batch_alter_table("compute_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_compute_runs_workspace_id"))

    op.drop_table("compute_runs")
    op.drop_table("scheduled_jobs")
