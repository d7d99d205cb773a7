"""The strategy pages in a real browser: add an objective, link it, see the arrow on the map
(and reach it with the keyboard); record a check-in and see the progress bar move in place.

The workspace of the showcase company gets the example strategy of the strategy-as-code
tests (10 company objectives, 6 links, a quarter of OKRs). With KANO_SCREENSHOTS=1 the
test also refreshes the screenshots of the scorecard and the map in docs/screenshots.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from kano.adapters.db.engine import make_engine, make_session_factory
from tests.e2e.conftest import RunningServer, SeededDatabase, WatchedPage
from tests.integration.strategy.seed import seed_people
from tests.integration.strategy.support import example_text, import_text

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def strategy_server(seeded_database: SeededDatabase, kano_server: RunningServer) -> RunningServer:
    """The running server, its workspace holding the example strategy."""
    engine = make_engine(seeded_database.url)
    try:
        sessions = make_session_factory(engine)
        seed_people(sessions, "northwind")
        import_text(sessions, example_text(), "northwind")
    finally:
        engine.dispose()
    return kano_server


def _log_in(page: Page, server: RunningServer, seeded: SeededDatabase, path: str) -> None:
    page.goto(server.url(path))
    page.get_by_label("E-mail address").fill(seeded.showcase.email)
    page.get_by_label("Password").fill(seeded.showcase.password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(server.url(path))
    page.wait_for_load_state("load")  # htmx wires its forms up once the page has loaded


def _screenshot(page: Page, name: str) -> None:
    if os.environ.get("KANO_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_add_an_objective_link_it_and_see_the_arrow_on_the_map(
    strategy_server: RunningServer, seeded_database: SeededDatabase, watched_page: WatchedPage
) -> None:
    page = watched_page.page
    _log_in(page, strategy_server, seeded_database, "/scorecard")
    expect(page.get_by_role("heading", level=2, name="Learning & growth")).to_be_visible()
    _screenshot(page, "scorecard.png")

    page.get_by_label("Perspective").select_option(label="Learning & growth")
    page.get_by_label("Title").fill("Coach agents on the new CRM")
    page.get_by_role("button", name="Add the objective").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Coach agents on the new CRM")
    page.get_by_label("This objective drives").select_option(
        label="Solve problems at the first contact")
    page.get_by_label("Hypothesis (optional)").fill("Agents who know the CRM solve more at once.")
    page.get_by_role("button", name="Add the link").click()
    expect(page.locator("#effects")).to_contain_text("Solve problems at the first contact")

    page.get_by_role("link", name="Show on the strategy map").click()

    arrow = page.locator('g.map-link[data-cause="coach-agents-on-the-new-crm"]'
                         '[data-effect="first-contact-resolution"] path')
    expect(arrow).to_be_visible()
    assert arrow.get_attribute("marker-end") == "url(#kano-map-arrowhead)"
    expect(page.locator("g.map-link")).to_have_count(7)
    box = page.locator("#map-objective-coach-agents-on-the-new-crm")
    expect(box).to_have_attribute("aria-label", re.compile(r"^Coach agents on the new CRM\. "))
    box.focus()
    expect(box).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Coach agents on the new CRM")
    assert watched_page.problems == []  # no CSP violation, no script error


def test_check_in_moves_the_key_result_progress_bar_in_place(
    strategy_server: RunningServer, seeded_database: SeededDatabase, watched_page: WatchedPage
) -> None:
    page = watched_page.page
    _log_in(page, strategy_server, seeded_database, "/okr")
    key_result = page.locator("li.key-result", has_text="24 coaching sessions held")
    progress = key_result.locator("progress")
    expect(progress).to_have_attribute("value", "37.5")  # 9 of 24
    page.evaluate("window.kanoNotReloaded = true")

    key_result.get_by_text("Check in").click()
    key_result.get_by_label("Value").fill("18")
    key_result.get_by_label("Confidence (0–10)").fill("8")
    key_result.get_by_label("Comment (optional)").fill("Two more agents started.")
    key_result.get_by_role("button", name="Save the check-in").click()

    expect(progress).to_have_attribute("value", "75.0")
    expect(key_result.locator(".kr-comment")).to_contain_text("Two more agents started.")
    expect(page.locator("#team-confidence")).to_contain_text("+100")  # both team KRs on track
    assert page.evaluate("window.kanoNotReloaded") is True  # swapped by htmx, not reloaded
    assert watched_page.problems == []


def test_the_strategy_map_page_draws_every_objective(
    strategy_server: RunningServer, seeded_database: SeededDatabase, watched_page: WatchedPage
) -> None:
    page = watched_page.page
    _log_in(page, strategy_server, seeded_database, "/strategy/map")

    expect(page.locator("a.map-objective")).to_have_count(9)
    expect(page.locator("g.map-link")).to_have_count(6)
    _screenshot(page, "strategy-map.png")
    page.get_by_text("The map as text").click()
    expect(page.locator("#map-links-as-text li")).to_have_count(6)
    assert watched_page.problems == []


def test_an_admin_closes_the_cycle_and_sees_the_grades(
    strategy_server: RunningServer, seeded_database: SeededDatabase, watched_page: WatchedPage
) -> None:
    page = watched_page.page
    _log_in(page, strategy_server, seeded_database, "/okr")
    objective = page.locator("article.okr-objective", has_text="Get it right the first time")

    page.get_by_label("Carry unfinished key results over to").select_option(
        label="No cycle: close without carrying over")
    page.get_by_label("I confirm: grade the objectives and close this cycle for good.").check()
    page.get_by_role("button", name="Close the cycle").click()

    expect(objective.locator(".okr-grade")).to_have_text("Grade: 0.7 Success")
    expect(page.locator("#close-cycle")).to_contain_text("This cycle is closed")
    assert watched_page.problems == []


def test_the_map_uses_a_projector_wide_screen(
    strategy_server: RunningServer, seeded_database: SeededDatabase, watched_page: WatchedPage
) -> None:
    """In a strategy session the map is shown at 1920 px: it must not stop at the 1,280 px
    column that suits reading pages, or its box text shrinks to about 10 px."""
    page = watched_page.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    _log_in(page, strategy_server, seeded_database, "/strategy/map")

    width_of = "e => e.getBoundingClientRect().width"
    map_width = page.locator("svg.strategy-map-svg").evaluate(width_of)
    assert map_width > 1400, map_width
    page.goto(strategy_server.url("/scorecard"))
    main_width = page.locator("main#main").evaluate(width_of)
    assert main_width <= 1280, main_width  # reading pages keep their column
    assert watched_page.problems == []
