"""MBO tables: one review sheet per employee and period, with weighted personal objectives.

Whether the weights add up to 100 % is the domain's rule (``validate_weights``); a sheet
being drafted may not add up yet, so the database does not enforce it. An employee has one
sheet per period: the unique index ``ix_mbo_sheets_employee_period`` (migration 0035),
behind the store's own check (``mbo_store.free_period``).
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from kano.adapters.db.orm.base import Base, WorkspaceScoped
from kano.domain.mbo.model import PersonalObjective


class MboSheetRow(WorkspaceScoped, Base):
    __tablename__ = "mbo_sheets"
    __table_args__ = (
        UniqueConstraint("workspace_id", "key"),
        Index("ix_mbo_sheets_employee_period", "workspace_id", "employee_id", "period_label",
              unique=True),
    )

    key: Mapped[str] = mapped_column(String(64))
    employee_id: Mapped[int] = mapped_column(
        ForeignKey("employees.id", ondelete="CASCADE"), index=True
    )
    period_label: Mapped[str] = mapped_column(String(32))  # "2026", "2026-H1" …
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft|agreed|reviewed
    # The reviewer's comment on the whole sheet (who wrote it and when: the audit log).
    review_comment: Mapped[str | None] = mapped_column(String(2000), nullable=True)


class MboObjectiveRow(WorkspaceScoped, Base):
    """A personal objective; keys are unique per sheet. It may serve an OKR objective or a
    scorecard objective, which is how MBO connects to the strategy."""

    __tablename__ = "mbo_objectives"
    __table_args__ = (
        UniqueConstraint("sheet_id", "key"),
        CheckConstraint("weight_percent > 0", name="weight_positive"),
    )

    sheet_id: Mapped[int] = mapped_column(ForeignKey("mbo_sheets.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    weight_percent: Mapped[float] = mapped_column(Float)
    achievement_percent: Mapped[float | None] = mapped_column(Float, nullable=True)
    okr_objective_id: Mapped[int | None] = mapped_column(
        ForeignKey("okr_objectives.id", ondelete="SET NULL"), nullable=True, index=True
    )
    scorecard_objective_id: Mapped[int | None] = mapped_column(
        ForeignKey("objectives.id", ondelete="SET NULL"), nullable=True, index=True
    )
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    # The reviewer's comment on the achievement (who wrote it and when: the audit log).
    review_comment: Mapped[str | None] = mapped_column(String(2000), nullable=True)

    def to_domain(self) -> PersonalObjective:
        return PersonalObjective(
            title=self.title,
            weight_percent=self.weight_percent,
            achievement_percent=self.achievement_percent,
        )
