"""The home page in a real browser: the NPS headline with its 95 % interval, the chart drawn
by the vendored Vega-Lite with the NPS interval band under the line (twelve bars, twelve
points, one band) and the revenue axis in euros, and the "needs attention" cards — with no
CSP violation or script error.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kano.adapters.db.engine import make_engine, make_session_factory, transaction
from kano.adapters.db.orm import CaseRow, Workspace, utcnow
from tests.e2e.conftest import RunningServer, SeededDatabase, WatchedPage

pytestmark = pytest.mark.browser


def _an_overdue_case(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            workspace = session.scalars(
                select(Workspace.id).where(Workspace.slug == "northwind")).one()
            now = utcnow()
            session.add(CaseRow(
                workspace_id=workspace, rule="detractor", title="Late delivery, no answer yet",
                status="new", opened_at=now - timedelta(days=2),
                first_response_due_at=now - timedelta(days=1),
                resolution_due_at=now + timedelta(days=3)))
    finally:
        engine.dispose()


def test_the_home_chart_draws_the_nps_band_and_the_cards_link_on(
    kano_server: RunningServer, seeded_database: SeededDatabase, watched_page: WatchedPage
) -> None:
    page, showcase = watched_page.page, seeded_database.showcase
    _an_overdue_case(seeded_database.url)
    page.goto(kano_server.url("/login"))
    page.get_by_label("E-mail address").fill(showcase.email)
    page.get_by_label("Password").fill(showcase.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(showcase.workspace_name)

    expect(page.locator("#figure-nps-interval")).to_have_text(
        re.compile(r"^Interval \(95%\): [+\u2212]?\d+ – [+\u2212]?\d+$"))
    chart = page.locator('#home-chart[data-chart-state="drawn"]')
    expect(chart).to_be_visible(timeout=20_000)
    assert chart.locator("svg g.mark-rect path").count() == 12  # revenue bars
    assert chart.locator("svg g.mark-symbol path").count() == 12  # NPS points
    band = chart.locator("svg g.mark-area path")
    assert band.count() == 1  # the interval band, one area across the months
    box, line = band.bounding_box(), chart.locator("svg g.mark-line path").bounding_box()
    assert box is not None and line is not None
    assert box["height"] > 20  # a band, not a line: ±15 points a month on this data
    assert box["y"] <= line["y"] and box["y"] + box["height"] >= line["y"] + line["height"]
    # The revenue axis is money in the workspace's currency (d3's "$" with the page's locale).
    labels = chart.locator("svg g.role-axis-label text").all_text_contents()
    assert any(re.fullmatch(r"€\d+(\.\d+)?[kM]", label) for label in labels), labels
    expect(page.locator("#figure-revenue .figure-value")).to_have_text(
        re.compile(r"^€\d+(\.\d)?M$"))

    cards = page.locator("#attention-heading + .attention-cards > article")
    expect(cards).to_have_count(5)
    expect(page.locator("#attention-cases-overdue")).to_have_text("1 overdue")
    page.locator("#attention-cases-overdue a").click()
    expect(page).to_have_url(kano_server.url("/cases?overdue=1"))
    expect(page.locator("table.cases tbody tr")).to_have_count(1)
    expect(page.locator("table.cases tbody tr th")).to_have_text("Late delivery, no answer yet")
    assert watched_page.problems == []
