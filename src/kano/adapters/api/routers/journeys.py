"""``/journeys``: the workspace's journey maps and each journey's ranked pain points --
the same numbers as the journey-map page and ``kano analyze painpoints``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response

from kano.adapters.api.deps import ReadAccess, SessionDep
from kano.adapters.api.editing import EditorDep, MemberWriteAccess, record
from kano.adapters.api.errors import problem_responses
from kano.adapters.api.schemas.journeys import (
    JourneyCreate,
    JourneyOut,
    Journeys,
    PainPointLinkIn,
    PainPointLinkOut,
    PainPointLinks,
    PainPointOut,
    PainPoints,
    StageOrder,
    TouchpointMeasureIn,
    TouchpointOut,
    TouchpointUpdate,
)
from kano.adapters.api.schemas.problems import Problem
from kano.adapters.api.warehouse_access import WAREHOUSE_RESPONSES, on_warehouse
from kano.adapters.db import journey_store
from kano.adapters.db.orm import JourneyStage, Team
from kano.domain.journeys import Journey
from kano.domain.shared.errors import NotFound

router = APIRouter(prefix="/journeys", tags=["journeys"])
_RESPONSES = {**WAREHOUSE_RESPONSES, **problem_responses(404)}


def _write_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Problems of a route with a JSON body: also 400 when the body cannot be read."""
    responses = problem_responses(*statuses)
    responses[400] = {"model": Problem, "description": "The body is not readable JSON."}
    return responses


def _journey_out(journey: Journey) -> JourneyOut:
    return JourneyOut.model_validate(
        {
            "key": journey.key,
            "name": journey.name,
            "kind": journey.kind,
            "segment": journey.segment,
            "stages": [
                {
                    "key": s.key,
                    "name": s.name,
                    "touchpoints": [
                        {
                            "key": t.key,
                            "name": t.name,
                            "channel": t.channel,
                            "owner_team": t.owner_team,
                            "surveys": list(t.surveys),
                            "process_measures": list(t.process_measures),
                        }
                        for t in s.touchpoints
                    ],
                }
                for s in journey.stages
            ],
        }
    )


@router.get("", summary="List journey maps", response_model=Journeys,
            responses=problem_responses(401, 403, 500))  # fmt: skip
def list_journeys(caller: ReadAccess, session: SessionDep) -> Journeys:
    """One journey per segment (B2B ones with buying-committee stages), stages in order,
    touchpoints with their channel, owner team, surveys and process measures."""
    journeys = journey_store.list_journeys(session, caller.workspace_id)
    return Journeys(items=[_journey_out(j) for j in journeys])


@router.get("/{key}/painpoints", summary="Rank a journey's pain points",
            response_model=PainPoints, responses=_RESPONSES)  # fmt: skip
def get_journey_pain_points(
    caller: ReadAccess,
    session: SessionDep,
    request: Request,
    key: str,
    segment: Annotated[
        str | None,
        Query(
            max_length=64,
            description="Segment key (default: the journey's; `*` for every customer).",
        ),
    ] = None,
    from_: Annotated[date | None, Query(alias="from", description="First day (inclusive).")] = (
        None
    ),
    to: Annotated[date | None, Query(description="Last day (exclusive).")] = None,
) -> PainPoints:
    """Touchpoints worst first: score with n and 95 % interval, gap to the bar, trend,
    negative comments, churn uplift and revenue at risk with its interval."""
    # Imported here: the pain-point models load statsmodels, which start-up must not pay.
    from kano.analytics.journeys.report import as_dict, journey_pain_points

    try:
        journey = journey_store.get_journey(session, caller.workspace_id, key)
    except NotFound as error:
        raise HTTPException(404, detail=f"No journey {key!r} in this workspace.") from error

    def work(backend: Any) -> list[Any]:
        return journey_pain_points(
            backend, caller.workspace_id, journey, segment=segment, start=from_, end=to
        )

    points = on_warehouse(request, work)
    chosen = journey.segment if segment is None else (None if segment == "*" else segment)
    return PainPoints(
        journey=journey.key,
        segment=chosen,
        items=[PainPointOut.model_validate(as_dict(p)) for p in points],
    )


def _missing_journey(session: SessionDep, key: str) -> HTTPException:
    session.rollback()
    return HTTPException(404, detail=f"No journey {key!r} in this workspace.")


@router.post(
    "",
    summary="Create a journey from a template",
    status_code=201,
    response_model=JourneyOut,
    responses=_write_responses(401, 403, 422, 500),
)
def create_journey(
    caller: MemberWriteAccess, session: SessionDep, body: JourneyCreate
) -> JourneyOut:
    """A B2C journey, or a B2B one with the buying committee's stages; stages the
    workspace lacks are added."""
    journey = journey_store.create_journey(
        session, caller.workspace_id, body.key, body.name, body.kind, body.segment
    )
    session.commit()
    return _journey_out(journey)


@router.put(
    "/{key}/stages",
    summary="Reorder a journey's stages",
    response_model=JourneyOut,
    responses=_write_responses(401, 403, 404, 422, 500),
)
def reorder_journey_stages(
    caller: MemberWriteAccess, session: SessionDep, key: str, body: StageOrder
) -> JourneyOut:
    try:
        journey = journey_store.reorder_stages(session, caller.workspace_id, key, body.stages)
    except NotFound as error:
        raise _missing_journey(session, key) from error
    session.commit()
    return _journey_out(journey)


@router.get(
    "/{key}/links",
    summary="Pain points handed over",
    response_model=PainPointLinks,
    responses=problem_responses(401, 403, 404, 422, 500),
)
def list_pain_point_links(caller: ReadAccess, session: SessionDep, key: str) -> PainPointLinks:
    try:
        links = journey_store.pain_point_links(session, caller.workspace_id, key)
    except NotFound as error:
        raise _missing_journey(session, key) from error
    return PainPointLinks(
        items=[
            PainPointLinkOut(
                touchpoint=link.touchpoint,
                initiative=link.initiative,
                okr_objective=link.okr_objective,
                note=link.note,
            )
            for link in links
        ]
    )


@router.post(
    "/{key}/links",
    summary="Hand a pain point to an initiative or OKR objective",
    status_code=201,
    response_model=PainPointLinkOut,
    responses=_write_responses(401, 403, 404, 422, 500),
)
def link_journey_pain_point(
    caller: MemberWriteAccess, session: SessionDep, key: str, body: PainPointLinkIn
) -> PainPointLinkOut:
    try:
        link = journey_store.link_pain_point(
            session,
            caller.workspace_id,
            key,
            body.touchpoint,
            initiative=body.initiative,
            okr_objective=body.okr_objective,
            note=body.note,
        )
    except NotFound as error:
        raise _missing_journey(session, key) from error
    session.commit()
    return PainPointLinkOut(
        touchpoint=link.touchpoint,
        initiative=link.initiative,
        okr_objective=link.okr_objective,
        note=link.note,
    )


@router.post(
    "/touchpoints/{touchpoint}/measures",
    status_code=204,
    summary="Attach a survey or process measure to a touchpoint",
    responses=_write_responses(401, 403, 404, 422, 500),
)
def add_touchpoint_measure(
    caller: MemberWriteAccess, session: SessionDep, touchpoint: str, body: TouchpointMeasureIn
) -> Response:
    try:
        journey_store.add_touchpoint_measure(
            session, caller.workspace_id, touchpoint, body.kind, body.ref
        )
    except NotFound as error:
        session.rollback()
        raise HTTPException(404, detail=f"No touchpoint {touchpoint!r} here.") from error
    session.commit()
    return Response(status_code=204)


@router.patch(
    "/touchpoints/{touchpoint}",
    response_model=TouchpointOut,
    summary="Edit a touchpoint: name, channel, stage or owner team",
    responses=_write_responses(401, 403, 404, 422, 500),
)
def update_touchpoint(
    editor: EditorDep, session: SessionDep, touchpoint: str, body: TouchpointUpdate
) -> TouchpointOut:
    """Admins and owners change the journey's touchpoints; every change is audited."""
    editor.require_admin("touchpoints")
    try:
        row, changes = journey_store.update_touchpoint(
            session, editor.workspace_id, touchpoint, **body.model_dump(exclude_none=True)
        )
    except NotFound as error:
        session.rollback()
        raise HTTPException(404, detail=f"No touchpoint {touchpoint!r} here.") from error
    if changes:
        record(session, editor, "update", "touchpoint", row.id, changes)
    session.commit()
    stage = session.get(JourneyStage, row.stage_id)
    team = session.get(Team, row.owner_team_id) if row.owner_team_id else None
    return TouchpointOut(key=row.key, name=row.name, channel=row.channel,
                         stage=stage.key if stage else "", owner_team=team.key if team else None)
