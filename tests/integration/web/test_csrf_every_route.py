"""CSRF on every state-changing web route, read from the route table (SPEC §3).

test_csrf.py proves the mechanism on a few forms; this sweep proves no form forgot it: a
signed-in owner's browser posts to every POST/PUT/PATCH/DELETE route of the web UI, once
without a token and once with another session's token, and each must answer 403 with the
refusal page. The API is outside the sweep: it takes a bearer token, never the session
cookie, so another site's form cannot borrow the signed-in user's authority there.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from tests.integration.web.browsing import Browser
from tests.integration.web.route_table import WRITE_METHODS, Endpoint, endpoints, form_fields
from tests.integration.web.seed import SeededCompanies

REFUSED = "Request refused"
# Anonymous by design, so a forged post gains nothing a stranger lacks: a public survey's
# answers (rate-limited per address, test_survey_pages) and the embeddable widget, which
# another site's page posts to on purpose (CORS preflight, test_widget_*).
ANONYMOUS = ("/s/{survey_key}", "/s/{survey_key}/widget")
# Posted before any session exists: a signed double-submit cookie instead (test_csrf.py,
# test_password_set_notice.py); swept below without the cookie's twin.
BEFORE_A_SESSION = ("/login", "/set-password")


def _filled(endpoint: Endpoint) -> str:
    """Any well-formed value: the token is checked before the row is looked up."""
    path = endpoint.filled(lambda _e, name: "1" if name.endswith("_id") else "x")
    assert path is not None
    return path


def _state_changing(app: FastAPI) -> list[Endpoint]:
    return [e for e in endpoints(app) if e.method in WRITE_METHODS and not e.is_api
            and e.path not in ANONYMOUS]


def test_the_sweep_sees_the_forms_of_every_area(app: FastAPI) -> None:
    swept = {e.path.split("/")[1] for e in _state_changing(app)}
    assert {"cases", "customers", "okr", "mbo", "scorecard", "settings", "surveys", "pilots",
            "segments", "journeys", "requirements", "strategy", "logout"} <= swept


@pytest.mark.parametrize("token", ["none", "another session's"])
def test_every_state_changing_web_route_refuses_a_post_without_its_token(
    app: FastAPI, client: TestClient, browser: Browser, companies: SeededCompanies, token: str,
) -> None:
    other = Browser(TestClient(app, follow_redirects=False))
    other.log_in(companies.alice, companies.password)
    browser.log_in(companies.bob, companies.password)  # an owner: no role refusal first
    forged = {} if token == "none" else {"csrf_token": other.session_token()}
    accepted = []
    for endpoint in _state_changing(app):
        response = client.request(endpoint.method, _filled(endpoint),
                                  data={**form_fields(endpoint.route), **forged})
        if response.status_code != 403 or (endpoint.path not in BEFORE_A_SESSION
                                           and REFUSED not in response.text):
            accepted.append(f"{endpoint} → {response.status_code}")
    assert accepted == []
    assert client.get("/").status_code == 200  # still signed in: /logout refused too


def test_htmx_header_token_of_another_session_is_refused_everywhere(
    app: FastAPI, client: TestClient, browser: Browser, companies: SeededCompanies,
) -> None:
    other = Browser(TestClient(app, follow_redirects=False))
    other.log_in(companies.alice, companies.password)
    browser.log_in(companies.bob, companies.password)
    headers = {"HX-Request": "true", "X-CSRF-Token": other.session_token()}
    accepted = [
        str(endpoint) for endpoint in _state_changing(app)
        if endpoint.path not in BEFORE_A_SESSION
        and client.request(endpoint.method, _filled(endpoint), headers=headers,
                           data=form_fields(endpoint.route)).status_code != 403
    ]
    assert accepted == []
