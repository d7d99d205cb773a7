"""idempotency_keys.created_at indexed: the worker forgets keys past their days

Without expiry the table grew by one row (with its JSON answer) per API request sent with
a key, for ever; ``kano worker`` now deletes keys older than ``KANO_IDEMPOTENCY_KEY_DAYS``
and finds them through this index instead of reading the whole table.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 11:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_keys_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_keys_created_at"))
