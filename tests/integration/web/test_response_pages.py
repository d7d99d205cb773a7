"""The Responses page (issue 6: "a public survey link answered … shows up in the response
list"): the workspace's responses newest first and no other workspace's, each filter,
paging, one response with its answers, acknowledgement delivery, case and requirement,
the CSV and XLSX exports of the filtered list, escaping, and read access for viewers."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import BytesIO, StringIO

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import (
    CaseRow,
    Customer,
    FeedbackResponse,
    JourneyStage,
    OutboxMessageRow,
    SpecialRequirementRow,
    Touchpoint,
    utcnow,
)
from kano.adapters.db.survey_store import Respondent, create_survey, save_survey, submit_answers
from kano.domain.feedback.surveys import answers_to, checked_definition
from kano.domain.workspaces import Role
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies

VIEWER = "vera@acme.test"
XSS = "<script>alert('x')</script> =SUM(A1)"
_PRODUCT_FIT = {"questions": [
    {"key": "nps", "type": "nps", "text": {"en": "Recommend us?"}, "required": True},
    {"key": "reason", "type": "single", "text": {"en": "Main reason?"},
     "choices": [{"key": "price", "label": {"en": "The price"}},
                 {"key": "speed", "label": {"en": "The speed"}}]},
    {"key": "comment", "type": "text", "text": {"en": "Why?"}},
    {"key": "dark-mode", "type": "kano", "text": {"en": "With a dark mode?"},
     "dysfunctional": {"en": "Without one?"}},
]}


@dataclass(frozen=True)
class SeededResponses:
    answered: int  # product-fit survey, link, NPS 3 with answers: acknowledged, a case
    widget: int  # widget at the checkout touchpoint, NPS 8, the XSS comment, Customer 1
    case: int  # the case the answered response opened
    requirement: int  # entered from the answered response
    globex: int  # a response of another workspace


def _ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'<tr id="response-(\d+)"', html)]


@pytest.fixture
def seeded(sessions: sessionmaker[Session], companies: SeededCompanies) -> SeededResponses:
    now = utcnow()
    with transaction(sessions) as session:
        acme = accounts.get_workspace(session, "acme")
        accounts.grant_role(session, acme, accounts.ensure_user(session, VIEWER, PASSWORD),
                            Role.VIEWER)
        stage = JourneyStage(workspace_id=acme.id, key="buy", name="Buy", position=1)
        session.add(stage)
        session.flush()
        checkout = Touchpoint(workspace_id=acme.id, key="checkout", name="Checkout",
                              stage_id=stage.id, channel="web")
        session.add(checkout)
        create_survey(session, acme.id, "product-fit", "Product fit", None, "test", None)
        definition = checked_definition(_PRODUCT_FIT)
        save_survey(session, acme.id, "product-fit", name="Product fit", touchpoint=None,
                    definition=definition, actor="test", user_id=None)
        answers = answers_to(definition, {
            "nps": 3, "reason": "price", "comment": "Too dear",
            "dark-mode": "like", "dark-mode.dysfunctional": "dislike"})
        accepted = submit_answers(
            session, acme.id, "product-fit", "link", answers, language="en",
            email_enabled=True, respondent=Respondent(email="erzsebet@pelda.hu"))
        answered = accepted.response
        answered.submitted_at = now - timedelta(minutes=5)
        customer_one = session.scalars(select(Customer).where(
            Customer.workspace_id == acme.id, Customer.external_id == "C1")).one()
        widget = FeedbackResponse(workspace_id=acme.id, customer_id=customer_one.id,
                                  touchpoint_id=checkout.id, channel="widget",
                                  submitted_at=now - timedelta(minutes=1), nps=8,
                                  comment=XSS, language="hu")
        session.add(widget)
        session.flush()
        session.add(OutboxMessageRow(
            workspace_id=acme.id, kind="webhook", purpose="acknowledgement",
            dedupe_key=f"ack-{widget.id}", recipient="https://hooks.example/kano",
            payload={}, response_id=widget.id, status="failed", attempts=5,
            last_error="HTTP 500 from the endpoint"))
        requirement = SpecialRequirementRow(
            workspace_id=acme.id, customer_id=customer_one.id, response_id=answered.id,
            kind="packaging", text="Pallets of at most 120 cm")
        session.add(requirement)
        globex = FeedbackResponse(workspace_id=companies.globex_id, channel="phone",
                                  submitted_at=now, nps=0, comment="Globex secret comment")
        session.add(globex)
        session.flush()
        case_id = session.scalar(select(CaseRow.id).where(CaseRow.response_id == answered.id))
        assert case_id is not None, "the detractor's answer opened a case"
        return SeededResponses(answered.id, widget.id, case_id, requirement.id, globex.id)


def _log_in(browser: Browser) -> None:
    assert browser.log_in(VIEWER, PASSWORD).status_code == 303


def _acme_ids(sessions: sessionmaker[Session], companies: SeededCompanies) -> list[int]:
    """Acme's responses, newest first, as the seed stored them."""
    with sessions() as session:
        return list(session.scalars(
            select(FeedbackResponse.id).where(FeedbackResponse.workspace_id == companies.acme_id)
            .order_by(FeedbackResponse.submitted_at.desc(), FeedbackResponse.id.desc())))


def test_list_shows_the_workspace_responses_newest_first_and_no_other_workspace(
    browser: Browser, seeded: SeededResponses, sessions: sessionmaker[Session],
    companies: SeededCompanies,
) -> None:
    _log_in(browser)
    html = browser.page("/responses").text

    assert _ids(html) == _acme_ids(sessions, companies)
    assert _ids(html)[:2] == [seeded.widget, seeded.answered]
    assert text_of(html, "responses-count") == "14 responses"
    assert "Globex secret comment" not in html
    assert f'id="response-{seeded.globex}"' not in html
    assert '<option value="phone"' not in html  # Globex's channel is not offered
    assert '<a href="/responses" aria-current="page"' in html or 'href="/responses"' in html
    assert text_of(html, f"ack-{seeded.answered}") == "E-mail: queued"
    assert text_of(html, f"ack-{seeded.widget}") == "Webhook: could not be delivered"
    assert text_of(html, f"case-of-{seeded.answered}") == "Product fit: detractor New"
    assert f'href="/cases/{seeded.case}"' in html
    assert text_of(html, f"case-of-{seeded.widget}") == "–"
    assert 'href="/responses.csv"' in html and 'href="/responses.xlsx"' in html
    assert 'id="older-page"' not in html


def test_the_comment_is_escaped_in_the_list_and_on_the_response(
    browser: Browser, seeded: SeededResponses
) -> None:
    _log_in(browser)
    for path in ("/responses", f"/responses/{seeded.widget}"):
        html = browser.page(path).text
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
        assert "<script>alert" not in html


@pytest.mark.parametrize(("query", "expected"), [
    ("survey=product-fit", "answered"),
    ("channel=widget", "widget"),
    ("touchpoint=checkout", "widget"),
    ("score=promoter&comment=1", "none"),
    ("score=passive&comment=1", "widget"),
    ("customer=C1&channel=widget", "widget"),
    ("customer=ustomer+1&from=2000-01-01&channel=widget", "widget"),
    ("comment=1", "both"),
])
def test_each_filter_keeps_only_the_matching_responses(
    browser: Browser, seeded: SeededResponses, query: str, expected: str
) -> None:
    _log_in(browser)
    html = browser.page(f"/responses?{query}").text

    wanted = {"answered": [seeded.answered], "widget": [seeded.widget], "none": [],
              "both": [seeded.widget, seeded.answered]}[expected]
    assert _ids(html) == wanted
    if not wanted:
        assert text_of(html, "responses-none") == "No response matches these filters."


def test_channels_read_as_labels_in_the_readers_language(
    browser: Browser, seeded: SeededResponses
) -> None:
    _log_in(browser)
    html = browser.page("/responses?channel=widget&lang=ru").text
    response = browser.page(f"/responses/{seeded.answered}?lang=hu").text

    assert '<option value="widget" selected>Виджет</option>' in html  # filter keeps the key
    assert "<td>Виджет</td>" in html and "<td>widget</td>" not in html
    assert text_of(response, "response-channel") == "Nyilvános link"


def test_score_bands_period_and_customer_count_the_seeded_responses(
    browser: Browser, seeded: SeededResponses, sessions: sessionmaker[Session],
    companies: SeededCompanies,
) -> None:
    _log_in(browser)
    with sessions() as session:
        rows = session.execute(select(FeedbackResponse.id, FeedbackResponse.nps,
                                      FeedbackResponse.csat, FeedbackResponse.submitted_at,
                                      FeedbackResponse.customer_id)
                               .where(FeedbackResponse.workspace_id == companies.acme_id)).all()
        customer_one = session.scalar(select(Customer.id).where(
            Customer.workspace_id == companies.acme_id, Customer.external_id == "C1"))
    detractors = {r.id for r in rows if r.nps is not None and r.nps <= 6}
    promoters = {r.id for r in rows if r.nps is not None and r.nps >= 9}
    in_period = {r.id for r in rows if datetime(2024, 10, 12) <= r.submitted_at
                 < datetime(2024, 12, 20)}  # both days included
    of_customer_one = {r.id for r in rows if r.customer_id == customer_one}

    assert set(_ids(browser.page("/responses?score=detractor").text)) == detractors
    assert set(_ids(browser.page("/responses?score=unhappy").text)) == detractors
    assert set(_ids(browser.page("/responses?score=promoter").text)) == promoters
    assert set(_ids(browser.page("/responses?from=2024-10-12&to=2024-12-19").text)) == in_period
    assert set(_ids(browser.page("/responses?customer=Customer+1").text)) == of_customer_one
    assert len(detractors) == 4 and len(promoters) == 6 and len(in_period) == 6


def test_a_period_that_cannot_be_read_is_said_and_ignored(
    browser: Browser, seeded: SeededResponses
) -> None:
    _log_in(browser)
    response = browser.client.get("/responses?from=2025-02-01&to=2025-01-01")

    assert response.status_code == 422
    assert text_of(response.text, "responses-error").startswith("Give the period as two dates")
    assert len(_ids(response.text)) == 14


def test_older_pages_continue_where_the_page_ended(
    browser: Browser, seeded: SeededResponses, sessions: sessionmaker[Session],
    companies: SeededCompanies,
) -> None:
    start = datetime(2023, 1, 1)
    with transaction(sessions) as session:
        session.add_all([FeedbackResponse(workspace_id=companies.acme_id, channel="call",
                                          submitted_at=start + timedelta(days=i // 2), nps=5)
                         for i in range(100)])  # pairs at the same moment: ties by id
    _log_in(browser)
    first = browser.page("/responses?channel=call").text
    older = re.search(r'href="/responses\?([^"]+)" id="older-page"', first)
    assert older is not None and "channel=call" in older.group(1)
    second = browser.page("/responses?" + older.group(1).replace("&amp;", "&")).text

    with sessions() as session:
        expected = list(session.scalars(
            select(FeedbackResponse.id).where(FeedbackResponse.channel == "call")
            .order_by(FeedbackResponse.submitted_at.desc(), FeedbackResponse.id.desc())))
    assert _ids(first) == expected[:50]
    assert _ids(second) == expected[50:]
    assert 'id="older-page"' not in second and 'id="newest-page"' in second
    assert text_of(second, "responses-count") == "100 responses"


def test_the_response_page_shows_answers_delivery_case_and_requirement(
    browser: Browser, seeded: SeededResponses
) -> None:
    _log_in(browser)
    html = browser.page(f"/responses/{seeded.answered}").text

    assert text_of(html, "response-scores") == "NPS 3"
    assert text_of(html, "response-channel") == "Public link"  # the label, not the key
    answers = text_of(html, "response-answers")
    assert "Main reason? The price" in answers
    assert "I like it that way / I dislike it that way · Category: One-dimensional" in answers
    delivery = text_of(html, "response-acknowledgements")
    assert "E-mail erzsebet@pelda.hu queued 0" in delivery
    assert f'<a href="/cases/{seeded.case}">Product fit: detractor</a>' in html
    assert f'<a href="/requirements/{seeded.requirement}">Pallets of at most 120 cm</a>' in html
    assert "Packaging · Proposed" in text_of(html, "response-follow-up")

    widget = browser.page(f"/responses/{seeded.widget}").text
    assert "Webhook https://hooks.example/kano could not be delivered 5 – HTTP 500 from " \
           "the endpoint" in text_of(widget, "response-acknowledgements")
    assert text_of(widget, "response-customer") == "Customer 1 C1"
    assert text_of(widget, "response-cases") == "This response opened no case."


def test_an_old_response_without_delivery_records_says_they_were_deleted_not_unsent(
    browser: Browser, sessions: sessionmaker[Session], companies: SeededCompanies,
    seeded: SeededResponses,  # its viewer signs in
) -> None:
    """The worker deletes delivered acknowledgements after KANO_OUTBOX_RETENTION_DAYS (90
    by default); the page must not then claim that none was ever sent."""
    with transaction(sessions) as session:
        def stored(age_days: int) -> int:
            row = FeedbackResponse(workspace_id=companies.acme_id, channel="api", nps=9,
                                   submitted_at=utcnow() - timedelta(days=age_days),
                                   created_at=utcnow() - timedelta(days=age_days))
            session.add(row)
            session.flush()
            return row.id
        old, recent = stored(120), stored(3)
    _log_in(browser)
    old_page = text_of(browser.page(f"/responses/{old}").text, "response-acknowledgements")
    assert "delivery records are deleted 90 days after delivery" in old_page
    assert "No acknowledgement was sent" not in old_page
    recent_page = text_of(browser.page(f"/responses/{recent}").text,
                          "response-acknowledgements")
    assert "No acknowledgement was sent for this response." in recent_page


def test_another_workspace_response_is_not_found(
    browser: Browser, seeded: SeededResponses
) -> None:
    _log_in(browser)
    for path in (f"/responses/{seeded.globex}", "/responses/0", "/responses/99999999"):
        assert browser.client.get(path).status_code == 404


def test_csv_export_has_the_header_and_the_filtered_rows(
    browser: Browser, seeded: SeededResponses
) -> None:
    _log_in(browser)
    listed = browser.page("/responses?comment=1").text
    assert 'href="/responses.csv?comment=1"' in listed

    download = browser.page("/responses.csv?comment=1")
    assert download.headers["content-type"] == "text/csv; charset=utf-8"
    assert download.headers["content-disposition"] == 'attachment; filename="acme-responses.csv"'
    rows = list(csv.DictReader(StringIO(download.content.decode("utf-8-sig"))))
    assert [int(row["id"]) for row in rows] == [seeded.widget, seeded.answered]
    widget, answered = rows
    assert widget["comment"] == XSS  # "<" is no formula start: kept as typed
    assert widget["acknowledgement"] == "webhook:failed"
    assert (widget["channel"], widget["touchpoint_key"], widget["customer_external_id"],
            widget["nps"], widget["language"]) == ("widget", "checkout", "C1", "8", "hu")
    assert (answered["survey_key"], answered["nps"], answered["case_ids"],
            answered["acknowledgement"]) == ("product-fit", "3", str(seeded.case),
                                             "email:pending")

    everything = list(csv.reader(StringIO(_csv_text(browser.page("/responses.csv").content))))
    assert len(everything) == 1 + 14


def _csv_text(content: bytes) -> str:
    return content.decode("utf-8-sig")


def test_csv_export_opens_in_excel_with_cyrillic_intact(
    browser: Browser, seeded: SeededResponses, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        row = session.get(FeedbackResponse, seeded.widget)
        assert row is not None
        row.comment = "Доставка опоздала, а számla hibás"
    _log_in(browser)

    content = browser.page("/responses.csv?channel=widget").content

    assert content.startswith(b"\xef\xbb\xbfid,")  # the BOM tells Excel it is UTF-8
    assert content.count(b"\xef\xbb\xbf") == 1
    rows = list(csv.DictReader(StringIO(content.decode("utf-8-sig"))))
    assert rows[0]["comment"] == "Доставка опоздала, а számla hibás"


def test_csv_export_defuses_a_comment_that_starts_like_a_formula(
    browser: Browser, seeded: SeededResponses, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        row = session.get(FeedbackResponse, seeded.widget)
        assert row is not None
        row.comment = "=HYPERLINK(\"http://evil.example\")"
    _log_in(browser)
    download = browser.page("/responses.csv?channel=widget").content
    rows = list(csv.DictReader(StringIO(_csv_text(download))))

    assert rows[0]["comment"] == "'=HYPERLINK(\"http://evil.example\")"


def test_xlsx_export_holds_the_filtered_rows(browser: Browser, seeded: SeededResponses) -> None:
    from openpyxl import load_workbook

    _log_in(browser)
    download = browser.page("/responses.xlsx?survey=product-fit")
    sheet = load_workbook(BytesIO(download.content)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))

    assert values[0][:3] == ("id", "submitted_at", "survey_key")
    assert [row[0] for row in values[1:]] == [seeded.answered]
    assert values[1][9] == 3  # the NPS as a number


def test_the_menu_leads_to_the_responses(browser: Browser, seeded: SeededResponses) -> None:
    _log_in(browser)
    html = browser.page("/cases").text

    assert 'href="/responses"' in html


@pytest.mark.parametrize(("language", "heading", "older"), [
    ("ru", "Ответы", "Критики NPS (0–6)"),
    ("hu", "Válaszok", "NPS-kritikusok (0–6)"),
])
def test_the_list_reads_in_russian_and_hungarian(
    browser: Browser, seeded: SeededResponses, language: str, heading: str, older: str
) -> None:
    _log_in(browser)
    html = browser.page(f"/responses?lang={language}").text

    assert f"<h1>{heading}</h1>" in html
    assert older in html


def test_the_export_reads_in_batches_without_losing_or_repeating_a_response(
    seeded: SeededResponses, sessions: sessionmaker[Session], companies: SeededCompanies
) -> None:
    """Batches of 3 over responses that share a moment: the keyset continues each batch
    exactly after the last row of the one before, and the limit is kept."""
    from kano.adapters.db.views.responses import ResponseFilters, export_lines

    with transaction(sessions) as session:
        same = datetime(2024, 9, 1)
        session.add_all([FeedbackResponse(workspace_id=companies.acme_id, channel="call",
                                          submitted_at=same, nps=7) for _ in range(5)])
    expected = _acme_ids(sessions, companies)
    with sessions() as session:
        everything = [line.id for line in export_lines(
            session, companies.acme_id, ResponseFilters(), batch=3)]
        limited = [line.id for line in export_lines(
            session, companies.acme_id, ResponseFilters(), limit=10, batch=3)]

    assert everything == expected and len(everything) == 19
    assert limited == expected[:10]


def test_xlsx_export_keeps_a_formula_like_comment_as_text_and_stops_at_its_limit(
    browser: Browser, seeded: SeededResponses, sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from openpyxl import load_workbook

    from kano.adapters.web.routes import responses_page

    with transaction(sessions) as session:
        row = session.get(FeedbackResponse, seeded.widget)
        assert row is not None
        row.comment = "=1+1"
    monkeypatch.setattr(responses_page, "XLSX_LIMIT", 3)
    _log_in(browser)
    assert "at most 100,000 responses as CSV, 3 as XLSX" in browser.page("/responses").text
    sheet = load_workbook(BytesIO(browser.page("/responses.xlsx").content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=2))

    assert len(rows) == 3
    assert rows[0][0].value == seeded.widget
    assert (rows[0][13].value, rows[0][13].data_type) == ("=1+1", "s")
