"""The analysis and value pages on a 390-px phone, in the language with the longest words:
wide tables scroll inside their card, long selects shrink to the line and the journey's
emotion curve scrolls inside its figure, so the page itself never scrolls sideways (the
QA pass found 25 pages that did, on desktop too for the journey map)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.e2e.conftest import RunningServer, SeededDatabase
from tests.e2e.test_journey_map import demo_loaded

__all__ = ["demo_loaded"]

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PAGES = ("/journeys?journey=key-account&segment=*", "/linkage", "/drivers", "/text",
         "/value/rfm", "/value/profit", "/value/clv", "/value/churn", "/metrics/nps",
         "/pilots")
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_no_page_scrolls_sideways_on_a_phone(
    demo_loaded: None, kano_server: RunningServer, seeded_database: SeededDatabase,
    chromium: Browser,
) -> None:
    context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(kano_server.url("/login?lang=hu"))
        page.locator("input[name=email]").fill(seeded_database.showcase.email)
        page.locator("input[name=password]").fill(seeded_database.showcase.password)
        page.locator("button[type=submit]").click()
        page.wait_for_load_state()
        sideways = {}
        for path in PAGES:
            reply = page.goto(kano_server.url(path), wait_until="networkidle")
            assert reply is not None and reply.status == 200, path
            sideways[path] = page.evaluate(SIDEWAYS)
        assert sideways == dict.fromkeys(PAGES, 0)
        page.goto(kano_server.url("/linkage"))
        scrolled = page.evaluate(
            "[...document.querySelectorAll('.table-scroll')]"
            ".filter(box => box.scrollWidth > box.clientWidth).length")
        assert scrolled > 0  # the tables are wider than the phone: they scroll in their box
    finally:
        context.close()
