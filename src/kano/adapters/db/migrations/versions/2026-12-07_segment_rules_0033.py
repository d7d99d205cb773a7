"""Segments with a source and a rule, and who belonged to which segment when

``segments`` gains ``source`` (manual | rule | rfm | value_tier | matrix_cell), ``rule``
(JSON: the filter of a rule segment, or ``{"parameter": …}`` of a computed one),
``description`` and ``refreshed_at``. Every existing segment is a hand-kept label, so it
becomes ``manual`` (``kind`` follows: manual, rule, or computed for the three computed
sources).

``segment_memberships`` holds spans: a customer was in a segment from ``valid_from`` until
``valid_to`` (NULL while still a member). The current ``customers.segment_id`` of each
customer becomes an open span from the customer's creation.

On SQLite the columns are added in place: a batch copy of ``segments`` would drop the
original and, with foreign keys on, set every customer's ``segment_id`` to NULL.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07 02:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
OPEN = sa.text("valid_to IS NULL")


def upgrade() -> None:
    op.add_column(
        "segments",
        sa.Column("source", sa.String(length=16), nullable=False, server_default="manual"),
    )
    op.add_column("segments", sa.Column("rule", sa.JSON(), nullable=True))
    op.add_column("segments", sa.Column("description", sa.String(length=1000), nullable=True))
    op.add_column("segments", sa.Column("refreshed_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE segments SET kind = 'manual'")

    op.create_table(
        "segment_memberships",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("workspace_id", BigId, nullable=False),
        sa.Column("segment_id", BigId, nullable=False),
        sa.Column("customer_id", BigId, nullable=False),
        sa.Column("valid_from", sa.DateTime(), nullable=False),
        sa.Column("valid_to", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"],
            name=op.f("fk_segment_memberships_workspace_id_workspaces"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segments.id"],
            name=op.f("fk_segment_memberships_segment_id_segments"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"],
            name=op.f("fk_segment_memberships_customer_id_customers"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segment_memberships")),
    )  # fmt: skip
    op.create_index("ix_segment_memberships_workspace_id", "segment_memberships", ["workspace_id"])
    op.create_index(
        "ix_segment_memberships_now", "segment_memberships",
        ["segment_id", "customer_id"], unique=True,
        sqlite_where=OPEN, postgresql_where=OPEN,
    )  # fmt: skip
    op.create_index(
        "ix_segment_memberships_history", "segment_memberships",
        ["customer_id", "valid_from"],
    )  # fmt: skip
    op.execute(
        "INSERT INTO segment_memberships (workspace_id, segment_id, customer_id, valid_from) "
        "SELECT workspace_id, segment_id, id, created_at FROM customers "
        "WHERE segment_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_segment_memberships_history", table_name="segment_memberships")
    op.drop_index("ix_segment_memberships_now", table_name="segment_memberships")
    op.drop_index("ix_segment_memberships_workspace_id", table_name="segment_memberships")
    op.drop_table("segment_memberships")
    op.execute("UPDATE segments SET kind = 'rule'")
    for column in ("refreshed_at", "description", "rule", "source"):
        op.execute(f"ALTER TABLE segments DROP COLUMN {column}")
