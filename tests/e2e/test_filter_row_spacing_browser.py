"""A page's filter row keeps its distance from the card it filters (QA pass: on the
requirements register and the customer-value pages the Show button sat on the card's
border, at 1280 px and on a phone) — in Chromium against a real ``kano serve``."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.e2e.conftest import RunningServer, SeededDatabase

pytestmark = pytest.mark.browser

GAP = """() => { const form = document.querySelector('form.inline-form[method="get"]');
  const next = form.nextElementSibling;
  return Math.round(next.getBoundingClientRect().top - form.getBoundingClientRect().bottom); }"""


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_the_filter_row_does_not_touch_the_card_below(
    kano_server: RunningServer, seeded_database: SeededDatabase, chromium: Browser,
    width: int, height: int,
) -> None:
    context = chromium.new_context(viewport={"width": width, "height": height},
                                   locale="en-GB")
    try:
        page = context.new_page()
        page.goto(kano_server.url("/login?next=/requirements"))
        page.get_by_label("E-mail address").fill(seeded_database.showcase.email)
        page.get_by_label("Password").fill(seeded_database.showcase.password)
        page.get_by_role("button", name="Log in").click()
        page.locator("#requirements-heading").wait_for()
        assert page.evaluate(GAP) >= 16
    finally:
        context.close()
