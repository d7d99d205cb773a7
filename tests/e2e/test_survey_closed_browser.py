"""On a phone, in Chromium: a CX lead closes a survey on its builder page, and its link
then says "This survey is closed" in the respondent's language; on an open survey, a
respondent who sends the form with two required answers missing sees both named at the
top and each marked at its question (SPEC §2.4, issue 6 "Channels")."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from kano.adapters.db import accounts
from kano.adapters.db.engine import make_engine, make_session_factory, transaction
from kano.adapters.db.orm import Survey
from kano.adapters.db.survey_store import save_survey
from kano.adapters.web.survey_links import SurveyLinks
from kano.domain.feedback.surveys import checked_definition
from kano.domain.workspaces import Role
from tests.e2e.conftest import RunningServer, SeededDatabase

pytestmark = pytest.mark.browser

SECRET_KEY = "browser-test-secret-key-0123456789"  # what the kano_server fixture sets
LEAD, LEAD_PASSWORD = "lena@northwind.test", "cx lead test password"
DEFINITION = {"questions": [
    {"key": "nps", "type": "nps", "required": True, "text": {
        "en": "How likely are you to recommend us?",
        "hu": "Mennyire valószínű, hogy ajánlana minket?"}},
    {"key": "reason", "type": "single", "required": True,
     "text": {"en": "Main reason?", "hu": "Mi a fő ok?"},
     "choices": [{"key": "price", "label": {"en": "Price", "hu": "Ár"}},
                 {"key": "speed", "label": {"en": "Speed", "hu": "Gyorsaság"}}]},
    {"key": "comment", "type": "text", "text": {"en": "Anything else?", "hu": "Egyéb?"}},
]}


@pytest.fixture
def links(seeded_database: SeededDatabase) -> dict[str, str]:
    engine = make_engine(seeded_database.url)
    try:
        with transaction(make_session_factory(engine)) as session:
            workspace = accounts.get_workspace(session, "northwind")
            for key in ("pulse-open", "pulse-closing"):
                session.add(Survey(workspace_id=workspace.id, key=key, name=key))
                session.flush()
                save_survey(session, workspace.id, key, name=key, touchpoint=None,
                            definition=checked_definition(DEFINITION), actor="test",
                            user_id=None)
            lead = accounts.ensure_user(session, LEAD, LEAD_PASSWORD, name="Léna")
            accounts.grant_role(session, workspace, lead, Role.ANALYST)
            workspace_id = workspace.id
    finally:
        engine.dispose()
    signer = SurveyLinks(SECRET_KEY)
    return {key: signer.path(workspace_id, key) for key in ("pulse-open", "pulse-closing")}


def test_a_closed_link_says_so_and_two_missing_answers_are_both_marked_on_a_phone(
    links: dict[str, str], kano_server: RunningServer, chromium: Browser,
) -> None:
    desk = chromium.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
    try:
        page = desk.new_page()
        page.goto(kano_server.url("/login?next=/surveys/pulse-closing"))
        page.get_by_label("E-mail address").fill(LEAD)
        page.get_by_label("Password").fill(LEAD_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("button", name="Close the survey").click()
        expect(page.locator("#survey-state")).to_have_text("Closed")
        expect(page.get_by_role("button", name="Reopen the survey")).to_be_visible()
    finally:
        desk.close()

    phone = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                 has_touch=True, locale="hu-HU")
    try:
        page = phone.new_page()
        page.goto(kano_server.url(links["pulse-closing"]))
        expect(page.locator("html")).to_have_attribute("lang", "hu")
        expect(page.get_by_role("heading", level=1)).to_have_text("Ez a kérdőív lezárult")
        expect(page.locator("form.survey-form")).to_have_count(0)

        page.goto(kano_server.url(links["pulse-open"]))
        page.get_by_label("Egyéb?").fill("Gyors volt.")
        page.get_by_role("button", name="Válaszaim elküldése").tap()
        summary = page.locator("#survey-error")
        expect(summary).to_be_visible()
        expect(summary.get_by_role("link")).to_have_count(2)
        expect(summary.get_by_role("link", name="Mennyire valószínű, hogy ajánlana minket?")) \
            .to_be_visible()
        expect(summary.get_by_role("link", name="Mi a fő ok?")).to_be_visible()
        for key in ("nps", "reason"):
            question = page.locator(f"#question-{key}")
            expect(question).to_have_attribute("aria-invalid", "true")
            expect(question.locator(f"#error-{key}")).to_have_text(
                "Kérjük, válaszoljon erre a kérdésre.")
        expect(page.locator("#question-comment")).not_to_have_class(
            re.compile("survey-question-invalid"))
        expect(page.get_by_label("Egyéb?")).to_have_value("Gyors volt.")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390  # nothing runs off the phone's screen
    finally:
        phone.close()
