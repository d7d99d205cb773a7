"""Per-customer facts (12-month revenue, margin, orders, last order) as of a moment

``customer_facts`` holds one row per customer, computed set-based by the segment refresh
(:mod:`kano.adapters.db.customer_facts`), indexed so the customer list sorted by 12-month
revenue or by last order reads an index instead of aggregating every order.
``customer_facts_runs`` says, per workspace, as of which moment the facts hold and the
newest order and customer they saw. The tables start empty: the next refresh (or the
first view of the customer list) fills them.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 05:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "customer_facts",
        sa.Column("customer_id", BigId, autoincrement=False, nullable=False),
        sa.Column("workspace_id", BigId, nullable=False),
        sa.Column("revenue_12m", sa.Float(), nullable=False),
        sa.Column("margin_12m", sa.Float(), nullable=False),
        sa.Column("orders_12m", sa.Integer(), nullable=False),
        sa.Column("last_order_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"],
            name=op.f("fk_customer_facts_customer_id_customers"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"],
            name=op.f("fk_customer_facts_workspace_id_workspaces"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer_facts")),
    )  # fmt: skip
    op.create_index("ix_customer_facts_revenue", "customer_facts",
                    ["workspace_id", "revenue_12m", "customer_id"])
    op.create_index("ix_customer_facts_last_order", "customer_facts",
                    ["workspace_id", "last_order_at", "customer_id"])
    op.create_table(
        "customer_facts_runs",
        sa.Column("workspace_id", BigId, autoincrement=False, nullable=False),
        sa.Column("as_of", sa.DateTime(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("last_transaction_id", BigId, nullable=False),
        sa.Column("last_customer_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"],
            name=op.f("fk_customer_facts_runs_workspace_id_workspaces"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_customer_facts_runs")),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("customer_facts_runs")
    op.drop_index("ix_customer_facts_last_order", table_name="customer_facts")
    op.drop_index("ix_customer_facts_revenue", table_name="customer_facts")
    op.drop_table("customer_facts")
