"""What the CX lead and the respondent are told (QA pass H6): the builder confirms a save
and says why a survey has no widget; the survey list names each touchpoint as the journey
map does; the new-survey form says what a key may be; the thank-you page promises an
e-mail confirmation only when one is queued; the response page names its language."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import FeedbackResponse, JourneyStage, Survey, Touchpoint
from kano.adapters.db.survey_store import save_survey
from kano.adapters.web.survey_links import SurveyLinks
from kano.bootstrap import Container
from kano.domain.feedback.surveys import checked_definition
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies

NPS_AND_COMMENT: dict[str, Any] = {"title": {"en": "Your delivery", "hu": "Az Ön szállítása"},
                                   "questions": [
    {"key": "nps", "type": "nps", "required": True, "text": {"en": "Recommend us?"}},
    {"key": "comment", "type": "text", "text": {"en": "Why?"}},
]}
NPS_AND_CSAT: dict[str, Any] = {"questions": [
    {"key": "nps", "type": "nps", "required": True, "text": {"en": "Recommend us?"}},
    {"key": "csat", "type": "csat", "required": True, "text": {"en": "Satisfied?"}},
]}


@pytest.fixture
def surveys(sessions: sessionmaker[Session], companies: SeededCompanies) -> None:
    """In Acme: ``pulse`` (NPS and a comment: fits the widget) at the touchpoint
    ``delivery-courier`` named "Parcel delivery"; ``two-scores`` (NPS and CSAT, both
    required: no widget)."""
    with transaction(sessions) as session:
        stage = JourneyStage(workspace_id=companies.acme_id, key="delivery", name="Delivery",
                             position=1)
        session.add(stage)
        session.flush()
        session.add(Touchpoint(workspace_id=companies.acme_id, key="delivery-courier",
                               name="Parcel delivery", stage_id=stage.id, channel="courier"))
        for key in ("pulse", "two-scores"):
            session.add(Survey(workspace_id=companies.acme_id, key=key, name=key.title()))
        session.flush()
        save_survey(session, companies.acme_id, "pulse", name="Pulse",
                    touchpoint="delivery-courier", definition=checked_definition(NPS_AND_COMMENT),
                    actor="test", user_id=None)
        save_survey(session, companies.acme_id, "two-scores", name="Two scores",
                    touchpoint=None, definition=checked_definition(NPS_AND_CSAT),
                    actor="test", user_id=None)


def _token(container: Container, companies: SeededCompanies, key: str) -> str:
    path = SurveyLinks(container.settings.secret_key).path(companies.acme_id, key)
    return parse_qs(urlsplit(path).query)["t"][0]


def test_saving_the_survey_is_confirmed(
    browser: Browser, companies: SeededCompanies, surveys: None
) -> None:
    browser.log_in(companies.alice, PASSWORD)
    form = {"csrf_token": browser.session_token(), "name": "Pulse", "touchpoint": "",
            "title-en": "Your delivery", "count": "1", "q0-key": "nps", "q0-type": "nps",
            "q0-required": "1", "q0-text-en": "Recommend us?", "action": "save"}
    saved = browser.client.post("/surveys/pulse", data=form)
    assert saved.status_code == 303 and saved.headers["location"] == "/surveys/pulse?saved=1"
    assert "The survey is saved" in text_of(browser.page(saved.headers["location"]).text,
                                             "survey-saved")
    hungarian = browser.page("/surveys/pulse?saved=1&lang=hu").text
    assert "A kérdőív mentve" in text_of(hungarian, "survey-saved")
    assert 'id="survey-saved"' not in browser.page("/surveys/pulse").text


def test_the_builder_says_why_a_survey_has_no_widget(
    browser: Browser, companies: SeededCompanies, surveys: None
) -> None:
    browser.log_in(companies.alice, PASSWORD)
    fits = browser.page("/surveys/pulse").text
    assert 'id="widget-snippet"' in fits and 'id="widget-unavailable"' not in fits
    two = browser.page("/surveys/two-scores").text
    assert 'id="widget-snippet"' not in two
    assert "no other required question" in text_of(two, "widget-unavailable")
    russian = browser.page("/surveys/two-scores?lang=ru").text
    assert "Для этого опроса виджета нет" in text_of(russian, "widget-unavailable")


def test_the_survey_list_names_the_touchpoint_and_the_key_rule(
    browser: Browser, companies: SeededCompanies, surveys: None
) -> None:
    browser.log_in(companies.alice, PASSWORD)
    listing = browser.page("/surveys").text
    rows = text_of(listing, "survey-list")
    assert "Pulse pulse Parcel delivery 2" in rows
    assert "delivery-courier" not in rows
    assert "starting with a letter" in text_of(listing, "new-key-hint")
    assert 'aria-describedby="new-key-hint"' in listing


def test_the_thank_you_page_promises_no_e_mail_that_is_not_sent(
    client: TestClient, container: Container, sessions: sessionmaker[Session],
    companies: SeededCompanies, surveys: None,
) -> None:
    """No mail server here: an address left on the form gets no confirmation, so the
    page does not promise one."""
    sent = client.post("/s/pulse", data={
        "t": _token(container, companies, "pulse"), "lang": "hu", "q-nps": "9",
        "email": "kata@example.hu"})
    assert sent.status_code == 303
    assert sent.headers["location"] == "/s/pulse/thanks?lang=hu"
    thanks = client.get(sent.headers["location"]).text
    assert text_of(thanks, "survey-message") == (
        "Megkaptuk a válaszait. Köszönjük, hogy időt szánt ránk.")
    assert "visszaigazolás" not in thanks
    confirmed = client.get("/s/pulse/thanks?lang=ru&confirmation=email").text
    assert "Подтверждение уже отправлено" in text_of(confirmed, "survey-message")
    # the language links keep what the page says
    assert 'href="/s/pulse/thanks?confirmation=email&amp;lang=hu"' in confirmed
    with sessions() as session:
        assert session.scalars(select(FeedbackResponse.nps).where(
            FeedbackResponse.channel == "link")).all() == [9]


def test_the_response_page_names_the_respondents_language(
    browser: Browser, client: TestClient, container: Container, sessions: sessionmaker[Session],
    companies: SeededCompanies, surveys: None,
) -> None:
    client.post("/s/pulse", data={"t": _token(container, companies, "pulse"), "lang": "hu",
                                  "q-nps": "4"})
    with sessions() as session:
        response_id = session.scalars(select(FeedbackResponse.id).where(
            FeedbackResponse.channel == "link")).one()
    browser.log_in(companies.alice, PASSWORD)
    page = browser.page(f"/responses/{response_id}").text
    assert '<dd><span lang="hu">Magyar</span></dd>' in page


def test_a_staff_entry_links_to_the_response_it_stored(
    browser: Browser, sessions: sessionmaker[Session], companies: SeededCompanies,
    surveys: None,
) -> None:
    browser.log_in(companies.alice, PASSWORD)
    sent = browser.client.post("/responses/new", data={
        "csrf_token": browser.session_token(), "survey": "pulse", "channel": "call",
        "external_id": "C1", "language": "ru", "q-nps": "9"})
    assert sent.status_code == 303
    with sessions() as session:
        response_id = session.scalars(select(FeedbackResponse.id).where(
            FeedbackResponse.channel == "call")).one()
    done = browser.page(sent.headers["location"]).text
    assert f'<a href="/responses/{response_id}" id="entered-response">R-{response_id}</a>' \
        in done
    assert text_of(done, "entry-done").startswith(f"Stored as R-{response_id}")
    assert browser.page(f"/responses/{response_id}").status_code == 200


def test_a_kano_pair_without_its_second_text_marks_that_field(
    browser: Browser, companies: SeededCompanies, surveys: None
) -> None:
    """The missing text is "If it is not so": the refusal says so and marks that field,
    not the question's first text, which is filled in."""
    browser.log_in(companies.alice, PASSWORD)
    refused = browser.client.post("/surveys/pulse", data={
        "csrf_token": browser.session_token(), "name": "Pulse", "touchpoint": "",
        "count": "1", "q0-key": "tracking", "q0-type": "kano",
        "q0-text-en": "If you can track the parcel?", "action": "save"})
    assert refused.status_code == 422
    error = text_of(refused.text, "survey-error")
    assert error.startswith("Question 1: Write the English text of “If it is not so” too")
    assert '<a href="#builder-question-0">' in refused.text
    assert 'id="q0-dys-en" name="q0-dys-en" rows="2" maxlength="500" lang="en" ' \
        'aria-invalid="true"' in refused.text
    assert 'id="q0-text-en" name="q0-text-en" rows="2" maxlength="500" lang="en">' \
        in refused.text
