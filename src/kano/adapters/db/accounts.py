"""Workspaces, users, memberships, API tokens and the audit log, in the app database.

Passwords are hashed with argon2id. API tokens are 256-bit random secrets, so a single
SHA-256 is enough to store them (argon2 would only slow every API call down) and lets a
request find its token by an indexed lookup.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.audit_batch import kept_for_bulk
from kano.adapters.db.orm import ApiToken, AuditEntry, Membership, User, Workspace, utcnow
from kano.domain.shared.errors import InvalidInput, NotFound
from kano.domain.workspaces import Role, Scope, validate_slug

_hasher = PasswordHasher()
TOKEN_PREFIX = "kano_"


def hash_password(password: str) -> str:
    if len(password) < 4:
        raise InvalidInput("password", "must have at least 4 characters")
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def get_workspace(session: Session, slug: str) -> Workspace:
    workspace = session.scalar(select(Workspace).where(Workspace.slug == slug))
    if workspace is None:
        raise NotFound("workspace", slug)
    return workspace


def ensure_workspace(session: Session, slug: str, name: str | None = None) -> Workspace:
    """The workspace with this slug, created if missing."""
    validate_slug(slug)
    workspace = session.scalar(select(Workspace).where(Workspace.slug == slug))
    if workspace is None:
        workspace = Workspace(slug=slug, name=name or slug)
        session.add(workspace)
        session.flush()
        audit(session, workspace.id, "system", "create", "workspace", workspace.id)
    return workspace


def ensure_user(
    session: Session,
    email: str,
    password: str,
    name: str | None = None,
    language: str | None = None,
) -> User:
    """Create the user, or reset the password of an existing one (idempotent for the demo)."""
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidInput("email", "is not an e-mail address")
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email,
            name=name or email.split("@")[0],
            language=language,
            password_hash=hash_password(password),
        )
        session.add(user)
    else:
        user.password_hash = hash_password(password)
        if name:
            user.name = name
    session.flush()
    return user


def grant_role(session: Session, workspace: Workspace, user: User, role: Role) -> Membership:
    membership = session.scalar(
        select(Membership).where(
            Membership.workspace_id == workspace.id, Membership.user_id == user.id
        )
    )
    if membership is None:
        membership = Membership(workspace_id=workspace.id, user_id=user.id, role=role.value)
        session.add(membership)
    else:
        membership.role = role.value
    session.flush()
    audit(session, workspace.id, user.email, "grant", "membership", user.id, {"role": role.value})
    return membership


def authenticate_password(session: Session, email: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        # Spend the same time as a real check so e-mails cannot be enumerated by timing.
        password_matches(_dummy_hash(), password)
        return None
    return user if password_matches(user.password_hash, password) else None


@cache
def _dummy_hash() -> str:
    """Hashed on first use, not at import: argon2 takes ~0.2 s, which every CLI call paid."""
    return _hasher.hash("not-a-real-password")


def memberships_of(session: Session, user: User) -> list[tuple[Workspace, Role]]:
    rows = session.execute(
        select(Workspace, Membership.role)
        .join(Membership, Membership.workspace_id == Workspace.id)
        .where(Membership.user_id == user.id)
        .order_by(Workspace.slug)
    ).all()
    return [(workspace, Role(role)) for workspace, role in rows]


@dataclass(frozen=True)
class IssuedToken:
    """The only moment the secret exists in clear: show it once, store only its hash."""

    token: str
    record: ApiToken


def create_api_token(
    session: Session,
    workspace: Workspace,
    scope: Scope,
    name: str = "cli",
    user: User | None = None,
) -> IssuedToken:
    secret = secrets.token_urlsafe(32)
    token = f"{TOKEN_PREFIX}{secret}"
    record = ApiToken(
        workspace_id=workspace.id,
        user_id=user.id if user else None,
        name=name,
        prefix=token[: len(TOKEN_PREFIX) + 6],
        token_hash=hash_token(token),
        scopes=scope.value,
    )
    session.add(record)
    session.flush()
    audit(
        session,
        workspace.id,
        user.email if user else "cli",
        "create",
        "api_token",
        record.id,
        {"scope": scope.value, "name": name},
    )
    return IssuedToken(token=token, record=record)


def authenticate_token(session: Session, token: str) -> tuple[ApiToken, Workspace] | None:
    """The live token and its workspace, or None for an unknown or revoked token."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = session.execute(
        select(ApiToken, Workspace)
        .join(Workspace, Workspace.id == ApiToken.workspace_id)
        .where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None:
        return None
    api_token, workspace = row
    return api_token, workspace


def audit(
    session: Session,
    workspace_id: int | None,
    actor: str,
    action: str,
    entity: str,
    entity_id: object = None,
    detail: dict[str, Any] | None = None,
    user_id: int | None = None,
) -> None:
    """Append to the audit log inside the caller's transaction (so it commits with it);
    inside ``audit_batch.audit_entries_in_bulk`` with the next flush's other entries."""
    values = {
        "workspace_id": workspace_id,
        "user_id": user_id,
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": None if entity_id is None else str(entity_id),
        "detail": detail,
        "at": utcnow(),
    }
    if not kept_for_bulk(session, values):
        session.add(AuditEntry(**values))
