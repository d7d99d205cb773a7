"""bounced e-mails: the outbox message marked bounced, the customer's address marked undeliverable

A placeholder written first so that the revision chain is fixed while the feature is
built; it changes nothing until its body is filled in.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 03:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
