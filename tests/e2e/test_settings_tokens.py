"""An owner creates an API token on a phone: the secret is shown once, fits the screen,
copies with the button, works as a bearer on the API and is never shown again."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import RunningServer, SeededDatabase

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SCREENSHOT = Path("/tmp/kano-settings-phone.png")


def test_an_owner_creates_a_token_on_a_phone_and_sees_it_once(
    kano_server: RunningServer, seeded_database: SeededDatabase, chromium: Browser,
) -> None:
    showcase = seeded_database.showcase
    phone = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                 locale="en-GB")
    phone.grant_permissions(["clipboard-read", "clipboard-write"],
                            origin=kano_server.base_url)
    problems: list[str] = []
    try:
        page = phone.new_page()
        page.on("console", lambda message: problems.append(message.text)
                if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(kano_server.url("/login?next=/settings"))
        page.get_by_label("E-mail address").fill(showcase.email)
        page.get_by_label("Password").fill(showcase.password)
        page.get_by_role("button", name="Log in").tap()
        expect(page.get_by_role("heading", name="API tokens")).to_be_visible()

        form = page.locator("#token-form")
        form.get_by_label("Name").fill("Phone integration")
        form.get_by_label("write", exact=False).check()
        create = form.get_by_role("button", name="Create the token")
        box = create.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"]
        create.tap()

        expect(page.get_by_role("heading", level=1)).to_have_text("API token created")
        expect(page.locator("#secret-once")).to_contain_text("only time the token is shown")
        expect(page.locator("#copy-hint")).to_contain_text("“Authorization: Bearer kano_…”")
        field = page.get_by_label("Token", exact=True)
        expect(field).to_be_visible()
        secret = field.input_value()
        assert secret.startswith("kano_") and len(secret) > 40
        field_box = field.bounding_box()
        assert field_box is not None and field_box["x"] + field_box["width"] <= PHONE["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        if os.environ.get("KANO_SCREENSHOTS") == "1":
            page.screenshot(path="/tmp/kano-token-phone.png", full_page=True)

        copy = page.get_by_role("button", name="Copy")
        expect(copy).to_be_visible()  # the script ran within the CSP
        copy.tap()
        expect(page.get_by_role("button", name="Copied")).to_be_visible()
        assert page.evaluate("navigator.clipboard.readText()") == secret

        answer = httpx.get(kano_server.url("/api/v1/workspace"),
                           headers={"Authorization": f"Bearer {secret}"}, timeout=10)
        assert answer.status_code == 200
        assert answer.json()["workspace"]["name"] == showcase.workspace_name

        page.get_by_role("link", name="Back to the settings").tap()
        listed = page.locator("#token-list")
        expect(listed).to_contain_text("Phone integration")
        expect(listed).to_contain_text(secret[:11])
        assert secret not in page.content()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        if os.environ.get("KANO_SCREENSHOTS") == "1":
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        page.reload()
        assert secret not in page.content()
        assert problems == []
    finally:
        phone.close()
