"""The case inbox's order as an index: ``cases (workspace_id, opened_at, id)``

The inbox shows a workspace's newest cases first (``ORDER BY opened_at DESC, id DESC``,
200 of them). With only ``ix_cases_workspace_id`` PostgreSQL read and sorted every case of
the workspace to keep 200: 263 ms at 5·10⁴ cases (bench/pages_at_scale.py), 0.2 ms with
this index, which it walks backwards and stops after 200. It costs bulk intake one more
index entry per opened case (a fifth of the responses in bench/ingest_bulk.py).

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-07 09:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0036"
down_revision: str | None = "0035"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_cases_ws_opened", "cases", ["workspace_id", "opened_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_cases_ws_opened", table_name="cases")
