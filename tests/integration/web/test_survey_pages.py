"""Surveys on the web (issue 6): the public link page without JavaScript, its languages,
errors naming the question, rate limit, payload limit and escaping; the widget script
and its cross-origin POST; the builder; staff entry. Every channel goes through the
intake, so a detractor opens a case."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import (
    AuditEntry,
    CaseRow,
    Customer,
    FeedbackResponse,
    ResponseAnswerRow,
    SpecialRequirementRow,
    Survey,
    SurveyDefinitionRow,
)
from kano.adapters.db.survey_store import defined_survey, save_survey, seed_demo_definitions
from kano.adapters.importers.company_parquet import load_company
from kano.adapters.web.rate_limit import RateLimiter
from kano.adapters.web.routes.survey_public_base import POSTS_PER_MINUTE_PER_IP, PublicLimits
from kano.adapters.web.survey_links import SurveyLinks
from kano.bootstrap import Container
from kano.demo import generate_company
from kano.domain.feedback.surveys import QuestionType, checked_definition
from kano.domain.workspaces import Role
from tests.integration.web.browsing import Browser, csrf_token_in, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
VIEWER = "vera@acme.test"

DEFINITION: dict[str, Any] = {"questions": [
    {"key": "nps", "type": "nps", "required": True, "text": {
        "en": "How likely are you to recommend us?",
        "ru": "Насколько вероятно, что вы порекомендуете нас?",
        "hu": "Mennyire valószínű, hogy ajánlana minket?"}},
    {"key": "reason", "type": "single", "text": {"en": "Main reason?", "hu": "Fő ok?"},
     "choices": [{"key": "price", "label": {"en": "Price", "hu": "Ár"}},
                 {"key": "delivery", "label": {"en": "Delivery", "hu": "Szállítás"}}]},
    {"key": "tracking", "type": "kano", "text": {"en": "If you can track the parcel?"},
     "dysfunctional": {"en": "If you cannot track the parcel?"}},
    {"key": "comment", "type": "text", "text": {"en": "Anything else?", "hu": "Egyéb?"}},
]}


@pytest.fixture
def survey(sessions: sessionmaker[Session], companies: SeededCompanies) -> str:
    """``relationship-nps`` in Acme and a survey of the same key in Globex."""
    with transaction(sessions) as session:
        for workspace_id in (companies.acme_id, companies.globex_id):
            session.add(Survey(workspace_id=workspace_id, key="relationship-nps",
                               name="Relationship NPS"))
        session.flush()
        for workspace_id in (companies.acme_id, companies.globex_id):
            save_survey(session, workspace_id, "relationship-nps", name="Relationship NPS",
                        touchpoint=None, definition=checked_definition(DEFINITION),
                        actor="test", user_id=None)
        acme = accounts.get_workspace(session, "acme")
        accounts.grant_role(session, acme, accounts.ensure_user(session, VIEWER, PASSWORD),
                            Role.VIEWER)
    return "relationship-nps"


def _link(container: Container, workspace_id: int, key: str = "relationship-nps",
          **query: str) -> str:
    return SurveyLinks(container.settings.secret_key).path(workspace_id, key, **query)


def _token(path: str) -> str:
    return parse_qs(urlsplit(path).query)["t"][0]


def _count(sessions: sessionmaker[Session], model: Any, *where: Any) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_public_page_is_a_plain_accessible_form(
    client: TestClient, container: Container, companies: SeededCompanies, survey: str
) -> None:
    page = client.get(_link(container, companies.acme_id))
    assert page.status_code == 200
    html = page.text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "<script" not in html  # works without JavaScript
    assert html.count("<fieldset") >= 5 and "<legend>How likely are you to recommend us?" in html
    assert len(re.findall(r'type="radio" name="q-nps" value="\d+"', html)) == 11
    assert 'name="q-tracking.dysfunctional"' in html
    # an open-text question is one labelled box, its text read once (no legend besides)
    assert '<label class="survey-question-label" for="field-comment">Anything else?' in html
    assert html.count("Anything else?") == 1 and 'class="visually-hidden" for="field-' not in html
    assert 'aria-describedby="ends-nps"' in html  # what 0 and 10 mean is read out
    assert 'role="radiogroup"' not in html  # the fieldset is the group, named once
    assert text_of(html, "ends-nps") == "0 = Not at all likely 10 = Extremely likely"


def test_public_page_speaks_the_respondents_language(
    client: TestClient, container: Container, companies: SeededCompanies, survey: str
) -> None:
    path = _link(container, companies.acme_id)
    hungarian = client.get(path + "&lang=hu").text
    assert '<html lang="hu">' in hungarian
    assert "Mennyire valószínű, hogy ajánlana minket?" in hungarian
    assert "Szállítás" in hungarian and "Anything else?" not in hungarian
    assert "If you can track the parcel?" in hungarian  # no Hungarian text: English
    russian = client.get(path, headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}).text
    assert "Насколько вероятно, что вы порекомендуете нас?" in russian
    german = client.get(path, headers={"Accept-Language": "de-DE"}).text
    assert '<html lang="en">' in german


def test_detractor_on_the_public_page_is_stored_and_opens_a_case(
    client: TestClient, container: Container, sessions: sessionmaker[Session],
    companies: SeededCompanies, survey: str,
) -> None:
    path = _link(container, companies.acme_id)
    sent = client.post("/s/relationship-nps", data={
        "t": _token(path), "lang": "hu", "q-nps": "3", "q-reason": "delivery",
        "q-tracking": "like", "q-tracking.dysfunctional": "dislike",
        "q-comment": "Late again", "email": "erzsi@example.hu",
    })
    assert sent.status_code == 303
    assert sent.headers["location"] == "/s/relationship-nps/thanks?lang=hu"
    thanks = client.get(sent.headers["location"])
    assert "Köszönjük" in thanks.text
    assert 'href="/s/relationship-nps/thanks?lang=ru"' in thanks.text  # stays on this page
    with sessions() as session:
        response = session.scalars(select(FeedbackResponse).where(
            FeedbackResponse.channel == "link")).one()
        assert response.workspace_id == companies.acme_id
        assert (response.nps, response.comment, response.language) == (3, "Late again", "hu")
        customer = session.get(Customer, response.customer_id)
        assert customer is not None and customer.email == "erzsi@example.hu"
        answers = {a.question: (a.value, a.kano_category) for a in session.scalars(
            select(ResponseAnswerRow).where(ResponseAnswerRow.response_id == response.id))}
        assert answers == {"reason": ("delivery", None),
                           "tracking": ("like/dislike", "one-dimensional")}
        case = session.scalars(select(CaseRow).where(CaseRow.response_id == response.id)).one()
        assert case.rule == "detractor" and case.status == "new"
        assert case.first_response_due_at > case.opened_at


def test_a_bad_answer_shows_the_form_again_naming_the_question(
    client: TestClient, container: Container, sessions: sessionmaker[Session],
    companies: SeededCompanies, survey: str,
) -> None:
    path = _link(container, companies.acme_id)
    refused = client.post("/s/relationship-nps", data={
        "t": _token(path), "lang": "en", "q-nps": "11", "q-comment": "kept"})
    assert refused.status_code == 422
    error = text_of(refused.text, "survey-error")
    assert "How likely are you to recommend us?" in error
    assert "Choose one number from 0 to 10." in error
    assert 'id="question-nps" aria-invalid="true"' in refused.text
    assert ">kept</textarea>" in refused.text  # what was typed is kept
    missing = client.post("/s/relationship-nps", data={"t": _token(path), "lang": "ru"})
    assert missing.status_code == 422
    assert "Пожалуйста, ответьте на этот вопрос." in text_of(missing.text, "survey-error")
    assert _count(sessions, FeedbackResponse, FeedbackResponse.channel == "link") == 0


def test_a_link_opens_only_its_own_workspace_and_survey(
    client: TestClient, container: Container, companies: SeededCompanies, survey: str
) -> None:
    acme_token = _token(_link(container, companies.acme_id))
    assert client.get(f"/s/relationship-nps?t={acme_token}x").status_code == 404
    assert client.get(f"/s/other-survey?t={acme_token}").status_code == 404
    assert client.get("/s/relationship-nps").status_code == 404
    forged = SurveyLinks("another-secret-key-0123456789").token(companies.globex_id,
                                                                "relationship-nps")
    assert client.get(f"/s/relationship-nps?t={forged}").status_code == 404
    sent = client.post("/s/relationship-nps", data={"t": forged, "q-nps": "1"})
    assert sent.status_code == 404


def test_the_public_endpoint_is_rate_limited_per_address(
    client: TestClient, container: Container, companies: SeededCompanies, survey: str
) -> None:
    token = _token(_link(container, companies.acme_id))
    # On PostgreSQL the windows are the wall clock's minutes, shared by every server
    # process (rate_limit.py): start well inside one, so all the posts land in it.
    if (into_minute := time.time() % 60) > 50:
        time.sleep(60.5 - into_minute)
    statuses = [client.post("/s/relationship-nps", data={"t": token}).status_code
                for _ in range(POSTS_PER_MINUTE_PER_IP)]
    assert set(statuses) == {422}  # empty answers, but each one counts
    limited = client.post("/s/relationship-nps", data={"t": token, "q-nps": "9"})
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    widget = client.post("/s/relationship-nps/widget", json={"t": token, "answers": {"nps": 9}})
    assert widget.status_code == 429 and widget.headers["Retry-After"]


def test_the_page_and_the_widget_script_are_rate_limited_per_address(
    app: FastAPI, client: TestClient, container: Container, companies: SeededCompanies,
    survey: str,
) -> None:
    app.state.kano_public_limits = PublicLimits(RateLimiter(30), RateLimiter(600),
                                                RateLimiter(2))
    path = _link(container, companies.acme_id)
    assert client.get(path).status_code == 200
    assert client.get(path.replace("?", "/widget.js?", 1)).status_code == 200
    page, script = client.get(path), client.get(path.replace("?", "/widget.js?", 1))
    assert (page.status_code, script.status_code) == (429, 429)
    assert int(page.headers["Retry-After"]) >= 1 and int(script.headers["Retry-After"]) >= 1


def test_an_oversized_answer_is_refused(
    client: TestClient, container: Container, sessions: sessionmaker[Session],
    companies: SeededCompanies, survey: str,
) -> None:
    token = _token(_link(container, companies.acme_id))
    sent = client.post("/s/relationship-nps", data={"t": token, "q-nps": "5",
                                                    "q-comment": "x" * 40_000})
    assert sent.status_code == 413
    assert _count(sessions, FeedbackResponse, FeedbackResponse.channel == "link") == 0


def test_xss_in_a_comment_and_in_a_question_text_is_escaped(
    client: TestClient, browser: Browser, container: Container,
    sessions: sessionmaker[Session], companies: SeededCompanies, survey: str,
) -> None:
    hostile = {"questions": [
        {"key": "nps", "type": "nps", "required": True, "text": {"en": XSS}},
        {"key": "comment", "type": "text", "text": {"en": "Why?"}},
    ]}
    with transaction(sessions) as session:
        save_survey(session, companies.acme_id, survey, name=XSS, touchpoint=None,
                    definition=checked_definition(hostile), actor="test", user_id=None)
    path = _link(container, companies.acme_id)
    page = client.get(path).text
    assert XSS not in page and "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    sent = client.post("/s/relationship-nps", data={"t": _token(path), "q-nps": "2",
                                                    "q-comment": XSS})
    assert sent.status_code == 303
    with sessions() as session:
        case_id = session.scalars(select(CaseRow.id)).one()
        stored = session.scalars(select(FeedbackResponse.comment).where(
            FeedbackResponse.channel == "link")).one()
    assert stored == XSS  # stored as typed, escaped where shown
    browser.log_in(companies.alice, PASSWORD)
    case_page = browser.page(f"/cases/{case_id}").text
    assert XSS not in case_page and "&lt;img src=x onerror=alert(1)&gt;" in case_page
    builder = browser.page("/surveys/relationship-nps").text
    assert XSS not in builder and "<img src=x" not in builder


def test_widget_script_is_served_and_its_cross_origin_post_is_accepted(
    client: TestClient, container: Container, sessions: sessionmaker[Session],
    companies: SeededCompanies, survey: str,
) -> None:
    path = _link(container, companies.acme_id)
    token = _token(path)
    script = client.get(f"/s/relationship-nps/widget.js?t={token}&lang=hu")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "Mennyire valószínű, hogy ajánlana minket?" in script.text
    assert "__KANO_CONFIG__" not in script.text and token in script.text
    assert client.get("/s/relationship-nps/widget.js?t=bad").status_code == 404

    origin = {"Origin": "https://shop.example.com"}
    preflight = client.options("/s/relationship-nps/widget", headers={
        **origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    sent = client.post("/s/relationship-nps/widget", headers=origin, json={
        "t": token, "lang": "hu", "answers": {"nps": 4, "comment": "Lassú"}})
    assert sent.status_code == 201, sent.text
    assert sent.headers["access-control-allow-origin"] == "*"
    bad = client.post("/s/relationship-nps/widget", headers=origin, json={
        "t": token, "answers": {"nps": 11}})
    assert bad.status_code == 422 and bad.json()["field"] == "answers.nps"
    assert bad.headers["content-type"] == "application/problem+json"
    with sessions() as session:
        response = session.scalars(select(FeedbackResponse).where(
            FeedbackResponse.channel == "widget")).one()
        assert (response.nps, response.comment, response.language) == (4, "Lassú", "hu")
        assert session.scalars(select(CaseRow).where(
            CaseRow.response_id == response.id)).one_or_none() is not None
    # CORS is for the widget endpoint only, not for the pages.
    assert "access-control-allow-origin" not in client.get(path, headers=origin).headers


def test_the_widget_answers_any_nps_key_but_not_surveys_with_other_required_questions(
    client: TestClient, container: Container, sessions: sessionmaker[Session],
    companies: SeededCompanies, survey: str,
) -> None:
    question = {"key": "likelihood", "type": "nps", "required": True, "text": {"en": "Likely?"}}
    reason = {"key": "reason", "type": "single", "text": {"en": "Why?"},
              "choices": DEFINITION["questions"][1]["choices"]}
    token = _token(_link(container, companies.acme_id))
    script = f"/s/relationship-nps/widget.js?t={token}"
    for required, status in ((True, 404), (False, 200)):
        with transaction(sessions) as session:
            save_survey(session, companies.acme_id, survey, name="NPS", touchpoint=None,
                        actor="test", user_id=None, definition=checked_definition(
                            {"questions": [question, {**reason, "required": required}]}))
        served = client.get(script)
        assert served.status_code == status
    assert '"npsKey": "likelihood"' in served.text and '"commentKey": ""' in served.text
    sent = client.post("/s/relationship-nps/widget", json={"t": token,
                                                          "answers": {"likelihood": 10}})
    assert sent.status_code == 201


def test_builder_edits_persist_and_are_audited(
    browser: Browser, sessions: sessionmaker[Session], companies: SeededCompanies, survey: str
) -> None:
    browser.log_in(companies.alice, PASSWORD)  # an analyst
    listing = browser.page("/surveys").text
    assert "relationship-nps" in text_of(listing, "survey-list")
    token = csrf_token_in(listing)
    created = browser.client.post("/surveys", data={
        "csrf_token": token, "key": "delivery-csat", "name": "Delivery", "touchpoint": ""})
    assert created.status_code == 303 and created.headers["location"] == "/surveys/delivery-csat"
    form = {"csrf_token": token, "name": "Delivery satisfaction", "touchpoint": "", "count": "2",
            "q0-key": "comment", "q0-type": "text", "q0-text-en": "Why?",
            "q1-key": "csat", "q1-type": "csat", "q1-required": "1",
            "q1-text-en": "How satisfied are you?", "q1-text-ru": "Насколько вы довольны?",
            "q1-text-hu": "Mennyire elégedett?"}
    added = browser.client.post("/surveys/delivery-csat", data={
        **form, "action": "add", "new_type": "multi"})
    assert added.status_code == 200 and 'name="q2-key" value="q3"' in added.text
    moved = browser.client.post("/surveys/delivery-csat", data={**form, "action": "up-1"})
    assert re.search(r'name="q0-key" value="csat"', moved.text)
    with sessions() as session:  # the draft actions do not save
        draft_only = defined_survey(session, companies.acme_id, "delivery-csat")
        assert draft_only.definition.questions == ()
    saved = browser.client.post("/surveys/delivery-csat", data={
        **form, "count": "3", "q2-key": "channel", "q2-type": "multi",
        "q2-text-en": "Where did you order?",
        "q2-choices": "web | Web shop | Интернет-магазин | Webshop\nphone | Phone",
        "action": "save"})
    assert saved.status_code == 303
    with sessions() as session:
        found = defined_survey(session, companies.acme_id, "delivery-csat")
        assert found.row.name == "Delivery satisfaction"
        questions = found.definition.questions
        assert [(q.key, q.type) for q in questions] == [
            ("comment", QuestionType.TEXT), ("csat", QuestionType.CSAT),
            ("channel", QuestionType.MULTI)]
        assert questions[1].required and questions[1].text["hu"] == "Mennyire elégedett?"
        assert questions[2].choices[0].label == {"en": "Web shop", "ru": "Интернет-магазин",
                                                 "hu": "Webshop"}
        actions = session.scalars(select(AuditEntry.action).where(
            AuditEntry.entity == "survey", AuditEntry.entity_id == "delivery-csat")).all()
        assert sorted(actions) == ["create", "update"]
    titled = browser.client.post("/surveys/delivery-csat", data={
        **form, "title-en": "Tell us", "title-hu": "Mondja el", "action": "save"})
    assert titled.status_code == 303
    with sessions() as session:
        found = defined_survey(session, companies.acme_id, "delivery-csat")
        assert found.definition.title == {"en": "Tell us", "hu": "Mondja el"}
    no_english = browser.client.post("/surveys/delivery-csat", data={
        **form, "title-ru": "Скажите", "action": "save"})
    assert no_english.status_code == 422
    assert "English title" in text_of(no_english.text, "survey-error")
    unnamed = browser.client.post("/surveys/delivery-csat", data={
        **form, "name": " ", "action": "save"})
    assert unnamed.status_code == 422
    assert "name of 1 to 200" in text_of(unnamed.text, "survey-error")
    removed = browser.client.post("/surveys/delivery-csat", data={
        **form, "count": "2", "action": "remove-0"})
    assert 'name="q0-key" value="csat"' in removed.text and 'name="q1-key"' not in removed.text
    refused = browser.client.post("/surveys/delivery-csat", data={
        **form, "q1-text-en": "", "action": "save"})
    assert refused.status_code == 422
    assert "Question 2:" in text_of(refused.text, "survey-error")
    assert 'id="q1-text-en" name="q1-text-en" rows="2" maxlength="500" lang="en" aria-invalid' \
        in refused.text
    forged = browser.client.post("/surveys/delivery-csat", data={**form, "csrf_token": "x"})
    assert forged.status_code == 403


def test_viewers_neither_build_surveys_nor_enter_responses(
    browser: Browser, companies: SeededCompanies, survey: str
) -> None:
    browser.log_in(VIEWER, PASSWORD)
    listing = browser.page("/surveys").text
    assert 'href="/surveys/relationship-nps"' not in listing and 'action="/surveys"' not in listing
    assert browser.client.get("/surveys/relationship-nps").status_code == 403
    assert browser.client.get("/responses/new").status_code == 403
    token = browser.session_token()
    sent = browser.client.post("/responses/new", data={
        "csrf_token": token, "survey": "relationship-nps", "channel": "call",
        "email": "x@example.com", "q-nps": "2"})
    assert sent.status_code == 403


def test_staff_enter_a_call_that_opens_a_case(
    browser: Browser, sessions: sessionmaker[Session], companies: SeededCompanies, survey: str
) -> None:
    browser.log_in(companies.alice, PASSWORD)
    form = browser.page("/responses/new?survey=relationship-nps").text
    assert 'name="channel" value="account-review"' in form
    token = csrf_token_in(form)
    no_customer = browser.client.post("/responses/new", data={
        "csrf_token": token, "survey": "relationship-nps", "channel": "call", "q-nps": "2"})
    assert no_customer.status_code == 422
    assert "external id" in text_of(no_customer.text, "entry-error")
    sent = browser.client.post("/responses/new", data={
        "csrf_token": token, "survey": "relationship-nps", "channel": "meeting",
        "external_id": "C1", "language": "en", "q-nps": "2", "q-reason": "price",
        "q-comment": "Prices went up"})
    assert sent.status_code == 303
    query = parse_qs(urlsplit(sent.headers["location"]).query)
    done = browser.page(sent.headers["location"]).text
    assert f'href="/cases/{query["case"][0]}"' in done
    with sessions() as session:
        response = session.get(FeedbackResponse, int(query["entered"][0]))
        assert response is not None and response.channel == "meeting"
        customer = session.get(Customer, response.customer_id)
        assert customer is not None and customer.external_id == "C1"  # an existing customer
        case = session.get(CaseRow, int(query["case"][0]))
        assert case is not None and case.response_id == response.id
        assert session.scalars(select(ResponseAnswerRow.value).where(
            ResponseAnswerRow.response_id == response.id)).all() == ["price"]


def test_demo_surveys_get_their_questions(
    sessions: sessionmaker[Session], companies: SeededCompanies
) -> None:
    with transaction(sessions) as session:
        session.add(Survey(workspace_id=companies.acme_id, key="relationship-nps",
                           name="Relationship NPS"))
        session.add(Survey(workspace_id=companies.acme_id, key="custom", name="Custom"))
        session.flush()
        assert seed_demo_definitions(session, companies.acme_id) == 1
        assert seed_demo_definitions(session, companies.acme_id) == 0
    with sessions() as session:
        definition = defined_survey(session, companies.acme_id, "relationship-nps").definition
        assert [q.key for q in definition.questions] == ["nps", "comment"]
        assert definition.questions[0].text["hu"].startswith("Mennyire valószínű")
        assert _count(sessions, SurveyDefinitionRow) == 1


def test_loading_the_demo_company_gives_its_surveys_questions(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    generate_company("S", 1, tmp_path)
    load_company(sessions, tmp_path, "demo", "Northwind (demo)")
    with sessions() as session:
        workspace_id = accounts.get_workspace(session, "demo").id
        survey = defined_survey(session, workspace_id, "relationship-nps")
    assert [(q.key, q.type) for q in survey.definition.questions] == [
        ("nps", QuestionType.NPS), ("comment", QuestionType.TEXT)]
    assert _count(sessions, SurveyDefinitionRow) == 8  # every demo survey


def test_builder_shows_the_kano_categories_and_choice_counts(
    client: TestClient, browser: Browser, container: Container, companies: SeededCompanies,
    survey: str,
) -> None:
    token = _token(_link(container, companies.acme_id))
    for functional, dysfunctional, reason in (("like", "dislike", "price"),
                                              ("like", "neutral", "price"),
                                              ("like", "neutral", "delivery"),
                                              ("neutral", "dislike", "price")):
        sent = client.post("/s/relationship-nps", data={
            "t": token, "q-nps": "9", "q-reason": reason, "q-tracking": functional,
            "q-tracking.dysfunctional": dysfunctional})
        assert sent.status_code == 303
    browser.log_in(companies.alice, PASSWORD)
    results = text_of(browser.page("/surveys/relationship-nps?lang=en").text, "survey-results")
    assert "4 responses" in results
    # attractive 2, one-dimensional 1, must-be 1: better 3/4, worse −2/4
    assert "2 1 1 0 0 0 Attractive 0.75 \u22120.50" in results
    assert "Price 3 Delivery 1" in results


def test_a_requirement_question_is_built_answered_on_the_link_and_entered_in_the_register(
    browser: Browser, client: TestClient, container: Container, sessions: sessionmaker[Session],
    companies: SeededCompanies, survey: str,
) -> None:
    browser.log_in(companies.alice, PASSWORD)  # an analyst builds it
    token = csrf_token_in(browser.page("/surveys/relationship-nps").text)
    form = {"csrf_token": token, "name": "Relationship NPS", "touchpoint": "", "count": "2",
            "q0-key": "nps", "q0-type": "nps", "q0-required": "1",
            "q0-text-en": "How likely are you to recommend us?",
            "q1-key": "packing", "q1-type": "requirement", "q1-text-en": "Packaging needs?",
            "q1-text-hu": "Csomagolási kérés?", "action": "save"}
    no_kind = browser.client.post("/surveys/relationship-nps", data=form)
    assert no_kind.status_code == 422
    assert "kind of requirement" in text_of(no_kind.text, "survey-error")
    saved = browser.client.post("/surveys/relationship-nps", data={**form, "q1-kind": "packaging"})
    assert saved.status_code == 303
    builder = browser.page("/surveys/relationship-nps").text
    assert '<option value="packaging" selected>' in builder

    path = _link(container, companies.acme_id)
    page = client.get(path + "&lang=hu").text
    assert "Csomagolási kérés?" in page
    assert re.search(r'<textarea id="field-packing" name="q-packing" rows="4" maxlength="4000"',
                     page)
    sent = client.post("/s/relationship-nps", data={
        "t": _token(path), "lang": "hu", "q-nps": "9", "q-packing": "Fólia nélkül, papírban",
        "email": "erzsi@example.hu"})
    assert sent.status_code == 303
    with sessions() as session:
        (row,) = session.scalars(select(SpecialRequirementRow)).all()
        assert (row.kind, row.text, row.status) == ("packaging", "Fólia nélkül, papírban",
                                                     "proposed")
        customer = session.get(Customer, row.customer_id)
        assert customer is not None and customer.email == "erzsi@example.hu"
        assert row.response_id == session.scalars(select(FeedbackResponse.id).where(
            FeedbackResponse.channel == "link")).one()
