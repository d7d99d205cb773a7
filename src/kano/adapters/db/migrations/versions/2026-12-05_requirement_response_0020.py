"""special_requirements.response_id: the survey response a requirement was stated in

A requirement question of a survey enters its answer in the register; the link lets the
register show where it came from. Nullable (requirements entered by staff, the API or an
import have none); deleting the response keeps the requirement.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 14:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("special_requirements", schema=None) as batch_op:
        big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
        batch_op.add_column(sa.Column("response_id", big_id, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_special_requirements_response_id_feedback_responses"),
            "feedback_responses", ["response_id"], ["id"], ondelete="SET NULL",
        )  # fmt: skip
        batch_op.create_index(
            batch_op.f("ix_special_requirements_response_id"), ["response_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("special_requirements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_special_requirements_response_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_special_requirements_response_id_feedback_responses"), type_="foreignkey"
        )
        batch_op.drop_column("response_id")
