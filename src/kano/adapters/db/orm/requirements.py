"""The special-requirements register: what one customer needs that others do not.

A requirement belongs to a customer and may name a product and a process (free keys: a
product code, a touchpoint or process key), has a kind, an owner (a user), a status from
proposed to retired and a date by which it must be reviewed again.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kano.adapters.db.orm.base import Base, WorkspaceScoped, utcnow


class SpecialRequirementRow(WorkspaceScoped, Base):
    __tablename__ = "special_requirements"
    __table_args__ = (
        Index("ix_special_requirements_ws_customer", "workspace_id", "customer_id"),
    )

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    response_id: Mapped[int | None] = mapped_column(  # stated in this survey response
        ForeignKey("feedback_responses.id", ondelete="SET NULL"), nullable=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    owner_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    product_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    process_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    review_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
