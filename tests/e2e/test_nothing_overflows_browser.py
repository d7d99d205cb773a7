"""The main pages in Hungarian (the language with the longest words and figures) on a
laptop (1280×900) and on a phone (390×844): nothing runs out of its card or makes the page
scroll sideways, and each filter's label stays on the line of its control when the row
wraps. The QA pass of `kano demo --language hu` found the home page's "16,6 M EUR" running
over its card's edge and "Ügyfélút-szakasz" ending one line while its select began the
next; a wide table may still scroll, but only inside its own scroll box (.table-scroll). The case
inbox is checked in each language with its demo cases, and its table must not scroll at all."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import select

from kano.adapters.db.engine import make_engine, make_session_factory
from kano.adapters.db.orm import Customer, Workspace
from kano.demo.case_inbox import seed_demo_case_inbox
from tests.e2e.conftest import RunningServer, SeededDatabase
from tests.e2e.test_journey_map import demo_loaded

__all__ = ["demo_loaded"]

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PAGES = ("/", "/scorecard", "/strategy/map", "/okr", "/cx", "/journeys", "/cases",
         "/responses", "/value/rfm", "/value/matrix", "/value/profit", "/value/clv",
         "/value/churn", "/metrics")  # fmt: skip

# The page when it is wider than the window, and every card whose content is wider than
# the card's content box (its padding is the margin a figure must keep from the edge): an
# element that sticks out of it, or text wider than the element holding it. Content of a
# scroll box (a wide table's .table-scroll, the journey curve) is the box's to scroll.
OVERFLOWING = """() => {
  const name = (el) => el.id || (el.querySelector('h1, h2, h3, dt')?.textContent || el.className)
    .trim().slice(0, 60);
  const scrolls = (el) => ['auto', 'scroll', 'hidden', 'clip']
    .includes(getComputedStyle(el).overflowX);
  const wide = [];
  const page = document.documentElement;
  if (page.scrollWidth > page.clientWidth + 1) {
    wide.push(`the page by ${page.scrollWidth - page.clientWidth}px`);
  }
  for (const card of document.querySelectorAll(
      '#main .card, #main .figure, #main .attention-card, #main .okr-objective')) {
    if (!card.getClientRects().length) continue;
    const style = getComputedStyle(card);
    const right = card.getBoundingClientRect().right - parseFloat(style.borderRightWidth)
      - parseFloat(style.paddingRight);
    const walker = document.createTreeWalker(card, NodeFilter.SHOW_ELEMENT, {
      acceptNode: (el) => el !== card && scrolls(el) ? NodeFilter.FILTER_REJECT
        : NodeFilter.FILTER_ACCEPT});
    for (let el = walker.nextNode(); el; el = walker.nextNode()) {
      if (el.matches('input, select, textarea, button, option, svg *')) continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 || getComputedStyle(el).position === 'absolute') continue;
      const text = el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1;
      if (box.right > right + 1 || text) {
        wide.push(`${name(card)}: ${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} `
          + `"${el.textContent.trim().slice(0, 40)}" by `
          + `${Math.round(Math.max(box.right - right, el.scrollWidth - el.clientWidth))}px`);
        break;
      }
    }
  }
  return wide;
}"""

# Every visible label of an inline form that is not on the line of its control.
TORN_APART = """() => {
  const torn = [];
  for (const label of document.querySelectorAll('.inline-form label[for]')) {
    const control = document.getElementById(label.htmlFor);
    if (!control || !label.getClientRects().length || !control.getClientRects().length) continue;
    const a = label.getBoundingClientRect(), b = control.getBoundingClientRect();
    if (a.width === 0 || b.width === 0) continue;
    if (a.bottom <= b.top || b.bottom <= a.top) torn.push(label.textContent.trim());
  }
  return torn;
}"""


def _a_customer(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            return session.scalars(
                select(Customer.id).join(Workspace, Workspace.id == Customer.workspace_id)
                .where(Workspace.slug == "northwind", Customer.kind == "account")
                .order_by(Customer.id).limit(1)).one()  # fmt: skip
    finally:
        engine.dispose()


def _log_in(page: Page, server: RunningServer, database: SeededDatabase,
            language: str = "hu") -> None:
    page.goto(server.url(f"/login?lang={language}"))
    page.locator("input[name=email]").fill(database.showcase.email)
    page.locator("input[name=password]").fill(database.showcase.password)
    page.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_nothing_overflows_its_card_and_labels_stay_with_their_controls(
    demo_loaded: None,
    kano_server: RunningServer,
    seeded_database: SeededDatabase,
    chromium: Browser,
) -> None:
    paths = (*PAGES, f"/customers/{_a_customer(seeded_database.url)}")
    overflowing: dict[str, list[str]] = {}
    torn: dict[str, list[str]] = {}
    for size, viewport in (("laptop", LAPTOP), ("phone", PHONE)):  # one server: ~60 s, not 2×
        phone: dict[str, Any] = {"is_mobile": True, "has_touch": True} if size == "phone" else {}
        context = chromium.new_context(viewport=viewport, locale="hu-HU", **phone)
        try:
            page = context.new_page()
            _log_in(page, kano_server, seeded_database)
            for path in paths:
                reply = page.goto(kano_server.url(path), wait_until="load")
                assert reply is not None and reply.status == 200, path
                assert page.locator("html").get_attribute("lang") == "hu", path
                if wide := page.evaluate(OVERFLOWING):
                    overflowing[f"{size} {path}"] = wide
                if apart := page.evaluate(TORN_APART):
                    torn[f"{size} {path}"] = apart
        finally:
            context.close()
    assert overflowing == {}
    assert torn == {}


# The case table when its own scroll box scrolls sideways (the page above lets a wide table
# scroll there; the inbox must not: its SLA and escalation would be out of sight).
SCROLLED = """() => [...document.querySelectorAll('#main .table-scroll:has(> table.cases)')]
  .filter((box) => box.getClientRects().length && box.scrollWidth > box.clientWidth + 1)
  .map((box) => `the case table scrolls by ${box.scrollWidth - box.clientWidth}px`)"""


@pytest.fixture
def demo_inbox(demo_loaded: None, seeded_database: SeededDatabase) -> None:
    """The demo company's worked case inbox (what ``kano demo`` seeds after the load)."""
    engine = make_engine(seeded_database.url)
    try:
        seed_demo_case_inbox(make_session_factory(engine), "northwind")
    finally:
        engine.dispose()


def test_the_case_inbox_fits_its_card_in_each_language(
    demo_inbox: None,
    kano_server: RunningServer,
    seeded_database: SeededDatabase,
    chromium: Browser,
) -> None:
    """The inbox in Russian scrolled its table sideways on a 1280-px laptop (by 287 px) and
    on a phone (by 905 px), the SLA and escalation columns out of sight; English and
    Hungarian did too. Now long headers are abbreviated, the title and customer wrap, and
    in a narrow card each case is a block: the case table does not scroll, nothing runs
    out of the card and labels stay with their filters, in each language, with every
    status shown (the longest status words)."""
    problems: dict[str, list[str]] = {}
    for size, viewport in (("laptop", {"width": 1280, "height": 800}), ("phone", PHONE)):
        phone: dict[str, Any] = {"is_mobile": True, "has_touch": True} if size == "phone" else {}
        for language in ("en", "ru", "hu"):
            context = chromium.new_context(viewport=viewport, locale=language, **phone)
            try:
                page = context.new_page()
                _log_in(page, kano_server, seeded_database, language)
                reply = page.goto(kano_server.url("/cases?status=any"), wait_until="load")
                assert reply is not None and reply.status == 200
                assert page.locator("html").get_attribute("lang") == language
                assert page.locator("table.cases tbody tr").count() >= 5
                found = [*page.evaluate(OVERFLOWING), *page.evaluate(SCROLLED),
                         *page.evaluate(TORN_APART)]  # fmt: skip
                if found:
                    problems[f"{size} {language}"] = found
            finally:
                context.close()
    assert problems == {}
