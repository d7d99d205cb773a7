"""Segments in Chromium against a real ``kano serve``: an owner builds a rule segment with
the condition rows, watches the live preview count (HTMX) change as a condition changes,
saves, and opens its members; the form shows only the chosen source's part; and the
segment and customer pages fit a 1280 px laptop in Russian without sideways scrolling."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from kano.adapters.db.engine import make_engine, make_session_factory
from kano.adapters.db.orm import Customer
from tests.e2e.conftest import RunningServer, SeededDatabase

pytestmark = pytest.mark.browser

WIDER_THAN_WINDOW = ("() => document.documentElement.scrollWidth"
                     " - document.documentElement.clientWidth")


def customers_in(seeded_database: SeededDatabase, regions: tuple[str, ...]) -> int:
    engine = make_engine(seeded_database.url)
    try:
        with make_session_factory(engine)() as session:
            return int(session.scalar(select(func.count()).select_from(Customer).where(
                Customer.region.in_(regions))) or 0)
    finally:
        engine.dispose()


def log_in(page: Page, server: RunningServer, seeded: SeededDatabase, next_path: str) -> None:
    page.goto(server.url(f"/login?next={next_path}"))
    page.get_by_label("E-mail address").fill(seeded.showcase.email)
    page.get_by_label("Password").fill(seeded.showcase.password)
    page.get_by_role("button", name="Log in").click()


def test_an_owner_builds_a_rule_segment_with_a_live_preview_and_opens_its_members(
    kano_server: RunningServer, seeded_database: SeededDatabase, chromium: Browser,
) -> None:
    eu = customers_in(seeded_database, ("EU",))
    eu_or_uk = customers_in(seeded_database, ("EU", "UK"))
    assert 0 < eu < eu_or_uk
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, kano_server, seeded_database, "/segments")
    expect(page.get_by_role("heading", name="Segments", exact=True)).to_be_visible()
    page.locator("#segment-new").click()

    # only the rule's part shows for a rule; a computed source shows its list instead
    expect(page.locator("#rule-conditions")).to_be_visible()
    expect(page.locator("#parameter-value_tier")).to_be_hidden()
    page.get_by_label("Value tier", exact=True).check()
    expect(page.locator("#parameter-value_tier")).to_be_visible()
    expect(page.locator("#rule-conditions")).to_be_hidden()
    page.get_by_label("Rule", exact=True).check()

    page.locator("#segment-name").fill("European accounts")
    page.locator("#segment-key").fill("europe")
    page.locator("#row-0-field").select_option("region")
    page.locator("#row-0-op").select_option("eq")
    page.locator("#row-0-value").fill("EU")
    expect(page.locator("#rule-preview-count")).to_have_text(str(eu))
    page.locator("#row-0-op").select_option("in")
    page.locator("#row-0-value").fill("EU; UK")
    expect(page.locator("#rule-preview-count")).to_have_text(str(eu_or_uk))

    page.locator("#segment-save").click()
    expect(page).to_have_url(re.compile(r"/segments/europe$"))
    expect(page.locator("#segment-definition")).to_have_text("Rule · Region is one of EU, UK")
    expect(page.locator("#members-heading")).to_have_text(f"Members: {eu_or_uk}")
    expect(page.locator("#member-list tbody tr")).to_have_count(min(eu_or_uk, 50))
    page.locator("#member-list tbody tr a").first.click()
    expect(page.locator("#segment-history")).to_contain_text("European accounts")
    assert problems == []

    # Russian on a laptop: nothing makes these pages scroll sideways
    for path in ("/segments?lang=ru", "/segments/europe", "/segments/_new",
                 "/segments/europe/edit", "/customers?region=EU"):
        page.goto(kano_server.url(path))
        assert page.evaluate(WIDER_THAN_WINDOW) <= 1, path
    expect(page.locator("#customers-heading")).to_contain_text("Найдено клиентов")
    context.close()


def test_segment_pages_stack_on_a_phone(
    kano_server: RunningServer, seeded_database: SeededDatabase, chromium: Browser,
) -> None:
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    page = context.new_page()
    log_in(page, kano_server, seeded_database, "/segments/_new?lang=hu")
    expect(page.locator("#row-0-field")).to_be_visible()
    for path in ("/segments/_new", "/segments", "/customers"):
        page.goto(kano_server.url(path))
        assert page.evaluate(WIDER_THAN_WINDOW) <= 1, path
    context.close()
