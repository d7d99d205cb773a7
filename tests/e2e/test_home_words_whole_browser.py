"""The home page's "needs attention" cards break lines between words, not inside them: a walk
of the demo in Russian on a 1,360 px screen (the five cards on one row) read the strategy map
card as "3 стрелки не подтверждаютс / я данными" (the cards let any word break anywhere so
that nothing runs out of them, and "подтверждаются" was 5 px wider than the card)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser
from sqlalchemy import select

from kano.adapters.db.engine import make_engine, make_session_factory, transaction
from kano.adapters.db.orm import CauseEffectLinkRow, LinkTestRow, Workspace
from kano.demo.strategy import import_demo_strategy
from tests.e2e.conftest import RunningServer, SeededDatabase
from tests.e2e.test_journey_map import demo_loaded

__all__ = ["demo_loaded"]

pytestmark = pytest.mark.browser

# Every word of letters only (a hyphenated compound may break at its hyphen) whose glyphs lie
# on more than one line, in the cards of the "needs attention" row.
BROKEN_WORDS = """() => {
  const broken = [];
  for (const card of document.querySelectorAll('.attention-card')) {
    const walker = document.createTreeWalker(card, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.textContent.matchAll(/\\p{L}+/gu)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
          .map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(`${card.id}: ${match[0]}`);
      }
    }
  }
  return broken;
}"""


@pytest.fixture
def demo_strategy(demo_loaded: None, seeded_database: SeededDatabase, tmp_path: Path) -> None:
    """The demo strategy on the demo company, three of its map's arrows contradicted by the
    data (the demo's own count)."""
    engine = make_engine(seeded_database.url)
    try:
        sessions = make_session_factory(engine)
        import_demo_strategy(sessions, tmp_path / "company", "northwind")
        with transaction(sessions) as session:
            workspace = session.scalars(
                select(Workspace.id).where(Workspace.slug == "northwind")).one()
            links = session.scalars(select(CauseEffectLinkRow).where(
                CauseEffectLinkRow.workspace_id == workspace)).all()
            session.add_all(LinkTestRow(
                workspace_id=workspace, scorecard_id=link.scorecard_id, cause_id=link.cause_id,
                effect_id=link.effect_id, proposed=False,
                verdict="wrong sign" if index < 3 else "supported", n=500)
                for index, link in enumerate(links[:10]))
    finally:
        engine.dispose()


@pytest.mark.parametrize("language", ["en", "ru", "hu"])
def test_the_attention_cards_keep_each_word_whole_on_a_wide_screen(
    demo_strategy: None, kano_server: RunningServer, chromium: Browser,
    seeded_database: SeededDatabase, language: str,
) -> None:
    context = chromium.new_context(viewport={"width": 1360, "height": 860}, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(kano_server.url(f"/login?lang={language}"))
        page.locator("#email").fill(seeded_database.showcase.email)
        page.locator("#password").fill(seeded_database.showcase.password)
        page.locator("button[type=submit]").click()
        page.locator("#attention-map-not-supported").wait_for()

        assert page.locator("#attention-map-not-supported").inner_text().startswith("3 ")
        assert page.evaluate(BROKEN_WORDS) == []
    finally:
        context.close()
