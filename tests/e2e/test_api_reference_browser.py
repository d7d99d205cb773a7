"""The API reference at /api/v1/docs in a real browser: the vendored Swagger UI renders
every operation under the site's Content-Security-Policy, and "Try it out" calls the API
with the bearer token entered under "Authorize". With KANO_SCREENSHOTS=1 it refreshes
docs/screenshots/api-reference.png."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from kano.adapters.db import accounts
from kano.adapters.db.engine import make_engine, make_session_factory, transaction
from kano.domain.workspaces import Scope
from tests.e2e.conftest import RunningServer, SeededDatabase, WatchedPage

pytestmark = pytest.mark.browser

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
    tags = {tag for methods in document["paths"].values() for operation in methods.values()
            for tag in operation["tags"]}  # fmt: skip
    # tags start folded (api-reference.js): every tag is listed, each opens on a click
    expect(page.locator(".opblock-tag")).to_have_count(len(tags))
    page.locator("#operations-tag-feedback").click()
    intake = page.locator("#operations-feedback-submit_response")
    expect(intake).to_contain_text("POST")
    expect(intake).to_contain_text("/responses")
    feedback = sum(1 for methods in document["paths"].values()
                   for operation in methods.values() if "feedback" in operation["tags"])
    expect(page.locator(".opblock")).to_have_count(feedback)
    expect(page.locator("#operations-tag-strategy")).to_be_visible()
    if os.environ.get("KANO_SCREENSHOTS") == "1":
        page.screenshot(path=str(SCREENSHOT))

    page.get_by_role("button", name="Authorize").first.click()
    dialog = page.locator(".modal-ux")
    dialog.locator("input").first.fill(read_token)
    dialog.get_by_role("button", name="Apply credentials").click()
    expect(dialog).to_contain_text("Authorized")
    dialog.locator("button.btn-done").click()

    page.locator("#operations-tag-workspace").click()
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
