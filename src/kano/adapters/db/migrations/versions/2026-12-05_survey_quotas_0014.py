"""survey quotas (SPEC 2.4): a survey stops taking responses on a channel once a quota is full

A placeholder written first so that the revision chain is fixed while the feature is
built; it changes nothing until its body is filled in.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 03:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
