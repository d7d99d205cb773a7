"""per-workspace survey fatigue and reminder settings, and the shared rate-limit counters

A placeholder written first so that the revision chain is fixed while the feature is
built; it changes nothing until its body is filled in.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 03:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
