"""A workspace's own case rules and its routing table (no rows: the default rules and
the touchpoint's owner team). Teams, segments and touchpoints are named by key, as in the
API and the YAML file; the API checks the keys exist when the list is saved."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Float, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kano.adapters.db.orm.base import Base, WorkspaceScoped


class CaseRuleRow(WorkspaceScoped, Base):
    __tablename__ = "case_rules"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # score | keyword | vip | segment | sentiment
    question: Mapped[str | None] = mapped_column(String(16), nullable=True)
    comparison: Mapped[str] = mapped_column(String(2), default="<=")
    threshold: Mapped[int] = mapped_column(Integer, default=0)
    keywords: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    segment_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    vip_attribute: Mapped[bool] = mapped_column(Boolean, default=False)
    vip_accounts: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    priority: Mapped[int] = mapped_column(SmallInteger, default=2)
    first_response_hours: Mapped[float] = mapped_column(Float)
    resolution_hours: Mapped[float] = mapped_column(Float)
    team_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    threshold_probability: Mapped[float | None] = mapped_column(Float, nullable=True)


class CaseRouteRow(WorkspaceScoped, Base):
    __tablename__ = "case_routes"

    position: Mapped[int] = mapped_column(Integer)
    touchpoint_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    segment_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    team_key: Mapped[str] = mapped_column(String(64))
