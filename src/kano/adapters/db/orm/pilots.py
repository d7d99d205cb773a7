"""Pilots with control groups (SPEC 2.10): what was tried where, against which control,
on which KPIs and periods, what the evaluation found and what was decided.

The groups (a customer filter or a customer list), the KPI ids and the rollout steps are
small JSON documents read and written whole (``kano.domain.pilots.model`` checks them);
``evaluation`` keeps the last evaluation's figures so the page shows them without
recomputing. See ``kano.adapters.db.pilots``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from kano.adapters.db.orm.base import Base, WorkspaceScoped, utcnow


class PilotRow(WorkspaceScoped, Base):
    __tablename__ = "pilots"
    __table_args__ = (
        UniqueConstraint("workspace_id", "name"),
        CheckConstraint(
            "status IN ('planned', 'running', 'evaluated', 'decided')", name="known_status"
        ),
        CheckConstraint(
            "decision IS NULL OR decision IN ('scale', 'iterate', 'stop')", name="known_decision"
        ),
        CheckConstraint("baseline_start <= baseline_end AND baseline_end < test_start "
                        "AND test_start <= test_end", name="periods_in_order"),
    )

    name: Mapped[str] = mapped_column(String(200))
    hypothesis: Mapped[str | None] = mapped_column(Text, nullable=True)
    pilot_group: Mapped[dict[str, Any]] = mapped_column(JSON)
    control_group: Mapped[dict[str, Any]] = mapped_column(JSON)
    kpis: Mapped[list[str]] = mapped_column(JSON)
    baseline_start: Mapped[date] = mapped_column(Date)
    baseline_end: Mapped[date] = mapped_column(Date)
    test_start: Mapped[date] = mapped_column(Date)
    test_end: Mapped[date] = mapped_column(Date)
    owner_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="planned")
    decision: Mapped[str | None] = mapped_column(String(16), nullable=True)
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    rollout: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    target_effect: Mapped[float | None] = mapped_column(Float, nullable=True)
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    evaluated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
