"""Metric-related tables: workspace custom metrics, computed-value history, compute runs.

``computed_values`` is the history of what a live binding computed: one row each time a
bound measure's or key result's value for a period changed (or was first computed), with
its sample size, interval and computation time. The current value lives on the measure
value / key result itself; this table is what makes an audit of "what did the scorecard
say last Tuesday" possible. ``compute_runs`` records each ``kano compute`` run so the
pages can say when numbers were last refreshed and what failed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from kano.adapters.db.orm.base import Base, BigId, WorkspaceScoped, utcnow


class CustomMetricRow(WorkspaceScoped, Base):
    """A workspace's custom metric, kept as its YAML mapping (the strategy-as-code form)."""

    __tablename__ = "custom_metrics"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    key: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)


class ComputedValueRow(WorkspaceScoped, Base):
    """One computed value of a bound measure or key result for one period."""

    __tablename__ = "computed_values"
    __table_args__ = (Index("ix_computed_values_subject", "subject", "subject_id", "period_start"),)

    subject: Mapped[str] = mapped_column(String(16))  # measure | key_result
    subject_id: Mapped[int] = mapped_column(BigId)
    metric_id: Mapped[str] = mapped_column(String(128))
    metric_slice: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    n: Mapped[int] = mapped_column(Integer)
    ci_low: Mapped[float | None] = mapped_column(Float, nullable=True)
    ci_high: Mapped[float | None] = mapped_column(Float, nullable=True)
    computed_at: Mapped[datetime] = mapped_column(DateTime)
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("compute_runs.id", ondelete="SET NULL"), nullable=True
    )


class ComputeRunRow(WorkspaceScoped, Base):
    """One refresh of a workspace's bound measures and key results."""

    __tablename__ = "compute_runs"

    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="running")  # ok | partial | failed
    trigger: Mapped[str] = mapped_column(String(32))  # cli | worker | demo | api
    bindings: Mapped[int] = mapped_column(Integer, default=0)
    values_changed: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)


class ScheduledJobRow(Base):
    """A periodic job of ``kano worker``; ``next_run_at`` is claimed with a conditional
    UPDATE, so of many workers exactly one runs each due occurrence."""

    __tablename__ = "scheduled_jobs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_run_at: Mapped[datetime] = mapped_column(DateTime)
    last_started_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    last_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
