"""OKR tables: cycles, objectives at company / team / person level, key results and
check-ins (SPEC §2.8).

Progress, grading and confidence bands are the domain's (``kano.domain.okr.model``); the
rows only convert themselves into domain objects. Check-in edits are not versioned here:
whoever edits a check-in writes an audit entry with ``CheckInRow.audit_snapshot()`` of the
old values (``accounts.audit``), in the same transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from kano.adapters.db.orm.base import Base, WorkspaceScoped
from kano.domain.okr.model import (
    Commitment,
    Confidence,
    KeyResult,
    KeyResultKind,
    confidence_band,
)


class OkrCycleRow(WorkspaceScoped, Base):
    __tablename__ = "okr_cycles"
    __table_args__ = (
        UniqueConstraint("workspace_id", "key"),
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
    )

    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="quarter")  # quarter | year
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed


class OkrObjectiveRow(WorkspaceScoped, Base):
    """An OKR objective, aligned to a parent OKR objective and optionally to a scorecard
    objective; ``grade`` is set when the cycle closes."""

    __tablename__ = "okr_objectives"
    __table_args__ = (
        UniqueConstraint("workspace_id", "key"),
        CheckConstraint("grade IS NULL OR (grade >= 0 AND grade <= 1)", name="grade_range"),
    )

    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("okr_cycles.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(16), default="company")  # company | team | person
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), nullable=True, index=True
    )
    owner_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("okr_objectives.id", ondelete="SET NULL"), nullable=True, index=True
    )
    scorecard_objective_id: Mapped[int | None] = mapped_column(
        ForeignKey("objectives.id", ondelete="SET NULL"), nullable=True, index=True
    )
    commitment: Mapped[str] = mapped_column(String(16), default="committed")
    grade: Mapped[float | None] = mapped_column(Float, nullable=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)

    def commitment_kind(self) -> Commitment:
        return Commitment(self.commitment)


class KeyResultRow(WorkspaceScoped, Base):
    """A key result of one of the domain's kinds; ``carried_over_from_id`` links an
    unfinished key result to the one it continues from an earlier cycle."""

    __tablename__ = "key_results"
    __table_args__ = (
        UniqueConstraint("workspace_id", "key"),
        CheckConstraint("weight >= 0", name="weight_not_negative"),
        CheckConstraint(
            "milestones_done >= 0 AND milestones_done <= milestones_total",
            name="milestones_range",
        ),
    )

    okr_objective_id: Mapped[int] = mapped_column(
        ForeignKey("okr_objectives.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))  # metric | band | milestone | yes_no
    unit: Mapped[str | None] = mapped_column(String(32), nullable=True)
    start: Mapped[float | None] = mapped_column(Float, nullable=True)
    target: Mapped[float | None] = mapped_column(Float, nullable=True)
    current: Mapped[float | None] = mapped_column(Float, nullable=True)
    band_low: Mapped[float | None] = mapped_column(Float, nullable=True)
    band_high: Mapped[float | None] = mapped_column(Float, nullable=True)
    milestones_done: Mapped[int] = mapped_column(Integer, default=0)
    milestones_total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    metric_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    metric_slice: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The window a live binding computes over: cycle (so far) | month (``live_window``).
    per: Mapped[str] = mapped_column(String(8), default="cycle", server_default="cycle")
    # Set by a live binding (``kano compute``): the sample behind ``current`` and when.
    current_n: Mapped[int | None] = mapped_column(Integer, nullable=True)
    current_ci_low: Mapped[float | None] = mapped_column(Float, nullable=True)
    current_ci_high: Mapped[float | None] = mapped_column(Float, nullable=True)
    computed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    carried_over_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("key_results.id", ondelete="SET NULL"), nullable=True
    )
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    # The day it is due; the stores set the cycle's last day when none is given.
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)

    def to_domain(self, higher_is_better: bool | None = None) -> KeyResult:
        """``higher_is_better``: the direction of the metric it follows, when known."""
        return KeyResult(
            kind=KeyResultKind(self.kind),
            weight=self.weight,
            start=self.start,
            target=self.target,
            current=self.current,
            band_low=self.band_low,
            band_high=self.band_high,
            milestones_done=self.milestones_done,
            milestones_total=self.milestones_total,
            done=self.done,
            higher_is_better=higher_is_better,
        )


class CheckInRow(WorkspaceScoped, Base):
    """A check-in on a key result: the value then, confidence 0–10 and a comment."""

    __tablename__ = "check_ins"
    __table_args__ = (
        UniqueConstraint("key_result_id", "at"),
        CheckConstraint("confidence >= 0 AND confidence <= 10", name="confidence_range"),
    )

    key_result_id: Mapped[int] = mapped_column(ForeignKey("key_results.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    confidence: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    author_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )

    def confidence_band(self) -> Confidence:
        return confidence_band(self.confidence)

    def audit_snapshot(self) -> dict[str, Any]:
        """The editable values, JSON-ready, for the audit trail of an edit or deletion."""
        return {
            "at": self.at.isoformat(),
            "value": self.value,
            "confidence": self.confidence,
            "comment": self.comment,
            "author_user_id": self.author_user_id,
        }
