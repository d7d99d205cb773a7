"""``/surveys/{survey}/quotas``: a survey's quotas (SPEC 2.4), with how full each is, and
``PUT /surveys/{survey}/definition``, the survey's questions, which guards them: a change
that removes a question or option a quota counts is refused naming the quotas, or with
``remove_quotas`` deletes them (``survey_store.save_survey``, as the builder page).

Owners, admins and analysts add, change and delete them (audited); any read token lists
them. What a full quota does (refuses the link page, the widget and invitation links;
counts but never refuses the API, bulk, staff entry and imports) is in
``kano.domain.feedback.quotas``. A quota id of another survey or workspace is a 404.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Path, Response

from kano.adapters.api.deps import ReadAccess, SessionDep
from kano.adapters.api.editing import EditorDep
from kano.adapters.api.errors import problem_responses
from kano.adapters.api.params import ResourceId
from kano.adapters.api.schemas.problems import Problem
from kano.adapters.api.schemas.quotas import (
    Quota,
    QuotaIn,
    QuotaPatch,
    Quotas,
    SurveyDefinitionIn,
    SurveyDefinitionSaved,
)
from kano.adapters.db import quotas as quota_store
from kano.adapters.db.quotas import QuotaLine
from kano.adapters.db.survey_store import defined_survey, save_survey
from kano.domain.feedback.surveys import checked_definition
from kano.domain.shared.errors import NotFound, PermissionDenied
from kano.domain.workspaces import Role

router = APIRouter(tags=["feedback"])
QUOTAS = "/surveys/{survey}/quotas"

BUILDERS = (Role.OWNER, Role.ADMIN, Role.ANALYST)
SurveyKey = Path(min_length=1, max_length=64, description="The survey's key.")


def _body_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Problems of a route with a JSON body: also 400 when the body cannot be read."""
    responses = problem_responses(*statuses)
    responses[400] = {"model": Problem, "description": "The body is not readable JSON."}
    return responses


def _out(line: QuotaLine) -> Quota:
    return Quota(id=line.id, survey=line.survey, name=line.name, limit=line.limit,
                 filled=line.filled, full=line.full, channel=line.channel,
                 language=line.language, segment=line.segment, touchpoint=line.touchpoint,
                 question=line.question, option=line.option, orphaned=line.orphaned,
                 created_at=line.created_at)


def _not_found(error: NotFound) -> HTTPException:
    if error.entity == "survey":
        return HTTPException(404, detail=f"No survey {error.key!r} in this workspace.")
    return HTTPException(404, detail=f"No quota {error.key} on this survey.")


def _may_build(editor: EditorDep) -> None:
    if editor.role not in BUILDERS:
        raise PermissionDenied(
            f"Only owners, admins and analysts change quotas; this token acts as a "
            f"{editor.role}.")


@router.get(QUOTAS, summary="List a survey's quotas", response_model=Quotas,
            responses=problem_responses(401, 403, 404, 422, 500))  # fmt: skip
def list_quotas(caller: ReadAccess, session: SessionDep, survey: str = SurveyKey) -> Quotas:
    """In the order they were added, each with `filled` of `limit`."""
    try:
        lines = quota_store.quota_lines(session, caller.workspace_id, survey)
    except NotFound as error:
        raise _not_found(error) from error
    return Quotas(items=[_out(line) for line in lines])


@router.post(QUOTAS, summary="Add a quota to a survey", status_code=201, response_model=Quota,
             responses=_body_responses(401, 403, 404, 422, 500))  # fmt: skip
def create_quota(editor: EditorDep, session: SessionDep, body: QuotaIn,
                 survey: str = SurveyKey) -> Quota:
    """It starts filled with the survey's stored responses that match its condition. An
    unknown channel, language, segment or touchpoint is a 422 naming the field."""
    _may_build(editor)
    try:
        line = quota_store.add_quota(
            session, editor.workspace_id, survey, name=body.name, limit=body.limit,
            channel=body.channel, language=body.language, segment=body.segment,
            touchpoint=body.touchpoint, question=body.question, option=body.option,
            actor=editor.actor, user_id=editor.user_id)
    except NotFound as error:
        raise _not_found(error) from error
    session.commit()
    return _out(line)


@router.patch(QUOTAS + "/{quota_id}", summary="Rename a quota or change its limit",
              response_model=Quota,
              responses=_body_responses(401, 403, 404, 422, 500))  # fmt: skip
def update_quota(editor: EditorDep, session: SessionDep, quota_id: ResourceId,
                 body: QuotaPatch, survey: str = SurveyKey) -> Quota:
    """Raising the limit of a full quota opens the survey again."""
    _may_build(editor)
    try:
        line = quota_store.change_quota(
            session, editor.workspace_id, survey, quota_id, name=body.name, limit=body.limit,
            actor=editor.actor, user_id=editor.user_id)
    except NotFound as error:
        raise _not_found(error) from error
    session.commit()
    return _out(line)


@router.delete(QUOTAS + "/{quota_id}", summary="Delete a quota", status_code=204,
               responses=problem_responses(401, 403, 404, 422, 500))  # fmt: skip
def delete_quota(editor: EditorDep, session: SessionDep, quota_id: ResourceId,
                 survey: str = SurveyKey) -> Response:
    _may_build(editor)
    try:
        quota_store.delete_quota(session, editor.workspace_id, survey, quota_id,
                                 actor=editor.actor, user_id=editor.user_id)
    except NotFound as error:
        raise _not_found(error) from error
    session.commit()
    return Response(status_code=204)


@router.put("/surveys/{survey}/definition", summary="Replace a survey's questions",
            response_model=SurveyDefinitionSaved,
            responses=_body_responses(401, 403, 404, 422, 500))  # fmt: skip
def put_definition(editor: EditorDep, session: SessionDep, body: SurveyDefinitionIn,
                   survey: str = SurveyKey) -> SurveyDefinitionSaved:
    """The survey's name and touchpoint stay. Audited, like the builder page's save."""
    _may_build(editor)
    definition = checked_definition(body.definition)
    try:
        current = defined_survey(session, editor.workspace_id, survey)
        removed = save_survey(
            session, editor.workspace_id, survey, name=current.row.name,
            touchpoint=current.touchpoint, definition=definition, actor=editor.actor,
            user_id=editor.user_id, remove_quotas=body.remove_quotas)
    except NotFound as error:
        raise _not_found(error) from error
    session.commit()
    return SurveyDefinitionSaved(survey=survey,
                                 questions=[q.key for q in definition.questions],
                                 removed_quotas=removed)
