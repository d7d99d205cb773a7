"""CX layer: surveys and the feedback responses that customers give."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from kano.adapters.db.orm.base import Base, BigId, WorkspaceScoped, utcnow


class Survey(WorkspaceScoped, Base):
    __tablename__ = "surveys"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    touchpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="SET NULL"), nullable=True
    )
    # "open" or "closed" (migration 0028): a closed survey takes no answers on any channel
    # and sends no invitations (survey_store.set_survey_status).
    status: Mapped[str] = mapped_column(String(16), default="open", server_default="open")


class FeedbackResponse(WorkspaceScoped, Base):
    __tablename__ = "feedback_responses"
    __table_args__ = (
        Index("ix_feedback_responses_ws_time", "workspace_id", "submitted_at"),
        Index(
            "ix_feedback_responses_ws_touchpoint_time",
            "workspace_id",
            "touchpoint_id",
            "submitted_at",
        ),
        Index("ix_feedback_responses_ws_customer", "workspace_id", "customer_id"),
        # the file import's row keys (migration 0013); rows without one are not indexed
        Index(
            "uq_feedback_responses_ws_import_key",
            "workspace_id",
            "import_key",
            unique=True,
            postgresql_where=text("import_key IS NOT NULL"),
            sqlite_where=text("import_key IS NOT NULL"),
        ),
    )

    # No index of its own: the composite indexes above all start with it (migration 0013).
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))

    survey_id: Mapped[int | None] = mapped_column(
        ForeignKey("surveys.id", ondelete="SET NULL"), nullable=True
    )
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), nullable=True
    )
    touchpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="SET NULL"), nullable=True
    )
    transaction_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    channel: Mapped[str] = mapped_column(String(32))
    submitted_at: Mapped[datetime] = mapped_column(DateTime)
    nps: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    csat: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    ces: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    rating: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # ``kano feedback import``'s key of the file row (a re-import skips it); else NULL
    import_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
