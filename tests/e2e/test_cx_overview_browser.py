"""The CX overview in a real browser: the demo company's headline figures, the NPS trend
drawn with its interval band by the vendored Vega-Lite, and a breakdown row that opens the
metric explorer filtered to it -- with no CSP violation or script error. With
KANO_SCREENSHOTS=1 it refreshes docs/screenshots/cx-overview.png."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import RunningServer, SeededDatabase, WatchedPage
from tests.e2e.test_journey_map import demo_loaded  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "cx-overview.png"


@pytest.mark.usefixtures("demo_loaded")
def test_the_overview_draws_the_trend_and_a_row_opens_the_explorer(
    kano_server: RunningServer, seeded_database: SeededDatabase, watched_page: WatchedPage,
) -> None:
    page = watched_page.page
    page.goto(kano_server.url("/cx"))
    page.get_by_label("E-mail address").fill(seeded_database.showcase.email)
    page.get_by_label("Password").fill(seeded_database.showcase.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Customer experience overview")

    expect(page.locator("#card-nps .figure-value")).to_have_text(re.compile(r"^[+\u2212]?\d"))
    chart = page.locator('#cx-chart[data-chart-state="drawn"]')
    expect(chart).to_be_visible(timeout=20_000)
    assert chart.locator("svg g.mark-symbol path").count() == 12  # a point a month
    assert chart.locator("svg g.mark-area path").count() == 1  # the interval band
    expect(page.locator("#cx-loop")).to_contain_text("Closed loop")
    if os.environ.get("KANO_SCREENSHOTS") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)

    first = page.locator("#breakdown-segment tbody tr").first.locator("th a")
    # The row reads the segment's name; its link filters by the key.
    segment = parse_qs(urlsplit(first.get_attribute("href") or "").query)["filter_values"][0]
    first.click()

    expect(page).to_have_url(re.compile(r"/metrics/nps\?grain=month&filter_name=segment"))
    expect(page.locator("#filter-values-1")).to_have_value(segment)
    expect(page.locator("#metric-table")).to_be_visible()
    expect(page.locator('#metric-chart[data-chart-state="drawn"]')).to_be_visible(
        timeout=20_000)
    assert watched_page.problems == []
