"""The survey builder as a CX lead sees it in Chromium (a walk of the demo in Russian):
the "Whom to invite" choice showed each radio button stretched over the whole column, alone
on a line above the words it chooses, so the two choices read as an unlabelled pair of dots;
and the survey's state ("Open", "Closed") ran into the sentence after it as plain text
("Открыт Публичная ссылка, виджет … принимают ответы"): its badge had no style at all."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from kano.adapters.db import accounts
from kano.adapters.db.engine import make_engine, make_session_factory, transaction
from kano.adapters.db.orm import Survey
from kano.adapters.db.survey_store import save_survey
from kano.domain.feedback.surveys import checked_definition
from tests.e2e.conftest import RunningServer, SeededDatabase

pytestmark = pytest.mark.browser

KEY = "delivery-pulse"
DEFINITION = {"questions": [
    {"key": "csat", "type": "csat", "required": True,
     "text": {"en": "How satisfied are you with the delivery?"}},
]}

# Each radio of the audience choice: its width, and whether it shares a line with its words.
AUDIENCE_RADIOS = """() => [...document.querySelectorAll('input[name="audience"]')].map(radio => {
  const box = radio.getBoundingClientRect();
  const range = document.createRange();
  range.selectNodeContents(radio.parentElement);
  const words = [...range.getClientRects()].filter(r => r.width > 0 && r.left >= box.right - 1);
  const first = words.length ? words[0] : null;
  return {width: box.width,
          sameLine: first !== null && first.top < box.bottom && first.bottom > box.top,
          gap: first === null ? null : first.left - box.right};
})"""


@pytest.fixture
def database(seeded_database: SeededDatabase) -> str:
    engine = make_engine(seeded_database.url)
    try:
        with transaction(make_session_factory(engine)) as session:
            workspace = accounts.get_workspace(session, "northwind")
            session.add(Survey(workspace_id=workspace.id, key=KEY, name="Delivery pulse"))
            session.flush()
            save_survey(session, workspace.id, KEY, name="Delivery pulse", touchpoint=None,
                        definition=checked_definition(DEFINITION), actor="test", user_id=None)
    finally:
        engine.dispose()
    return seeded_database.url


def _open_builder(page: Page, server: RunningServer, seeded: SeededDatabase,
                  language: str) -> None:
    page.goto(server.url(f"/login?next=/surveys/{KEY}&lang={language}"))
    page.locator("#email").fill(seeded.showcase.email)
    page.locator("#password").fill(seeded.showcase.password)
    page.locator("button[type=submit]").click()
    page.locator("#invite-form").wait_for()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_each_audience_radio_sits_beside_its_words(
    database: str, kano_server: RunningServer, chromium: Browser,
    seeded_database: SeededDatabase, language: str,
) -> None:
    context = chromium.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB")
    try:
        page = context.new_page()
        _open_builder(page, kano_server, seeded_database, language)

        radios = page.evaluate(AUDIENCE_RADIOS)
        assert len(radios) == 2
        for radio in radios:
            assert radio["width"] < 40, radios  # a radio button, not a column-wide bar
            assert radio["sameLine"] and 0 <= radio["gap"] < 24, radios
    finally:
        context.close()


def test_the_surveys_state_reads_as_a_badge_apart_from_its_sentence(
    database: str, kano_server: RunningServer, chromium: Browser,
    seeded_database: SeededDatabase,
) -> None:
    context = chromium.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB")
    try:
        page = context.new_page()
        _open_builder(page, kano_server, seeded_database, "ru")

        state = page.locator("#survey-state")
        assert state.inner_text() == "Открыт"
        style = state.evaluate("""badge => { const s = getComputedStyle(badge);
          return {background: s.backgroundColor, border: s.borderTopWidth,
                  radius: parseFloat(s.borderTopLeftRadius),
                  padding: parseFloat(s.paddingLeft)}; }""")
        assert style["background"] != "rgba(0, 0, 0, 0)" or style["border"] != "0px", style
        assert style["radius"] > 0 and style["padding"] > 0, style
    finally:
        context.close()
