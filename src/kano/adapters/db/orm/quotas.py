"""Survey quotas (SPEC 2.4): how many responses a survey takes, overall or of one kind.

A quota's condition is any combination of channel, language, segment (the customer's),
touchpoint and one answer (question and option) (None: any). ``filled`` is the counter
that intake updates in the same transaction as the response; the link page, the widget
and e-mail invitation links only take a response while ``filled < response_limit`` (a
conditional UPDATE, so two racing respondents cannot both take the last place). See
``kano.adapters.db.quotas``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kano.adapters.db.orm.base import Base, WorkspaceScoped, utcnow


class SurveyQuotaRow(WorkspaceScoped, Base):
    __tablename__ = "survey_quotas"
    __table_args__ = (
        UniqueConstraint("survey_id", "name"),
        CheckConstraint("response_limit > 0", name="positive_limit"),
        CheckConstraint("filled >= 0", name="filled_not_negative"),
    )

    # the unique (survey_id, name) index serves "the quotas of a survey"
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    response_limit: Mapped[int] = mapped_column(Integer)
    filled: Mapped[int] = mapped_column(Integer, default=0)
    channel: Mapped[str | None] = mapped_column(String(32), nullable=True)
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    # A quota whose segment or touchpoint is deleted goes with it: it must never silently
    # widen to "any segment".
    segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("segments.id", ondelete="CASCADE"), nullable=True
    )
    touchpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="CASCADE"), nullable=True
    )
    # One answer (both set, migration 0031): an option of a single or multi choice question.
    question_key: Mapped[str | None] = mapped_column(String(40), nullable=True)
    option_key: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
