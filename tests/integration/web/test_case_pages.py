"""The case inbox and the case page (issue 6): filters, SLA countdowns, bulk routing to a
team (managers and above), the case with its response, the customer's history and the
audit trail, status moves through the same rules as the API, and workspace isolation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.case_rules import replace_policy
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import (
    CaseEventRow,
    CaseRow,
    Customer,
    FeedbackResponse,
    Membership,
    Segment,
    Team,
    User,
    utcnow,
)
from kano.adapters.db.survey_store import create_survey, save_survey, submit_answers
from kano.domain.feedback.cases import CaseRoute, CaseRule
from kano.domain.feedback.surveys import answers_to, checked_definition
from kano.domain.workspaces import Role
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.exported_files import (
    csv_rows,
    download,
    downloaded_rows,
    xlsx_rows,
    xlsx_sheet,
)
from tests.integration.web.seed import PASSWORD, SeededCompanies

MANAGER = "mia@acme.test"
VIEWER = "vera@acme.test"


@dataclass(frozen=True)
class SeededCases:
    due: int  # new, logistics, first response due in about 3 hours
    overdue: int  # in progress, billing, resolution overdue by about 2 hours
    resolved: int  # no team
    globex: int
    response: int  # the response that opened ``due``


def _case(session: Session, workspace_id: int, **fields: object) -> int:
    now = utcnow()
    values: dict[str, object] = {
        "rule": "detractor", "priority": 2, "status": "new", "opened_at": now,
        "first_response_due_at": now + timedelta(hours=4),
        "resolution_due_at": now + timedelta(days=3), **fields,
    }
    row = CaseRow(workspace_id=workspace_id, **values)
    session.add(row)
    session.flush()
    session.add(CaseEventRow(workspace_id=workspace_id, case_id=row.id, at=row.opened_at,
                             kind="opened", actor="kano", detail={"rule": row.rule}))
    return row.id


@pytest.fixture
def cases(sessions: sessionmaker[Session], companies: SeededCompanies) -> SeededCases:
    now = utcnow()
    with transaction(sessions) as session:
        acme = accounts.get_workspace(session, "acme")
        for email, role in ((MANAGER, Role.MANAGER), (VIEWER, Role.VIEWER)):
            accounts.grant_role(session, acme, accounts.ensure_user(session, email, PASSWORD),
                                role)
        logistics = Team(workspace_id=acme.id, key="logistics", name="Logistics")
        billing = Team(workspace_id=acme.id, key="billing", name="Billing")
        session.add_all([logistics, billing])
        customer = session.scalars(select(Customer).where(
            Customer.workspace_id == acme.id, Customer.external_id == "C0")).one()
        response = FeedbackResponse(workspace_id=acme.id, customer_id=customer.id,
                                    channel="email", submitted_at=now - timedelta(hours=1),
                                    nps=2, comment="The parcel arrived broken")
        session.add(response)
        session.flush()
        due = _case(session, acme.id, title="After delivery: detractor",
                    response_id=response.id, customer_id=customer.id,
                    owner_team_id=logistics.id, opened_at=now - timedelta(hours=1),
                    first_response_due_at=now + timedelta(hours=3, minutes=10))
        overdue = _case(session, acme.id, title="Invoice survey: dissatisfied",
                        rule="dissatisfied", customer_id=customer.id, status="in_progress",
                        owner_team_id=billing.id, opened_at=now - timedelta(days=2),
                        first_responded_at=now - timedelta(days=1),
                        first_response_due_at=now - timedelta(days=1),
                        resolution_due_at=now - timedelta(hours=2, minutes=10),
                        escalation_level=2)
        resolved = _case(session, acme.id, title="Support call: hard to deal with",
                         rule="hard-to-deal-with", status="resolved",
                         opened_at=now - timedelta(days=5),
                         first_responded_at=now - timedelta(days=4),
                         resolved_at=now - timedelta(days=3))
        globex = _case(session, companies.globex_id, title="Globex secret case")
    return SeededCases(due, overdue, resolved, globex, response.id)


def _log_in(browser: Browser, email: str) -> None:
    assert browser.log_in(email, PASSWORD).status_code == 303


def _events(sessions: sessionmaker[Session], case_id: int, kind: str) -> list[CaseEventRow]:
    with sessions() as session:
        return list(session.scalars(select(CaseEventRow).where(
            CaseEventRow.case_id == case_id, CaseEventRow.kind == kind)))


def _case_row(sessions: sessionmaker[Session], case_id: int) -> CaseRow:
    with sessions() as session:
        row = session.get(CaseRow, case_id)
        assert row is not None
        return row


def test_inbox_lists_the_workspace_cases_newest_first_with_countdowns(
    browser: Browser, cases: SeededCases
) -> None:
    _log_in(browser, VIEWER)
    html = browser.page("/cases?status=any").text

    assert html.index(f'id="case-{cases.due}"') < html.index(f'id="case-{cases.overdue}"') \
        < html.index(f'id="case-{cases.resolved}"')
    assert "Globex secret case" not in html
    assert text_of(html, "cases-count") == "3 cases"
    assert text_of(html, f"sla-{cases.due}") == "due in 3 hours first response"
    assert text_of(html, f"sla-{cases.overdue}") == "⚠ overdue by 2 hours resolution"
    assert text_of(html, f"sla-{cases.resolved}") == "–"
    assert f'<tr id="case-{cases.overdue}" class="case-overdue" role="row">' in html
    assert 'name="case_ids"' not in html  # a viewer reads only


def _shown(html: str, cases: SeededCases) -> set[str]:
    return {name for name in ("due", "overdue", "resolved")
            if f'id="case-{getattr(cases, name)}"' in html}


@pytest.mark.parametrize(("query", "expected"), [
    ("status=in_progress", {"overdue"}),
    ("status=resolved", {"resolved"}),
    ("team=logistics", {"due"}),
    ("team=-", set()),  # the resolved case is the only one with no team: not open
    ("status=any&team=-", {"resolved"}),
    ("rule=hard-to-deal-with", set()),
    ("status=any&rule=hard-to-deal-with", {"resolved"}),
    ("overdue=1", {"overdue"}),
])
def test_inbox_filters(
    browser: Browser, cases: SeededCases, query: str, expected: set[str]
) -> None:
    _log_in(browser, VIEWER)
    html = browser.page(f"/cases?{query}").text

    assert _shown(html, cases) == expected


def _selected_status(html: str) -> list[str]:
    """The values of the status filter's selected options (one, if the filter says what
    the list shows)."""
    select = html[html.index('<select id="filter-status"'):]
    select = select[:select.index("</select>")]
    return re.findall(r'<option value="([^"]*)" selected>', select)


def test_inbox_opens_on_the_open_cases_and_any_status_shows_the_resolved_too(
    browser: Browser, cases: SeededCases
) -> None:
    """A manager opens the inbox to work: new and in-progress cases, with the filter saying
    so; "any status" (also an old bookmark's empty ``status=``) brings the resolved back."""
    _log_in(browser, MANAGER)
    default = browser.page("/cases").text
    assert _shown(default, cases) == {"due", "overdue"}
    assert _selected_status(default) == ["open"]
    assert text_of(default, "cases-count") == "2 cases"

    for query in ("status=any", "status=", "status=&team=&owner="):
        everything = browser.page(f"/cases?{query}").text
        assert _shown(everything, cases) == {"due", "overdue", "resolved"}, query
        assert _selected_status(everything) == ["any"], query
        assert text_of(everything, "cases-count") == "3 cases"

    unknown = browser.page("/cases?status=bogus").text  # a mistyped link: the default
    assert _shown(unknown, cases) == {"due", "overdue"}
    assert _selected_status(unknown) == ["open"]

    russian = browser.page("/cases?lang=ru").text
    assert "Открытые (новые или в работе)" in russian and "Любой статус" in russian
    hungarian = browser.page("/cases?status=any&lang=hu").text
    assert _selected_status(hungarian) == ["any"] and "Bármely állapot" in hungarian


def test_a_manager_routes_selected_cases_to_a_team(
    browser: Browser, cases: SeededCases, sessions: sessionmaker[Session]
) -> None:
    _log_in(browser, MANAGER)
    token = browser.session_token()
    assert 'name="case_ids"' in browser.page("/cases").text

    reply = browser.client.post("/cases/assign", data={
        "case_ids": [str(cases.due), str(cases.resolved)], "team": "billing",
        "csrf_token": token})

    assert reply.status_code == 303
    billing = browser.page("/cases?team=billing&status=any").text
    assert f'id="case-{cases.due}"' in billing and f'id="case-{cases.resolved}"' in billing
    assigned = _events(sessions, cases.due, "assigned")
    assert len(assigned) == 1 and assigned[0].actor == MANAGER
    assert len(_events(sessions, cases.resolved, "assigned")) == 1


def test_bulk_assignment_is_refused_to_a_viewer_and_without_a_token(
    browser: Browser, cases: SeededCases, sessions: sessionmaker[Session]
) -> None:
    _log_in(browser, VIEWER)
    data = {"case_ids": [str(cases.due)], "team": "billing"}

    assert browser.client.post("/cases/assign", data=data).status_code == 403
    refused = browser.client.post("/cases/assign",
                                  data={**data, "csrf_token": browser.session_token()})

    assert refused.status_code == 403
    assert _events(sessions, cases.due, "assigned") == []


def test_case_page_shows_the_response_history_and_audit_trail(
    browser: Browser, cases: SeededCases
) -> None:
    _log_in(browser, VIEWER)
    html = browser.page(f"/cases/{cases.due}").text

    response = text_of(html, "opening-response")
    assert "NPS 2" in response and "The parcel arrived broken" in response
    history = text_of(html, "customer-history")
    assert "Invoice survey: dissatisfied" in history  # the customer's other case
    assert "NPS 10" in history  # one of the customer's other responses from the seed
    assert "Opened" in text_of(html, "case-events")
    assert 'action="/cases/' not in html  # a viewer gets no forms


def test_a_status_move_records_an_event_and_an_invalid_one_is_refused(
    browser: Browser, cases: SeededCases, sessions: sessionmaker[Session]
) -> None:
    _log_in(browser, MANAGER)
    page = browser.page(f"/cases/{cases.due}").text
    assert 'value="in_progress"' in page and 'value="loop_closed"' not in page
    token = browser.session_token()

    skipped = browser.client.post(f"/cases/{cases.due}/status",
                                  data={"status": "loop_closed", "csrf_token": token})
    assert skipped.status_code == 422
    assert "cannot move to that status" in text_of(skipped.text, "case-error")
    assert _case_row(sessions, cases.due).status == "new"

    moved = browser.client.post(f"/cases/{cases.due}/status",
                                data={"status": "in_progress", "csrf_token": token})
    assert moved.status_code == 303
    row = _case_row(sessions, cases.due)
    assert row.status == "in_progress" and row.first_responded_at is not None
    (event,) = _events(sessions, cases.due, "status")
    assert event.detail == {"from": "new", "to": "in_progress"} and event.actor == MANAGER


def test_closing_the_loop_takes_a_message_for_the_customer_and_shows_it(
    browser: Browser, cases: SeededCases, sessions: sessionmaker[Session]
) -> None:
    _log_in(browser, MANAGER)
    page = browser.page(f"/cases/{cases.resolved}").text
    assert f'action="/cases/{cases.resolved}/close-loop"' in page
    assert "Kano cannot reach this customer" in text_of(page, "closing-reach")  # no SMTP here
    token = browser.session_token()

    empty = browser.client.post(f"/cases/{cases.resolved}/close-loop",
                                data={"message": "  ", "csrf_token": token})
    assert empty.status_code == 422
    assert "closing the loop sends them this message" in text_of(empty.text, "case-error")
    assert _case_row(sessions, cases.resolved).status == "resolved"
    old_form = browser.client.post(f"/cases/{cases.resolved}/status",
                                   data={"status": "loop_closed", "csrf_token": token})
    assert old_form.status_code == 422 and _case_row(sessions, cases.resolved).status == "resolved"

    told = "We changed the <script>alert(1)</script> hotline hours."
    closed = browser.client.post(f"/cases/{cases.resolved}/close-loop",
                                 data={"message": told, "csrf_token": token})
    assert closed.status_code == 303
    row = _case_row(sessions, cases.resolved)
    assert row.status == "loop_closed" and row.loop_closed_at is not None
    (event,) = [e for e in _events(sessions, cases.resolved, "status")
                if e.detail and e.detail.get("to") == "loop_closed"]
    assert event.detail == {"from": "resolved", "to": "loop_closed", "message": told, "told": []}
    html = browser.page(f"/cases/{cases.resolved}").text
    sent = text_of(html, "closing-message-sent")
    assert told in sent and "Kano did not send it" in sent
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "this case is final" in html and "close-loop" not in html


def test_root_causes_and_notes_are_recorded(
    browser: Browser, cases: SeededCases, sessions: sessionmaker[Session]
) -> None:
    _log_in(browser, MANAGER)
    token = browser.session_token()

    tagged = browser.client.post(f"/cases/{cases.due}/root-causes", data={
        "root_causes": "ox:delivery-delay,  Billing   Issue \n packaging, billing issue",
        "csrf_token": token})
    noted = browser.client.post(f"/cases/{cases.due}/notes", data={
        "note": "Called the customer", "csrf_token": token})
    bad = browser.client.post(f"/cases/{cases.due}/root-causes", data={
        "root_causes": "ox:delivery-delay, " + "x" * 65, "csrf_token": token})

    assert (tagged.status_code, noted.status_code, bad.status_code) == (303, 303, 422)
    # Commas and new lines separate tags, spaces do not; the first spelling is kept.
    assert _case_row(sessions, cases.due).root_causes == [
        "ox:delivery-delay", "Billing Issue", "packaging"]
    assert "Separate root causes with commas" in text_of(bad.text, "case-error")
    html = browser.page(f"/cases/{cases.due}").text
    assert "Called the customer" in text_of(html, "case-events")
    assert text_of(html, "case-root-causes") == "ox:delivery-delay, Billing Issue, packaging"


def test_a_typed_tag_takes_the_spelling_the_workspace_already_uses(
    browser: Browser, cases: SeededCases, sessions: sessionmaker[Session]
) -> None:
    """The form stores "billing  ISSUE" as "Billing issue" when other cases carry that, so
    the workspace's cases with the same cause count together (and the suggestions offer
    it once); another workspace's spelling plays no part."""
    with transaction(sessions) as session:
        session.get_one(CaseRow, cases.overdue).root_causes = ["Billing issue"]
        session.get_one(CaseRow, cases.globex).root_causes = ["Late delivery"]
    _log_in(browser, MANAGER)

    tagged = browser.client.post(f"/cases/{cases.due}/root-causes", data={
        "root_causes": "billing  ISSUE, late DELIVERY", "csrf_token": browser.session_token()})

    assert tagged.status_code == 303
    assert _case_row(sessions, cases.due).root_causes == ["Billing issue", "late DELIVERY"]
    html = browser.page(f"/cases/{cases.due}").text
    assert text_of(html, "case-root-causes") == "Billing issue, late DELIVERY"
    datalist = re.search(r'<datalist id="root-cause-suggestions">(.*?)</datalist>', html, re.S)
    assert datalist is not None
    offered = [unescape(v) for v in re.findall(r'<option value="([^"]*)"', datalist.group(1))]
    assert offered == ["Billing issue", "late DELIVERY"]


def test_the_inbox_reports_root_causes_counted_whatever_their_spelling(
    browser: Browser, cases: SeededCases, sessions: sessionmaker[Session]
) -> None:
    """Under the inbox, each root cause once with how many of the workspace's cases carry
    it, the most used first: spellings written around the rule ("billing  ISSUE") count
    with the tag, and another workspace's cases count nowhere."""
    with transaction(sessions) as session:
        for case_id, tags in ((cases.due, ["Billing issue", "Packaging"]),
                              (cases.overdue, ["billing  ISSUE"]),
                              (cases.resolved, ["Billing issue", "Zebra"]),
                              (cases.globex, ["Billing issue", "globex-secret-tag"])):
            session.get_one(CaseRow, case_id).root_causes = tags
    _log_in(browser, VIEWER)

    html = browser.page("/cases?status=in_progress").text

    report = text_of(html, "root-cause-report")
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="number">([^<]+)</td></tr>',
                      html)
    assert [(unescape(tag), count) for tag, count in rows] == [
        ("Billing issue", "3"), ("Packaging", "1"), ("Zebra", "1")]
    assert "globex-secret-tag" not in html and "Root cause" in report


def test_the_tag_field_suggests_the_workspaces_tags_most_used_first(
    browser: Browser, cases: SeededCases, sessions: sessionmaker[Session],
    companies: SeededCompanies,
) -> None:
    with transaction(sessions) as session:
        for case_id, tags in ((cases.overdue, ["ox:delivery-defects", "Billing issue"]),
                              (cases.resolved, ["billing issue", "Zebra"])):
            session.get_one(CaseRow, case_id).root_causes = tags
        session.get_one(CaseRow, cases.globex).root_causes = ["globex-secret-tag"]
    _log_in(browser, MANAGER)

    html = browser.page(f"/cases/{cases.due}").text
    browser.client.cookies.clear()
    _log_in(browser, VIEWER)
    viewer_html = browser.page(f"/cases/{cases.due}").text

    datalist = re.search(r'<datalist id="root-cause-suggestions">(.*?)</datalist>', html, re.S)
    assert datalist is not None and 'list="root-cause-suggestions"' in html
    offered = [unescape(v) for v in re.findall(r'<option value="([^"]*)"', datalist.group(1))]
    # Used twice (in either case) comes first, in the spelling met first; then A-Z.
    assert offered == ["Billing issue", "ox:delivery-defects", "Zebra"]
    assert "globex-secret-tag" not in html
    assert '<script src="/static/js/case-tags.js" defer></script>' in html
    assert "root-cause-suggestions" not in viewer_html  # a viewer has no form to fill


def test_a_case_of_another_workspace_is_not_found(
    browser: Browser, cases: SeededCases, companies: SeededCompanies
) -> None:
    _log_in(browser, MANAGER)
    token = browser.session_token()

    assert browser.client.get(f"/cases/{cases.globex}").status_code == 404
    moved = browser.client.post(f"/cases/{cases.globex}/status",
                                data={"status": "in_progress", "csrf_token": token})
    assert moved.status_code == 404


@pytest.mark.parametrize(("language", "inbox", "countdown"), [
    ("en", "Case inbox", "overdue by 2 hours"),
    ("ru", "Обращения", "просрочено на 2 часа"),
    ("hu", "Esetek", "2 órája lejárt"),
])
def test_pages_are_translated(
    browser: Browser, cases: SeededCases, language: str, inbox: str, countdown: str
) -> None:
    _log_in(browser, MANAGER)
    html = browser.page(f"/cases?lang={language}").text
    assert inbox in html
    assert countdown in text_of(html, f"sla-{cases.overdue}")
    browser.page(f"/cases/{cases.due}?lang={language}")


def test_inbox_lists_the_case_rules_in_force_and_the_routing_table(
    browser: Browser, cases: SeededCases, sessions: sessionmaker[Session]
) -> None:
    _log_in(browser, VIEWER)
    html = browser.page("/cases?lang=ru").text
    assert text_of(html, "case-rules-defaults") == (
        "Действуют правила по умолчанию: своих правил в этом пространстве нет."
    )
    assert "NPS ≤ 6" in html and 'id="case-routes-none"' in html
    with transaction(sessions) as session:
        acme = accounts.get_workspace(session, "acme")
        session.add(Segment(workspace_id=acme.id, key="key-accounts", name="Key accounts"))
        session.flush()
        replace_policy(session, acme.id, [
            CaseRule("refund", kind="keyword", keywords=("refund", "<b>x</b>"), priority=1),
            CaseRule("vip", kind="vip", vip_attribute=True, question="nps", threshold=8,
                     team="billing"),
            CaseRule("tone", kind="sentiment", threshold_probability=0.9),
        ], [CaseRoute("logistics", segment="key-accounts")])  # fmt: skip
    html = browser.page("/cases?lang=hu").text
    assert 'id="case-rules-defaults"' not in html
    assert text_of(html, "case-rule-refund") == "refund Kulcsszó refund, <b>x</b> 1 4 24 –"
    assert "&lt;b&gt;x&lt;/b&gt;" in html  # escaped
    assert text_of(html, "case-rule-vip") == "vip VIP vip: true · NPS ≤ 8 2 4 24 billing"
    assert text_of(html, "case-rule-tone") == "tone Negatív hangulat p(negative) ≥ 0.9 2 4 24 –"
    assert 'id="case-rule-detractor"' not in html
    assert "key-accounts" in html and 'id="case-routes-none"' not in html


@pytest.mark.parametrize(("language", "detractors", "hard", "titles"), [
    ("ru", "Критики", "Сложное взаимодействие",
     ("After delivery: критик", "Invoice survey: недоволен")),
    ("hu", "Kritikusok", "Nehézkes ügyintézés",
     ("After delivery: kritikus", "Invoice survey: elégedetlen")),
])  # fmt: skip
def test_default_rules_are_named_in_the_page_language(
    browser: Browser, cases: SeededCases, language: str, detractors: str, hard: str,
    titles: tuple[str, str],
) -> None:
    """The QA pass read 'detractor', 'hard-to-deal-with' and 'csat <= 2' on the Russian
    inbox and case page: Kano's default rules now read in the page's language."""
    _log_in(browser, VIEWER)
    html = browser.page(f"/cases?lang={language}").text

    options = dict(re.findall(r'<option value="([a-z-]+)"[^>]*>([^<]*)</option>',
                              html[html.index('id="filter-rule"'):]))  # fmt: skip
    assert options["detractor"] == detractors and options["hard-to-deal-with"] == hard
    assert text_of(html, "case-rule-hard-to-deal-with").startswith(f"{hard} ")
    assert "CSAT ≤ 2" in text_of(html, "case-rule-dissatisfied")
    assert "csat &lt;= 2" not in html and "hard-to-deal-with</" not in html
    # titles as intake writes them ("<survey>: <rule's words>") read in the page language
    assert all(f">{title}</a>" in html for title in titles), titles
    assert ": detractor<" not in html and ": dissatisfied<" not in html
    case = browser.page(f"/cases/{cases.due}?lang={language}").text
    assert f"<dd>{detractors}</dd>" in case and ">detractor<" not in case
    assert f"<h1>{titles[0]}</h1>" in case


@pytest.mark.parametrize(("language", "detractor", "dissatisfied"), [
    ("ru", "After delivery: критик", "Invoice survey: недоволен"),
    ("hu", "After delivery: kritikus", "Invoice survey: elégedetlen"),
])  # fmt: skip
def test_case_titles_read_in_the_page_language_on_responses_customer_and_files(
    browser: Browser, cases: SeededCases, sessions: sessionmaker[Session], language: str,
    detractor: str, dissatisfied: str,
) -> None:
    """Wherever a case's title is shown — the responses list and page, customer 360, the
    inbox's CSV and XLSX — a title as intake stores it reads the rule's words in the
    reader's language (the responses pages and the files showed 'detractor')."""
    with sessions() as session:
        customer_id = session.scalar(select(CaseRow.customer_id).where(CaseRow.id == cases.due))
    _log_in(browser, VIEWER)

    listed = browser.page(f"/responses?lang={language}").text
    response = browser.page(f"/responses/{cases.response}?lang={language}").text
    profile = browser.page(f"/customers/{customer_id}?lang={language}").text
    rows = downloaded_rows(browser, f"/cases.csv?status=any&lang={language}")
    sheet = xlsx_sheet(download(browser, f"/cases.xlsx?lang={language}").content)

    assert text_of(listed, f"case-of-{cases.response}").startswith(f"{detractor} ")
    assert f'<a href="/cases/{cases.due}">{detractor}</a>' in response
    assert f">{detractor}</a>" in profile and f">{dissatisfied}</a>" in profile
    assert {r[0]: r[2] for r in rows[1:]} == {
        str(cases.due): detractor, str(cases.overdue): dissatisfied,
        str(cases.resolved): "Support call: " + ("сложное взаимодействие" if language == "ru"
                                                 else "nehézkes ügyintézés"),
    }
    assert [row[2].value for row in sheet.iter_rows(min_row=2)] == [detractor, dissatisfied]
    assert ": detractor<" not in listed + response + profile


_PRODUCT_FIT = {"questions": [
    {"key": "nps", "type": "nps", "text": {"en": "Recommend us?"}, "required": True},
    {"key": "reason", "type": "single", "text": {"en": "Main reason?", "ru": "Главная причина?"},
     "choices": [{"key": "price", "label": {"en": "The price", "ru": "Цена"}},
                 {"key": "speed", "label": {"en": "The speed"}}]},
    {"key": "comment", "type": "text", "text": {"en": "Why?"}},
    {"key": "other", "type": "text", "text": {"en": "Anything else?"}},
    {"key": "dark-mode", "type": "kano", "text": {"en": "With a dark mode?"},
     "dysfunctional": {"en": "Without one?"}},
]}


@pytest.fixture
def answered_case(sessions: sessionmaker[Session], companies: SeededCompanies) -> int:
    """A case opened by a detractor's response to a survey with questions of its own,
    stored as the API and the public page store it (``submit_answers``)."""
    with transaction(sessions) as session:
        acme = accounts.get_workspace(session, "acme")
        accounts.grant_role(session, acme, accounts.ensure_user(session, VIEWER, PASSWORD),
                            Role.VIEWER)
        create_survey(session, acme.id, "product-fit", "Product fit", None, "test", None)
        definition = checked_definition(_PRODUCT_FIT)
        save_survey(session, acme.id, "product-fit", name="Product fit", touchpoint=None,
                    definition=definition, actor="test", user_id=None)
        answers = answers_to(definition, {
            "nps": 3, "reason": "price", "comment": "Too dear",
            "other": "<script>alert('x')</script>",
            "dark-mode": "like", "dark-mode.dysfunctional": "dislike"})
        accepted = submit_answers(session, acme.id, "product-fit", "api", answers,
                                  language="en", email_enabled=False)
        return _case(session, acme.id, title="Product fit: detractor",
                     response_id=accepted.response.id)


@pytest.mark.parametrize(("language", "choice", "category"), [
    ("en", "The price", "One-dimensional"),
    ("ru", "Цена", "Одномерное"),
])
def test_case_page_shows_the_choice_text_and_kano_answers_escaped(
    browser: Browser, answered_case: int, language: str, choice: str, category: str
) -> None:
    _log_in(browser, VIEWER)
    html = browser.page(f"/cases/{answered_case}?lang={language}").text

    response = text_of(html, "opening-response")
    assert "NPS 3" in response and "Too dear" in response
    assert choice in response
    assert category in response
    assert "<script>alert('x')</script>" in response  # shown as text …
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html  # … being escaped
    assert "<script>alert" not in html


OWNER = "bob@acme.test"  # the seed's owner of Acme (and a viewer of Globex)


def _owner_of(sessions: sessionmaker[Session], case_id: int) -> str | None:
    with sessions() as session:
        return session.scalar(select(User.email).join(CaseRow, CaseRow.owner_user_id == User.id)
                              .where(CaseRow.id == case_id))


def test_a_manager_takes_a_case_and_hands_it_to_a_colleague(
    browser: Browser, cases: SeededCases, sessions: sessionmaker[Session]
) -> None:
    _log_in(browser, MANAGER)
    page = browser.page(f"/cases/{cases.due}").text
    assert text_of(page, "case-owner") == "Nobody"
    assert 'id="take-case"' in page and f'value="{MANAGER}"' in page
    choices = text_of(page, "case-owner-choice")
    assert "Bob (bob@acme.test)" in choices and "Alice (alice@acme.test)" in choices
    assert VIEWER not in choices  # a viewer cannot work cases
    token = browser.session_token()

    taken = browser.client.post(f"/cases/{cases.due}/owner",
                                data={"owner": MANAGER, "csrf_token": token})
    assert taken.status_code == 303 and _owner_of(sessions, cases.due) == MANAGER
    page = browser.page(f"/cases/{cases.due}").text
    assert text_of(page, "case-owner") == f"mia ({MANAGER})"
    assert 'id="take-case"' not in page  # it is mine already

    to_viewer = browser.client.post(f"/cases/{cases.due}/owner",
                                    data={"owner": VIEWER, "csrf_token": token})
    assert to_viewer.status_code == 422
    assert "a manager or above" in text_of(to_viewer.text, "case-error")
    assert _owner_of(sessions, cases.due) == MANAGER
    handed = browser.client.post(f"/cases/{cases.due}/owner",
                                 data={"owner": OWNER, "csrf_token": token})
    released = browser.client.post(f"/cases/{cases.due}/owner",
                                   data={"owner": "-", "csrf_token": token})

    assert (handed.status_code, released.status_code) == (303, 303)
    assert _owner_of(sessions, cases.due) is None
    assert [(e.detail, e.actor) for e in _events(sessions, cases.due, "owner")] == [
        ({"from": None, "to": MANAGER}, MANAGER), ({"from": MANAGER, "to": OWNER}, MANAGER),
        ({"from": OWNER, "to": None}, MANAGER)]
    history = browser.page(f"/cases/{cases.due}?lang=hu").text
    assert "Felelős módosítva" in text_of(history, "case-events")
    assert f"{MANAGER} → {OWNER}" in text_of(history, "case-events")
    assert f"{OWNER} → nincs felelős" in text_of(history, "case-events")


def test_a_manager_hands_ticked_cases_to_a_person_and_filters_her_own(
    browser: Browser, cases: SeededCases, sessions: sessionmaker[Session]
) -> None:
    _log_in(browser, MANAGER)
    inbox = browser.page("/cases").text
    people = text_of(inbox, "assign-owner")
    assert "mia (mia@acme.test)" in people and VIEWER not in people
    assert VIEWER not in text_of(inbox, "filter-owner")
    token = browser.session_token()

    refused = browser.client.post("/cases/assign", data={
        "case_ids": [str(cases.due)], "team": "billing", "owner": VIEWER, "csrf_token": token})
    assert refused.status_code == 422
    assert "a manager or above" in text_of(refused.text, "cases-error")
    assert _events(sessions, cases.due, "assigned") == []  # the team did not move either

    handed = browser.client.post("/cases/assign", data={
        "case_ids": [str(cases.due), str(cases.resolved), str(cases.globex)],
        "team": "", "owner": MANAGER, "csrf_token": token})

    assert handed.status_code == 303
    assert _owner_of(sessions, cases.due) == MANAGER == _owner_of(sessions, cases.resolved)
    assert _owner_of(sessions, cases.globex) is None  # another workspace's case is ignored
    assert _events(sessions, cases.due, "assigned") == []  # "keep the team"
    mine = browser.page("/cases?owner=me").text
    assert _shown(mine, cases) == {"due"}  # her resolved case is not to work on
    assert _shown(browser.page("/cases?owner=me&status=any").text, cases) == {"due", "resolved"}
    assert text_of(mine, f"owner-{cases.due}") == "mia"
    assert '<option value="me" selected>' in mine
    nobody = browser.page("/cases?owner=-").text
    assert f'id="case-{cases.overdue}"' in nobody and f'id="case-{cases.due}"' not in nobody
    assert text_of(nobody, f"owner-{cases.overdue}") == "Nobody"
    by_email = browser.page(f"/cases?owner={MANAGER}&status=any").text
    assert f'id="case-{cases.resolved}"' in by_email
    assert f'id="case-{cases.overdue}"' not in by_email


def test_a_viewer_cannot_take_or_hand_over_a_case_and_a_forged_post_is_refused(
    browser: Browser, cases: SeededCases, sessions: sessionmaker[Session]
) -> None:
    _log_in(browser, VIEWER)
    page = browser.page(f"/cases/{cases.due}").text
    assert "Assign to me" not in page and 'action="/cases/' not in page
    assert 'id="assign-owner"' not in browser.page("/cases").text
    data = {"owner": VIEWER, "csrf_token": browser.session_token()}
    assert browser.client.post(f"/cases/{cases.due}/owner", data=data).status_code == 403
    assert browser.client.post("/cases/assign", data={
        **data, "case_ids": [str(cases.due)]}).status_code == 403

    browser.client.post("/logout", data={"csrf_token": browser.session_token()})
    _log_in(browser, MANAGER)
    forged = browser.client.post(f"/cases/{cases.due}/owner", data={"owner": MANAGER})
    assert forged.status_code == 403  # no CSRF token
    assert _events(sessions, cases.due, "owner") == [] and _owner_of(sessions, cases.due) is None


def test_an_owner_who_left_the_workspace_stays_shown_until_the_case_is_handed_over(
    browser: Browser, cases: SeededCases, sessions: sessionmaker[Session]
) -> None:
    _log_in(browser, OWNER)
    token = browser.session_token()
    assert browser.client.post(f"/cases/{cases.due}/owner",
                               data={"owner": MANAGER, "csrf_token": token}).status_code == 303
    with transaction(sessions) as session:
        mia = session.scalars(select(User).where(User.email == MANAGER)).one()
        session.execute(delete(Membership).where(Membership.user_id == mia.id))

    page = browser.page(f"/cases/{cases.due}").text
    assert text_of(page, "case-owner") == f"mia ({MANAGER})"
    assert f'<option value="{MANAGER}" selected>' in page  # not shown as "Nobody"
    assert MANAGER not in text_of(browser.page("/cases").text, "assign-owner")
    kept = browser.client.post(f"/cases/{cases.due}/owner",
                               data={"owner": MANAGER, "csrf_token": token})
    assert kept.status_code == 422  # she may not be given cases any more …
    released = browser.client.post(f"/cases/{cases.due}/owner",
                                   data={"owner": "-", "csrf_token": token})
    assert released.status_code == 303 and _owner_of(sessions, cases.due) is None  # … but freed


@pytest.mark.parametrize(("language", "label"), [("en", "E-mail"), ("ru", "Эл. почта")])
def test_case_page_names_the_channel_instead_of_its_key(
    browser: Browser, cases: SeededCases, language: str, label: str
) -> None:
    _log_in(browser, VIEWER)
    html = browser.page(f"/cases/{cases.due}?lang={language}").text

    response = text_of(html, "opening-response")
    assert label in response and "email" not in response
    history = text_of(html, "customer-history")
    assert label in history and "email" not in history


# -- the inbox as a file ----------------------------------------------------------------


def test_inbox_downloads_as_csv_with_the_page_filters(
    browser: Browser, cases: SeededCases, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        row = session.get(CaseRow, cases.overdue)
        assert row is not None
        row.root_causes = ["billing:double-charge", "process"]
    _log_in(browser, VIEWER)  # viewers read the inbox, so they may download it

    page = browser.page("/cases?status=in_progress&team=billing").text
    link = re.search(r'id="cases-csv" href="([^"]+)"', page)
    assert link is not None
    response = download(browser, link.group(1).replace("&amp;", "&"))
    every = downloaded_rows(browser, "/cases.csv?status=any")

    assert response.content.startswith(b"\xef\xbb\xbfCase,")  # Excel reads it as UTF-8
    rows = csv_rows(response.content)
    assert rows[0] == ["Case", "Opened (UTC)", "Title", "Customer", "Rule", "Priority",
                       "Status", "Owner", "Team", "First response due (UTC)",
                       "Resolution due (UTC)", "SLA breached", "Root causes"]
    assert [r[0] for r in rows[1:]] == [str(cases.overdue)]
    overdue = rows[1]
    assert overdue[2] == "Invoice survey: dissatisfied"
    assert overdue[4] == "Dissatisfied customers", "the rule by its name, as the inbox shows it"
    assert overdue[3]  # the customer's name
    assert overdue[6] == "In progress" and overdue[8] == "Billing"
    assert overdue[11:] == ["yes", "billing:double-charge, process"]
    assert [r[0] for r in every[1:]] == [str(cases.due), str(cases.overdue),
                                         str(cases.resolved)]
    assert {r[0]: r[11] for r in every[1:]}[str(cases.due)] == "no"
    assert "Globex secret case" not in str(every)


def test_inbox_xlsx_is_translated_and_keeps_a_formula_as_text(
    browser: Browser, cases: SeededCases, sessions: sessionmaker[Session]
) -> None:
    formula = "=1+2"
    with transaction(sessions) as session:
        row = session.get(CaseRow, cases.due)
        assert row is not None
        row.title = formula
    _log_in(browser, MANAGER)

    content = download(browser, "/cases.xlsx?lang=hu").content
    csv_text = download(browser, "/cases.csv").content.decode("utf-8-sig")

    sheet, rows = xlsx_sheet(content), xlsx_rows(content)
    assert rows[0][:3] == ["Eset", "Megnyitva (UTC)", "Megnevezés"]
    assert rows[0][9:11] == ["Első válasz határideje (UTC)", "Megoldás határideje (UTC)"]
    assert rows[0][11:] == ["SLA megsértve", "Kiváltó okok"]
    assert [r[0] for r in rows[1:]] == [cases.due, cases.overdue]  # open ones, as the page
    title = sheet.cell(row=2, column=3)
    assert title.value == formula and title.data_type == "s"
    assert rows[2][11] == "igen" and rows[1][11] == "nem"
    assert rows[2][4] == "Elégedetlen ügyfelek", "the rule's name in the reader's language"
    assert f",'{formula}," in csv_text


def test_inbox_file_never_holds_another_workspace_case(
    browser: Browser, cases: SeededCases, companies: SeededCompanies
) -> None:
    _log_in(browser, companies.bob)  # owner in Acme, viewer in Globex
    acme = downloaded_rows(browser, "/cases.csv?status=any")
    browser.client.post("/workspace", data={
        "workspace_id": str(companies.globex_id), "csrf_token": browser.session_token()})

    globex = downloaded_rows(browser, "/cases.csv?status=any")

    assert cases.globex not in {int(r[0]) for r in acme[1:]}
    assert [int(r[0]) for r in globex[1:]] == [cases.globex]
    assert browser.client.get("/cases.pdf").status_code == 404


def test_bulk_assignment_keeps_the_filters_the_inbox_was_shown_with(
    browser: Browser, cases: SeededCases, sessions: sessionmaker[Session]
) -> None:
    """A manager working the overdue cases assigns some and stays on the overdue cases,
    after the change and after a refusal; before, both went back to the unfiltered inbox."""
    _log_in(browser, MANAGER)
    inbox = browser.page("/cases?status=open&overdue=1").text
    shown = re.search(r'name="shown" value="([^"]*)"', inbox)
    assert shown is not None
    token = browser.session_token()

    refused = browser.client.post("/cases/assign", data={
        "owner": MANAGER, "shown": unescape(shown.group(1)), "csrf_token": token})
    handed = browser.client.post("/cases/assign", data={
        "case_ids": [str(cases.overdue)], "owner": MANAGER,
        "shown": unescape(shown.group(1)), "csrf_token": token})

    assert refused.status_code == 422
    assert _shown(refused.text, cases) == {"overdue"}
    assert 'name="overdue" value="1" checked' in refused.text
    assert handed.status_code == 303
    assert handed.headers["location"] == "/cases?status=open&overdue=1"
    assert _owner_of(sessions, cases.overdue) == MANAGER
    mine = browser.client.post("/cases/assign", data={
        "case_ids": [str(cases.due)], "team": "billing", "shown": "status=any&owner=me",
        "csrf_token": token})
    assert mine.headers["location"] == "/cases?status=any&owner=me"


def test_a_case_without_a_clock_shows_its_status_alone(
    browser: Browser, cases: SeededCases
) -> None:
    """A resolved case has no SLA countdown: its heading line read 'Resolved · –'."""
    _log_in(browser, MANAGER)

    assert text_of(browser.page(f"/cases/{cases.resolved}").text, "case-lead") == "Resolved"
    due = text_of(browser.page(f"/cases/{cases.due}").text, "case-lead")
    assert due.startswith("New · due in 3 hours")
