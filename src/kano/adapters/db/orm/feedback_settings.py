"""A workspace's own feedback settings (survey fatigue window, reminder delay).

One optional row per workspace; a NULL column (or no row) means the server default
(``KANO_SURVEY_FATIGUE_DAYS``, ``KANO_SURVEY_REMINDER_DAYS``). See
``kano.adapters.db.feedback_settings`` for reading and changing them.

``acknowledgement_texts``: the workspace's own wording of the acknowledgement e-mail,
language → part → text (NULL: the built-in texts); see
``kano.adapters.db.acknowledgement_texts``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from kano.adapters.db.orm.base import Base, BigId, utcnow


class WorkspaceFeedbackSettingsRow(Base):
    __tablename__ = "workspace_feedback_settings"
    __table_args__ = (
        CheckConstraint("survey_fatigue_days BETWEEN 0 AND 3650", name="fatigue_days_range"),
        CheckConstraint("survey_reminder_days BETWEEN 1 AND 365", name="reminder_days_range"),
    )

    workspace_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    survey_fatigue_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    survey_reminder_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    acknowledgement_texts: Mapped[dict[str, dict[str, str]] | None] = mapped_column(
        JSON, nullable=True
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
