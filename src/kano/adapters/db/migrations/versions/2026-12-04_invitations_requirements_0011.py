"""e-mail invitations (single-use tokens, fatigue, reminder) and the special-requirements register

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 15:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "special_requirements",
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("owner_user_id", ID, nullable=True),
        sa.Column("product_key", sa.String(length=64), nullable=True),
        sa.Column("process_key", sa.String(length=64), nullable=True),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_special_requirements_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"],
            ["users.id"],
            name=op.f("fk_special_requirements_owner_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_special_requirements_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_special_requirements")),
    )
    with op.batch_alter_table("special_requirements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_special_requirements_workspace_id"), ["workspace_id"], unique=False
        )
        batch_op.create_index(
            "ix_special_requirements_ws_customer", ["workspace_id", "customer_id"], unique=False
        )

    op.create_table(
        "invitations",
        sa.Column("survey_id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("invited_at", sa.DateTime(), nullable=False),
        sa.Column("message_id", ID, nullable=True),
        sa.Column("reminded_at", sa.DateTime(), nullable=True),
        sa.Column("reminder_message_id", ID, nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("response_id", ID, nullable=True),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_invitations_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outbox.id"],
            name=op.f("fk_invitations_message_id_outbox"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reminder_message_id"],
            ["outbox.id"],
            name=op.f("fk_invitations_reminder_message_id_outbox"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["feedback_responses.id"],
            name=op.f("fk_invitations_response_id_feedback_responses"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_invitations_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_invitations_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("nonce", name=op.f("uq_invitations_nonce")),
        sa.UniqueConstraint("response_id", name=op.f("uq_invitations_response_id")),
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invitations_reminder_due",
            ["reminded_at", "answered_at", "invited_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_invitations_workspace_id"), ["workspace_id"], unique=False
        )
        batch_op.create_index(
            "ix_invitations_ws_customer_time",
            ["workspace_id", "customer_id", "invited_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index("ix_invitations_ws_customer_time")
        batch_op.drop_index(batch_op.f("ix_invitations_workspace_id"))
        batch_op.drop_index("ix_invitations_reminder_due")

    op.drop_table("invitations")
    with op.batch_alter_table("special_requirements", schema=None) as batch_op:
        batch_op.drop_index("ix_special_requirements_ws_customer")
        batch_op.drop_index(batch_op.f("ix_special_requirements_workspace_id"))

    op.drop_table("special_requirements")
