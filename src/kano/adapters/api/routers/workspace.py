"""``/workspace``: who am I — the token's workspace and scopes."""

from __future__ import annotations

from fastapi import APIRouter

from kano.adapters.api.deps import CurrentCaller
from kano.adapters.api.errors import problem_responses
from kano.adapters.api.schemas.workspaces import (
    CallerIdentity,
    TokenSummary,
    WorkspaceSummary,
)

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
