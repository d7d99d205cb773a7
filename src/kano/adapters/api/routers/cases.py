"""``/cases``: the closed loop's cases — list, read with history, move along."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import Select, and_, select

from kano.adapters.api.deps import ReadAccess, SessionDep, WriteAccess, container_of
from kano.adapters.api.editing import write_responses
from kano.adapters.api.errors import problem_responses
from kano.adapters.api.pagination import PageParams, fetch_page
from kano.adapters.api.params import ResourceId, key_filter, optional_id
from kano.adapters.api.schemas.cases import (
    Case,
    CaseDetail,
    CaseEvent,
    CasePage,
    CaseStatusName,
    CaseUpdate,
    ClosingMessage,
    MessageDelivery,
)
from kano.adapters.db import case_actions
from kano.adapters.db.orm import CaseEventRow, CaseRow, Team
from kano.adapters.db.views.cases import closing_message
from kano.domain.shared.errors import NotFound

router = APIRouter(prefix="/cases", tags=["cases"])


def cases_of(workspace_id: int) -> Select[CaseRow, str]:
    return (
        select(CaseRow, Team.key)
        .outerjoin(
            Team, and_(Team.id == CaseRow.owner_team_id, Team.workspace_id == CaseRow.workspace_id)
        )
        .where(CaseRow.workspace_id == workspace_id)
    )


def case_out(row: CaseRow, team: str | None) -> Case:
    return Case(
        id=row.id,
        response_id=row.response_id,
        customer_id=row.customer_id,
        rule=row.rule,
        title=row.title,
        priority=row.priority,
        status=row.status,  # type: ignore[arg-type]
        owner_team=team,
        opened_at=row.opened_at,
        first_response_due_at=row.first_response_due_at,
        resolution_due_at=row.resolution_due_at,
        first_responded_at=row.first_responded_at,
        resolved_at=row.resolved_at,
        loop_closed_at=row.loop_closed_at,
        escalation_level=row.escalation_level,
        root_causes=list(row.root_causes or []),
    )


@router.get(
    "",
    summary="List cases",
    response_model=CasePage,
    responses=problem_responses(401, 403, 422, 500),
)
def list_cases(
    caller: ReadAccess,
    session: SessionDep,
    page: PageParams,
    response: Annotated[int | None, optional_id("Only the case this response opened.")] = None,
    status: Annotated[CaseStatusName | None, Query(description="Only this status.")] = None,
    team: Annotated[str | None, key_filter("Only cases routed to this team.")] = None,
) -> CasePage:
    statement = cases_of(caller.workspace_id)
    if response is not None:
        statement = statement.where(CaseRow.response_id == response)
    if status is not None:
        statement = statement.where(CaseRow.status == status)
    if team is not None:
        statement = statement.where(Team.key == team)
    rows, next_cursor = fetch_page(session, statement, CaseRow.id, page)
    return CasePage(items=[case_out(row, key) for row, key in rows], next_cursor=next_cursor)


def _detail(session: SessionDep, workspace_id: int, case_id: int) -> CaseDetail:
    found = session.execute(cases_of(workspace_id).where(CaseRow.id == case_id)).first()
    if found is None:
        raise NotFound("case", case_id)
    row, team = found
    events = session.scalars(
        select(CaseEventRow)
        .where(CaseEventRow.workspace_id == workspace_id, CaseEventRow.case_id == case_id)
        .order_by(CaseEventRow.at, CaseEventRow.id)
    )
    closing = closing_message(session, row)
    return CaseDetail(
        **case_out(row, team).model_dump(),
        events=[
            CaseEvent(at=e.at, kind=e.kind, actor=e.actor, detail=e.detail, note=e.note)
            for e in events
        ],
        closing_message=None
        if closing is None
        else ClosingMessage(
            at=closing.at,
            actor=closing.actor,
            message=closing.text,
            told=closing.told,  # type: ignore[arg-type]
            deliveries=[
                MessageDelivery(
                    kind=d.kind,  # type: ignore[arg-type]
                    recipient=d.recipient,
                    status=d.status,  # type: ignore[arg-type]
                    attempts=d.attempts,
                    sent_at=d.sent_at,
                    last_error=d.error,
                )
                for d in closing.deliveries
            ],
        ),
    )


@router.get(
    "/{case_id}",
    summary="Get a case with its history",
    response_model=CaseDetail,
    responses=problem_responses(401, 403, 404, 422, 500),
)
def get_case(caller: ReadAccess, session: SessionDep, case_id: ResourceId) -> CaseDetail:
    return _detail(session, caller.workspace_id, case_id)


@router.patch(
    "/{case_id}",
    summary="Move a case along, tag its root causes, add a note",
    response_model=CaseDetail,
    responses=write_responses(400, 401, 403, 404, 422, 500),
)
def update_case(
    caller: WriteAccess,
    session: SessionDep,
    request: Request,
    case_id: ResourceId,
    body: CaseUpdate,
) -> CaseDetail:
    """Status moves new → in_progress → resolved → loop_closed (a resolved case may be
    reopened to in_progress). The first move out of `new` counts as the first response.
    Closing the loop takes a `message` (what changed), queued in the same transaction as an
    e-mail to the customer and a `case.loop_closed` webhook event. Every change is
    recorded as an event."""
    row = case_actions.case_of(session, caller.workspace_id, case_id)
    actor = f"token {caller.token.prefix} ({caller.token.name})"
    case_actions.update_case(
        session, row, actor, status=body.status, root_causes=body.root_causes, note=body.note,
        message=body.message, email_enabled=bool(container_of(request).settings.smtp_url),
    )  # fmt: skip
    session.commit()
    return _detail(session, caller.workspace_id, case_id)
