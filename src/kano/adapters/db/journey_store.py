"""Reading and writing journey maps in the app database, one workspace at a time.

Every query filters on ``workspace_id``. A workspace that has stages but no journey yet
(the demo company, an import) gets one journey per segment over its stages on first
read, so the journey map is never empty when there is data to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kano.adapters.db.orm import (
    InitiativeRow,
    JourneyStage,
    OkrObjectiveRow,
    Segment,
    Survey,
    Team,
    Touchpoint,
)
from kano.adapters.db.orm.journey_maps import (
    JourneyRow,
    JourneyStageOrderRow,
    PainPointLinkRow,
    TouchpointMeasureRow,
)
from kano.domain.journeys import Journey, JourneyStagePlan, JourneyTouchpoint
from kano.domain.journeys.templates import journeys_for_segments
from kano.domain.shared.errors import InvalidInput, NotFound


@dataclass(frozen=True)
class PainPointLink:
    touchpoint: str
    initiative: str | None
    okr_objective: str | None
    note: str
    created_at: datetime


def _touchpoints_by_stage(session: Session, ws: int) -> dict[int, list[JourneyTouchpoint]]:
    teams = dict(session.execute(select(Team.id, Team.key).where(Team.workspace_id == ws)).all())
    surveys: dict[int, list[str]] = {}
    for tp_id, key in session.execute(
        select(Survey.touchpoint_id, Survey.key).where(Survey.workspace_id == ws)
    ):
        if tp_id is not None:
            surveys.setdefault(tp_id, []).append(key)
    process: dict[int, list[str]] = {}
    for m in session.scalars(
        select(TouchpointMeasureRow).where(TouchpointMeasureRow.workspace_id == ws)
    ):
        target = surveys if m.kind == "survey" else process
        if m.ref not in target.setdefault(m.touchpoint_id, []):
            target[m.touchpoint_id].append(m.ref)
    out: dict[int, list[JourneyTouchpoint]] = {}
    rows = session.scalars(
        select(Touchpoint).where(Touchpoint.workspace_id == ws).order_by(Touchpoint.id)
    )
    for tp in rows:
        out.setdefault(tp.stage_id, []).append(
            JourneyTouchpoint(
                key=tp.key,
                name=tp.name,
                channel=tp.channel,
                owner_team=teams.get(tp.owner_team_id) if tp.owner_team_id else None,
                surveys=tuple(sorted(surveys.get(tp.id, []))),
                process_measures=tuple(sorted(process.get(tp.id, []))),
            )
        )
    return out


def ensure_journeys(session: Session, ws: int) -> None:
    """Seed one journey per segment over the workspace's stages if it has none.

    Two first requests can race to seed; the loser's savepoint rolls back on the unique
    key and it reads the winner's journeys (the same ones) instead of failing.
    """
    if session.scalar(select(JourneyRow.id).where(JourneyRow.workspace_id == ws).limit(1)):
        return
    try:
        with session.begin_nested():
            _seed_journeys(session, ws)
    except IntegrityError:
        pass  # another request seeded them first


def _seed_journeys(session: Session, ws: int) -> None:
    stages = session.scalars(
        select(JourneyStage).where(JourneyStage.workspace_id == ws).order_by(JourneyStage.position)
    ).all()
    if not stages:
        return
    segments = session.scalars(
        select(Segment).where(Segment.workspace_id == ws).order_by(Segment.id)
    ).all()
    seg_pairs = [(s.key, s.name) for s in segments] or [("all", "All customers")]
    tps = _touchpoints_by_stage(session, ws)
    plans = [(s.key, s.name, tps.get(s.id, [])) for s in stages]
    seg_ids = {s.key: s.id for s in segments}
    for journey in journeys_for_segments(seg_pairs, plans):
        row = JourneyRow(
            workspace_id=ws,
            key=journey.key,
            name=journey.name,
            kind=journey.kind,
            segment_id=seg_ids.get(journey.segment or ""),
        )
        session.add(row)
        session.flush()
        for position, stage in enumerate(stages, start=1):
            session.add(
                JourneyStageOrderRow(
                    workspace_id=ws, journey_id=row.id, stage_id=stage.id, position=position
                )
            )
    session.flush()


def _journey_row(session: Session, ws: int, key: str) -> JourneyRow:
    ensure_journeys(session, ws)
    row = session.scalar(
        select(JourneyRow).where(JourneyRow.workspace_id == ws, JourneyRow.key == key)
    )
    if row is None:
        raise NotFound("journey", key)
    return row


def _to_domain(
    session: Session,
    ws: int,
    row: JourneyRow,
    touchpoints: dict[int, list[JourneyTouchpoint]] | None = None,
) -> Journey:
    """``touchpoints``: the workspace's by stage, read once for several journeys."""
    tps = _touchpoints_by_stage(session, ws) if touchpoints is None else touchpoints
    stages = session.execute(
        select(JourneyStage)
        .join(JourneyStageOrderRow, JourneyStageOrderRow.stage_id == JourneyStage.id)
        .where(
            JourneyStageOrderRow.journey_id == row.id,
            JourneyStageOrderRow.workspace_id == ws,
        )
        .order_by(JourneyStageOrderRow.position)
    ).scalars()
    segment = (
        session.scalar(
            select(Segment.key).where(Segment.workspace_id == ws, Segment.id == row.segment_id)
        )
        if row.segment_id
        else None
    )
    return Journey(
        row.key,
        row.name,
        row.kind,
        segment,
        tuple(JourneyStagePlan(s.key, s.name, tuple(tps.get(s.id, []))) for s in stages),
    )


def list_journeys(session: Session, ws: int) -> list[Journey]:
    ensure_journeys(session, ws)
    rows = session.scalars(
        select(JourneyRow).where(JourneyRow.workspace_id == ws).order_by(JourneyRow.id)
    ).all()
    touchpoints = _touchpoints_by_stage(session, ws)  # shared by every journey
    return [_to_domain(session, ws, row, touchpoints) for row in rows]


def get_journey(session: Session, ws: int, key: str) -> Journey:
    ensure_journeys(session, ws)
    return _to_domain(session, ws, _journey_row(session, ws, key))


def reorder_stages(session: Session, ws: int, key: str, stage_keys: list[str]) -> Journey:
    """Store a new stage order (the domain checks it lists every stage once)."""
    journey = get_journey(session, ws, key).reordered(stage_keys)
    row = _journey_row(session, ws, key)
    ids = dict(
        session.execute(
            select(JourneyStage.key, JourneyStage.id).where(JourneyStage.workspace_id == ws)
        ).all()
    )
    orders = {
        o.stage_id: o
        for o in session.scalars(
            select(JourneyStageOrderRow).where(
                JourneyStageOrderRow.journey_id == row.id, JourneyStageOrderRow.workspace_id == ws
            )
        )
    }
    for position, stage_key in enumerate(journey.stage_keys, start=1):
        orders[ids[stage_key]].position = position
    session.flush()
    return journey


def link_pain_point(
    session: Session,
    ws: int,
    journey_key: str,
    touchpoint_key: str,
    *,
    initiative: str | None = None,
    okr_objective: str | None = None,
    note: str = "",
) -> PainPointLink:
    """Hand a pain point to an initiative or OKR objective (exactly one is required)."""
    if bool(initiative) == bool(okr_objective):
        raise InvalidInput("target", "link the pain point to one initiative or one OKR objective")
    journey = _journey_row(session, ws, journey_key)
    tp_id = session.scalar(
        select(Touchpoint.id).where(Touchpoint.workspace_id == ws, Touchpoint.key == touchpoint_key)
    )
    if tp_id is None:
        raise InvalidInput("touchpoint", f"unknown touchpoint {touchpoint_key!r}")
    initiative_id = okr_id = None
    if initiative:
        initiative_id = session.scalar(
            select(InitiativeRow.id).where(
                InitiativeRow.workspace_id == ws, InitiativeRow.key == initiative
            )
        )
        if initiative_id is None:
            raise InvalidInput("initiative", f"unknown initiative {initiative!r}")
    else:
        okr_id = session.scalar(
            select(OkrObjectiveRow.id).where(
                OkrObjectiveRow.workspace_id == ws, OkrObjectiveRow.key == okr_objective
            )
        )
        if okr_id is None:
            raise InvalidInput("okr_objective", f"unknown OKR objective {okr_objective!r}")
    if len(note) > 500:
        raise InvalidInput("note", "at most 500 characters")
    row = PainPointLinkRow(
        workspace_id=ws,
        journey_id=journey.id,
        touchpoint_id=tp_id,
        initiative_id=initiative_id,
        okr_objective_id=okr_id,
        note=note,
    )
    session.add(row)
    session.flush()
    return PainPointLink(touchpoint_key, initiative, okr_objective, note, row.created_at)


def pain_point_links(session: Session, ws: int, journey_key: str) -> list[PainPointLink]:
    journey = _journey_row(session, ws, journey_key)
    rows = session.execute(
        select(PainPointLinkRow, Touchpoint.key, InitiativeRow.key, OkrObjectiveRow.key)
        .join(Touchpoint, Touchpoint.id == PainPointLinkRow.touchpoint_id)
        .outerjoin(InitiativeRow, InitiativeRow.id == PainPointLinkRow.initiative_id)
        .outerjoin(OkrObjectiveRow, OkrObjectiveRow.id == PainPointLinkRow.okr_objective_id)
        .where(PainPointLinkRow.workspace_id == ws, PainPointLinkRow.journey_id == journey.id)
        .order_by(PainPointLinkRow.id)
    ).all()
    return [PainPointLink(tp, ini, okr, link.note, link.created_at) for link, tp, ini, okr in rows]


def create_journey(
    session: Session, ws: int, key: str, name: str, kind: str, segment: str | None
) -> Journey:
    """A new journey from the B2C or B2B template; stages of the template the workspace
    lacks are added after its existing ones (shared with its other journeys)."""
    from kano.domain.journeys.templates import template

    ensure_journeys(session, ws)
    planned = template(kind, key, name, segment)  # checks key, name and kind
    if session.scalar(select(JourneyRow.id).where(JourneyRow.workspace_id == ws,
                                                  JourneyRow.key == key)):  # fmt: skip
        raise InvalidInput("key", f"a journey {key!r} exists already")
    segment_id = None
    if segment:
        segment_id = session.scalar(
            select(Segment.id).where(Segment.workspace_id == ws, Segment.key == segment)
        )
        if segment_id is None:
            raise InvalidInput("segment", f"unknown segment {segment!r}")
    stages = {
        s.key: s
        for s in session.scalars(select(JourneyStage).where(JourneyStage.workspace_id == ws))
    }
    last = max((s.position for s in stages.values()), default=0)
    row = JourneyRow(workspace_id=ws, key=key, name=name, kind=kind, segment_id=segment_id)
    session.add(row)
    session.flush()
    for position, plan in enumerate(planned.stages, start=1):
        stage = stages.get(plan.key)
        if stage is None:
            last += 1
            stage = JourneyStage(workspace_id=ws, key=plan.key, name=plan.name, position=last)
            session.add(stage)
            session.flush()
        session.add(JourneyStageOrderRow(workspace_id=ws, journey_id=row.id, stage_id=stage.id,
                                         position=position))  # fmt: skip
    session.flush()
    return _to_domain(session, ws, row)


def add_touchpoint_measure(session: Session, ws: int, touchpoint: str, kind: str, ref: str) -> None:
    """Record that a survey measures the touchpoint, or a process measure lies behind it."""
    from kano.domain.journeys.model import check_key

    if kind not in ("survey", "process"):
        raise InvalidInput("kind", "survey or process")
    check_key("ref", ref.replace(".", "-"))
    tp_id = session.scalar(
        select(Touchpoint.id).where(Touchpoint.workspace_id == ws, Touchpoint.key == touchpoint)
    )
    if tp_id is None:
        raise NotFound("touchpoint", touchpoint)
    if kind == "survey" and not session.scalar(
        select(Survey.id).where(Survey.workspace_id == ws, Survey.key == ref)
    ):
        raise InvalidInput("ref", f"unknown survey {ref!r}")
    exists = session.scalar(select(TouchpointMeasureRow.id).where(
        TouchpointMeasureRow.workspace_id == ws, TouchpointMeasureRow.touchpoint_id == tp_id,
        TouchpointMeasureRow.kind == kind, TouchpointMeasureRow.ref == ref))  # fmt: skip
    if not exists:
        session.add(TouchpointMeasureRow(workspace_id=ws, touchpoint_id=tp_id, kind=kind, ref=ref))
        session.flush()


def update_touchpoint(
    session: Session, ws: int, touchpoint: str, *, name: str | None = None,
    channel: str | None = None, owner_team: str | None = None, stage: str | None = None,
) -> tuple[Touchpoint, dict[str, dict[str, object]]]:
    """Rename a touchpoint, move it to another stage or channel, or give it another owner
    team; the row and what changed (``{column: {from, to}}``) for the audit log."""
    row = session.scalar(
        select(Touchpoint).where(Touchpoint.workspace_id == ws, Touchpoint.key == touchpoint)
    )
    if row is None:
        raise NotFound("touchpoint", touchpoint)
    values: dict[str, object] = {}
    if name is not None:
        if not name.strip():
            raise InvalidInput("name", "must not be empty")
        values["name"] = name.strip()
    if channel is not None:
        if not channel.strip():
            raise InvalidInput("channel", "must not be empty")
        values["channel"] = channel.strip()
    if owner_team is not None:
        team_id = session.scalar(select(Team.id).where(Team.workspace_id == ws,
                                                       Team.key == owner_team))  # fmt: skip
        if team_id is None:
            raise InvalidInput("owner_team", f"unknown team {owner_team!r}")
        values["owner_team_id"] = team_id
    if stage is not None:
        stage_id = session.scalar(select(JourneyStage.id).where(
            JourneyStage.workspace_id == ws, JourneyStage.key == stage))  # fmt: skip
        if stage_id is None:
            raise InvalidInput("stage", f"unknown stage {stage!r}")
        values["stage_id"] = stage_id
    changes: dict[str, dict[str, object]] = {}
    for column, value in values.items():
        old = getattr(row, column)
        if old != value:
            changes[column] = {"from": old, "to": value}
            setattr(row, column, value)
    session.flush()
    return row, changes
