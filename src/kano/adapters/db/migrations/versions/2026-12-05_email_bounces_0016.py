"""bounced e-mails: the bounces received, and the customer's address marked undeliverable

``email_bounces`` keeps every bounce (delivery status notification) matched to an outbox
message, permanent (5.x.x) and transient (4.x.x) alike; one row per message, bounced
recipient and status code, so the same bounce read twice is stored once.
``customers.undeliverable_email`` is the address that bounced permanently and
``customers.email_bounced_at`` when: while the customer's e-mail is still that address
Kano sends it no acknowledgement or invitation. Keeping the address, not only a flag,
makes any change of the customer's e-mail lift the mark, whichever way it is written.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 03:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "email_bounces",
        sa.Column("outbox_id", BIG_ID, nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("status_code", sa.String(length=16), nullable=False),
        sa.Column("permanent", sa.Boolean(), nullable=False),
        sa.Column("diagnostic", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("workspace_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox.id"],
            name=op.f("fk_email_bounces_outbox_id_outbox"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_email_bounces_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_bounces")),
        sa.UniqueConstraint(
            "outbox_id",
            "recipient",
            "status_code",
            name=op.f("uq_email_bounces_outbox_id_recipient_status_code"),
        ),
    )
    with op.batch_alter_table("email_bounces", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_email_bounces_workspace_id"), ["workspace_id"], unique=False
        )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("undeliverable_email", sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column("email_bounced_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    # Before this revision a bounced message was simply "sent" (the relay took it).
    op.execute("UPDATE outbox SET status = 'sent' WHERE status = 'bounced'")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("email_bounced_at")
        batch_op.drop_column("undeliverable_email")
    with op.batch_alter_table("email_bounces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_bounces_workspace_id"))
    op.drop_table("email_bounces")
