"""The API reference at /api/v1/docs in a real browser: the vendored Swagger UI renders
every operation and every schema under the site's Content-Security-Policy, "Try it out"
calls the API with the bearer token entered under "Authorize", and Swagger UI's own words
are in the reader's UI language. With KANO_SCREENSHOTS=1 it refreshes
docs/screenshots/api-reference.png."""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from kano.adapters.db import accounts
from kano.adapters.db.engine import make_engine, make_session_factory, transaction
from kano.domain.workspaces import Scope
from tests.e2e.conftest import RunningServer, SeededDatabase, WatchedPage

pytestmark = pytest.mark.browser

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "api-reference.png"


@pytest.fixture
def read_token(seeded_database: SeededDatabase) -> str:
    """A read token of the showcase workspace, as Settings → API tokens would give."""
    engine = make_engine(seeded_database.url)
    try:
        with transaction(make_session_factory(engine)) as session:
            workspace = accounts.ensure_workspace(session, "northwind", "")
            return accounts.create_api_token(session, workspace, Scope.READ, "docs").token
    finally:
        engine.dispose()


def test_the_reference_lists_the_operations_and_tries_one_with_the_bearer_token(
    read_token: str,
    kano_server: RunningServer,
    seeded_database: SeededDatabase,
    watched_page: WatchedPage,
) -> None:
    page = watched_page.page
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    page.goto(kano_server.url("/api/v1/docs"))

    expect(page.get_by_role("heading", name="Kano", exact=False).first).to_be_visible(
        timeout=20_000
    )
    document = httpx.get(kano_server.url("/api/v1/openapi.json")).json()
    # Swagger UI's element id of an operation: operations-<tag>-<operationId>, one per tag
    operations = [operation for methods in document["paths"].values()
                  for method, operation in methods.items() if method in HTTP_METHODS]  # fmt: skip
    expected = sorted(f"operations-{tag}-{operation['operationId']}"
                      for operation in operations for tag in operation["tags"])  # fmt: skip
    tags = {tag for operation in operations for tag in operation["tags"]}
    assert len(expected) >= 150 - len(tags)  # enough rows that Swagger UI 5.33+ virtualizes
    # every tag starts open (api-reference.js) and every operation is in the page at once,
    # not only those on screen: the last tag's last operation without any scrolling
    expect(page.locator(".opblock-tag-section.is-open")).to_have_count(len(tags))
    expect(page.locator(".opblock")).to_have_count(len(expected), timeout=30_000)
    rendered = page.locator(".opblock").evaluate_all("ops => ops.map(op => op.id)")
    assert sorted(rendered) == expected
    intake = page.locator("#operations-feedback-submit_response")
    expect(intake).to_contain_text("POST")
    expect(intake).to_contain_text("/responses")
    # the filter narrows to a tag, and clearing it brings every operation back
    webhooks = sum(1 for identifier in expected if identifier.startswith("operations-webhooks-"))
    page.locator(".operation-filter-input").fill("webhooks")
    expect(page.locator(".opblock")).to_have_count(webhooks)
    page.locator(".operation-filter-input").fill("")
    expect(page.locator(".opblock")).to_have_count(len(expected))
    if os.environ.get("KANO_SCREENSHOTS") == "1":
        page.screenshot(path=str(SCREENSHOT))

    page.get_by_role("button", name="Authorize").first.click()
    dialog = page.locator(".modal-ux")
    dialog.locator("input").first.fill(read_token)
    dialog.get_by_role("button", name="Apply credentials").click()
    expect(dialog).to_contain_text("Authorized")
    dialog.locator("button.btn-done").click()

    workspace = page.locator("#operations-workspace-who_am_i")
    workspace.locator(".opblock-summary").click()
    workspace.get_by_role("button", name="Try it out").click()
    workspace.get_by_role("button", name="Execute").click()

    answer = workspace.locator(".live-responses-table tbody .response-col_status")
    expect(answer).to_have_text("200", timeout=20_000)
    expect(workspace.locator(".live-responses-table")).to_contain_text(
        seeded_database.showcase.workspace_name
    )
    assert all(url.startswith(kano_server.base_url) for url in requests), requests
    assert watched_page.problems == []  # no CSP violation, no script error

    # a deep link to the page's last operation opens it and scrolls it into view
    _, tag, operation_id = rendered[-1].split("-", 2)
    page.goto("about:blank")
    page.goto(kano_server.url(f"/api/v1/docs#/{tag}/{operation_id}"))
    last = page.locator(f"#{rendered[-1]}")
    expect(last).to_have_class(re.compile(r"\bis-open\b"), timeout=20_000)
    expect(last).to_be_in_viewport()


def test_the_schemas_section_holds_every_schema_of_the_document(
    kano_server: RunningServer, watched_page: WatchedPage
) -> None:
    page = watched_page.page
    page.goto(kano_server.url("/api/v1/docs"))

    schemas = httpx.get(kano_server.url("/api/v1/openapi.json")).json()["components"]["schemas"]
    assert len(schemas) >= 100  # enough that Swagger UI 5.33+ virtualizes the section
    # Swagger UI titles a schema by its "title", else its name (Page_MemberOut_ → Page[MemberOut])
    expected = sorted(schema.get("title", name) for name, schema in schemas.items())
    section = page.locator("section.models")
    expect(section).to_have_class(re.compile(r"\bis-open\b"), timeout=20_000)
    # every schema is in the page at once, without scrolling the section: Find finds them
    items = section.locator('article.json-schema-2020-12[data-json-schema-level="0"]')
    expect(items).to_have_count(len(expected), timeout=30_000)
    titles = items.locator(":scope > .json-schema-2020-12-head .json-schema-2020-12__title")
    assert sorted(titles.all_text_contents()) == expected
    # the last one, far below the fold, opens on a click and shows its properties
    last = items.last
    last.locator(":scope > .json-schema-2020-12-head .json-schema-2020-12-accordion").click()
    expect(last.locator(".json-schema-2020-12-property").first).to_be_visible(timeout=10_000)
    assert watched_page.problems == []


# Swagger UI's words as a Russian and a Hungarian reader see them
WORDS = {
    "ru": {
        "title": "Справочник API Kano", "Schemas": "Схемы", "Authorize": "Авторизоваться",
        "filter": "Фильтр по тегу или пути", "Parameters": "Параметры", "Responses": "Ответы",
        "Code": "Код", "Try it out": "Попробовать", "Cancel": "Отмена", "Execute": "Выполнить",
    },
    "hu": {
        "title": "Kano API-referencia", "Schemas": "Sémák", "Authorize": "Hitelesítés",
        "filter": "Szűrés címke vagy útvonal szerint", "Parameters": "Paraméterek",
        "Responses": "Válaszok", "Code": "Kód", "Try it out": "Kipróbálás", "Cancel": "Mégse",
        "Execute": "Végrehajtás",
    },
}  # fmt: skip


def assert_reference_speaks(page: Page, language: str, summary: str, schema: str) -> None:
    """The page in ``language``: Swagger UI's words translated, the document's own as written."""
    words = WORDS[language]
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page).to_have_title(words["title"])
    expect(page.locator("section.models .models-control")).to_have_text(
        words["Schemas"], timeout=20_000
    )
    expect(page.locator(".auth-wrapper .authorize")).to_have_text(words["Authorize"])
    expect(page.locator(".operation-filter-input")).to_have_attribute(
        "placeholder", words["filter"]
    )
    operation = page.locator("#operations-customers-list_customers")
    operation.locator(".opblock-summary").click()
    expect(operation.locator(".opblock-section-header h4").first).to_have_text(words["Parameters"])
    expect(operation.locator(".responses-wrapper h4").first).to_have_text(words["Responses"])
    expect(operation.locator(".responses-table thead .response-col_status")).to_have_text(
        words["Code"]
    )
    # React rewrites the button as it toggles; each of its words is translated in turn
    operation.get_by_role("button", name=words["Try it out"]).click()
    expect(operation.get_by_role("button", name=words["Execute"])).to_be_visible()
    operation.get_by_role("button", name=words["Cancel"]).click()
    expect(operation.get_by_role("button", name=words["Try it out"])).to_be_visible()
    # no English word of Swagger UI is left; what the OpenAPI document says is untouched
    for english in ("Schemas", "Parameters", "Responses", "Try it out", "Execute"):
        expect(page.get_by_text(english, exact=True)).to_have_count(0)
    expect(operation.locator(".opblock-summary-description")).to_have_text(summary)
    expect(page.locator(".json-schema-2020-12__title", has_text=schema).first).to_be_visible()


def test_the_reference_speaks_the_readers_language_in_russian_and_hungarian(
    kano_server: RunningServer, watched_page: WatchedPage, chromium: Browser
) -> None:
    document = httpx.get(kano_server.url("/api/v1/openapi.json")).json()
    summary = document["paths"]["/customers"]["get"]["summary"]
    schema = next(iter(document["components"]["schemas"]))

    # Russian asked for with ?lang=, as on any page, and remembered for the next visit
    page = watched_page.page
    page.goto(kano_server.url("/api/v1/docs?lang=ru"))
    assert_reference_speaks(page, "ru", summary, schema)
    page.goto(kano_server.url("/api/v1/docs"))
    assert_reference_speaks(page, "ru", summary, schema)
    assert watched_page.problems == []

    # Hungarian from the browser's language, with no choice made yet
    context = chromium.new_context(viewport={"width": 1360, "height": 860}, locale="hu-HU")
    try:
        hungarian = context.new_page()
        hungarian.goto(kano_server.url("/api/v1/docs"))
        assert_reference_speaks(hungarian, "hu", summary, schema)
    finally:
        context.close()
