"""Server-side login sessions: the cookie holds a random secret, the database its SHA-256.

A database row (not a signed cookie) is the session so that logging out, or an admin
disabling a user, ends it at once. Only the hash is stored, so a leaked table cannot be
replayed as cookies.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from kano.adapters.db.orm import User, WebSession, utcnow
from kano.config import Settings

SESSION_COOKIE = "kano_session"


def hash_session_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class OpenedSession:
    """A new session: the secret goes into the cookie once and is never stored."""

    secret: str
    record: WebSession


def open_session(
    db: Session, user: User, workspace_id: int | None, max_age_seconds: int
) -> OpenedSession:
    """Start a session (a fresh secret at every login, so a planted cookie cannot be reused)."""
    now = utcnow()
    db.execute(
        delete(WebSession).where(WebSession.user_id == user.id, WebSession.expires_at <= now)
    )
    secret = secrets.token_urlsafe(32)
    record = WebSession(
        session_hash=hash_session_secret(secret),
        user_id=user.id,
        workspace_id=workspace_id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + timedelta(seconds=max_age_seconds),
    )
    db.add(record)
    db.flush()
    return OpenedSession(secret, record)


def find_session(db: Session, secret: str | None) -> tuple[WebSession, User] | None:
    """The live session of this cookie and its active user, or None."""
    if not secret:
        return None
    row = db.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(
            WebSession.session_hash == hash_session_secret(secret),
            WebSession.expires_at > utcnow(),
            User.is_active.is_(True),
        )
    ).first()
    if row is None:
        return None
    web_session, user = row
    return web_session, user


def close_session(db: Session, secret: str | None) -> WebSession | None:
    """Delete the session of this cookie; the deleted row, or None if there was none."""
    if not secret:
        return None
    record = db.scalar(
        select(WebSession).where(WebSession.session_hash == hash_session_secret(secret))
    )
    if record is not None:
        db.delete(record)
        db.flush()
    return record


def set_session_cookie(response: Response, secret: str, settings: Settings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=settings.session_max_age_seconds,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=settings.cookie_secure
    )
