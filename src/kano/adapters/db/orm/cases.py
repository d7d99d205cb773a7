"""Cases of the closed loop and their history (every change is an event: the audit trail)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kano.adapters.db.orm.base import Base, WorkspaceScoped, utcnow


class CaseRow(WorkspaceScoped, Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_open_due", "status", "resolution_due_at"),
        # The inbox's order: its newest 200 without sorting every case (migration 0036).
        Index("ix_cases_ws_opened", "workspace_id", "opened_at", "id"),
    )

    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_responses.id", ondelete="SET NULL"), nullable=True, index=True
    )
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), nullable=True, index=True
    )
    touchpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="SET NULL"), nullable=True
    )
    rule: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    priority: Mapped[int] = mapped_column(SmallInteger, default=2)
    status: Mapped[str] = mapped_column(String(16), default="new")
    owner_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), nullable=True, index=True
    )
    owner_user_id: Mapped[int | None] = mapped_column(  # the person who owns it (inbox filter)
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    opened_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    first_response_due_at: Mapped[datetime] = mapped_column(DateTime)
    resolution_due_at: Mapped[datetime] = mapped_column(DateTime)
    first_responded_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    loop_closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    escalation_level: Mapped[int] = mapped_column(SmallInteger, default=0)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    root_causes: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)


class CaseEventRow(WorkspaceScoped, Base):
    __tablename__ = "case_events"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))  # opened | status | escalated | note …
    actor: Mapped[str] = mapped_column(String(320))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
