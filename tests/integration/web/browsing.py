"""A thin helper over the test client that acts like a person with a browser.

It reads the CSRF tokens out of the forms it was served, as a browser would send them,
and pulls the text of one element out of a page.
"""

from __future__ import annotations

import itertools
import re
from html import unescape

from httpx import Response
from starlette.testclient import TestClient

_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
_VISITORS = itertools.count(1)


def text_of(html: str, element_id: str) -> str:
    """The visible text of the element with this id (no nested element of the same tag)."""
    match = re.search(
        rf'<(?P<tag>\w+)[^>]*\bid="{re.escape(element_id)}"[^>]*>(?P<body>.*?)</(?P=tag)>',
        html, re.DOTALL,
    )
    assert match, f"no element #{element_id} in the page"
    text = re.sub(r"<[^>]+>", " ", match.group("body"))
    return " ".join(unescape(text).split())


def csrf_token_in(html: str) -> str:
    match = _CSRF_FIELD.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


class Browser:
    def __init__(self, client: TestClient) -> None:
        self.client = client
        # Each Browser is its own visitor with its own address. On PostgreSQL the login
        # limit (10 posts a minute per address) is shared by every app on the database, so
        # a module whose tests each logged in from TestClient's one address ("testclient")
        # more than ten times a minute was refused and its pages redirected to /login
        # (test_linkage_pages on PostgreSQL, session 17). Starlette keeps the address on
        # the transport; a test of the limit itself posts from one Browser, as before.
        transport = getattr(client, "_transport", None)
        if transport is not None and hasattr(transport, "client"):
            visitor = next(_VISITORS)
            transport.client = (f"10.{visitor >> 16 & 255}.{visitor >> 8 & 255}."
                                f"{visitor & 255}", 50000)

    def log_in(self, email: str, password: str, next_path: str = "/") -> Response:
        form = self.client.get("/login")
        return self.client.post("/login", data={
            "email": email, "password": password, "next": next_path,
            "csrf_token": csrf_token_in(form.text),
        })

    def page(self, path: str, **kwargs: object) -> Response:
        response = self.client.get(path, **kwargs)  # type: ignore[arg-type]
        assert response.status_code == 200, (path, response.status_code, response.headers)
        return response

    def session_token(self) -> str:
        """The CSRF token of the logged-in session, as the layout's forms carry it."""
        return csrf_token_in(self.page("/").text)
