"""The layout around every page: navigation, static files, security headers."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from kano.adapters.web.app import PAGE_ROUTERS
from kano.adapters.web.i18n import LANGUAGES, load_translations
from kano.adapters.web.routes.navigation import NAVIGATION, NavItem
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.seed import SeededCompanies

SERVED = {
    getattr(route, "path", None)
    for router in PAGE_ROUTERS
    for route in router.routes
    if "GET" in getattr(route, "methods", ())
}


def test_every_menu_item_is_a_page_of_its_own() -> None:
    """No link of the menu leads to a page nobody built (there are no placeholders)."""
    assert [item.path for item in NAVIGATION if item.path not in SERVED] == []


@pytest.mark.parametrize("item", NAVIGATION, ids=[item.key for item in NAVIGATION])
def test_every_menu_page_opens_inside_the_layout_in_russian(
    browser: Browser, companies: SeededCompanies, item: NavItem
) -> None:
    browser.log_in(companies.alice, companies.password)
    russian = load_translations("ru")

    response = browser.page(f"{item.path}?lang=ru")

    assert response.status_code == 200
    assert f'<a href="{item.path}" aria-current="page">' in response.text
    assert f'aria-label="{russian.gettext("Main menu")}"' in response.text
    assert f">{russian.gettext(item.label)}</a>" in response.text
    assert "<h1" in response.text
    menu = response.text.split('<nav class="languages"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'hreflang="(\w+)"', menu) == list(LANGUAGES)


def test_header_lists_the_viewer_workspaces(browser: Browser, companies: SeededCompanies) -> None:
    browser.log_in(companies.bob, companies.password)

    switcher = text_of(browser.page("/").text, "workspace-select")

    assert switcher == "Acme Ltd Globex Corp"


def test_security_headers_are_on_pages_and_on_the_api(client: TestClient) -> None:
    for path in ("/login", "/healthz", "/static/css/kano.css"):
        response = client.get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy
        assert "unsafe-eval" not in policy and "unsafe-inline" not in policy


def test_pages_are_not_cached(client: TestClient) -> None:
    assert client.get("/login").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("asset", [
    "/static/vendor/htmx.min.js", "/static/vendor/vega.min.js", "/static/vendor/vega-lite.min.js",
    "/static/vendor/vega-embed.min.js", "/static/js/kano.js", "/static/css/kano.css",
    "/static/img/kano.svg",
])
def test_front_end_files_are_served_by_kano_itself(client: TestClient, asset: str) -> None:
    response = client.get(asset)

    assert response.status_code == 200
    assert len(response.content) > 100


def test_layout_loads_nothing_from_another_origin(
    browser: Browser, companies: SeededCompanies
) -> None:
    browser.log_in(companies.alice, companies.password)

    page = browser.page("/").text

    assert "http://" not in page.replace("http://www.w3.org", "")
    assert "https://" not in page.replace("https://vega.github.io/schema", "")
