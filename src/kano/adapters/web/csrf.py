"""Cross-site request forgery protection for every form that changes state.

Logged-in forms carry the session's own random ``csrf_token`` (stored on the WebSession
row), as a hidden field or, for HTMX requests, in the ``X-CSRF-Token`` header.

The login form is posted before any session exists, so it uses a *signed double-submit
cookie*: the same token travels in a cookie and in the form, and the token is signed with
the server's secret key. Another site can neither read our cookie nor forge a signed
token, so it cannot make the two agree.
"""

from __future__ import annotations

import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from kano.config import Settings

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
LOGIN_CSRF_COOKIE = "kano_login_csrf"
LOGIN_CSRF_MAX_AGE_SECONDS = 2 * 3600


class CsrfRejected(Exception):
    """A state-changing request without the right token; answered with HTTP 403."""


def _login_serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="kano.login-csrf")


def new_login_token(settings: Settings) -> str:
    return _login_serializer(settings).dumps(secrets.token_hex(16))


def login_token_for(request: Request, settings: Settings) -> str:
    """The login form's token: the one already in the cookie if still valid, else a new one.

    Reusing it keeps two open login tabs working.
    """
    current = request.cookies.get(LOGIN_CSRF_COOKIE)
    if current and _is_signed_login_token(current, settings):
        return current
    return new_login_token(settings)


def set_login_cookie(response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, max_age=LOGIN_CSRF_MAX_AGE_SECONDS, path="/login",
        httponly=True, samesite="lax", secure=settings.cookie_secure,
    )


def clear_login_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        LOGIN_CSRF_COOKIE, path="/login", httponly=True, samesite="lax",
        secure=settings.cookie_secure,
    )


def _is_signed_login_token(token: str, settings: Settings) -> bool:
    try:
        _login_serializer(settings).loads(token, max_age=LOGIN_CSRF_MAX_AGE_SECONDS)
    except BadSignature:  # SignatureExpired is a BadSignature too
        return False
    return True


def check_login_token(request: Request, submitted: str | None, settings: Settings) -> None:
    """Raise CsrfRejected unless the form's token equals the cookie's and is ours and fresh."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not submitted or not cookie or not secrets.compare_digest(submitted, cookie):
        raise CsrfRejected
    if not _is_signed_login_token(submitted, settings):
        raise CsrfRejected


async def submitted_token(request: Request) -> str | None:
    """The token of a request: the header (HTMX) or the hidden form field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def check_session_token(expected: str, submitted: str | None) -> None:
    if not submitted or not secrets.compare_digest(expected, submitted):
        raise CsrfRejected
