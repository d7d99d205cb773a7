"""TX layer: what customers do — orders (transactions) and the payments for them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from kano.adapters.db.orm.base import Base, BigId, WorkspaceScoped


class Transaction(WorkspaceScoped, Base):
    __tablename__ = "transactions"
    __table_args__ = (
        Index("ix_transactions_ws_time", "workspace_id", "occurred_at"),
        Index("ix_transactions_ws_customer_time", "workspace_id", "customer_id", "occurred_at"),
    )

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    amount: Mapped[float] = mapped_column(Float)
    margin: Mapped[float] = mapped_column(Float)
    product: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32))
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), nullable=True
    )


class Payment(WorkspaceScoped, Base):
    __tablename__ = "payments"
    __table_args__ = (
        Index("ix_payments_ws_customer_due", "workspace_id", "customer_id", "due_on"),
    )

    transaction_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    amount: Mapped[float] = mapped_column(Float)
    due_on: Mapped[date] = mapped_column(Date)
    paid_on: Mapped[date | None] = mapped_column(Date, nullable=True)
