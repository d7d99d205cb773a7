"""Logging in and out with an e-mail and a password; each is written to the audit log."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form
from starlette.requests import Request
from starlette.responses import Response

from kano.adapters.db.accounts import audit, authenticate_password, memberships_of
from kano.adapters.web.csrf import (
    check_login_token,
    clear_login_cookie,
    login_token_for,
    set_login_cookie,
)
from kano.adapters.web.deps import AnyPage, CsrfChecked, DbSession, SignedInPage
from kano.adapters.web.rate_limit import client_must_wait
from kano.adapters.web.routes.set_password import (
    email_with_password_just_set,
    forget_password_set,
)
from kano.adapters.web.sessions import (
    SESSION_COOKIE,
    clear_session_cookie,
    close_session,
    open_session,
    set_session_cookie,
)

router = APIRouter()

FormText = Annotated[str, Form()]


def local_path(candidate: str | None) -> str:
    """``candidate`` if it is a path on this site, else ``/`` (no open redirects).

    ``//evil.example`` and ``/\\evil.example`` are read by browsers as other hosts, so a
    path must start with exactly one slash and hold no backslash or control character.
    """
    if not candidate or not candidate.startswith("/") or candidate.startswith("//"):
        return "/"
    if "\\" in candidate or any(ord(char) < 32 or ord(char) == 127 for char in candidate):
        return "/"
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc:
        return "/"
    return candidate


def _login_form(
    page: AnyPage, request: Request, *, next_path: str, email: str = "", error: str | None = None,
    status_code: int = 200, password_set: bool = False,
) -> Response:
    settings = page.web.container.settings
    token = login_token_for(request, settings)
    response = page.render(
        "auth/login.html", status_code=status_code,
        login_token=token, next_path=next_path, email=email, error=error,
        password_set=password_set,
    )
    set_login_cookie(response, token, settings)
    return response


# Per client address and minute, counted before the password is checked: a guesser gets
# 10 tries a minute, not as many as the server can hash (Argon2: ~50 ms each).
LOGIN_POSTS_PER_MINUTE = 10


@router.get("/login")
def login_form(page: AnyPage, request: Request, db: DbSession,
               next: str | None = None) -> Response:
    if page.viewer is not None:
        return page.redirect(local_path(next))
    # Just back from /set-password: say so, with the e-mail address filled in. Both come
    # from the server's signed cookie, never from the query string.
    email = email_with_password_just_set(request, db, page.web.container.settings)
    return _login_form(page, request, next_path=local_path(next), email=email or "",
                       password_set=email is not None)


@router.post("/login")
def log_in(
    page: AnyPage,
    request: Request,
    db: DbSession,
    email: FormText = "",
    password: FormText = "",
    csrf_token: FormText = "",
    next: FormText = "/",
) -> Response:
    settings = page.web.container.settings
    check_login_token(request, csrf_token, settings)
    wait = client_must_wait(request, "login", LOGIN_POSTS_PER_MINUTE)
    if wait is not None:
        refused = _login_form(
            page, request, next_path=local_path(next), email=email, status_code=429,
            error=page.gettext("Too many attempts from your connection. Please try again in a "
                               "minute."),
        )
        refused.headers["Retry-After"] = str(wait)
        return refused
    user = authenticate_password(db, email, password)
    if user is None:
        audit(db, None, email.strip().lower()[:200] or "anonymous", "login_failed", "user")
        db.commit()
        # The same message whether the e-mail exists or not: no user enumeration.
        return _login_form(
            page, request, next_path=local_path(next), email=email, status_code=400,
            error=page.gettext("The e-mail address or the password is not right."),
        )
    workspaces = memberships_of(db, user)
    workspace_id = workspaces[0][0].id if workspaces else None
    opened = open_session(db, user, workspace_id, settings.session_max_age_seconds)
    audit(db, workspace_id, user.email, "login", "user", user.id, user_id=user.id)
    db.commit()
    response = page.redirect(local_path(next))
    set_session_cookie(response, opened.secret, settings)
    clear_login_cookie(response, settings)
    forget_password_set(response, settings)
    return response


@router.post("/logout", dependencies=[CsrfChecked])
def log_out(page: SignedInPage, request: Request, db: DbSession) -> Response:
    closed = close_session(db, request.cookies.get(SESSION_COOKIE))
    workspace_id = page.workspace.id if page.workspace else None
    if closed is not None:
        audit(db, workspace_id, page.viewer.email, "logout", "user", page.viewer.user_id,
              user_id=page.viewer.user_id)
    db.commit()
    response = page.redirect("/login")
    clear_session_cookie(response, page.web.container.settings)
    return response
