"""The API reference at /api/v1/docs: public like /api/v1/openapi.json, under the site's
Content-Security-Policy, with every script and style sheet served by Kano itself and no
inline code; Settings → API tokens links it in each language.

tests/e2e/test_api_reference_browser.py renders it in Chromium."""

from __future__ import annotations

import json
import re
from html import unescape
from html.parser import HTMLParser

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.orm import User
from kano.adapters.web.api_reference_words import SWAGGER_UI_WORDS
from kano.adapters.web.i18n import load_translations
from kano.adapters.web.security_headers import CONTENT_SECURITY_POLICY
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies


class _Loads(HTMLParser):
    """What a page makes the browser load, and the code it carries inline."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.inline: list[str] = []
        self.openapi_url = ""
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        self.inline += [name for name in found if name.startswith("on") or name == "style"]
        if tag == "script":
            self.scripts.append(found.get("src", ""))
            self._in_script = True
        elif tag == "link" and found.get("rel") == "stylesheet":
            self.styles.append(found["href"])
        elif tag == "style":
            self.inline.append("<style>")
        self.openapi_url = found.get("data-openapi-url", self.openapi_url)

    def handle_endtag(self, tag: str) -> None:
        self._in_script = self._in_script and tag != "script"

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline.append(data)


def test_the_api_reference_is_public_and_loads_only_kanos_own_files(
    client: TestClient,
) -> None:
    response = client.get("/api/v1/docs")  # nobody logged in, no token

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    loads = _Loads()
    loads.feed(response.text)
    assert loads.scripts == ["/static/vendor/swagger-ui-bundle.js", "/static/js/api-reference.js"]
    assert loads.styles == ["/static/vendor/swagger-ui.css"]
    assert loads.inline == []
    for asset in loads.scripts + loads.styles:
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert "sourceMappingURL" not in served.text, asset  # maps are not shipped
    style_sheet = client.get("/static/vendor/swagger-ui.css").text
    images = re.findall(r"url\(([^)]*)\)", style_sheet)
    assert images and all(url.strip("'\"").startswith("data:") for url in images)
    assert loads.openapi_url == "/api/v1/openapi.json"
    document = client.get(loads.openapi_url)  # public too: the page needs no login
    assert document.status_code == 200
    assert document.json()["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


@pytest.mark.parametrize("language", ["en", "ru", "hu"])
def test_the_api_tokens_section_links_the_reference(
    browser: Browser, companies: SeededCompanies, language: str
) -> None:
    browser.log_in(companies.bob, PASSWORD)  # owner of Acme

    page = browser.page(f"/settings?lang={language}").text

    assert '<a href="/api/v1/docs" id="api-reference-link">' in page
    wanted = load_translations(language).gettext("Read the API reference")
    assert text_of(page, "api-reference-link") == wanted
    if language != "en":
        assert wanted != "Read the API reference"


def test_the_reference_is_in_the_readers_language_with_swagger_uis_words_translated(
    browser: Browser,
    client: TestClient,
    companies: SeededCompanies,
    sessions: sessionmaker[Session],
) -> None:
    def words_of(page: str) -> dict[str, str]:
        found = re.search(r'data-words="([^"]*)"', page)
        assert found, page
        return dict(json.loads(unescape(found.group(1))))

    anonymous = client.get("/api/v1/docs")
    by_browser = client.get("/api/v1/docs", headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    with sessions() as db:
        db.execute(update(User).where(User.email == companies.alice).values(language="hu"))
        db.commit()
    browser.log_in(companies.alice, companies.password)
    by_profile = browser.client.get("/api/v1/docs", headers={"Accept-Language": "ru"})

    assert '<html lang="en">' in anonymous.text and words_of(anonymous.text) == {}
    assert '<html lang="ru">' in by_browser.text
    assert words_of(by_browser.text)["Try it out"] == "Попробовать"
    assert "<title>Справочник API Kano</title>" in by_browser.text
    # the signed-in reader's profile comes before the browser, as on every page
    assert '<html lang="hu">' in by_profile.text
    assert words_of(by_profile.text)["Try it out"] == "Kipróbálás"
    assert by_profile.headers["Content-Language"] == "hu"
    assert "Cookie" in by_profile.headers["Vary"]
    # every word Swagger UI shows has a translation in both languages
    for page, language in ((by_browser, "ru"), (by_profile, "hu")):
        assert set(words_of(page.text)) == set(SWAGGER_UI_WORDS), language
