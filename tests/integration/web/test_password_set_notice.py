"""After setting a password through a set-password link, the person lands on the login page,
which says the password is set and fills in their e-mail address. Both come from a signed
cookie naming the user, never from the query string: a crafted link can neither show the
notice nor put text on the page, and a hostile address stored in the database is escaped."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import pytest
from fastapi import FastAPI
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db import accounts, members
from kano.adapters.db.orm import User
from kano.adapters.web.routes import set_password
from kano.domain.workspaces import Role
from tests.integration.web.browsing import Browser, csrf_token_in, text_of
from tests.integration.web.seed import SeededCompanies

NOTICE = "Your password is set. Log in with your e-mail address and your new password."
NEW_PASSWORD = "s3cret-pass-word"
HOSTILE = '"<script>alert(1)</script><img src=x onerror=alert(2)>"@evil.test'


@pytest.fixture
def newcomer(app: FastAPI) -> Iterator[Browser]:
    """The browser of the person who was added: no session, no cookies yet."""
    with TestClient(app, follow_redirects=False) as client:
        yield Browser(client)


def _link_token(app: FastAPI, sessions: sessionmaker[Session], companies: SeededCompanies,
                email: str) -> str:
    """Add ``email`` to Acme as a manager, as Settings → Members does; their link's token."""
    settings = app.state.kano_web.container.settings
    with sessions.begin() as session:
        owner = members.Actor(companies.bob, Role.OWNER, None)
        added = members.add_member(session, companies.acme_id, email, Role.MANAGER, owner)
        return set_password.set_password_token(settings, added.user)


def _set_password(person: Browser, token: str) -> None:
    form = person.page("/set-password", params={"token": token})
    done = person.client.post("/set-password", data={
        "token": token, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD,
        "csrf_token": csrf_token_in(form.text)})
    assert done.status_code == 303 and done.headers["location"] == "/login"


def _email_field(html: str) -> str:
    match = re.search(r'<input id="email"[^>]*>', html)
    assert match, "no e-mail field on the login page"
    return match.group(0)


def _value_of(field: str) -> str:
    match = re.search(r'value="([^"]*)"', field)
    assert match, field
    return unescape(match.group(1))


def test_the_login_page_says_the_password_is_set_and_fills_in_the_email(
    app: FastAPI, newcomer: Browser, companies: SeededCompanies,
    sessions: sessionmaker[Session],
) -> None:
    token = _link_token(app, sessions, companies, "dave@new.test")
    before = newcomer.page("/login").text
    assert 'id="password-set"' not in before

    _set_password(newcomer, token)
    login = newcomer.page("/login").text
    assert text_of(login, "password-set") == NOTICE
    field = _email_field(login)
    assert _value_of(field) == "dave@new.test"
    assert "autofocus" not in field  # the cursor waits in the password field instead
    assert re.search(r'<input id="password"[^>]*autofocus', login)
    ru = newcomer.page("/login", params={"lang": "ru"}).text
    assert text_of(ru, "password-set").startswith("Пароль установлен.")
    hu = newcomer.page("/login", params={"lang": "hu"}).text
    assert text_of(hu, "password-set").startswith("A jelszava beállítva.")

    logged_in = newcomer.log_in("dave@new.test", NEW_PASSWORD)
    assert logged_in.status_code == 303
    assert "Acme Ltd" in newcomer.page("/").text
    # Logging in ends the notice: after logging out the login page is a plain one again.
    newcomer.client.post("/logout", data={"csrf_token": newcomer.session_token()})
    again = newcomer.page("/login").text
    assert 'id="password-set"' not in again
    assert _value_of(_email_field(again)) == ""


def test_neither_the_notice_nor_an_email_comes_from_the_query_string_or_a_forged_cookie(
    app: FastAPI, newcomer: Browser, companies: SeededCompanies,
    sessions: sessionmaker[Session],
) -> None:
    crafted = newcomer.page("/login", params={
        "password": "set", "email": HOSTILE, "notice": "password-set"}).text
    assert 'id="password-set"' not in crafted
    assert "<script>alert" not in crafted and "<img src=x" not in crafted
    assert _value_of(_email_field(crafted)) == ""

    settings = app.state.kano_web.container.settings
    with sessions() as session:
        alice = session.scalars(select(User).where(User.email == companies.alice)).one()
        claims = {"u": alice.id, "f": set_password._fingerprint(alice.password_hash)}
    forgeries = [
        URLSafeTimedSerializer("not-our-key", salt=set_password.NOTICE_SALT).dumps(claims),
        # Our key, but the set-password link's salt: a link is not a notice.
        URLSafeTimedSerializer(settings.secret_key, salt=set_password.LINK_SALT).dumps(claims),
        "garbage",
    ]
    for forged in forgeries:
        newcomer.client.cookies.set(set_password.NOTICE_COOKIE, forged,
                                    domain="testserver.local", path="/login")
        page = newcomer.page("/login").text
        assert 'id="password-set"' not in page, forged
        assert companies.alice not in page

    # The genuine cookie, made when a password is set, does show the notice.
    newcomer.client.cookies.clear()
    _set_password(newcomer, _link_token(app, sessions, companies, "frank@new.test"))
    assert text_of(newcomer.page("/login").text, "password-set") == NOTICE


def test_the_notice_ends_when_the_password_changes_again(
    app: FastAPI, newcomer: Browser, companies: SeededCompanies,
    sessions: sessionmaker[Session],
) -> None:
    _set_password(newcomer, _link_token(app, sessions, companies, "erin@new.test"))
    assert text_of(newcomer.page("/login").text, "password-set") == NOTICE
    with sessions.begin() as session:  # e.g. the operator resets it from the command line
        accounts.ensure_user(session, "erin@new.test", "another password")
    page = newcomer.page("/login").text
    assert 'id="password-set"' not in page and "erin@new.test" not in page


def test_a_hostile_email_address_is_shown_escaped(
    app: FastAPI, newcomer: Browser, companies: SeededCompanies,
    sessions: sessionmaker[Session],
) -> None:
    settings = app.state.kano_web.container.settings
    with sessions.begin() as session:  # stored directly: the members form would refuse it
        user = User(email=HOSTILE, name="Mallory", is_active=False,
                    password_hash=accounts.hash_password("placeholder-password"))
        session.add(user)
        session.flush()
        token = set_password.set_password_token(settings, user)

    form = newcomer.page("/set-password", params={"token": token}).text
    assert "<script>alert" not in form and "<img src=x" not in form
    assert HOSTILE in text_of(form, "set-password-for")
    _set_password(newcomer, token)
    login = newcomer.page("/login").text
    assert text_of(login, "password-set") == NOTICE
    assert "<script>alert" not in login and "<img src=x" not in login
    assert _value_of(_email_field(login)) == HOSTILE  # kept whole, as the value only


def test_someone_signed_in_who_opens_a_link_sees_the_page_too(
    app: FastAPI, browser: Browser, companies: SeededCompanies,
    sessions: sessionmaker[Session],
) -> None:
    token = _link_token(app, sessions, companies, "gina@new.test")
    browser.log_in(companies.bob, companies.password)  # e.g. the owner trying the link
    form = browser.page("/set-password", params={"token": token}).text
    assert "gina@new.test" in text_of(form, "set-password-for")
    used = browser.client.get("/set-password", params={"token": "garbage"})
    assert used.status_code == 400
    assert "cannot be used" in text_of(used.text, "link-invalid")
