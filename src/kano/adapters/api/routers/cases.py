"""``/cases``: the closed loop's cases — list, read with history, move along."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import Select, and_, func, select

from kano.adapters.api.deps import ReadAccess, ReaderLanguage, SessionDep, container_of
from kano.adapters.api.editing import MemberWriteAccess, write_responses
from kano.adapters.api.errors import problem_responses
from kano.adapters.api.pagination import PageParams, fetch_page
from kano.adapters.api.params import ResourceId, key_filter, optional_id, text_filter
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
from kano.adapters.db.orm import CaseEventRow, CaseRow, Team, User
from kano.adapters.db.views.cases import closing_message
from kano.adapters.web.case_rule_labels import case_title_in
from kano.domain.shared.errors import NotFound

router = APIRouter(prefix="/cases", tags=["cases"])


def cases_of(workspace_id: int) -> Select[CaseRow, str, str]:
    """Each case with its team's key and its owner's e-mail."""
    return (
        select(CaseRow, Team.key, User.email)
        .outerjoin(
            Team, and_(Team.id == CaseRow.owner_team_id, Team.workspace_id == CaseRow.workspace_id)
        )
        .outerjoin(User, User.id == CaseRow.owner_user_id)
        .where(CaseRow.workspace_id == workspace_id)
    )


def case_out(row: CaseRow, team: str | None, owner: str | None, language: str) -> Case:
    """The case as the API gives it, its ``title_display`` in the reader's ``language``."""
    return Case(
        id=row.id,
        response_id=row.response_id,
        customer_id=row.customer_id,
        rule=row.rule,
        title=row.title,
        title_display=case_title_in(language)(row.title, row.rule),
        priority=row.priority,
        status=row.status,  # type: ignore[arg-type]
        owner_team=team,
        owner=owner,
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
    language: ReaderLanguage,
    page: PageParams,
    response: Annotated[int | None, optional_id("Only the case this response opened.")] = None,
    status: Annotated[CaseStatusName | None, Query(description="Only this status.")] = None,
    team: Annotated[str | None, key_filter("Only cases routed to this team.")] = None,
    owner: Annotated[
        str | None,
        text_filter("Only cases this member owns (their e-mail); `-` for cases nobody owns.",
                    max_length=320),
    ] = None,
) -> CasePage:
    statement = cases_of(caller.workspace_id)
    if response is not None:
        statement = statement.where(CaseRow.response_id == response)
    if status is not None:
        statement = statement.where(CaseRow.status == status)
    if team is not None:
        statement = statement.where(Team.key == team)
    if owner == "-":
        statement = statement.where(CaseRow.owner_user_id.is_(None))
    elif owner is not None:
        statement = statement.where(func.lower(User.email) == owner.strip().lower())
    rows, next_cursor = fetch_page(session, statement, CaseRow.id, page)
    return CasePage(items=[case_out(row, key, email, language) for row, key, email in rows],
                    next_cursor=next_cursor)


def _detail(session: SessionDep, workspace_id: int, case_id: int, language: str) -> CaseDetail:
    found = session.execute(cases_of(workspace_id).where(CaseRow.id == case_id)).first()
    if found is None:
        raise NotFound("case", case_id)
    row, team, owner = found
    events = session.scalars(
        select(CaseEventRow)
        .where(CaseEventRow.workspace_id == workspace_id, CaseEventRow.case_id == case_id)
        .order_by(CaseEventRow.at, CaseEventRow.id)
    )
    closing = closing_message(session, row)
    return CaseDetail(
        **case_out(row, team, owner, language).model_dump(),
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
def get_case(
    caller: ReadAccess, session: SessionDep, language: ReaderLanguage, case_id: ResourceId
) -> CaseDetail:
    return _detail(session, caller.workspace_id, case_id, language)


@router.patch(
    "/{case_id}",
    summary="Move a case along, tag its root causes, add a note, give it an owner",
    response_model=CaseDetail,
    responses=write_responses(400, 401, 403, 404, 422, 500),
)
def update_case(
    caller: MemberWriteAccess,
    session: SessionDep,
    request: Request,
    language: ReaderLanguage,
    case_id: ResourceId,
    body: CaseUpdate,
) -> CaseDetail:
    """Status moves new → in_progress → resolved → loop_closed (a resolved case may be
    reopened to in_progress). The first move out of `new` counts as the first response.
    Closing the loop takes a `message` (what changed), queued in the same transaction as an
    e-mail to the customer and a `case.loop_closed` webhook event. `owner` hands the case
    to a member (manager or above) or, as `null`, unassigns it. Every change is recorded
    as an event. A token acting as a viewer may only read (403)."""
    row = case_actions.case_of(session, caller.workspace_id, case_id)
    actor = f"token {caller.token.prefix} ({caller.token.name})"
    if "owner" in body.model_fields_set:  # checked first: a refused owner changes nothing
        case_actions.assign_owner(session, caller.workspace_id, [case_id], body.owner, actor)
    case_actions.update_case(
        session, row, actor, status=body.status, root_causes=body.root_causes, note=body.note,
        message=body.message, email_enabled=bool(container_of(request).settings.smtp_url),
    )  # fmt: skip
    session.commit()
    return _detail(session, caller.workspace_id, case_id, language)
