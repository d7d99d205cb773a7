"""An MBO review sheet edited in a real browser: the weighted score follows the typed
achievement before it is saved, the save keeps it, a weight that would break the agreed
sheet's 100 % is refused next to its row, and an objective moves up the sheet; review
comments stay with the sheet, and an admin deletes it after a confirmation page.

The workspace of the showcase company gets the example strategy (Ana's agreed 2026 sheet:
coaching 40 % × 75 %, first-contact resolution 35 % not assessed, academy 25 % × 100 %).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import RunningServer, SeededDatabase, WatchedPage
from tests.e2e.test_strategy_browser import _log_in, strategy_server

pytestmark = pytest.mark.browser
__all__ = ["strategy_server"]


def test_record_an_achievement_see_the_score_live_and_reorder(
    strategy_server: RunningServer, seeded_database: SeededDatabase, watched_page: WatchedPage
) -> None:
    page = watched_page.page
    _log_in(page, strategy_server, seeded_database, "/mbo")
    score = page.locator("#mbo-score")
    expect(score).to_have_text("55%")
    # the table's total is that score, with its unit (a walk of the demo read "75,5" under
    # a headline of "75,5 %")
    total = page.locator("#mbo-total-score")
    expect(total).to_have_text("55%")

    achievement = page.locator("#mbo-form-fcr-achievement")
    achievement.fill("80")
    # 40 × 75 % + 35 × 80 % + 25 × 100 % = 83, before anything is saved
    expect(score).to_have_text("83%")
    expect(total).to_have_text("83%")
    expect(page.locator("#mbo-fcr .mbo-weighted")).to_have_text("28")
    page.locator("#mbo-form-fcr-comment").fill("Resolution rose from 61 % to 74 %")
    page.locator("#mbo-form-fcr-save").click()

    expect(page).to_have_url(strategy_server.url("/mbo?sheet=ana-2026#mbo-fcr"))
    expect(page.locator("#mbo-score")).to_have_text("83%")
    expect(page.locator("#mbo-form-fcr-achievement")).to_have_value("80")

    page.locator("#mbo-form-coaching-weight").fill("50")
    expect(page.locator("#mbo-total-weight")).to_have_text("110%")
    expect(page.locator("#mbo-score")).to_have_text("–")
    page.locator("#mbo-form-coaching-save").click()

    error = page.locator("#mbo-coaching-error")
    expect(error).to_contain_text("must add up to 100%")
    expect(page.locator("#mbo-form-coaching-weight")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#mbo-form-coaching-weight")).to_have_value("50")

    page.goto(strategy_server.url("/mbo"))
    page.locator("#mbo-skills").get_by_role("button", name="Move up").click()
    rows = page.locator("table.mbo-sheet tbody tr")
    expect(rows.nth(1)).to_have_id("mbo-skills")
    expect(rows.nth(2)).to_have_id("mbo-fcr")
    expect(page.locator("#mbo-score")).to_have_text("83%")


def test_comments_stay_with_the_sheet_and_an_admin_deletes_it_after_confirming(
    strategy_server: RunningServer, seeded_database: SeededDatabase, watched_page: WatchedPage
) -> None:
    page = watched_page.page
    _log_in(page, strategy_server, seeded_database, "/mbo")
    page.locator("#mbo-form-coaching-comment").fill("Seven of eight new agents passed")
    page.locator("#mbo-form-coaching-save").click()
    expect(page.locator("#mbo-coaching-comment")).to_contain_text(
        "Review comment: Seven of eight new agents passed")
    # The stored comment fills its field, so the next save keeps it.
    expect(page.locator("#mbo-form-coaching-comment")).to_have_value(
        "Seven of eight new agents passed")
    page.locator("#sheet-comment").fill("Strong year; the academy made the difference")
    page.locator("#sheet-status-save").click()
    expect(page.locator("#mbo-sheet-comment")).to_contain_text(
        "Reviewer's comment on the sheet: Strong year; the academy made the difference")

    page.locator("#sheet-delete").click()
    expect(page).to_have_url(strategy_server.url("/mbo/sheets/ana-2026/delete"))
    expect(page.locator("#mbo-delete-what")).to_contain_text("Its 3 objectives go with it")
    page.get_by_role("link", name="Cancel").click()
    expect(page.locator("#mbo-score")).to_have_text("55%")  # nothing deleted
    page.locator("#sheet-delete").click()
    page.locator("#mbo-delete-confirm").click()

    expect(page).to_have_url(strategy_server.url("/mbo"))
    expect(page.locator("#mbo-score")).to_have_count(0)  # the showcase's only sheet is gone
    expect(page.get_by_role("heading", name="No review sheet yet")).to_be_visible()
