"""Who am I: the workspace a token belongs to and what the token may do."""

from __future__ import annotations

from pydantic import BaseModel, Field

from kano.adapters.api.timestamps import UtcDateTime
from kano.domain.workspaces import Scope


class WorkspaceSummary(BaseModel):
    slug: str
    name: str


class TokenSummary(BaseModel):
    """The calling token, identified by its prefix (the secret itself is never stored)."""

    name: str
    prefix: str = Field(description="The first characters of the token, to recognise it.")
    scopes: list[Scope]
    created_at: UtcDateTime
    last_used_at: UtcDateTime | None = Field(
        description="Last use, recorded at most once a minute."
    )


class CallerIdentity(BaseModel):
    """The answer to "who am I": every request with this token sees only this workspace."""

    workspace: WorkspaceSummary
    token: TokenSummary
