"""Messages that must leave Kano exactly once, and requests that must count only once.

``outbox`` rows are written in the same transaction as what they announce (an accepted
response), so a message exists if and only if its cause was stored; ``kano worker``
delivers them with retries and back-off. ``dedupe_key`` is unique and travels with the
message (``webhook-id``, ``Message-ID``), so a crash between sending and marking as sent
is repeated with the same id and the receiver can drop the copy.

``idempotency_keys`` remember the outcome of a request sent with an ``Idempotency-Key``
header: the same key again returns the stored outcome and stores nothing new.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from kano.adapters.db.orm.base import Base, BigId, WorkspaceScoped, utcnow


class OutboxMessageRow(WorkspaceScoped, Base):
    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
        # Each endpoint's messages by status: the settings page's delivery counts read
        # only this index (an index-only scan), and deleting an endpoint finds the messages
        # its foreign key cascades to. E-mails (no endpoint) are left out of it.
        Index("ix_outbox_webhook_endpoint_id", "webhook_endpoint_id", "status",
              postgresql_where=text("webhook_endpoint_id IS NOT NULL"),
              sqlite_where=text("webhook_endpoint_id IS NOT NULL")),
    )

    kind: Mapped[str] = mapped_column(String(16))  # email | webhook
    purpose: Mapped[str] = mapped_column(String(32))  # acknowledgement | …
    dedupe_key: Mapped[str] = mapped_column(String(128))
    recipient: Mapped[str] = mapped_column(String(2048))  # an e-mail address or a URL
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_responses.id", ondelete="SET NULL"), nullable=True, index=True
    )
    webhook_endpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), nullable=True
    )
    # pending | sent | failed | bounced (the relay took it, then returned a bounce)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class WebhookEndpointRow(WorkspaceScoped, Base):
    """Where a workspace wants its events posted, signed with its ``whsec_`` secret.

    The secret is stored as given: signing needs it in clear (Standard Webhooks), unlike
    API tokens, which are only ever compared and are stored hashed. After a rotation the
    secret it replaced is kept (``previous_secret``, stored the same way) with the end of
    its overlap (``previous_secret_until``, naive UTC: the rotation's time plus the
    rotating server's ``KANO_WEBHOOK_SECRET_OVERLAP_HOURS``, fixed then): until it,
    deliveries carry a signature under each, so a receiver not yet given the new secret
    still accepts them. Only the last replaced secret is kept; none after a rotation with
    no overlap.
    """

    __tablename__ = "webhook_endpoints"

    url: Mapped[str] = mapped_column(String(2048))
    secret: Mapped[str] = mapped_column(String(128))
    previous_secret: Mapped[str | None] = mapped_column(String(128), nullable=True)
    previous_secret_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class IdempotencyKeyRow(WorkspaceScoped, Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[Any] = mapped_column(JSON)
    # Indexed for the worker, which forgets keys older than KANO_IDEMPOTENCY_KEY_DAYS.
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    response_id: Mapped[int | None] = mapped_column(BigId, nullable=True)


class EmailBounceRow(WorkspaceScoped, Base):
    """A bounce (delivery status notification) matched to the outbox message it returns.

    Permanent (5.x.x) and transient (4.x.x) bounces alike; the same bounce read twice is
    one row (the unique key), so recording it again changes nothing.
    """

    __tablename__ = "email_bounces"
    __table_args__ = (UniqueConstraint("outbox_id", "recipient", "status_code"),)

    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(String(320))
    status_code: Mapped[str] = mapped_column(String(16))  # e.g. 5.1.1
    permanent: Mapped[bool] = mapped_column(Boolean)
    diagnostic: Mapped[str | None] = mapped_column(Text, nullable=True)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
