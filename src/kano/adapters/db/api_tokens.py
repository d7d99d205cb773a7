"""Administering a workspace's API tokens: issue, list, revoke (audited).

One way to do each thing: ``kano token create``, the web Settings page and the API's
``DELETE /tokens/current`` all go through here. The secret exists in clear only in the
``IssuedToken`` that ``issue_api_token`` returns (``accounts.create_api_token`` stores
its SHA-256); a list shows the name, the scopes, the prefix and the dates, never the
secret or its hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.accounts import IssuedToken, audit, create_api_token
from kano.adapters.db.orm import ApiToken, User, Workspace, utcnow
from kano.domain.shared.errors import InvalidInput, NotFound
from kano.domain.workspaces import Scope

NAME_MAX_LENGTH = 200  # api_tokens.name is VARCHAR(200)


@dataclass(frozen=True)
class TokenLine:
    """A live token as a list shows it."""

    id: int
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    last_used_at: datetime | None
    created_by: str | None  # the e-mail of the user it acts as, if any


def checked_token_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput("name", "give the token a name to recognise it by")
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidInput("name", f"at most {NAME_MAX_LENGTH} characters")
    if any(ord(character) < 32 or ord(character) == 127 for character in name):
        raise InvalidInput("name", "must not contain control characters")
    return name


def issue_api_token(
    session: Session, workspace: Workspace, name: str, scope: Scope, user: User | None = None
) -> IssuedToken:
    """A new token (audited); its secret is in the result and nowhere else."""
    return create_api_token(session, workspace, scope, name=checked_token_name(name), user=user)


def _scopes(stored: str) -> tuple[str, ...]:
    known = [scope.value for scope in Scope]
    words = set(stored.replace(",", " ").split())
    return tuple(scope for scope in known if scope in words)


def _lines(session: Session, workspace_id: int, token_id: int | None = None) -> list[TokenLine]:
    query = (
        select(ApiToken, User.email)
        .outerjoin(User, User.id == ApiToken.user_id)
        .where(ApiToken.workspace_id == workspace_id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    if token_id is not None:
        query = query.where(ApiToken.id == token_id)
    return [
        TokenLine(token.id, token.name, token.prefix, _scopes(token.scopes), token.created_at,
                  token.last_used_at, email)
        for token, email in session.execute(query).all()
    ]


def live_api_tokens(session: Session, workspace_id: int) -> list[TokenLine]:
    """The workspace's tokens that are not revoked, newest first."""
    return _lines(session, workspace_id)


def live_api_token(session: Session, workspace_id: int, token_id: int) -> TokenLine:
    """One live token of the workspace; NotFound for a revoked one or another workspace's."""
    found = _lines(session, workspace_id, token_id)
    if not found:
        raise NotFound("api token", token_id)
    return found[0]


def revoke_api_token(
    session: Session, token: ApiToken, *, actor: str, user_id: int | None
) -> None:
    """Revoke ``token`` (it fails with 401 from now on) and audit it."""
    token.revoked_at = utcnow()
    audit(session, token.workspace_id, actor, "revoke", "api_token", token.id,
          {"name": token.name, "prefix": token.prefix}, user_id=user_id)


def revoke_workspace_token(
    session: Session, workspace_id: int, token_id: int, *, actor: str, user_id: int | None
) -> ApiToken:
    """Revoke the live token ``token_id`` of the workspace; NotFound when there is none
    (unknown, already revoked, or another workspace's: they are told apart by no one)."""
    token = session.scalar(
        select(ApiToken).where(
            ApiToken.id == token_id, ApiToken.workspace_id == workspace_id,
            ApiToken.revoked_at.is_(None),
        ).with_for_update()
    )
    if token is None:
        raise NotFound("api token", token_id)
    revoke_api_token(session, token, actor=actor, user_id=user_id)
    return token
