"""The workspace currency in a real Chromium: an owner on a 390-px phone, in Hungarian,
picks the forint on the settings page (the long list of currencies does not widen the
page), and the home page's revenue figure and chart axis are in forints from then on —
with no CSP violation or script error."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import RunningServer, SeededDatabase

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_an_owner_picks_the_forint_and_the_home_page_writes_forints(
    kano_server: RunningServer, seeded_database: SeededDatabase, chromium: Browser
) -> None:
    context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    problems: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda message: problems.append(message.text)
                if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(kano_server.url("/login?lang=hu"))
        page.locator("input[name=email]").fill(seeded_database.showcase.email)
        page.locator("input[name=password]").fill(seeded_database.showcase.password)
        page.locator("button[type=submit]").click()
        page.wait_for_load_state()

        page.goto(kano_server.url("/settings"))
        currency = page.get_by_label("Pénznem", exact=True)
        expect(currency).to_have_value("EUR")
        assert page.evaluate(SIDEWAYS) == 0
        currency.select_option("HUF")
        page.get_by_role("button", name="Pénznem mentése").click()
        expect(page.locator("#currency-saved")).to_have_text("A pénznem mentve.")
        expect(page.get_by_label("Pénznem", exact=True)).to_have_value("HUF")

        page.goto(kano_server.url("/"))
        expect(page.locator("#figure-revenue .figure-value")).to_have_text(
            re.compile(r"^\d+(,\d)?\s(E|M|Mrd)\sFt$"))
        chart = page.locator('#home-chart[data-chart-state="drawn"]')
        expect(chart).to_be_visible(timeout=20_000)
        labels = chart.locator("svg g.role-axis-label text").all_text_contents()
        money = [label for label in labels if "Ft" in label]
        # The symbol after Hungarian's short word for the SI prefix ("20 E Ft", "1,2 M Ft",
        # as the figure above writes it); d3's own "$" wrote "20 Ftk", then "20k Ft".
        assert money and all(
            re.fullmatch(r"\d+(,\d+)?(\u00a0(E|M|Mrd))?\u00a0Ft", m) for m in money), money
        assert [m for m in money if re.search(r"\u00a0(E|M)\u00a0", m)], money
        assert "0\u00a0Ft" in money, money  # zero without a prefix ("0 M Ft")
        assert page.evaluate(SIDEWAYS) == 0
        assert problems == []
    finally:
        context.close()
