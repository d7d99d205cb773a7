"""Rate-limited public endpoints (SPEC §3), swept from the route table.

Every web route that changes state is posted to by a visitor without a session. A route
that answers by sending the visitor to the login page is not public. Every other one —
the login and set-password forms, a survey's answers, the widget — must start refusing
one address with 429 within a few hundred posts a minute; a new public form without a
limit fails here.
"""

from __future__ import annotations

import re

from fastapi import FastAPI
from starlette.testclient import TestClient

from tests.integration.web.browsing import Browser
from tests.integration.web.route_table import WRITE_METHODS, Endpoint, endpoints, form_fields

MOST_POSTS = 300
# Its form (and the cookie half of its token) is served only to the holder of a valid
# invitation link; test_settings_members.py::test_set_password_posts_are_rate_limited_per_address
# posts from one with a link, as this sweep cannot.
NEEDS_AN_INVITATION = {"/set-password"}


def _filled(endpoint: Endpoint) -> str:
    path = endpoint.filled(lambda _e, name: "1" if name.endswith("_id") else "x")
    assert path is not None
    return path


def _post_as_a_visitor(visitor: TestClient, endpoint: Endpoint) -> int:
    """Post as a visitor would: the form with its page's hidden fields (the CSRF token with
    its cookie) and a value in each required field, or a JSON object to a script's
    endpoint. A forged or malformed post is refused before it counts (403, 400), which
    costs the server as little."""
    if not endpoint.route.dependant.body_params:  # reads its body itself: JSON
        return visitor.request(endpoint.method, _filled(endpoint), json={}).status_code
    data = form_fields(endpoint.route)
    page = visitor.get(_filled(endpoint))
    data.update(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.text))
    return visitor.request(endpoint.method, _filled(endpoint), data=data).status_code


def _public(app: FastAPI, client: TestClient) -> list[Endpoint]:
    found = []
    for endpoint in endpoints(app):
        if endpoint.method not in WRITE_METHODS or endpoint.is_api:
            continue
        answer = client.request(endpoint.method, _filled(endpoint),
                                data=form_fields(endpoint.route))
        if not answer.headers.get("location", "").startswith("/login?"):
            found.append(endpoint)
    return found


def test_every_public_post_is_rate_limited_per_address(app: FastAPI) -> None:
    with TestClient(app, follow_redirects=False) as scout:
        Browser(scout)  # an address of its own
        public = _public(app, scout)
    assert {e.path for e in public} >= {"/login", "/set-password", "/s/{survey_key}",
                                        "/s/{survey_key}/widget"}
    unlimited = []
    for endpoint in (e for e in public if e.path not in NEEDS_AN_INVITATION):
        with TestClient(app, follow_redirects=False) as visitor:
            Browser(visitor)  # a fresh address per route: the limits are per address
            statuses = set()
            for _ in range(MOST_POSTS):
                status = _post_as_a_visitor(visitor, endpoint)
                statuses.add(status)
                if status == 429:
                    break
            if 429 not in statuses:
                unlimited.append(f"{endpoint} → {sorted(statuses)}")
    assert unlimited == []
