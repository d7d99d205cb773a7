"""``/set-password?token=…``: a person added on Settings → "Members" without an account
sets their password here, then logs in.

The link is a signed token (itsdangerous, the server's secret key, its own salt, valid
7 days) that carries the user id and a fingerprint of the user's current password hash.
Setting the password changes the hash, so the link stops working once used: single use
without a table of its own. An expired, used or forged link gets a page that says so (400).

The form is posted without a session, so it carries a signed double-submit token as the
login form does (``csrf.py``), in a cookie of its own scoped to this path; posts are
rate-limited per client address (``rate_limit.py``: shared on PostgreSQL).

After the password is set the person is sent to the login page, which says so and fills in
their e-mail address. What it shows comes from a signed cookie (scoped to ``/login``, 15
minutes) naming the user and their new password hash, never from the query string: a link
cannot make the login page claim a password was set or put text of its choosing there.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from kano.adapters.db.accounts import audit, hash_password
from kano.adapters.db.orm import User
from kano.adapters.web.csrf import CsrfRejected
from kano.adapters.web.deps import AnyPage, DbSession, Page
from kano.adapters.web.rate_limit import client_must_wait
from kano.config import Settings
from kano.domain.shared.errors import InvalidInput

router = APIRouter()

PATH = "/set-password"
LINK_SALT = "kano.set-password"
LINK_MAX_AGE_SECONDS = 7 * 24 * 3600
CSRF_SALT = "kano.set-password-csrf"
CSRF_COOKIE = "kano_set_password_csrf"
CSRF_MAX_AGE_SECONDS = 2 * 3600
# Stricter than accounts.hash_password's 4 (which the CLI and the demo's "demo" password
# keep): this password is chosen by a person for a login reachable over the web.
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 1024  # argon2 takes any length; a cap keeps a post cheap
POSTS_PER_MINUTE_PER_IP = 10
NOTICE_SALT = "kano.password-set-notice"
NOTICE_COOKIE = "kano_password_set"
NOTICE_MAX_AGE_SECONDS = 15 * 60

FormText = Annotated[str, Form()]


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:32]


def _link_serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt=LINK_SALT)


def set_password_token(settings: Settings, user: User) -> str:
    """The token of a user's set-password link; void once their password hash changes."""
    return _link_serializer(settings).dumps({"u": user.id, "f": _fingerprint(user.password_hash)})


def set_password_url(request: Request, settings: Settings, user: User) -> str:
    base = str(request.base_url).rstrip("/")
    return f"{base}{PATH}?token={set_password_token(settings, user)}"


def _user_of(db: Session, settings: Settings, token: str) -> User | None:
    """The user a valid, unused, unexpired token names; None otherwise."""
    return _user_named(db, _link_serializer(settings), token, LINK_MAX_AGE_SECONDS)


def _user_named(db: Session, serializer: URLSafeTimedSerializer, signed: str,
                max_age: int) -> User | None:
    """The user that ``signed`` names, if our signature is on it, it is younger than
    ``max_age`` seconds and the user's password hash is still the one it was made for."""
    try:
        claims: Any = serializer.loads(signed, max_age=max_age)
    except BadSignature:  # SignatureExpired is a BadSignature too
        return None
    if not isinstance(claims, dict):
        return None
    user_id, fingerprint = claims.get("u"), claims.get("f")
    if not isinstance(user_id, int) or not isinstance(fingerprint, str):
        return None
    user = db.get(User, user_id)
    if user is None or not secrets.compare_digest(_fingerprint(user.password_hash), fingerprint):
        return None
    return user


# --- the login page's "your password is set" notice ----------------------------------------

def _notice_serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt=NOTICE_SALT)


def _remember_password_set(response: Response, settings: Settings, user: User) -> None:
    signed = _notice_serializer(settings).dumps(
        {"u": user.id, "f": _fingerprint(user.password_hash)})
    response.set_cookie(NOTICE_COOKIE, signed, max_age=NOTICE_MAX_AGE_SECONDS, path="/login",
                        httponly=True, samesite="lax", secure=settings.cookie_secure)


def forget_password_set(response: Response, settings: Settings) -> None:
    response.delete_cookie(NOTICE_COOKIE, path="/login", httponly=True, samesite="lax",
                           secure=settings.cookie_secure)


def email_with_password_just_set(request: Request, db: Session,
                                 settings: Settings) -> str | None:
    """The e-mail address of the person who has just set their password in this browser,
    for the login page's notice; None without our fresh cookie, or once the password has
    changed again."""
    signed = request.cookies.get(NOTICE_COOKIE)
    if not signed:
        return None
    user = _user_named(db, _notice_serializer(settings), signed[:2000], NOTICE_MAX_AGE_SECONDS)
    if user is None or not user.is_active:
        return None
    return user.email


# --- the form's CSRF token: signed double submit, as the login form -------------------------

def _csrf_serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt=CSRF_SALT)


def _is_signed(token: str, settings: Settings) -> bool:
    try:
        _csrf_serializer(settings).loads(token, max_age=CSRF_MAX_AGE_SECONDS)
    except BadSignature:
        return False
    return True


def _form_token(request: Request, settings: Settings) -> str:
    current = request.cookies.get(CSRF_COOKIE)
    if current and _is_signed(current, settings):
        return current
    return _csrf_serializer(settings).dumps(secrets.token_hex(16))


def _check_form_token(request: Request, submitted: str, settings: Settings) -> None:
    cookie = request.cookies.get(CSRF_COOKIE)
    if not submitted or not cookie or not secrets.compare_digest(submitted, cookie):
        raise CsrfRejected
    if not _is_signed(submitted, settings):
        raise CsrfRejected


def _form(page: Page, request: Request, *, token: str, email: str, error: str | None = None,
          status_code: int = 200) -> Response:
    settings = page.web.container.settings
    form_token = _form_token(request, settings)
    response = page.render("auth/set_password.html", status_code=status_code, token=token,
                           email=email, error=error, form_token=form_token,
                           link_invalid=False, too_many=False, min_length=PASSWORD_MIN_LENGTH)
    response.set_cookie(CSRF_COOKIE, form_token, max_age=CSRF_MAX_AGE_SECONDS, path=PATH,
                        httponly=True, samesite="lax", secure=settings.cookie_secure)
    return response


def _invalid_link(page: Page) -> Response:
    return page.render("auth/set_password.html", status_code=400, link_invalid=True,
                       too_many=False)


@router.get(PATH)
def set_password_form(page: AnyPage, request: Request, db: DbSession,
                      token: str = "") -> Response:
    user = _user_of(db, page.web.container.settings, token[:2000])
    if user is None:
        return _invalid_link(page)
    return _form(page, request, token=token, email=user.email)


@router.post(PATH)
def set_password(
    page: AnyPage,
    request: Request,
    db: DbSession,
    token: FormText = "",
    password: FormText = "",
    password_again: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    settings = page.web.container.settings
    _check_form_token(request, csrf_token, settings)
    wait = client_must_wait(request, "set-password", POSTS_PER_MINUTE_PER_IP)
    if wait is not None:
        refused = page.render("auth/set_password.html", status_code=429, link_invalid=False,
                              too_many=True)
        refused.headers["Retry-After"] = str(wait)
        return refused
    user = _user_of(db, settings, token[:2000])
    if user is None:
        return _invalid_link(page)
    if password != password_again:
        return _form(page, request, token=token, email=user.email, error="mismatch",
                     status_code=422)
    if len(password) > PASSWORD_MAX_LENGTH:
        return _form(page, request, token=token, email=user.email, error="too-long",
                     status_code=422)
    if len(password) < PASSWORD_MIN_LENGTH:
        return _form(page, request, token=token, email=user.email, error="too-short",
                     status_code=422)
    try:
        user.password_hash = hash_password(password)
    except InvalidInput:
        return _form(page, request, token=token, email=user.email, error="too-short",
                     status_code=422)
    user.is_active = True
    audit(db, None, user.email, "set_password", "user", user.id, user_id=user.id)
    db.commit()
    response = page.redirect("/login")
    response.delete_cookie(CSRF_COOKIE, path=PATH, httponly=True, samesite="lax",
                           secure=settings.cookie_secure)
    _remember_password_set(response, settings, user)
    return response
