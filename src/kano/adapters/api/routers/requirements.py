"""``/requirements``: the special-requirements register (CRUD, workspace-isolated,
audited; a 422 names the field)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response

from kano.adapters.api.deps import ReadAccess, SessionDep
from kano.adapters.api.editing import EditorDep
from kano.adapters.api.errors import problem_responses
from kano.adapters.api.pagination import PageParams, PageRequest, page_of_answer
from kano.adapters.api.params import ResourceId, text_filter
from kano.adapters.api.schemas.editing import sent
from kano.adapters.api.schemas.problems import Problem
from kano.adapters.api.schemas.requirements import (
    Requirement,
    RequirementIn,
    RequirementKind,
    RequirementPatch,
    Requirements,
    RequirementStatus,
)
from kano.adapters.db import requirements_store
from kano.adapters.db.views.requirements import RequirementLine, requirements
from kano.domain.shared.errors import NotFound

router = APIRouter(prefix="/requirements", tags=["customers"])


def _body_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Problems of a route with a JSON body: also 400 when the body cannot be read."""
    responses = problem_responses(*statuses)
    responses[400] = {"model": Problem, "description": "The body is not readable JSON."}
    return responses


def _out(line: RequirementLine) -> Requirement:
    return Requirement.model_validate(line, from_attributes=True)


def _not_found(requirement_id: int) -> HTTPException:
    return HTTPException(404, detail=f"No requirement {requirement_id} in this workspace.")


@router.get("", summary="List special requirements", response_model=Requirements,
            responses=problem_responses(401, 403, 422, 500))  # fmt: skip
def list_requirements(
    caller: ReadAccess,
    session: SessionDep,
    page: PageParams,
    kind: RequirementKind | None = None,
    status: RequirementStatus | None = None,
    customer: Annotated[str | None, text_filter("External id or part of the name.")] = None,
    overdue: Annotated[bool, Query(description="Only those past their review date.")] = False,
) -> Requirements:
    """A page at a time in id order (the order they were added); `overdue=true` for those
    past their review date."""
    lines = requirements(session, caller.workspace_id, kind=kind, status=status,
                         customer=customer, overdue=overdue, limit=page.limit + 1,
                         after_id=page.after_id or 0)  # fmt: skip
    shown, next_cursor = page_of_answer(lines, [line.id for line in lines],
                                        PageRequest(page.limit, None))  # fmt: skip
    return Requirements(items=[_out(line) for line in shown], next_cursor=next_cursor)


@router.get("/{requirement_id}", summary="Get a special requirement",
            response_model=Requirement, responses=problem_responses(401, 403, 404, 422, 500))
def get_requirement(caller: ReadAccess, session: SessionDep,
                    requirement_id: ResourceId) -> Requirement:
    try:
        return _out(requirements_store.get_requirement(session, caller.workspace_id,
                                                       requirement_id))
    except NotFound as error:
        raise _not_found(requirement_id) from error


@router.post("", summary="Add a special requirement", status_code=201,
             response_model=Requirement,
             responses=_body_responses(401, 403, 422, 500))  # fmt: skip
def create_requirement(editor: EditorDep, session: SessionDep, body: RequirementIn) -> Requirement:
    """The customer by external id, the owner by a member's e-mail; audited."""
    editor.require_writer()
    line = requirements_store.create_requirement(
        session, editor.workspace_id, body.model_dump(), actor=editor.actor,
        user_id=editor.user_id)
    session.commit()
    return _out(line)


@router.patch("/{requirement_id}", summary="Change a special requirement",
              response_model=Requirement,
              responses=_body_responses(401, 403, 404, 422, 500))  # fmt: skip
def update_requirement(editor: EditorDep, session: SessionDep, requirement_id: ResourceId,
                       body: RequirementPatch) -> Requirement:
    editor.require_writer()
    try:
        line = requirements_store.update_requirement(
            session, editor.workspace_id, requirement_id, sent(body), actor=editor.actor,
            user_id=editor.user_id)
    except NotFound as error:
        raise _not_found(requirement_id) from error
    session.commit()
    return _out(line)


@router.delete("/{requirement_id}", summary="Delete a special requirement", status_code=204,
               responses=_body_responses(401, 403, 404, 422, 500))  # fmt: skip
def delete_requirement(editor: EditorDep, session: SessionDep,
                       requirement_id: ResourceId) -> Response:
    editor.require_writer()
    try:
        requirements_store.delete_requirement(session, editor.workspace_id, requirement_id,
                                              actor=editor.actor, user_id=editor.user_id)
    except NotFound as error:
        raise _not_found(requirement_id) from error
    session.commit()
    return Response(status_code=204)
