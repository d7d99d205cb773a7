"""Logging in and out with server-side sessions."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.orm import AuditEntry, WebSession
from kano.adapters.web.routes.auth import local_path
from kano.adapters.web.sessions import SESSION_COOKIE, hash_session_secret
from kano.config import Settings
from tests.integration.web.browsing import Browser, csrf_token_in
from tests.integration.web.seed import SeededCompanies


def test_page_without_session_redirects_to_login_with_next(client: TestClient) -> None:
    response = client.get("/okr?view=tree")

    assert response.status_code == 303
    location = urlsplit(response.headers["location"])
    assert location.path == "/login"
    assert parse_qs(location.query) == {"next": ["/okr?view=tree"]}


def test_htmx_request_without_session_is_told_where_to_log_in(client: TestClient) -> None:
    response = client.get("/", headers={"HX-Request": "true"})

    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login?next=")


def test_wrong_password_shows_the_form_again_with_400(
    browser: Browser, companies: SeededCompanies
) -> None:
    wrong_password = browser.log_in(companies.alice, "not the password")
    unknown_user = browser.log_in("nobody@acme.test", "not the password")

    for response in (wrong_password, unknown_user):
        assert response.status_code == 400
        assert "The e-mail address or the password is not right." in response.text
        assert SESSION_COOKIE not in response.cookies
    # The same answer for a known and an unknown e-mail: nothing to enumerate.
    assert wrong_password.text.replace(companies.alice, "X").count("not right") == 1
    assert "nobody@acme.test" in unknown_user.text  # the typed address is kept in the form


def test_login_sets_a_hardened_session_cookie_and_redirects_to_next(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session]
) -> None:
    response = browser.log_in(companies.alice, companies.password, next_path="/cx")

    assert response.status_code == 303
    assert response.headers["location"] == "/cx"
    cookie_header = next(
        value for value in response.headers.get_list("set-cookie")
        if value.startswith(f"{SESSION_COOKIE}=")
    )
    assert "HttpOnly" in cookie_header
    assert "SameSite=lax" in cookie_header
    assert "Max-Age=1209600" in cookie_header
    secret = response.cookies[SESSION_COOKIE]
    with sessions() as db:
        stored = db.scalars(select(WebSession.session_hash)).all()
    assert stored == [hash_session_secret(secret)]  # only the hash is kept
    assert browser.page("/cx").status_code == 200


def test_cookie_is_marked_secure_when_the_settings_say_so(
    app: FastAPI, settings: Settings, companies: SeededCompanies
) -> None:
    settings.cookie_secure = True

    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        response = Browser(client).log_in(companies.alice, companies.password)

    assert response.status_code == 303
    assert all("; Secure" in cookie for cookie in response.headers.get_list("set-cookie"))


def test_logout_deletes_the_session_so_the_old_cookie_stops_working(
    browser: Browser, client: TestClient, companies: SeededCompanies,
    sessions: sessionmaker[Session],
) -> None:
    secret = browser.log_in(companies.alice, companies.password).cookies[SESSION_COOKIE]
    token = browser.session_token()

    logout = client.post("/logout", data={"csrf_token": token})

    assert logout.status_code == 303
    assert logout.headers["location"] == "/login"
    with sessions() as db:
        assert db.scalars(select(WebSession)).all() == []
    client.cookies.set(SESSION_COOKIE, secret)  # replay the stolen cookie
    assert client.get("/").status_code == 303


def test_expired_session_no_longer_lets_in(
    browser: Browser, client: TestClient, companies: SeededCompanies,
    sessions: sessionmaker[Session],
) -> None:
    browser.log_in(companies.alice, companies.password)
    with sessions() as db:
        db.execute(update(WebSession).values(expires_at=datetime(2000, 1, 1)))
        db.commit()

    assert client.get("/").status_code == 303


def test_login_and_logout_are_in_the_audit_log(
    browser: Browser, client: TestClient, companies: SeededCompanies,
    sessions: sessionmaker[Session],
) -> None:
    browser.log_in(companies.alice, "wrong")
    browser.log_in(companies.alice, companies.password)
    client.post("/logout", data={"csrf_token": browser.session_token()})

    with sessions() as db:
        entries = db.execute(
            select(AuditEntry.action, AuditEntry.actor, AuditEntry.workspace_id)
            .where(AuditEntry.entity == "user").order_by(AuditEntry.id)
        ).all()
    assert [(action, actor) for action, actor, _ in entries] == [
        ("login_failed", companies.alice), ("login", companies.alice), ("logout", companies.alice),
    ]
    assert entries[1].workspace_id == companies.acme_id


def test_logged_in_visitor_of_the_login_page_goes_on_to_next(
    browser: Browser, client: TestClient, companies: SeededCompanies
) -> None:
    browser.log_in(companies.alice, companies.password)

    response = client.get("/login?next=/okr")

    assert response.status_code == 303
    assert response.headers["location"] == "/okr"


@pytest.mark.parametrize("attempt", [
    "https://evil.example/", "//evil.example/x", "/\\evil.example", "evil", "", "/ok\r\nX: y",
    "javascript:alert(1)",
])
def test_next_must_be_a_local_path(attempt: str) -> None:
    assert local_path(attempt) == "/"


def test_login_form_keeps_a_local_next_and_drops_another_site(
    client: TestClient, companies: SeededCompanies
) -> None:
    form = client.get("/login", params={"next": "//evil.example"})
    response = client.post("/login", data={
        "email": companies.alice, "password": companies.password,
        "next": "https://evil.example/", "csrf_token": csrf_token_in(form.text),
    })

    assert 'name="next" value="/"' in form.text
    assert response.headers["location"] == "/"


@pytest.mark.usefixtures("mid_window_limits")
def test_a_guesser_gets_ten_tries_a_minute_then_waits_even_with_the_right_password(
    browser: Browser, companies: SeededCompanies
) -> None:
    """Login attempts are counted per client address before the password is checked, so
    guessing is slowed to 10 a minute (shared by every server process on PostgreSQL)."""
    for attempt in range(10):
        wrong = browser.log_in(companies.alice, f"guess {attempt}")
        assert wrong.status_code == 400, attempt
    refused = browser.log_in(companies.alice, companies.password)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "Too many attempts from your connection" in refused.text
    assert SESSION_COOKIE not in refused.cookies
