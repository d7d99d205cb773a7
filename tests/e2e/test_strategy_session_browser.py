"""The guided strategy session in a real browser: start on an empty scorecard, add an
objective to the financial step, pick a metric (htmx fills the measure in), save it with a
target, walk on to the internal step, add an objective and its measure, draw the arrow
between them, reload (everything is still there) and see both on the review's map -- with
no CSP violation or script error."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from kano.adapters.db.engine import make_engine, make_session_factory
from tests.e2e.conftest import RunningServer, SeededDatabase, WatchedPage
from tests.integration.strategy.support import import_text

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

EMPTY_CARD = """\
format: kano-strategy/1
scorecards:
  - key: company
    name: Northwind company scorecard
    perspectives:
      - {key: customer, name: Customer}
      - {key: financial, name: Financial}
      - {key: process, name: Internal processes}
      - {key: learning, name: Learning & growth}
"""


@pytest.fixture
def session_server(seeded_database: SeededDatabase, kano_server: RunningServer) -> RunningServer:
    engine = make_engine(seeded_database.url)
    try:
        import_text(make_session_factory(engine), EMPTY_CARD, "northwind")
    finally:
        engine.dispose()
    return kano_server


def _add_objective_and_measure(page: Page, title: str, metric: str, target: str) -> None:
    page.get_by_label("Title", exact=True).last.fill(title)
    page.get_by_role("button", name="Add the objective").click()
    objective = page.locator("article.objective", has_text=title)
    expect(objective).to_be_visible()
    objective.locator("summary", has_text="Propose a measure").click()
    objective.get_by_label("Metric").select_option(metric)
    # htmx asks the server to fill the form in from the metric: name and direction
    expect(objective.get_by_label("Name", exact=True)).not_to_have_value("")
    objective.get_by_label("Baseline").fill("10")
    objective.get_by_role("button", name="Add the measure").click()  # no target yet
    expect(page.locator("#target-error")).to_have_text("Please fill this in.")
    objective = page.locator("article.objective", has_text=title)
    expect(objective.get_by_label("Target", exact=True)).to_be_focused()
    objective.get_by_label("Target", exact=True).fill(target)
    objective.get_by_role("button", name="Add the measure").click()
    expect(page.locator("article.objective", has_text=title).locator("table.session-measures")
           ).to_be_visible()


def test_walk_the_session_and_see_the_map(
    session_server: RunningServer, seeded_database: SeededDatabase, watched_page: WatchedPage
) -> None:
    page = watched_page.page
    page.goto(session_server.url("/strategy/session?lang=en"))
    page.get_by_label("E-mail address").fill(seeded_database.showcase.email)
    page.get_by_label("Password").fill(seeded_database.showcase.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Strategy session")
    page.wait_for_load_state("load")

    page.get_by_role("link", name="Start the session").click()
    expect(page.locator("#step-heading")).to_have_text("Step 1 of 6: Financial")
    _add_objective_and_measure(page, "Grow profitable revenue", "revenue", "20")

    page.get_by_role("link", name=re.compile("^Next: Internal processes")).click()
    expect(page.locator("#step-heading")).to_have_text("Step 2 of 6: Internal processes")
    expect(page).to_have_url(re.compile(r"/strategy/session/company/perspectives/process$"))
    _add_objective_and_measure(page, "Deliver on time", "on_time_delivery", "98")

    page.goto(session_server.url("/strategy/session/company/arrows"))
    expect(page.get_by_role("heading", name="Internal processes → Customer")).to_be_visible()
    page.goto(session_server.url("/strategy/session/company/perspectives/customer"))
    page.get_by_label("Title", exact=True).last.fill("Be easy to work with")
    page.get_by_label("In the customer's words (optional)").last.fill("Northwind saves me time")
    page.get_by_role("button", name="Add the objective").click()
    expect(page.locator("article.objective", has_text="Be easy to work with")).to_be_visible()

    page.goto(session_server.url("/strategy/session/company/arrows"))
    pair = page.locator("section.session-pair", has_text="Internal processes → Customer")
    pair.get_by_label("Cause").select_option(label="Deliver on time")
    pair.get_by_label("Effect").select_option(label="Be easy to work with")
    pair.get_by_role("button", name="Draw the arrow").click()
    expect(page.locator("section.session-pair", has_text="Internal processes → Customer")
           ).to_contain_text("Deliver on time drives Be easy to work with")

    if os.environ.get("KANO_SCREENSHOTS") == "1":  # refresh the docs' picture of a step
        page.goto(session_server.url("/strategy/session/company/perspectives/customer"))
        page.locator("article.objective summary", has_text="Propose a measure").click()
        page.get_by_label("Metric").last.select_option("nps")
        expect(page.get_by_label("Name", exact=True).last).to_have_value("Net Promoter Score")
        page.screenshot(path=str(SCREENSHOTS / "strategy-session.png"), full_page=True)
        page.goto(session_server.url("/strategy/session/company/arrows"))

    page.reload()  # nothing is a draft: the reload shows the same scorecard
    expect(page.locator(".session-steps")).to_contain_text("Cause and effect (1)")
    page.get_by_role("link", name=re.compile("^Next: Review")).click()
    expect(page.locator("#strategy-map svg")).to_be_visible()
    expect(page.locator("#session-scorecard")).to_contain_text("Grow profitable revenue")
    expect(page.locator("#session-scorecard")).to_contain_text("Northwind saves me time")
    # A map of one box per band is drawn at about its own size, its legend inside it: it
    # was blown up 2.4 times across the page, the legend cut off after "Off tra".
    drawn = page.evaluate("""() => {
        const svg = document.querySelector('#strategy-map svg');
        const box = svg.getBoundingClientRect();
        const legend = [...svg.querySelectorAll('.map-legend text')].map(text => {
            const r = text.getBoundingClientRect();
            return [text.textContent, r.left >= box.left && r.right <= box.right + 0.5];
        });
        return {scale: box.width / svg.viewBox.baseVal.width, legend};
    }""")
    assert drawn["scale"] < 1.5, drawn
    assert [label for label, inside in drawn["legend"] if not inside] == [], drawn
    assert len(drawn["legend"]) == 4
    expect(page.locator("#test-arrows")).to_have_attribute(
        "href", "/strategy/map?scorecard=company#map-evidence")
    # the rejected form's 422 is the one resource error the browser may report
    assert [p for p in watched_page.problems if "status of 422" not in p] == []
