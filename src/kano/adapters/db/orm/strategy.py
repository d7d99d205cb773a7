"""Balanced Scorecard tables: scorecards, perspectives, objectives, measures and their values,
cause–effect links and initiatives (SPEC §2.7).

Class names end in ``Row`` because the domain owns the plain names (``Thresholds``,
``KeyResult`` …); a row hands its numbers to the domain instead of scoring them itself.
Every row has a stable ``key`` so strategy-as-code files can refer to it without ids.
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
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from kano.adapters.db.orm.base import Base, WorkspaceScoped
from kano.domain.strategy.scoring import Direction, MeasureScore, Thresholds, score_measure


class ScorecardRow(WorkspaceScoped, Base):
    """A scorecard at one level of the cascade company → department → team."""

    __tablename__ = "scorecards"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16), default="company")  # company|department|team
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("scorecards.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # The team a department or team scorecard belongs to (migration 0030); none for the
    # company's. Deleting the team keeps the scorecard.
    owner_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), nullable=True, index=True
    )


class PerspectiveRow(WorkspaceScoped, Base):
    """A band of the strategy map. Keys are unique per scorecard, not per workspace, so every
    scorecard of the cascade can have its own ``financial`` perspective."""

    __tablename__ = "perspectives"
    __table_args__ = (UniqueConstraint("scorecard_id", "key"),)

    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(SmallInteger, default=0)


class ObjectiveRow(WorkspaceScoped, Base):
    """A strategic objective; ``aligned_to_id`` points to the objective it serves in a parent
    scorecard (the cascade's alignment link)."""

    __tablename__ = "objectives"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    perspective_id: Mapped[int] = mapped_column(
        ForeignKey("perspectives.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    customer_voice: Mapped[str | None] = mapped_column(String(300), nullable=True)
    owner_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    owner_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), nullable=True
    )
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    aligned_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("objectives.id", ondelete="SET NULL"), nullable=True, index=True
    )


class MeasureRow(WorkspaceScoped, Base):
    """How an objective is measured. ``kind`` splits the customer perspective into what
    customers say and what they do; ``metric_id`` + ``metric_slice`` bind it to a metric."""

    __tablename__ = "measures"
    __table_args__ = (
        UniqueConstraint("workspace_id", "key"),
        CheckConstraint("weight >= 0", name="weight_not_negative"),
    )

    objective_id: Mapped[int] = mapped_column(
        ForeignKey("objectives.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(32), nullable=True)
    direction: Mapped[str] = mapped_column(String(8))  # higher | lower | band
    baseline: Mapped[float | None] = mapped_column(Float, nullable=True)
    target: Mapped[float | None] = mapped_column(Float, nullable=True)
    amber_from: Mapped[float | None] = mapped_column(Float, nullable=True)
    green_from: Mapped[float | None] = mapped_column(Float, nullable=True)
    band_low: Mapped[float | None] = mapped_column(Float, nullable=True)
    band_high: Mapped[float | None] = mapped_column(Float, nullable=True)
    tolerance: Mapped[float | None] = mapped_column(Float, nullable=True)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    frequency: Mapped[str] = mapped_column(String(16), default="monthly")
    kind: Mapped[str] = mapped_column(String(8), default="other")  # say | do | other
    metric_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    metric_slice: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)

    def thresholds(self) -> Thresholds:
        """The domain's thresholds (raises InvalidInput if the stored numbers disagree)."""
        return Thresholds(
            direction=Direction(self.direction),
            amber_from=self.amber_from,
            green_from=self.green_from,
            target=self.target,
            band_low=self.band_low,
            band_high=self.band_high,
            tolerance=self.tolerance,
        )

    def score(self, value: float | None) -> MeasureScore:
        return score_measure(value, self.thresholds())


class MeasureValueRow(WorkspaceScoped, Base):
    """Actual and target of a measure for one period; ``n`` and the interval come with
    values computed from a metric so the UI can show how sure a number is."""

    __tablename__ = "measure_values"
    __table_args__ = (UniqueConstraint("measure_id", "period_start"),)

    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id", ondelete="CASCADE"))
    period_start: Mapped[date] = mapped_column(Date)
    actual: Mapped[float | None] = mapped_column(Float, nullable=True)
    target: Mapped[float | None] = mapped_column(Float, nullable=True)
    source: Mapped[str] = mapped_column(String(16), default="manual")  # manual | metric
    n: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ci_low: Mapped[float | None] = mapped_column(Float, nullable=True)
    ci_high: Mapped[float | None] = mapped_column(Float, nullable=True)
    computed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class CauseEffectLinkRow(WorkspaceScoped, Base):
    """An arrow of the strategy map drawn on ``scorecard_id``: the hypothesis that moving
    the cause moves the effect, ``lag_months`` later."""

    __tablename__ = "cause_effect_links"
    __table_args__ = (
        UniqueConstraint("scorecard_id", "cause_id", "effect_id"),
        CheckConstraint("cause_id <> effect_id", name="not_a_loop"),
    )

    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id", ondelete="CASCADE"))
    cause_id: Mapped[int] = mapped_column(
        ForeignKey("objectives.id", ondelete="CASCADE"), index=True
    )
    effect_id: Mapped[int] = mapped_column(
        ForeignKey("objectives.id", ondelete="CASCADE"), index=True
    )
    hypothesis: Mapped[str | None] = mapped_column(Text, nullable=True)
    lag_months: Mapped[int] = mapped_column(SmallInteger, default=0)


class InitiativeRow(WorkspaceScoped, Base):
    """A project that serves objectives of one scorecard."""

    __tablename__ = "initiatives"
    __table_args__ = (
        UniqueConstraint("workspace_id", "key"),
        CheckConstraint("budget IS NULL OR budget >= 0", name="budget_not_negative"),
    )

    scorecard_id: Mapped[int] = mapped_column(
        ForeignKey("scorecards.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    owner_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    owner_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), nullable=True
    )
    budget: Mapped[float | None] = mapped_column(Float, nullable=True)
    starts_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # planned | active | on_hold | done | cancelled
    status: Mapped[str] = mapped_column(String(16), default="planned")


class InitiativeObjectiveRow(WorkspaceScoped, Base):
    """Which objectives an initiative serves (many to many)."""

    __tablename__ = "initiative_objectives"
    __table_args__ = (UniqueConstraint("initiative_id", "objective_id"),)

    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"))
    objective_id: Mapped[int] = mapped_column(
        ForeignKey("objectives.id", ondelete="CASCADE"), index=True
    )
