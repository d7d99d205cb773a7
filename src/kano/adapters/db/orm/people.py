"""EX layer: teams, employees and their pulse responses."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from kano.adapters.db.orm.base import Base, WorkspaceScoped


class Team(WorkspaceScoped, Base):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    function: Mapped[str | None] = mapped_column(String(64), nullable=True)
    parent_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), nullable=True
    )


class Employee(WorkspaceScoped, Base):
    __tablename__ = "employees"
    __table_args__ = (UniqueConstraint("workspace_id", "external_id"),)

    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), nullable=True, index=True
    )
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    role_title: Mapped[str | None] = mapped_column(String(200), nullable=True)
    hired_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    left_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class PulseResponse(WorkspaceScoped, Base):
    """An employee's pulse: eNPS 0–10, engagement 1–5, competency 0–1, training hours."""

    __tablename__ = "pulse_responses"
    __table_args__ = (
        Index("ix_pulse_responses_ws_team_time", "workspace_id", "team_id", "submitted_at"),
    )

    employee_id: Mapped[int | None] = mapped_column(
        ForeignKey("employees.id", ondelete="SET NULL"), nullable=True
    )
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), nullable=True
    )
    submitted_at: Mapped[datetime] = mapped_column(DateTime)
    enps: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    engagement: Mapped[float | None] = mapped_column(Float, nullable=True)
    competency: Mapped[float | None] = mapped_column(Float, nullable=True)
    training_hours: Mapped[float | None] = mapped_column(Float, nullable=True)
