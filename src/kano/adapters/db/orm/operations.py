"""OX layer: process events — a measure of how a process ran at a touchpoint."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from kano.adapters.db.orm.base import Base, BigId, WorkspaceScoped


class ProcessEvent(WorkspaceScoped, Base):
    __tablename__ = "process_events"
    __table_args__ = (
        Index("ix_process_events_ws_measure_time", "workspace_id", "measure", "occurred_at"),
        Index(
            "ix_process_events_ws_touchpoint_time", "workspace_id", "touchpoint_id", "occurred_at"
        ),
        Index("ix_process_events_ws_team_time", "workspace_id", "team_id", "occurred_at"),
    )

    touchpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="SET NULL"), nullable=True
    )
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), nullable=True
    )
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), nullable=True
    )
    transaction_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    process: Mapped[str] = mapped_column(String(64))
    measure: Mapped[str] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float)
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
