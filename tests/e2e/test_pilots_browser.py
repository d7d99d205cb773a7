"""Pilots in a real browser: define a pilot on the demo company (north against south,
revenue), see its plan, evaluate it and read the effect with its interval, the pre-trend
verdict and the chart of both groups -- with no CSP violation or script error."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import RunningServer, SeededDatabase, WatchedPage
from tests.e2e.test_journey_map import demo_loaded

__all__ = ["demo_loaded"]
pytestmark = pytest.mark.browser


def test_define_and_evaluate_a_pilot(
    demo_loaded: None,
    kano_server: RunningServer,
    seeded_database: SeededDatabase,
    watched_page: WatchedPage,
) -> None:
    page = watched_page.page
    page.goto(kano_server.url("/pilots?lang=en"))
    page.get_by_label("E-mail address").fill(seeded_database.showcase.email)
    page.get_by_label("Password").fill(seeded_database.showcase.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pilots")
    expect(page.get_by_text("No pilot yet.")).to_be_visible()

    page.get_by_label("Name", exact=True).fill("Same-day delivery in the north")
    page.get_by_label("Hypothesis").fill("Faster delivery sells more.")
    page.get_by_label("Pilot group: chosen by").select_option("region")
    page.get_by_label("Pilot group: values").fill("north")
    page.get_by_label("Control group: chosen by").select_option("region")
    page.get_by_label("Control group: values").fill("south")
    page.get_by_label("KPIs").select_option("revenue")
    page.get_by_label("Baseline from").fill("2025-01-01")
    page.get_by_label("Baseline to").fill("2025-06-30")
    page.get_by_label("Test from").fill("2025-07-01")
    page.get_by_label("Test to").fill("2025-09-30")
    page.get_by_role("button", name="Define the pilot").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Same-day delivery in the north")
    expect(page.locator("#pilot-status")).to_have_text("Planned")
    expect(page.locator("#plan-mde")).to_have_text(re.compile(r"^[\d,]+\.\d\d$"))

    page.get_by_role("button", name="Evaluate now").click()
    expect(page.locator("#pilot-status")).to_have_text("Evaluated")
    result = page.locator("#result-revenue")
    expect(result.locator(".pilot-effect")).to_have_text(re.compile(r"^[+\u2212]?[\d,]+\.\d\d"))
    expect(result.locator(".pilot-ci")).to_contain_text("…")
    expect(result.locator(".pilot-trend")).to_contain_text(re.compile("parallel|drifted apart"))
    expect(page.locator("#chart-revenue svg")).to_be_visible()

    page.get_by_role("combobox", name="Decision").select_option("iterate")
    page.get_by_label("Note").first.fill("Try with a second region.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#pilot-decision")).to_contain_text("Iterate")
    assert watched_page.problems == []
