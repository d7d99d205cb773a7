"""Journey stages and touchpoints (stage × channel, owned by a team)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kano.adapters.db.orm.base import Base, WorkspaceScoped


class JourneyStage(WorkspaceScoped, Base):
    __tablename__ = "journey_stages"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(SmallInteger)


class Touchpoint(WorkspaceScoped, Base):
    __tablename__ = "touchpoints"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    stage_id: Mapped[int] = mapped_column(
        ForeignKey("journey_stages.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(32))
    owner_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), nullable=True
    )
