"""Results of testing the strategy map's arrows on the data (and the links Kano proposes).

Rewritten for a scorecard each time its links are tested (``kano compute``, the worker,
``kano analyze links --map``), so the map page reads them instead of fitting regressions
while someone waits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kano.adapters.db.orm.base import Base, WorkspaceScoped, utcnow


class LinkTestRow(WorkspaceScoped, Base):
    __tablename__ = "link_tests"

    scorecard_id: Mapped[int] = mapped_column(
        ForeignKey("scorecards.id", ondelete="CASCADE"), index=True
    )
    cause_id: Mapped[int] = mapped_column(ForeignKey("objectives.id", ondelete="CASCADE"))
    effect_id: Mapped[int] = mapped_column(ForeignKey("objectives.id", ondelete="CASCADE"))
    proposed: Mapped[bool] = mapped_column(Boolean, default=False)
    verdict: Mapped[str] = mapped_column(String(24))
    cause_measure: Mapped[str | None] = mapped_column(String(64), nullable=True)
    effect_measure: Mapped[str | None] = mapped_column(String(64), nullable=True)
    cause_metric: Mapped[str | None] = mapped_column(String(64), nullable=True)
    effect_metric: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lag: Mapped[str | None] = mapped_column(String(8), nullable=True)
    estimate: Mapped[float | None] = mapped_column(Float, nullable=True)
    ci_low: Mapped[float | None] = mapped_column(Float, nullable=True)
    ci_high: Mapped[float | None] = mapped_column(Float, nullable=True)
    standardized: Mapped[float | None] = mapped_column(Float, nullable=True)
    p_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
    method: Mapped[str | None] = mapped_column(String(120), nullable=True)
    tested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
