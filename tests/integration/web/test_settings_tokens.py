"""Settings → "API tokens": an owner creates a token and sees its secret once, the token
works as a bearer on the API, revoking it (after a confirmation) makes the API answer 401;
CSRF, field errors, escaping, audit, roles (analysts and viewers neither see the section
nor may use it) and workspace isolation; EN/RU/HU."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.orm import ApiToken, AuditEntry
from kano.domain.workspaces import Scope
from tests.integration.web.browsing import Browser, csrf_token_in, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies


def _tokens(sessions: sessionmaker[Session]) -> list[tuple[int, str, str, bool]]:
    with sessions() as session:
        return [(row.workspace_id, row.name, row.scopes, row.revoked_at is None)
                for row in session.scalars(select(ApiToken).order_by(ApiToken.id))]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_an_owner_creates_a_token_sees_it_once_uses_it_and_revokes_it(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    browser.log_in(companies.bob, PASSWORD)  # owner of Acme
    page = browser.page("/settings")
    assert "No API tokens yet." in text_of(page.text, "api-tokens")
    token = csrf_token_in(page.text)

    created = browser.client.post("/settings/tokens", data={
        "name": "CRM sync", "scopes": ["read", "write"], "csrf_token": token})
    assert created.status_code == 200, created.text
    assert created.headers["cache-control"] == "no-store"
    assert "This is the only time the token is shown." in text_of(created.text, "secret-once")
    secret = created.text.split('id="new-secret"')[1].split('value="')[1].split('"')[0]
    assert secret.startswith("kano_")
    assert _tokens(sessions) == [(companies.acme_id, "CRM sync", "write", True)]

    # The secret is not shown again: not in the list, nowhere on the page.
    page = browser.page("/settings")
    assert secret not in page.text
    listed = text_of(page.text, "token-list")
    assert "CRM sync" in listed and secret[:11] in listed and "write" in listed
    assert "never" in listed and companies.bob in listed

    # It works as a bearer on the API, as its creator (an owner of Acme).
    who = browser.client.get("/api/v1/workspace", headers=_bearer(secret))
    assert who.status_code == 200, who.text
    assert who.json()["workspace"]["slug"] == "acme"
    assert "write" in who.json()["token"]["scopes"]
    assert "Last used" in browser.page("/settings").text
    assert "never" not in text_of(browser.page("/settings").text, "token-list")

    with sessions() as session:
        token_id = session.scalars(select(ApiToken.id)).one()
    confirm = browser.page(f"/settings/tokens/{token_id}/revoke")
    assert "Revoke this API token?" in confirm.text and "CRM sync" in confirm.text
    revoked = browser.client.post(f"/settings/tokens/{token_id}/revoke",
                                  data={"csrf_token": csrf_token_in(confirm.text)})
    assert revoked.status_code == 303
    assert revoked.headers["location"] == "/settings?saved=token-revoked#api-tokens"
    after = browser.page(revoked.headers["location"])
    assert "The token is revoked" in text_of(after.text, "token-notice")
    assert "CRM sync" not in text_of(after.text, "api-tokens").split("Create a token")[0]

    refused = browser.client.get("/api/v1/workspace", headers=_bearer(secret))
    assert refused.status_code == 401
    assert _tokens(sessions) == [(companies.acme_id, "CRM sync", "write", False)]
    again = browser.client.post(f"/settings/tokens/{token_id}/revoke",
                                data={"csrf_token": token})
    assert again.status_code == 404

    with sessions() as session:
        entries = session.execute(
            select(AuditEntry.action, AuditEntry.actor, AuditEntry.workspace_id)
            .where(AuditEntry.entity == "api_token").order_by(AuditEntry.id)).all()
    assert [tuple(entry) for entry in entries] == [
        ("create", companies.bob, companies.acme_id),
        ("revoke", companies.bob, companies.acme_id),
    ]


def test_a_read_scope_token_reads_but_cannot_write(
    browser: Browser, companies: SeededCompanies,
) -> None:
    browser.log_in(companies.bob, PASSWORD)
    created = browser.client.post("/settings/tokens", data={
        "name": "dashboard", "scopes": "read", "csrf_token": browser.session_token()})
    secret = created.text.split('id="new-secret"')[1].split('value="')[1].split('"')[0]
    assert browser.client.get("/api/v1/workspace/settings",
                              headers=_bearer(secret)).status_code == 200
    assert browser.client.patch("/api/v1/workspace/settings", json={},
                                headers=_bearer(secret)).status_code == 403


def test_missing_csrf_bad_fields_and_names_are_refused_or_escaped(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    browser.log_in(companies.bob, PASSWORD)
    token = browser.session_token()

    without_csrf = browser.client.post("/settings/tokens", data={"name": "x", "scopes": "read"})
    assert without_csrf.status_code == 403
    no_name = browser.client.post("/settings/tokens", data={
        "name": "   ", "scopes": "read", "csrf_token": token})
    assert no_name.status_code == 422
    assert "Give the token a name" in text_of(no_name.text, "token-name-error")
    assert 'id="token-name" name="name"' in no_name.text and 'aria-invalid="true"' in no_name.text
    no_scope = browser.client.post("/settings/tokens", data={
        "name": "kept", "csrf_token": token})
    assert no_scope.status_code == 422
    assert "Choose at least one scope." in text_of(no_scope.text, "token-scopes-error")
    assert 'value="kept"' in no_scope.text
    too_long = browser.client.post("/settings/tokens", data={
        "name": "n" * 201, "scopes": "read", "csrf_token": token})
    assert too_long.status_code == 422
    assert _tokens(sessions) == []

    hostile = '<script>alert("t")</script>'
    made = browser.client.post("/settings/tokens", data={
        "name": hostile, "scopes": "read", "csrf_token": token})
    assert made.status_code == 200
    page = browser.page("/settings").text
    assert hostile not in page and hostile not in made.text
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in page


def test_analysts_and_viewers_neither_see_nor_use_the_section(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        acme = accounts.get_workspace(session, "acme")
        existing = accounts.create_api_token(session, acme, Scope.READ, "existing").record.id

    browser.log_in(companies.alice, PASSWORD)  # analyst of Acme
    page = browser.page("/settings")
    assert 'id="api-tokens"' not in page.text and 'action="/settings/tokens"' not in page.text
    assert 'id="webhooks"' not in page.text
    token = csrf_token_in(page.text)
    refused = browser.client.post("/settings/tokens", data={
        "name": "mine", "scopes": "write", "csrf_token": token})
    assert refused.status_code == 403
    assert "Only a workspace owner or admin may manage API tokens" in refused.text
    assert browser.client.get(f"/settings/tokens/{existing}/revoke").status_code == 403
    assert browser.client.post(f"/settings/tokens/{existing}/revoke",
                               data={"csrf_token": token}).status_code == 403

    browser.client.post("/logout", data={"csrf_token": token})
    browser.log_in(companies.bob, PASSWORD)  # owner of Acme, viewer of Globex
    switched = browser.client.post("/workspace", data={
        "workspace_id": str(companies.globex_id), "csrf_token": browser.session_token()})
    assert switched.status_code == 303
    page = browser.page("/settings")
    assert 'id="api-tokens"' not in page.text
    assert browser.client.post("/settings/tokens", data={
        "name": "mine", "scopes": "read", "csrf_token": csrf_token_in(page.text),
    }).status_code == 403
    assert _tokens(sessions) == [(companies.acme_id, "existing", "read", True)]


def test_a_token_of_another_workspace_cannot_be_revoked_or_seen(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        globex = accounts.get_workspace(session, "globex")
        theirs = accounts.create_api_token(session, globex, Scope.WRITE, "globex-only")
        their_id, their_prefix = theirs.record.id, theirs.record.prefix
    browser.log_in(companies.bob, PASSWORD)  # in Acme, where he is owner
    page = browser.page("/settings")
    assert "globex-only" not in page.text and their_prefix not in page.text
    assert browser.client.get(f"/settings/tokens/{their_id}/revoke").status_code == 404
    refused = browser.client.post(f"/settings/tokens/{their_id}/revoke",
                                  data={"csrf_token": csrf_token_in(page.text)})
    assert refused.status_code == 404
    assert _tokens(sessions) == [(companies.globex_id, "globex-only", "write", True)]


def test_the_section_speaks_russian_and_hungarian(
    browser: Browser, companies: SeededCompanies,
) -> None:
    browser.log_in(companies.bob, PASSWORD)
    ru = browser.page("/settings?lang=ru").text
    assert "API-токены" in text_of(ru, "api-tokens-heading")
    assert "Создать токен" in ru
    hu = browser.page("/settings?lang=hu").text
    assert "API-tokenek" in text_of(hu, "api-tokens-heading")
