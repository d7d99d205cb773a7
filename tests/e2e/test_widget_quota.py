"""The widget on another site when the survey's widget quota fills up: an answer sent after
the last place went shows the polite "reached its number of responses" text instead of
an error, and a page loaded afterwards shows that text instead of the question."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import func, select

from kano.adapters.db import accounts
from kano.adapters.db.engine import make_engine, make_session_factory, transaction
from kano.adapters.db.orm import FeedbackResponse
from kano.adapters.db.quotas import add_quota
from tests.e2e.conftest import RunningServer, SeededDatabase
from tests.e2e.test_public_survey import _host_page, survey_link  # noqa: F401

pytestmark = pytest.mark.browser

FULL = "This survey has reached its number of responses. Thank you for your time!"


def _host(script: str) -> str:
    return ('<!doctype html><html><head><meta charset="utf-8"></head><body><h1>Shop</h1>'
            '<div id="kano-survey"></div>'
            f'<script src="{script}" data-kano-target="kano-survey" async></script>'
            '</body></html>')


def test_the_widget_says_politely_that_the_quota_is_full(
    survey_link: str,  # noqa: F811 - the fixture imported above
    seeded_database: SeededDatabase, kano_server: RunningServer, chromium: Browser,
) -> None:
    engine = make_engine(seeded_database.url)
    try:
        with transaction(make_session_factory(engine)) as session:
            workspace_id = accounts.get_workspace(session, "northwind").id
            add_quota(session, workspace_id, "relationship-nps", name="Widget", limit=1,
                      channel="widget", actor="test")
    finally:
        engine.dispose()
    script = kano_server.url(survey_link.replace("?", "/widget.js?", 1)) + "&lang=en"
    token = survey_link.split("t=", 1)[1].split("&", 1)[0]
    context = chromium.new_context(viewport={"width": 800, "height": 700})
    try:
        page = context.new_page()
        with _host_page(_host(script)) as shop:
            page.goto(shop)
            widget = page.locator("#kano-survey form.kano-widget")
            expect(widget).to_contain_text("How likely are you to recommend us")
            # meanwhile someone else takes the last place
            taken = httpx.post(kano_server.url("/s/relationship-nps/widget"),
                               json={"t": token, "answers": {"nps": 10}})
            assert taken.status_code == 201, taken.text
            widget.get_by_role("radio", name="6").check()
            with page.expect_response(re.compile(r"/widget$")) as answered:
                widget.get_by_role("button", name="Send my answers").click()
            assert answered.value.status == 409
            expect(page.locator("#kano-survey")).to_have_text(FULL)
        with _host_page(_host(script + "&again=1")) as shop:
            page.goto(shop)
            expect(page.locator("#kano-survey")).to_have_text(FULL)
            expect(page.locator("#kano-survey input")).to_have_count(0)
    finally:
        context.close()
    engine = make_engine(seeded_database.url)
    try:
        with make_session_factory(engine)() as session:
            stored = session.scalar(select(func.count()).select_from(FeedbackResponse)
                                    .where(FeedbackResponse.channel == "widget"))
    finally:
        engine.dispose()
    assert stored == 1
