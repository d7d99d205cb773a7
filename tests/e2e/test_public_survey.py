"""A customer answers the public survey in Hungarian on a phone, with JavaScript switched
off; another answers in the widget on a page of another site; a manager then finds the
detractor's case in the inbox and closes the loop (issue 6, Browser). One server for all,
to keep the test quick."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from kano.adapters.db import accounts
from kano.adapters.db.engine import make_engine, make_session_factory, transaction
from kano.adapters.db.orm import FeedbackResponse, Survey
from kano.adapters.db.survey_store import save_survey
from kano.adapters.web.survey_links import SurveyLinks
from kano.demo.survey_definitions import DEMO_SURVEY_DEFINITIONS
from kano.domain.feedback.surveys import checked_definition
from kano.domain.workspaces import Role
from tests.e2e.conftest import RunningServer, SeededDatabase
from tests.servers import free_port

pytestmark = pytest.mark.browser

SECRET_KEY = "browser-test-secret-key-0123456789"  # what the kano_server fixture sets
MANAGER, MANAGER_PASSWORD = "marta@northwind.test", "manager test password"
QUESTION_HU = "Mennyire valószínű, hogy ajánlana minket egy barátjának vagy kollégájának?"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "survey-phone.png"
COMMENT = "A szállítás megint késett, és senki nem szólt."


@contextmanager
def _host_page(html: str) -> Iterator[str]:
    """Another web site: a real HTTP server on localhost serving one page."""
    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{port}/checkout"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def survey_link(seeded_database: SeededDatabase) -> str:
    """The demo's relationship NPS survey in the showcase workspace, and a manager."""
    engine = make_engine(seeded_database.url)
    try:
        with transaction(make_session_factory(engine)) as session:
            workspace = accounts.get_workspace(session, "northwind")
            session.add(Survey(workspace_id=workspace.id, key="relationship-nps",
                               name="Relationship NPS"))
            session.flush()
            save_survey(session, workspace.id, "relationship-nps", name="Relationship NPS",
                        touchpoint=None, actor="test", user_id=None,
                        definition=checked_definition(DEMO_SURVEY_DEFINITIONS["relationship-nps"]))
            manager = accounts.ensure_user(session, MANAGER, MANAGER_PASSWORD, name="Márta")
            accounts.grant_role(session, workspace, manager, Role.MANAGER)
            workspace_id = workspace.id
    finally:
        engine.dispose()
    return SurveyLinks(SECRET_KEY).path(workspace_id, "relationship-nps")


def test_answer_in_hungarian_on_a_phone_and_in_the_widget_then_close_the_loop(
    survey_link: str, kano_server: RunningServer, chromium: Browser,
    seeded_database: SeededDatabase,
) -> None:
    phone = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                 has_touch=True, locale="hu-HU", java_script_enabled=False)
    try:
        page = phone.new_page()
        page.goto(kano_server.url(survey_link))  # no ?lang=: the browser asks for Hungarian
        expect(page.locator("html")).to_have_attribute("lang", "hu")
        expect(page.get_by_role("heading", level=1)).to_have_text("Mondja el a véleményét")
        question = page.get_by_role("group", name=re.compile(re.escape(QUESTION_HU)))
        expect(question).to_be_visible()
        point = question.locator("label.survey-point", has_text=re.compile(r"^3$"))
        box = point.bounding_box()
        assert box is not None and box["height"] >= 44  # a finger-sized target
        point.tap()
        expect(question.get_by_role("radio", name="3")).to_be_checked()
        page.get_by_label("Mi a fő oka az értékelésének?").fill(COMMENT)
        page.get_by_label("E-mail-cím").fill("erzsebet@pelda.hu")
        if os.environ.get("KANO_SCREENSHOTS") == "1":
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        send = page.get_by_role("button", name="Válaszaim elküldése")
        send_box = send.bounding_box()
        assert send_box is not None and send_box["x"] + send_box["width"] <= 390
        send.tap()
        expect(page.get_by_role("heading", level=1)).to_have_text("Köszönjük!")
        expect(page.locator("#survey-message")).to_contain_text("Megkaptuk a válaszait")
    finally:
        phone.close()

    _answer_in_the_widget(survey_link, kano_server, chromium, seeded_database.url)

    desk = chromium.new_context(viewport={"width": 1360, "height": 860}, locale="en-GB")
    try:
        page = desk.new_page()
        page.goto(kano_server.url("/login?next=/cases"))
        page.get_by_label("E-mail address").fill(MANAGER)
        page.get_by_label("Password").fill(MANAGER_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(kano_server.url("/cases"))
        case_link = page.get_by_role("link", name="Relationship NPS: detractor")
        expect(case_link).to_be_visible()
        case_link.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Relationship NPS: detractor")
        expect(page.locator("#opening-response")).to_contain_text(COMMENT)
        expect(page.locator("#opening-response")).to_contain_text("Public link")
        for status in ("In progress", "Resolved"):
            page.get_by_role("button", name=status, exact=True).click()
            expect(page.locator(".lead").first).to_contain_text(status)
        page.get_by_label("Close the loop: tell the customer what changed").fill(
            "Deliveries to your site now come on the morning route."
        )
        page.get_by_role("button", name="Close the loop", exact=True).click()
        expect(page.locator(".lead").first).to_contain_text("Loop closed")
        expect(page.get_by_text("The loop is closed: this case is final.")).to_be_visible()
        expect(page.locator("#closing-message-sent")).to_contain_text("morning route")
        _find_both_answers_in_the_response_list(page, kano_server)
    finally:
        desk.close()


def _find_both_answers_in_the_response_list(page: Page, kano_server: RunningServer) -> None:
    """Issue 6, Done when: the answers given in the browser show up in the response list,
    the detractor's with the case it opened (now loop closed); on a phone's width the
    page itself does not scroll sideways (the table scrolls in its own box)."""
    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Responses", exact=True).click()
    expect(page).to_have_url(kano_server.url("/responses"))
    table = page.locator("#responses")
    link_row = table.locator("tr", has_text=COMMENT)
    expect(link_row).to_contain_text("Public link")
    expect(link_row).to_contain_text("NPS 3")
    expect(link_row).to_contain_text("Loop closed")
    widget_row = table.locator("tr", has_text="<b>Quick</b>")  # shown as text, not markup
    expect(widget_row).to_contain_text("Widget")
    expect(widget_row).to_contain_text("NPS 9")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    link_row.get_by_role("link").first.click()
    expect(page.locator("#response-scores")).to_have_text("NPS 3")
    expect(page.locator("#response-comment")).to_have_text(COMMENT)
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def _answer_in_the_widget(survey_link: str, kano_server: RunningServer, chromium: Browser,
                          database_url: str) -> None:
    """The snippet from the builder page, on a page of another origin: the widget draws
    the question and its answer (a promoter's: no case) arrives through the CORS endpoint."""
    script = kano_server.url(survey_link.replace("?", "/widget.js?", 1))
    host = ('<!doctype html><html><head><meta charset="utf-8"></head><body><h1>Shop</h1>'
            '<div id="kano-survey"></div>'
            f'<script src="{script}&lang=en" data-kano-target="kano-survey" async></script>'
            '</body></html>')
    context = chromium.new_context(viewport={"width": 800, "height": 700})
    try:
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda message: problems.append(message.text))
        with _host_page(host) as shop:
            page.goto(shop)  # http://localhost:…, another origin than Kano's 127.0.0.1:…
            widget = page.locator("#kano-survey form.kano-widget")
            expect(widget).to_contain_text("How likely are you to recommend us")
            widget.get_by_role("button", name="Send my answers").click()
            expect(widget.get_by_role("status")).to_have_text("Please answer this question.")
            widget.get_by_role("radio", name="9").check()
            widget.get_by_label("What is the main reason for your score?").fill("<b>Quick</b>")
            with page.expect_response(re.compile(r"/widget$")) as answered:
                widget.get_by_role("button", name="Send my answers").click()
            assert answered.value.status == 201
            expect(page.locator("#kano-survey")).to_have_text("Thank you!")
            assert problems == []
    finally:
        context.close()
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            stored = session.execute(select(FeedbackResponse.nps, FeedbackResponse.comment)
                                     .where(FeedbackResponse.channel == "widget")).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in stored] == [(9, "<b>Quick</b>")]
