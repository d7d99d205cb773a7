"""The CLV page's tables on a 1280-px laptop in each language, as Chromium lays them out.

The QA pass (a marketing lead) found the Russian CLV page cut at 1280 px: the fitted models'
table and the customers' table ran past their card, the CLV column out of sight behind a
sideways scroll. Now the long headers wrap and every table fits its card in English,
Russian and Hungarian: no table scrolls, nothing sticks out, the page does not scroll
sideways, and the last column (CLV) is on screen.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.e2e.conftest import RunningServer, SeededDatabase
from tests.e2e.test_journey_map import demo_loaded
from tests.e2e.test_nothing_overflows_browser import OVERFLOWING, _log_in

__all__ = ["demo_loaded"]

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}

# Each table of the page: how far its scroll box scrolls sideways, and how far its last
# header cell ends past the window's right edge.
TABLES = """() => [...document.querySelectorAll('#main table[id]')].map((table) => {
  const box = table.closest('.table-scroll') || table.parentElement;
  const last = table.querySelector('thead th:last-child');
  return {id: table.id, scrolls: box.scrollWidth - box.clientWidth,
          beyond: last ? Math.round(last.getBoundingClientRect().right - window.innerWidth) : 0};
})"""


def test_the_clv_tables_fit_a_laptop_in_each_language(
    demo_loaded: None,
    kano_server: RunningServer,
    seeded_database: SeededDatabase,
    chromium: Browser,
) -> None:
    problems: dict[str, list[object]] = {}
    for language in ("ru", "en", "hu"):  # one server for the three: ~60 s, not 3×
        context = chromium.new_context(viewport=LAPTOP, locale=language)
        try:
            page = context.new_page()
            _log_in(page, kano_server, seeded_database, language)
            reply = page.goto(kano_server.url("/value/clv"), wait_until="load")
            assert reply is not None and reply.status == 200
            assert page.locator("html").get_attribute("lang") == language
            assert page.locator("#clv-customers tbody tr").count() == 100
            tables = page.evaluate(TABLES)
            overflowing = page.evaluate(OVERFLOWING)
        finally:
            context.close()
        assert {t["id"] for t in tables} >= {"clv-fits", "clv-customers", "clv-by-segment"}
        found = [*(t for t in tables if t["scrolls"] > 1 or t["beyond"] > 0), *overflowing]
        if found:
            problems[language] = found
    assert problems == {}
