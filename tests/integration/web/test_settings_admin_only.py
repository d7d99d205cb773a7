"""Every route of Settings → "Members", "API tokens", "Webhooks" and "Surveys" lets only
a workspace's owners and admins on: someone without a workspace gets the "no workspace"
page, anyone else the settings page with a 403 and the refusal of that section (before the
id in the path is even validated), and nothing changes; a form sent without its CSRF token
is refused as forged first."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.orm import ApiToken, Membership, WebhookEndpointRow
from kano.domain.workspaces import Role
from tests.integration.web.browsing import Browser, csrf_token_in, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies

MEMBERS = "Only a workspace owner or admin may manage the members."
TOKENS_AND_WEBHOOKS = "Only a workspace owner or admin may manage API tokens and webhooks."
SURVEYS = "Only a workspace owner or admin may change these settings."
NO_WORKSPACE = "You do not belong to any workspace yet."
FORGED = "The form was sent without its security token"

# The element of the settings page that says each refusal.
SHOWN_IN = {MEMBERS: "members-refused", TOKENS_AND_WEBHOOKS: "access-refused",
            SURVEYS: "settings-refused"}

# (method, path, form, the refusal the page shows); ``{id}`` is a member of Acme.
ROUTES = [
    ("POST", "/settings/members", {"email": "mallory@evil.test", "role": "owner"}, MEMBERS),
    ("POST", "/settings/members/{id}/role", {"role": "owner"}, MEMBERS),
    ("POST", "/settings/members/{id}/link", {}, MEMBERS),
    ("GET", "/settings/members/{id}/remove", {}, MEMBERS),
    ("POST", "/settings/members/{id}/remove", {}, MEMBERS),
    ("POST", "/settings/tokens", {"name": "sneaky", "scopes": "write"}, TOKENS_AND_WEBHOOKS),
    ("GET", "/settings/tokens/{id}/revoke", {}, TOKENS_AND_WEBHOOKS),
    ("POST", "/settings/tokens/{id}/revoke", {}, TOKENS_AND_WEBHOOKS),
    ("POST", "/settings/webhooks", {"url": "https://example.com/hook"}, TOKENS_AND_WEBHOOKS),
    ("POST", "/settings/webhooks/{id}/enabled", {"enabled": "false"}, TOKENS_AND_WEBHOOKS),
    ("GET", "/settings/webhooks/{id}/rotate", {}, TOKENS_AND_WEBHOOKS),
    ("POST", "/settings/webhooks/{id}/rotate", {}, TOKENS_AND_WEBHOOKS),
    ("GET", "/settings/webhooks/{id}/delete", {}, TOKENS_AND_WEBHOOKS),
    ("POST", "/settings/webhooks/{id}/delete", {}, TOKENS_AND_WEBHOOKS),
    ("POST", "/settings/surveys", {"survey_fatigue_days": "1"}, SURVEYS),
]


def _counts(sessions: sessionmaker[Session]) -> tuple[int, int, int]:
    with sessions() as session:
        return (session.scalar(select(func.count()).select_from(Membership)) or 0,
                session.scalar(select(func.count()).select_from(ApiToken)) or 0,
                session.scalar(select(func.count()).select_from(WebhookEndpointRow)) or 0)


def _send(browser: Browser, method: str, path: str, form: dict[str, str],
          token: str | None) -> str:
    """The answer's status code and page, as one string (so a failed check shows both)."""
    if method == "GET":
        response = browser.client.get(path)
    else:
        data = form if token is None else {**form, "csrf_token": token}
        response = browser.client.post(path, data=data)
    return f"{response.status_code} {response.text}"


def test_only_owners_and_admins_reach_the_admin_settings_routes(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        viewer = accounts.ensure_user(session, "vic@acme.test", PASSWORD)
        accounts.grant_role(session, accounts.get_workspace(session, "acme"), viewer,
                            Role.VIEWER)
        accounts.ensure_user(session, "nora@nowhere.test", PASSWORD)
        member_id = session.scalars(select(Membership.id).where(
            Membership.workspace_id == companies.acme_id)).first()
    before = _counts(sessions)

    browser.log_in("vic@acme.test", PASSWORD)
    token = csrf_token_in(browser.page("/settings").text)
    for method, path, form, refusal in ROUTES:
        answer = _send(browser, method, path.format(id=member_id), form, token)
        assert answer.startswith("403 "), (method, path, answer[:200])
        assert text_of(answer, SHOWN_IN[refusal]) == refusal, (method, path)
        others = [element for element in SHOWN_IN.values() if element != SHOWN_IN[refusal]]
        assert not any(f'id="{other}"' in answer for other in others), (method, path)
        if method == "POST":  # without its token the form is refused as forged, first
            forged = _send(browser, method, path.format(id=member_id), form, None)
            assert forged.startswith("403 ") and FORGED in forged, (method, path)
            assert not any(f'id="{element}"' in forged for element in SHOWN_IN.values())

    # Who may is asked before what was sent: a malformed id is refused, not validated.
    for path in ("/settings/members/0/role", "/settings/tokens/x/revoke",
                 "/settings/webhooks/0/delete"):
        answer = _send(browser, "POST", path, {}, token)
        assert answer.startswith("403 ") and MEMBERS[:40] in answer, path

    browser.client.cookies.clear()
    browser.log_in("nora@nowhere.test", PASSWORD)
    token = browser.session_token()
    for method, path, form, _refusal in ROUTES:
        answer = _send(browser, method, path.format(id=member_id), form, token)
        assert answer.startswith("200 ") and NO_WORKSPACE in answer, (method, path)

    assert _counts(sessions) == before
