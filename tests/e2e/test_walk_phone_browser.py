"""The pages a CX lead walks through in Russian and in Hungarian, on a 390 × 844 phone,
with the demo written in that language (`kano demo --language ru|hu`): none of them
scrolls sideways and nothing runs out of its card. The UX walk found /mbo 266–288 px
wider than the phone: the visually hidden "Actions" header of the sheet's table is
absolutely positioned, so it escaped the table's scroll box and widened the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from kano.adapters.cli.company import DEMO_EMAIL, DEMO_PASSWORD
from tests.e2e.conftest import RunningServer
from tests.e2e.test_nothing_overflows_browser import OVERFLOWING, PHONE, demo_in

__all__ = ["demo_in"]

pytestmark = pytest.mark.browser

WALK = ("/okr", "/mbo", "/journeys", "/pilots", "/pilots/1", "/strategy/session", "/settings",
        "/requirements", "/surveys", "/surveys/relationship-nps")  # fmt: skip


def test_the_walked_pages_fit_a_phone_in_russian_and_hungarian(
    demo_in: str,
    kano_server: RunningServer,
    chromium: Browser,
) -> None:
    language = demo_in
    context = chromium.new_context(viewport=PHONE, locale=language, is_mobile=True,
                                   has_touch=True)  # fmt: skip
    problems: dict[str, list[str]] = {}
    try:
        page = context.new_page()
        page.goto(kano_server.url(f"/login?lang={language}"))
        page.locator("input[name=email]").fill(DEMO_EMAIL)
        page.locator("input[name=password]").fill(DEMO_PASSWORD)
        page.locator("button[type=submit]").click()
        page.wait_for_load_state()
        for path in WALK:
            reply = page.goto(kano_server.url(path), wait_until="load")
            assert reply is not None and reply.status == 200, path
            assert page.locator("html").get_attribute("lang") == language, path
            if found := page.evaluate(OVERFLOWING):
                problems[path] = found
    finally:
        context.close()
    assert problems == {}
