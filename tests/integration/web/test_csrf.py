"""Every state-changing form needs its CSRF token; without it the answer is 403."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.orm import WebSession
from kano.adapters.web.csrf import LOGIN_CSRF_COOKIE
from tests.integration.web.browsing import Browser, csrf_token_in
from tests.integration.web.seed import SeededCompanies

REFUSED = "Request refused"


def _session_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as db:
        return int(db.scalar(select(func.count()).select_from(WebSession)) or 0)


def test_login_without_token_is_refused(
    client: TestClient, companies: SeededCompanies, sessions: sessionmaker[Session]
) -> None:
    client.get("/login")  # the cookie half is there, the form half is missing

    response = client.post(
        "/login", data={"email": companies.alice, "password": companies.password}
    )

    assert response.status_code == 403
    assert REFUSED in response.text
    assert _session_count(sessions) == 0


def test_login_with_a_token_forged_without_the_secret_is_refused(
    client: TestClient, companies: SeededCompanies
) -> None:
    forged = "made-up-token"
    client.cookies.set(LOGIN_CSRF_COOKIE, forged, path="/login")

    response = client.post("/login", data={
        "email": companies.alice, "password": companies.password, "csrf_token": forged,
    })

    assert response.status_code == 403


def test_login_token_from_the_form_without_its_cookie_is_refused(
    app: object, companies: SeededCompanies
) -> None:
    with TestClient(app, follow_redirects=False) as first:  # type: ignore[arg-type]
        token = csrf_token_in(first.get("/login").text)
    with TestClient(app, follow_redirects=False) as attacker:  # type: ignore[arg-type]
        response = attacker.post("/login", data={
            "email": companies.alice, "password": companies.password, "csrf_token": token,
        })

    assert response.status_code == 403


def test_logout_without_token_is_refused_and_keeps_the_session(
    browser: Browser, client: TestClient, companies: SeededCompanies,
    sessions: sessionmaker[Session],
) -> None:
    browser.log_in(companies.alice, companies.password)

    missing = client.post("/logout")
    wrong = client.post("/logout", data={"csrf_token": "not-the-session-token"})

    assert missing.status_code == wrong.status_code == 403
    assert REFUSED in missing.text
    assert _session_count(sessions) == 1
    assert client.get("/").status_code == 200


def test_refusal_is_translated(
    browser: Browser, client: TestClient, companies: SeededCompanies
) -> None:
    browser.log_in(companies.alice, companies.password)

    response = client.post("/logout?lang=hu")

    assert response.status_code == 403
    assert "A kérés elutasítva" in response.text


def test_htmx_request_may_send_the_token_in_a_header(
    browser: Browser, client: TestClient, companies: SeededCompanies
) -> None:
    browser.log_in(companies.bob, companies.password)
    token = browser.session_token()

    with_header = client.post(
        "/workspace", data={"workspace_id": str(companies.globex_id)},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    without = client.post(
        "/workspace", data={"workspace_id": str(companies.acme_id)}, headers={"HX-Request": "true"},
    )

    assert with_header.status_code == 204
    assert with_header.headers["HX-Refresh"] == "true"
    assert without.status_code == 403
