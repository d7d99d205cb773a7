"""key_results.due_on: the day a key result is due (nullable; the cycle's end by default)

Every existing key result gets its cycle's last day, which is what the OKR page said of
all of them until now ("due at the end of the cycle"). Nullable: a key result may be
written without one by the strategy-as-code import or an older client. On SQLite,
``ADD COLUMN`` of a nullable column needs no table copy, and the downgrade drops it in
place: copying ``key_results`` would cascade-delete its check-ins.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 19:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("key_results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
    op.execute(
        "UPDATE key_results SET due_on = (SELECT okr_cycles.ends_on FROM okr_objectives "
        "JOIN okr_cycles ON okr_cycles.id = okr_objectives.cycle_id "
        "WHERE okr_objectives.id = key_results.okr_objective_id)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Not batch mode: it would copy ``key_results`` and drop the original, and with
        # foreign keys on, dropping it deletes every check-in (ON DELETE CASCADE).
        op.execute("ALTER TABLE key_results DROP COLUMN due_on")
    else:
        op.drop_column("key_results", "due_on")
