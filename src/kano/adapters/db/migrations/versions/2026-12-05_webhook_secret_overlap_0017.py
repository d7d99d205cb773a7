"""webhook secret rotation with an overlap, and outbox messages found by their endpoint

``webhook_endpoints.previous_secret`` is the secret the last rotation replaced, stored in
clear like ``secret`` (signing needs it), and ``previous_secret_until`` the end of its
overlap (naive UTC), fixed at the rotation as its time plus the rotating server's
``KANO_WEBHOOK_SECRET_OVERLAP_HOURS``: until then the worker signs each delivery with both.
Storing the end, not the rotation's time, keeps a later change of the setting from moving
(or reviving) overlaps already given.

``ix_outbox_webhook_endpoint_id`` (endpoint, status; webhooks only) answers the settings
page's count of each endpoint's messages by status from the index alone, and serves the
cascade that deletes them with their endpoint (without it the count reads every message
of the workspace from the table and the cascade scans the whole outbox).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 10:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_secret", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("previous_secret_until", sa.DateTime(),
                                      nullable=True))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_webhook_endpoint_id"),
            ["webhook_endpoint_id", "status"],
            unique=False,
            postgresql_where=sa.text("webhook_endpoint_id IS NOT NULL"),
            sqlite_where=sa.text("webhook_endpoint_id IS NOT NULL"),
        )


def downgrade() -> None:
    # The replaced secrets are dropped: after a downgrade only the current one signs.
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_webhook_endpoint_id"))
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.drop_column("previous_secret_until")
        batch_op.drop_column("previous_secret")
