"""The scorecard's say and do columns in Hungarian and Russian, whose measure names and
sample notes are long (QA session 14): at 1280 px the two half-width columns squeezed a
measure's name to a word a line and scrolled the trend out of sight; on a 390-px phone
every table scrolled inside its column. Now a table has the room it needs, or shows each
measure as a block with its name on a line of its own; the page never scrolls sideways."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from kano.adapters.db.engine import make_engine, make_session_factory
from kano.demo.strategy import import_demo_strategy
from tests.e2e.conftest import RunningServer, SeededDatabase
from tests.e2e.test_journey_map import demo_loaded

__all__ = ["demo_loaded"]

pytestmark = pytest.mark.browser

SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
SAY_DO_TABLES = """() => [...document.querySelectorAll('.say-do .measures')].map(table => {
  const box = table.closest('.table-scroll');
  return {
    scrolls: box.scrollWidth - box.clientWidth,
    width: table.getBoundingClientRect().width,
    names: [...table.querySelectorAll('tbody th[scope=row]')].map(
      name => name.getBoundingClientRect().width),
    labels: [...table.querySelectorAll('tbody td[data-label]')].map(
      cell => getComputedStyle(cell, '::before').content),
  };
})"""


@pytest.fixture
def demo_strategy(demo_loaded: None, seeded_database: SeededDatabase, tmp_path: Path) -> None:
    """The demo's strategy (its scorecard has a customer perspective with say and do
    measures) on top of the demo company."""
    engine = make_engine(seeded_database.url)
    try:
        import_demo_strategy(make_session_factory(engine), tmp_path / "company", "northwind")
    finally:
        engine.dispose()


def tables_at(chromium: Browser, server: RunningServer, database: SeededDatabase,
              language: str, width: int) -> tuple[int, list[dict[str, Any]]]:
    """How far the scorecard scrolls sideways at this width, and its say/do tables."""
    phone = width < 500
    context = chromium.new_context(viewport={"width": width, "height": 900},
                                   is_mobile=phone, has_touch=phone)
    try:
        page = context.new_page()
        page.goto(server.url(f"/login?lang={language}"))
        page.locator("input[name=email]").fill(database.showcase.email)
        page.locator("input[name=password]").fill(database.showcase.password)
        page.locator("button[type=submit]").click()
        page.wait_for_load_state()
        reply = page.goto(server.url("/scorecard"), wait_until="networkidle")
        assert reply is not None and reply.status == 200
        return page.evaluate(SIDEWAYS), page.evaluate(SAY_DO_TABLES)
    finally:
        context.close()


@pytest.mark.usefixtures("demo_strategy")
def test_say_and_do_tables_fit_their_columns_in_hungarian_and_russian(
    kano_server: RunningServer, seeded_database: SeededDatabase, chromium: Browser,
) -> None:
    for language in ("hu", "ru"):
        sideways, tables = tables_at(chromium, kano_server, seeded_database, language, 1280)
        assert sideways == 0 and len(tables) >= 5
        assert [table["scrolls"] for table in tables] == [0] * len(tables), language
        # a desktop shows whole tables: the cells carry no labels of their own
        assert {label for table in tables for label in table["labels"]} == {"none"}
        assert min(name for table in tables for name in table["names"]) > 140

        sideways, tables = tables_at(chromium, kano_server, seeded_database, language, 390)
        assert sideways == 0
        assert [table["scrolls"] for table in tables] == [0] * len(tables), language
        for table in tables:  # each measure's name reads on a line of its own ...
            assert all(abs(name - table["width"]) < 1 for name in table["names"])
            # ... above its figures, each under its column's name
            assert all(label.startswith('"') for label in table["labels"])
        if language == "hu":
            assert {'"Legutóbbi"', '"Célérték"', '"Állapot"', '"Trend"'} == {
                label for table in tables for label in table["labels"]}
