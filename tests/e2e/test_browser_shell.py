"""The web shell in a real browser: log in, switch to Russian, see the chart, log out."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import RunningServer, SeededDatabase, WatchedPage

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "home.png"


def _chart_marks(page: Page) -> tuple[int, int]:
    """Bars and line points the home chart drew, once vega-embed reports it is done."""
    chart = page.locator('#home-chart[data-chart-state="drawn"]')
    expect(chart).to_be_visible(timeout=20_000)
    bars = chart.locator("svg g.mark-rect path").count()
    points = chart.locator("svg g.mark-symbol path").count()
    return bars, points


def test_log_in_switch_to_russian_see_the_chart_and_log_out(
    kano_server: RunningServer, seeded_database: SeededDatabase, watched_page: WatchedPage
) -> None:
    page, showcase = watched_page.page, seeded_database.showcase

    page.goto(kano_server.url("/"))
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))
    page.get_by_label("E-mail address").fill(showcase.email)
    page.get_by_label("Password").fill(showcase.password)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(kano_server.url("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(showcase.workspace_name)
    assert _chart_marks(page) == (12, 12)  # twelve months of revenue bars and NPS points
    if os.environ.get("KANO_SCREENSHOTS") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)

    page.get_by_role("navigation", name="Language").get_by_role("link", name="Русский").click()

    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("#figure-revenue dt")).to_have_text("Выручка за 12 месяцев")
    expect(page.get_by_role("link", name="Система показателей")).to_be_visible()
    bars, points = _chart_marks(page)
    assert (bars, points) == (12, 12)
    expect(page.locator("#home-chart svg")).to_contain_text("Выручка")

    page.get_by_role("button", name="Выйти").click()

    expect(page).to_have_url(kano_server.url("/login"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Вход в Kano")
    page.goto(kano_server.url("/"))
    expect(page).to_have_url(re.compile(r"/login\?next="))
    assert watched_page.problems == []  # no CSP violation, no script error


def test_workspace_switcher_posts_with_htmx_and_reloads(
    kano_server: RunningServer, seeded_database: SeededDatabase, watched_page: WatchedPage
) -> None:
    page, showcase = watched_page.page, seeded_database.showcase
    page.goto(kano_server.url("/login"))
    page.get_by_label("E-mail address").fill(showcase.email)
    page.get_by_label("Password").fill(showcase.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(showcase.workspace_name)
    page.wait_for_load_state("load")  # htmx wires the switcher up once the page has loaded

    page.get_by_label("Workspace").select_option(label="Northwind Labs")

    expect(page.get_by_role("heading", level=1)).to_have_text("Northwind Labs")
    expect(page.locator("#figure-customers .figure-value")).to_have_text("0")
    assert watched_page.problems == []
