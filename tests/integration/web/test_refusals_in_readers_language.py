"""A refused value is explained in the reader's language, never in the domain's English:
the public survey page a customer sees (Hungarian), staff entry (Russian) and the metric
explorer (Russian and Hungarian), on SQLite and PostgreSQL app databases."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Survey
from kano.adapters.db.survey_store import save_survey
from kano.adapters.web.i18n import load_translations
from kano.adapters.web.survey_links import SurveyLinks
from kano.bootstrap import Container
from kano.domain.feedback.surveys import checked_definition
from tests.integration.web.browsing import Browser, csrf_token_in, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies
from tests.integration.web.test_metric_explorer import (  # noqa: F401 -- its fixtures
    alice,
    demo_files,
    warehouse,
)

TRANSLATIONS = {language: load_translations(language) for language in ("ru", "hu")}
# Words of the domain's refusals ("must be a whole number from 0 to 10", "'x' is not one of
# the choices", "not available here; choose from …"), none of them Russian or Hungarian.
ENGLISH = re.compile(
    r"\b(the|not|one|must|whole|number|from|choose|choices|answer|answers|question|pair"
    r"|five|give|both|ends|period|date|available|here|cannot|slice|value|check|again)\b",
    re.IGNORECASE,
)
DEFINITION = {"questions": [
    {"key": "nps", "type": "nps", "required": True, "text": {
        "en": "How likely are you to recommend us?",
        "ru": "Насколько вероятно, что вы порекомендуете нас?",
        "hu": "Mennyire valószínű, hogy ajánlana minket?"}},
    {"key": "reason", "type": "single", "text": {"en": "Main reason?", "hu": "Fő ok?"},
     "choices": [{"key": "price", "label": {"en": "Price", "hu": "Ár"}},
                 {"key": "delivery", "label": {"en": "Delivery", "hu": "Szállítás"}}]},
    {"key": "tracking", "type": "kano", "text": {"en": "If you can track the parcel?",
                                                 "hu": "Ha nyomon tudja követni a csomagot?"},
     "dysfunctional": {"en": "If you cannot track the parcel?",
                       "hu": "Ha nem tudja nyomon követni a csomagot?"}},
]}


def said(language: str, text: str, **values: object) -> str:
    translated = TRANSLATIONS[language].gettext(text)
    assert translated != text, f"{text!r} has no {language} text"
    return translated % values if values else translated


@pytest.fixture
def survey_path(sessions: sessionmaker[Session], companies: SeededCompanies,
                container: Container) -> str:
    with transaction(sessions) as session:
        session.add(Survey(workspace_id=companies.acme_id, key="refusals", name="Refusals"))
        session.flush()
        save_survey(session, companies.acme_id, "refusals", name="Refusals", touchpoint=None,
                    definition=checked_definition(DEFINITION), actor="test", user_id=None)
    return SurveyLinks(container.settings.secret_key).path(companies.acme_id, "refusals")


@pytest.mark.parametrize(("answers", "question", "text", "values"), [
    ({"q-nps": "11"}, "Mennyire valószínű", "Choose one number from %(low)s to %(high)s.",
     {"low": 0, "high": 10}),
    # the choices named by their Hungarian labels, not their keys (price, delivery)
    ({"q-nps": "7", "q-reason": "weather"}, "Fő ok?",
     "Choose from the answers offered: %(choices)s.", {"choices": "Ár, Szállítás"}),
    ({"q-nps": "7", "q-tracking": "like"}, "Ha nyomon tudja", "Choose one of the five answers.",
     {}),
    ({"q-reason": "price"}, "Mennyire valószínű", "Please answer this question.", {}),
])
def test_the_public_survey_says_a_bad_answer_in_hungarian(
    client: TestClient, survey_path: str, answers: dict[str, str], question: str, text: str,
    values: dict[str, object],
) -> None:
    token = survey_path.split("t=", 1)[1]
    refused = client.post("/s/refusals", data={"t": token, "lang": "hu", **answers})

    assert refused.status_code == 422
    error = text_of(refused.text, "survey-error")
    assert question in error
    assert said("hu", text, **values) in error
    assert not ENGLISH.search(error), error
    key = "tracking" if "q-tracking" in answers else ("reason" if "weather" in str(answers)
                                                      else "nps")
    assert said("hu", text, **values) in text_of(refused.text, f"error-{key}")


def test_the_public_survey_says_a_bad_email_in_hungarian(
    client: TestClient, survey_path: str
) -> None:
    token = survey_path.split("t=", 1)[1]
    refused = client.post("/s/refusals", data={"t": token, "lang": "hu", "q-nps": "9",
                                               "email": "not an address"})

    assert refused.status_code == 422
    assert text_of(refused.text, "error-email") == said(
        "hu", "Check the e-mail address, or leave it empty.")


def test_staff_entry_says_a_bad_answer_in_russian(
    browser: Browser, companies: SeededCompanies, survey_path: str
) -> None:
    browser.log_in(companies.alice, PASSWORD)
    token = csrf_token_in(browser.page("/responses/new?survey=refusals&lang=ru").text)
    refused = browser.client.post("/responses/new?lang=ru", data={
        "csrf_token": token, "survey": "refusals", "channel": "call", "external_id": "C1",
        "q-nps": "11"})
    no_customer = browser.client.post("/responses/new?lang=ru", data={
        "csrf_token": token, "survey": "refusals", "channel": "call", "q-nps": "5"})

    assert refused.status_code == 422
    error = text_of(refused.text, "entry-error")
    assert "Насколько вероятно" in error
    assert said("ru", "Choose one number from %(low)s to %(high)s.", low=0, high=10) in error
    assert not ENGLISH.search(error), error
    assert no_customer.status_code == 422
    assert text_of(no_customer.text, "entry-error") == said(
        "ru", "Give the customer's e-mail address or external id.")


@pytest.mark.parametrize("language", ["ru", "hu"])
@pytest.mark.parametrize(("query", "text", "values"), [
    ("grain=month&from=2025-13-01&to=2025-12-31",
     "%(value)s is not a date: write it as YYYY-MM-DD.", {"value": "'2025-13-01'"}),
    ("grain=month&from=2025-01-01", "Give both ends of the period.", {}),
    ("grain=month&from=2025-06-01&to=2025-01-01",
     "The period must not end before it starts.", {}),
    ("grain=month&by=martians",
     "This metric cannot be sliced by %(value)s; choose from: %(choices)s.",
     {"value": "'martians'"}),
    ("grain=month&filter_name=martians&filter_values=1",
     "This filter is not available here; choose from: %(choices)s.", {}),
])
def test_the_metric_explorer_says_a_bad_value_in_the_readers_language(
    alice: Browser, warehouse: str, language: str, query: str, text: str,  # noqa: F811
    values: dict[str, object],
) -> None:
    response = alice.client.get(f"/metrics/nps?{query}&lang={language}")

    assert response.status_code == 422
    error = text_of(response.text, "explorer-error")
    expected = said(language, text, **values, choices="\0").split("\0")[0].strip()
    assert expected in error, error
    assert not ENGLISH.search(error), error
    if "choices" in text:  # the slices named as the form names them, not by their keys
        assert said(language, "Month") in error and said(language, "Segment") in error, error
        assert not re.search(r"\b(month|segment|channel|touchpoint|stage)\b", error), error
    assert 'lang="en"' not in response.text.split('id="explorer-error"', 1)[1].split("</p>")[0]
