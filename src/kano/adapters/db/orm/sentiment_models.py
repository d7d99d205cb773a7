"""A workspace's stored sentiment model (``kano text train``, the worker after a warehouse
load): plain numbers only — the coefficients as float32 bytes, the intercept and the
hashing vectoriser's parameters (:mod:`kano.analytics.text.stored`); never a pickle."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kano.adapters.db.orm.base import Base, WorkspaceScoped


class SentimentModelRow(WorkspaceScoped, Base):
    __tablename__ = "sentiment_models"
    __table_args__ = (UniqueConstraint("workspace_id"),)

    status: Mapped[str] = mapped_column(String(32))  # trained | too_few_labelled
    message: Mapped[str] = mapped_column(String(500))
    trained_at: Mapped[datetime] = mapped_column(DateTime)
    comments_fingerprint: Mapped[str | None] = mapped_column(String(200), nullable=True)
    labelled: Mapped[int] = mapped_column(Integer)
    negative: Mapped[int] = mapped_column(Integer)
    positive: Mapped[int] = mapped_column(Integer)
    trained_on: Mapped[int] = mapped_column(Integer, default=0)
    folds: Mapped[int] = mapped_column(Integer, default=0)
    accuracy: Mapped[float | None] = mapped_column(Float, nullable=True)
    macro_f1: Mapped[float | None] = mapped_column(Float, nullable=True)
    vectorizer: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)
    coefficients: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    intercept: Mapped[float | None] = mapped_column(Float, nullable=True)
