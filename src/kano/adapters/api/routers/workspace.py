"""``/workspace``: who am I — the token's workspace and scopes; ``/workspace/settings``:
the workspace's own survey fatigue window and reminder delay, and its currency."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from kano.adapters.api.deps import CurrentCaller, ReadAccess, SessionDep, container_of
from kano.adapters.api.editing import AdminWriteAccess
from kano.adapters.api.errors import problem_responses
from kano.adapters.api.schemas.problems import Problem
from kano.adapters.api.schemas.workspaces import (
    CallerIdentity,
    SurveyPolicy,
    TokenSummary,
    WorkspaceSettings,
    WorkspaceSettingsChange,
    WorkspaceSummary,
)
from kano.adapters.db.feedback_settings import (
    FeedbackSettings,
    change_feedback_settings,
    feedback_settings,
)
from kano.adapters.db.workspace_currency import change_workspace_currency, workspace_currency

router = APIRouter(tags=["workspace"])


@router.get(
    "/workspace",
    summary="Who am I",
    response_model=CallerIdentity,
    responses=problem_responses(401, 500),
)
def who_am_i(caller: CurrentCaller) -> CallerIdentity:
    """The workspace this token reads and writes, and what the token may do.

    Any valid token may ask, so an integration can check its setup before doing work.
    """
    token = caller.token
    return CallerIdentity(
        workspace=WorkspaceSummary(slug=caller.workspace.slug, name=caller.workspace.name),
        token=TokenSummary(
            name=token.name,
            prefix=token.prefix,
            scopes=sorted(caller.scopes),
            created_at=token.created_at,
            last_used_at=token.last_used_at,
        ),
    )


def _body_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Problems of a route with a JSON body: also 400 when the body cannot be read."""
    responses = problem_responses(*statuses)
    responses[400] = {"model": Problem, "description": "The body is not readable JSON."}
    return responses


def _settings_out(found: FeedbackSettings, currency: str) -> WorkspaceSettings:
    policy = found.policy
    return WorkspaceSettings(
        currency=currency,
        survey_fatigue_days=found.survey_fatigue_days,
        survey_reminder_days=found.survey_reminder_days,
        defaults=SurveyPolicy(survey_fatigue_days=found.default_fatigue_days,
                              survey_reminder_days=found.default_reminder_days),
        effective=SurveyPolicy(survey_fatigue_days=policy.fatigue_days,
                               survey_reminder_days=policy.reminder_days),
    )


@router.get("/workspace/settings", summary="The workspace's survey settings and currency",
            response_model=WorkspaceSettings,
            responses=problem_responses(401, 403, 500))  # fmt: skip
def read_settings(caller: ReadAccess, session: SessionDep, request: Request) -> WorkspaceSettings:
    """The fatigue window and reminder delay of e-mail invitations (`POST /invitations`):
    the workspace's own (null where it set none), the server's defaults, and what holds;
    the currency of the workspace's money."""
    defaults = container_of(request).settings
    return _settings_out(feedback_settings(session, caller.workspace_id, defaults),
                         workspace_currency(session, caller.workspace_id))


@router.patch("/workspace/settings", summary="Change the workspace's settings",
              response_model=WorkspaceSettings,
              responses=_body_responses(401, 403, 422, 500))  # fmt: skip
def change_settings(caller: AdminWriteAccess, session: SessionDep, request: Request,
                    body: WorkspaceSettingsChange) -> WorkspaceSettings:
    """Set the fields given (null: back to the server default); the others stay. Written
    to the audit log. Fatigue 0–3650 days, reminder 1–365 days, currency an ISO 4217 code;
    a value outside is a 422 naming the field, and nothing is changed."""
    defaults = container_of(request).settings
    changes = body.model_dump(exclude_unset=True)
    actor = f"api-token:{caller.token.prefix}"
    currency = (
        change_workspace_currency(session, caller.workspace_id, changes.pop("currency"),
                                  actor=actor, user_id=caller.token.user_id)
        if "currency" in changes else workspace_currency(session, caller.workspace_id)
    )
    changed = change_feedback_settings(session, caller.workspace_id, defaults, changes,
                                       actor=actor, user_id=caller.token.user_id)
    session.commit()
    return _settings_out(changed, currency)
