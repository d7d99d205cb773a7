"""Per-customer behaviour facts as of one moment, kept by the segment refresh
(:mod:`kano.adapters.db.customer_facts`): what the customer list sorts by and what segment
rules compare, so both show the same 12-month revenue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from kano.adapters.db.orm.base import Base, BigId


class CustomerFactsRow(Base):
    """One customer's facts over the 12 months before its workspace's ``as_of``."""

    __tablename__ = "customer_facts"
    __table_args__ = (
        Index("ix_customer_facts_revenue", "workspace_id", "revenue_12m", "customer_id"),
        Index("ix_customer_facts_last_order", "workspace_id", "last_order_at", "customer_id"),
    )  # fmt: skip

    customer_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True,
        autoincrement=False)  # fmt: skip
    workspace_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("workspaces.id", ondelete="CASCADE"))
    revenue_12m: Mapped[float] = mapped_column(Float)
    margin_12m: Mapped[float] = mapped_column(Float)
    orders_12m: Mapped[int] = mapped_column(Integer)
    last_order_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class CustomerFactsRunRow(Base):
    """When a workspace's facts were computed, as of which moment, and the newest order
    and customer they saw (later ones make the facts stale)."""

    __tablename__ = "customer_facts_runs"

    workspace_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True,
        autoincrement=False)  # fmt: skip
    as_of: Mapped[datetime] = mapped_column(DateTime)
    computed_at: Mapped[datetime] = mapped_column(DateTime)
    last_transaction_id: Mapped[int] = mapped_column(BigId)
    last_customer_id: Mapped[int] = mapped_column(BigId)
