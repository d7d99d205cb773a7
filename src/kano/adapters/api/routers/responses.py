"""``/responses``: feedback responses with their survey, touchpoint, stage and team keys."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import Row, Select, and_, select

from kano.adapters.api.deps import ReadAccess, SessionDep
from kano.adapters.api.errors import problem_responses
from kano.adapters.api.pagination import PageParams, fetch_page
from kano.adapters.api.params import (
    ResourceId,
    TimeWindowParams,
    key_filter,
    optional_id,
    text_filter,
)
from kano.adapters.api.schemas.feedback import FeedbackResponse, FeedbackResponsePage
from kano.adapters.db import orm
from kano.domain.shared.errors import InvalidInput, NotFound

router = APIRouter(prefix="/responses", tags=["feedback"])



def nps_bound(description: str) -> Any:
    return Query(ge=0, le=10, description=description)


# The response, then the keys of its survey, touchpoint, stage, team and segment.
ResponseColumns = tuple[orm.FeedbackResponse, str, str, str, str, str]


def responses_of(workspace_id: int) -> Select[*ResponseColumns]:
    """Responses of one workspace with every journey key, in one query (no N+1).

    Each join repeats the workspace condition: a key from another workspace can never
    appear here even if a row referenced one by mistake.
    """
    response = orm.FeedbackResponse
    same_workspace = response.workspace_id
    return (
        select(
            response,
            orm.Survey.key.label("survey_key"),
            orm.Touchpoint.key.label("touchpoint_key"),
            orm.JourneyStage.key.label("stage_key"),
            orm.Team.key.label("team_key"),
            orm.Segment.key.label("segment_key"),
        )
        .outerjoin(orm.Survey, and_(
            orm.Survey.id == response.survey_id, orm.Survey.workspace_id == same_workspace
        ))
        .outerjoin(orm.Touchpoint, and_(
            orm.Touchpoint.id == response.touchpoint_id,
            orm.Touchpoint.workspace_id == same_workspace,
        ))
        .outerjoin(orm.JourneyStage, and_(
            orm.JourneyStage.id == orm.Touchpoint.stage_id,
            orm.JourneyStage.workspace_id == same_workspace,
        ))
        .outerjoin(orm.Team, and_(
            orm.Team.id == orm.Touchpoint.owner_team_id, orm.Team.workspace_id == same_workspace
        ))
        .outerjoin(orm.Customer, and_(
            orm.Customer.id == response.customer_id, orm.Customer.workspace_id == same_workspace
        ))
        .outerjoin(orm.Segment, and_(
            orm.Segment.id == orm.Customer.segment_id, orm.Segment.workspace_id == same_workspace
        ))
        .where(response.workspace_id == workspace_id)
    )


def response_from_row(row: Row[*ResponseColumns]) -> FeedbackResponse:
    response, survey_key, touchpoint_key, stage_key, team_key, segment_key = row
    return FeedbackResponse(
        id=response.id,
        customer_id=response.customer_id,
        segment_key=segment_key,
        survey_key=survey_key,
        touchpoint_key=touchpoint_key,
        stage_key=stage_key,
        team_key=team_key,
        channel=response.channel,
        transaction_id=response.transaction_id,
        submitted_at=response.submitted_at,
        nps=response.nps,
        csat=response.csat,
        ces=response.ces,
        rating=response.rating,
        comment=response.comment,
        language=response.language,
    )


@router.get(
    "",
    summary="List feedback responses",
    response_model=FeedbackResponsePage,
    responses=problem_responses(401, 403, 422, 500),
)
def list_responses(
    caller: ReadAccess,
    session: SessionDep,
    page: PageParams,
    window: TimeWindowParams,
    touchpoint: Annotated[str | None, key_filter("Only responses at this touchpoint (key).")]
    = None,
    channel: Annotated[str | None, text_filter("Only responses from this channel.", 32)]
    = None,
    customer_id: Annotated[int | None, optional_id("Only responses of this customer.")]
    = None,
    min_nps: Annotated[int | None, nps_bound("Only responses with NPS ≥ this.")] = None,
    max_nps: Annotated[int | None, nps_bound("Only responses with NPS ≤ this.")] = None,
) -> FeedbackResponsePage:
    """Responses ordered by id; `since`/`until` filter on `submitted_at`. An NPS bound
    leaves out responses without an NPS score."""
    if min_nps is not None and max_nps is not None and max_nps < min_nps:
        raise InvalidInput("max_nps", "must not be below `min_nps`")
    response = orm.FeedbackResponse
    statement = window.apply(responses_of(caller.workspace_id), response.submitted_at)
    if touchpoint is not None:
        statement = statement.where(orm.Touchpoint.key == touchpoint)
    if channel is not None:
        statement = statement.where(response.channel == channel)
    if customer_id is not None:
        statement = statement.where(response.customer_id == customer_id)
    if min_nps is not None:
        statement = statement.where(response.nps >= min_nps)
    if max_nps is not None:
        statement = statement.where(response.nps <= max_nps)
    rows, next_cursor = fetch_page(session, statement, response.id, page)
    return FeedbackResponsePage(
        items=[response_from_row(row) for row in rows], next_cursor=next_cursor
    )


@router.get(
    "/{response_id}",
    summary="Get one feedback response",
    response_model=FeedbackResponse,
    responses=problem_responses(401, 403, 404, 422, 500),
)
def get_response(
    caller: ReadAccess, session: SessionDep, response_id: ResourceId
) -> FeedbackResponse:
    """One response of the token's workspace; any other id is a 404, whoever owns it."""
    row = session.execute(
        responses_of(caller.workspace_id).where(orm.FeedbackResponse.id == response_id)
    ).first()
    if row is None:
        raise NotFound("response", response_id)
    return response_from_row(row)
