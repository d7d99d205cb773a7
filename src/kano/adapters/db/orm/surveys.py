"""Survey definitions (the questions, checked by ``kano.domain.feedback.surveys``) and the
answers that do not fit a response's score columns (choices, further texts, Kano pairs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kano.adapters.db.orm.base import Base, WorkspaceScoped, utcnow


class SurveyDefinitionRow(WorkspaceScoped, Base):
    """The questions of one survey, as ``SurveyDefinition.to_dict()`` writes them."""

    __tablename__ = "survey_definitions"

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), unique=True
    )
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ResponseAnswerRow(WorkspaceScoped, Base):
    __tablename__ = "response_answers"
    __table_args__ = (Index("ix_response_answers_response_question", "response_id", "question"),)

    response_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_responses.id", ondelete="CASCADE")
    )
    question: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(Text)
    kano_category: Mapped[str | None] = mapped_column(String(16), nullable=True)
