"""Journey maps: a journey per segment over ordered stages, what measures each touchpoint,
and the links from a pain point to the initiative or OKR objective that will fix it.

Stages and touchpoints themselves live in ``journeys.py`` (they are shared by every
journey of the workspace and by the warehouse); a journey only orders a subset of them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kano.adapters.db.orm.base import Base, WorkspaceScoped, utcnow


class JourneyRow(WorkspaceScoped, Base):
    __tablename__ = "journeys"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(8))  # b2c | b2b
    segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("segments.id", ondelete="SET NULL"), nullable=True
    )


class JourneyStageOrderRow(WorkspaceScoped, Base):
    """Which stages a journey passes through, and in which order."""

    __tablename__ = "journey_stage_orders"
    __table_args__ = (UniqueConstraint("journey_id", "stage_id"),)

    journey_id: Mapped[int] = mapped_column(
        ForeignKey("journeys.id", ondelete="CASCADE"), index=True
    )
    stage_id: Mapped[int] = mapped_column(ForeignKey("journey_stages.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)


class TouchpointMeasureRow(WorkspaceScoped, Base):
    """A survey that measures a touchpoint (``kind='survey'``) or a process measure
    behind it (``kind='process'``, a metric id or process-event kind)."""

    __tablename__ = "touchpoint_measures"
    __table_args__ = (UniqueConstraint("touchpoint_id", "kind", "ref"),)

    touchpoint_id: Mapped[int] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    ref: Mapped[str] = mapped_column(String(64))


class PainPointLinkRow(WorkspaceScoped, Base):
    """A pain point (journey × touchpoint) handed to an initiative or an OKR objective."""

    __tablename__ = "pain_point_links"

    journey_id: Mapped[int] = mapped_column(
        ForeignKey("journeys.id", ondelete="CASCADE"), index=True
    )
    touchpoint_id: Mapped[int] = mapped_column(ForeignKey("touchpoints.id", ondelete="CASCADE"))
    initiative_id: Mapped[int | None] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), nullable=True
    )
    okr_objective_id: Mapped[int | None] = mapped_column(
        ForeignKey("okr_objectives.id", ondelete="CASCADE"), nullable=True
    )
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
