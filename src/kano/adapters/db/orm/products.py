"""The workspace's product catalogue: the name (and optional category) of each product
code its orders and requirements carry.

Orders and requirements keep storing the bare code (``transactions.product``,
``special_requirements.product_key``); the catalogue is looked up by code when a page
shows them, so a code nobody named yet is simply shown as itself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kano.adapters.db.orm.base import Base, WorkspaceScoped, utcnow


class ProductRow(WorkspaceScoped, Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("workspace_id", "code"),)

    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
