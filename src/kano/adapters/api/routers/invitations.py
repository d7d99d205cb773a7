"""``/invitations``: e-mail a survey's single-use links to contacts (fatigue and consent
respected), and see each invitation's status."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request

from kano.adapters.api.deps import ReadAccess, SessionDep, container_of
from kano.adapters.api.editing import MemberWriteAccess
from kano.adapters.api.errors import problem_responses
from kano.adapters.api.pagination import PageParams, PageRequest, page_of_answer
from kano.adapters.api.params import key_filter
from kano.adapters.api.schemas.invitations import (
    Invitation,
    InvitationReport,
    InvitationRequest,
    Invitations,
)
from kano.adapters.api.schemas.problems import Problem
from kano.adapters.db.feedback_settings import invitation_policy
from kano.adapters.db.invitations import invitations_of, invite
from kano.adapters.web.survey_links import invitation_links

router = APIRouter(prefix="/invitations", tags=["feedback"])


def _body_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Problems of a route with a JSON body: also 400 when the body cannot be read."""
    responses = problem_responses(*statuses)
    responses[400] = {"model": Problem, "description": "The body is not readable JSON."}
    return responses


@router.post("", summary="Invite contacts to a survey by e-mail", status_code=201,
             response_model=InvitationReport,
             responses={**_body_responses(401, 403, 422, 500), 409: {
                 "model": Problem, "description": "The survey is closed (`code` "
                 "survey_closed): nobody is invited to it."}})  # fmt: skip
def create_invitations(caller: MemberWriteAccess, session: SessionDep, request: Request,
                       body: InvitationRequest) -> InvitationReport:
    """Each invited contact gets an e-mail (through the outbox, in this transaction) with
    a link of their own that takes one answer. Skipped, with the reason: contacts who
    opted out, have no e-mail address, or were invited to any survey within the
    workspace's fatigue window (`GET /workspace/settings`); unknown customers. Without
    `segment` or `customers` every customer of the workspace is considered. A closed
    survey invites nobody (409)."""
    settings = container_of(request).settings
    link_for = invitation_links(settings.secret_key, settings.public_url)(
        caller.workspace_id, body.survey)
    policy = invitation_policy(session, caller.workspace_id, settings)
    report = invite(session, caller.workspace_id, body.survey, link_for, policy,
                    segment=body.segment, customers=body.customers, dry_run=body.dry_run,
                    actor=f"api-token:{caller.token.prefix}")
    if body.dry_run:
        session.rollback()
    else:
        session.commit()
    return InvitationReport.model_validate(report.as_dict())


@router.get("", summary="List invitations with their status", response_model=Invitations,
            responses=problem_responses(401, 403, 422, 500))  # fmt: skip
def list_invitations(
    caller: ReadAccess,
    session: SessionDep,
    page: PageParams,
    survey: Annotated[str | None, key_filter("The survey key.")] = None,
    customer: Annotated[str | None, key_filter("The customer's external id.")] = None,
) -> Invitations:
    """Each invitation with its status — sent, reminded, answered, failed (from the outbox)
    or still queued — a page at a time in id order (the order they were made)."""
    lines = invitations_of(session, caller.workspace_id, survey=survey, customer=customer,
                           limit=page.limit + 1, after_id=page.after_id or 0)
    shown, next_cursor = page_of_answer(lines, [line.id for line in lines],
                                        PageRequest(page.limit, None))  # fmt: skip
    return Invitations(items=[Invitation.model_validate(line, from_attributes=True)
                              for line in shown], next_cursor=next_cursor)  # fmt: skip
