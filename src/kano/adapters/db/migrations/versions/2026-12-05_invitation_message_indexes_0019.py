"""invitations.message_id and reminder_message_id indexed

Deleting outbox rows (deleting a webhook endpoint deletes its messages) makes PostgreSQL
look each deleted message up in every foreign key that points at the outbox; these two had
no index, so each message cost a scan of all invitations (about 1 s per 16,667 messages
with a few thousand invitations, growing with both).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 11:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("message_id", "reminder_message_id")


def upgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.create_index(batch_op.f(f"ix_invitations_{column}"), [column], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.drop_index(batch_op.f(f"ix_invitations_{column}"))
