"""Customers: accounts (B2B) and persons (B2C), their segments and contact consent."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from kano.adapters.db.orm.base import Base, WorkspaceScoped, utcnow


class Segment(WorkspaceScoped, Base):
    __tablename__ = "segments"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="manual")  # manual|rule|computed
    source: Mapped[str] = mapped_column(String(16), default="manual", server_default="manual")
    """manual | rule | rfm | value_tier | matrix_cell (kano.domain.customers.segments)."""
    rule: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    """A rule segment's filter; a computed one's ``{"parameter": …}``."""
    description: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    refreshed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Customer(WorkspaceScoped, Base):
    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("workspace_id", "external_id"),)

    external_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # account | person
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), nullable=True, index=True)
    segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("segments.id", ondelete="SET NULL"), nullable=True, index=True
    )
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), nullable=True
    )
    region: Mapped[str | None] = mapped_column(String(64), nullable=True)
    industry: Mapped[str | None] = mapped_column(String(64), nullable=True)
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    consent_contact: Mapped[bool] = mapped_column(Boolean, default=True)
    undeliverable_email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    """The address that bounced permanently: no e-mail goes to it while it is ``email``."""
    email_bounced_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


_OPEN = text("valid_to IS NULL")


class SegmentMembership(WorkspaceScoped, Base):
    """A customer in a segment from ``valid_from`` until ``valid_to`` (NULL: still)."""

    __tablename__ = "segment_memberships"
    __table_args__ = (
        Index("ix_segment_memberships_now", "segment_id", "customer_id", unique=True,
              sqlite_where=_OPEN, postgresql_where=_OPEN),
        Index("ix_segment_memberships_history", "customer_id", "valid_from"),
    )  # fmt: skip

    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    valid_from: Mapped[datetime] = mapped_column(DateTime)
    valid_to: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
