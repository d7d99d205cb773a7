"""Hashed secrets (SPEC §3): a copy of the database gives away no password, no session
and no API token. The whole database is read, every column of every table, after a
login and a token made on the settings page; none of the secrets is in it in clear.
(Webhook signing secrets are the documented exception: signing needs them in clear.)
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.orm import Base
from kano.adapters.web.sessions import SESSION_COOKIE
from tests.integration.web.browsing import Browser
from tests.integration.web.seed import SeededCompanies


def _everything_stored(sessions: sessionmaker[Session]) -> str:
    with sessions() as db:
        return "\n".join(
            repr(tuple(row))
            for table in Base.metadata.sorted_tables
            for row in db.execute(select(table))
        )


def test_no_password_session_or_api_token_is_stored_in_clear(
    client: TestClient, browser: Browser, companies: SeededCompanies,
    sessions: sessionmaker[Session],
) -> None:
    browser.log_in(companies.bob, companies.password)
    session_secret = client.cookies.get(SESSION_COOKIE)
    made = client.post("/settings/tokens", data={
        "name": "nightly export", "scopes": ["read"], "csrf_token": browser.session_token()})
    shown = re.search(r"kano_[A-Za-z0-9_-]{20,}", made.text)

    assert made.status_code == 200 and shown, "the new token is shown once"
    assert session_secret
    stored = _everything_stored(sessions)
    assert "nightly export" in stored  # the token's row is there, by name
    for secret in (companies.password, session_secret, shown.group(0)):
        assert secret not in stored
    # and no recognisable half of one either
    assert shown.group(0)[-20:] not in stored and session_secret[-20:] not in stored
