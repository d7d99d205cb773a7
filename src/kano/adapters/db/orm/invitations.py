"""E-mail invitations to a survey: one signed, single-use link per contact.

An invitation row exists for every e-mail sent (``message_id``, the outbox row written in
the same transaction) and is the fatigue record: a contact with an invitation younger
than ``KANO_SURVEY_FATIGUE_DAYS`` is not invited again, whatever the survey.
``response_id`` is set once, by the first answer through the link (a conditional UPDATE:
the second answer finds it set and is refused). ``reminded_at`` is set once, by the worker
that claims the reminder.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kano.adapters.db.orm.base import Base, WorkspaceScoped, utcnow


class InvitationRow(WorkspaceScoped, Base):
    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("nonce"),
        UniqueConstraint("response_id"),
        Index("ix_invitations_ws_customer_time", "workspace_id", "customer_id", "invited_at"),
        Index("ix_invitations_reminder_due", "reminded_at", "answered_at", "invited_at"),
    )

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(8), default="en")
    nonce: Mapped[str] = mapped_column(String(32))
    invited_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Indexed: deleting outbox rows (a webhook endpoint's messages go with it) looks each
    # one up here; without an index that was a scan of every invitation per message.
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox.id", ondelete="SET NULL"), nullable=True, index=True
    )
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    reminder_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox.id", ondelete="SET NULL"), nullable=True, index=True
    )
    answered_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_responses.id", ondelete="SET NULL"), nullable=True
    )
