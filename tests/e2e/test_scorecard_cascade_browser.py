"""The cascade in a real browser: a strategy lead (the workspace's owner) opens the company
scorecard, adds a department scorecard below it, adds an objective there and aligns it to a
company objective; the department page shows its place in the cascade and the company
objective lists the department's objective it is served by -- with no CSP violation or
script error."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kano.adapters.db.engine import make_engine, make_session_factory
from tests.e2e.conftest import RunningServer, SeededDatabase, WatchedPage
from tests.integration.strategy.support import import_text

pytestmark = pytest.mark.browser

COMPANY_CARD = """\
format: kano-strategy/1
scorecards:
  - key: company
    name: Northwind company scorecard
    perspectives:
      - key: customer
        name: Customer
        objectives:
          - key: easy-to-buy-from
            title: Be easy to buy from
      - {key: financial, name: Financial}
"""


@pytest.fixture
def cascade_server(seeded_database: SeededDatabase, kano_server: RunningServer) -> RunningServer:
    engine = make_engine(seeded_database.url)
    try:
        import_text(make_session_factory(engine), COMPANY_CARD, "northwind")
    finally:
        engine.dispose()
    return kano_server


def test_a_lead_adds_a_department_scorecard_and_aligns_an_objective(
    cascade_server: RunningServer, seeded_database: SeededDatabase, watched_page: WatchedPage
) -> None:
    page = watched_page.page
    page.goto(cascade_server.url("/scorecard?lang=en"))
    page.get_by_label("E-mail address").fill(seeded_database.showcase.email)
    page.get_by_label("Password").fill(seeded_database.showcase.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Executive scorecard")

    page.locator("summary", has_text="New scorecard below this one").click()
    form = page.locator("#new-scorecard")
    form.get_by_label("Name").fill("Sales department")
    expect(form.get_by_label("Level")).to_have_value("department")
    form.get_by_role("button", name="Add the scorecard").click()

    expect(page).to_have_url(re.compile(r"/scorecard\?scorecard=department$"))
    expect(page.locator("#cascade-parent")).to_have_text("Northwind company scorecard")
    expect(page.locator("#cascade-path")).to_contain_text("Sales department")
    expect(page.locator(".perspective-summary")).to_contain_text(
        "Learning & growth")

    new_objective = page.locator("#new-objective")
    new_objective.get_by_label("Perspective").select_option(label="Customer")
    new_objective.get_by_label("Title", exact=True).fill("Quote within a day")
    new_objective.get_by_role("button", name="Add the objective").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quote within a day")

    page.locator("summary", has_text="Change what this objective serves").click()
    page.get_by_label("Aligned to").select_option(label="Be easy to buy from")
    page.get_by_role("button", name="Save the alignment").click()
    expect(page.locator("#aligned-to")).to_have_text("Serves: Be easy to buy from")

    page.locator("#aligned-to").get_by_role("link", name="Be easy to buy from").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Be easy to buy from")
    expect(page.locator("#aligned-from")).to_contain_text("Quote within a day")
    expect(page.locator("#aligned-from")).to_contain_text("Sales department")

    page.goto(cascade_server.url("/scorecard?scorecard=company"))
    expect(page.locator("#cascade-children")).to_contain_text("Sales department")
    assert watched_page.problems == []
