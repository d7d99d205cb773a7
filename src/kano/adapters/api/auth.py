"""Bearer tokens: the scheme the API declares, who a token belongs to, what it may do.

A request carries ``Authorization: Bearer kano_…``; the token names one workspace, and
every query the request makes is filtered by that workspace's id. Scopes are compared
with ``Scope.covers`` so the rule "write implies read" lives in the domain, not here.
The FastAPI dependency that ties these together is ``deps.authenticated_caller``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from fastapi import HTTPException
from fastapi.security import HTTPBearer
from sqlalchemy.orm import Session

from kano.adapters.db.orm import ApiToken, Workspace, utcnow
from kano.domain.workspaces import Scope

# Recording every use would turn each read into a write; a minute is precise enough to
# tell a live integration from an abandoned one.
LAST_USED_RESOLUTION = timedelta(minutes=1)

bearer_scheme = HTTPBearer(
    auto_error=False,  # a missing token is answered by us, as a problem document
    scheme_name="bearerAuth",
    bearerFormat="kano_<secret>",
    description="An API token of one workspace, sent as `Authorization: Bearer kano_…`. "
    "A `read` token may call every GET; a `write` token may also change data.",
)


@dataclass(frozen=True)
class Caller:
    """Who is calling: the token, its workspace and the scopes it was granted."""

    token: ApiToken
    workspace: Workspace
    scopes: frozenset[Scope]

    @property
    def workspace_id(self) -> int:
        return self.workspace.id

    def may(self, needed: Scope) -> bool:
        return any(granted.covers(needed) for granted in self.scopes)


def granted_scopes(stored: str) -> frozenset[Scope]:
    """The scopes in a token's ``scopes`` column (space- or comma-separated).

    Unknown words are ignored, so a token written by a newer Kano still works for the
    scopes this version knows.
    """
    known = {scope.value: scope for scope in Scope}
    return frozenset(known[word] for word in stored.replace(",", " ").split() if word in known)


def record_token_use(session: Session, token: ApiToken) -> None:
    """Set ``last_used_at``, but write at most once per ``LAST_USED_RESOLUTION``."""
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    token.last_used_at = now
    session.commit()


def not_authenticated(detail: str, *, invalid_token: bool) -> HTTPException:
    """A 401 whose ``WWW-Authenticate`` challenge follows RFC 6750."""
    challenge = 'Bearer realm="kano"'
    if invalid_token:
        challenge += ', error="invalid_token"'
    return HTTPException(401, detail=detail, headers={"WWW-Authenticate": challenge})


def insufficient_scope(caller: Caller, needed: Scope) -> HTTPException:
    """A 403 that says which scope the token has and which one the operation needs."""
    granted = ", ".join(sorted(caller.scopes)) or "none"
    return HTTPException(
        403,
        detail=f"This token has scope {granted}; this operation needs a {needed} token.",
        headers={
            "WWW-Authenticate": f'Bearer realm="kano", error="insufficient_scope", '
            f'scope="{needed}"'
        },
    )
