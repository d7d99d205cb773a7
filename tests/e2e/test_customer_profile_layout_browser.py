"""The customer 360 page read in Chromium on a desktop and a phone: every profile fact's
label sits right above its own value (a row never ends on a label whose value starts the
next row), and the days of the feedback, cases and orders tables stay on one line instead
of breaking at their dashes ("2026-" over "10-19") — against a real ``kano serve``."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import func, select

from kano.adapters.db.engine import make_engine, make_session_factory
from kano.adapters.db.orm import FeedbackResponse
from tests.e2e.conftest import RunningServer, SeededDatabase

pytestmark = pytest.mark.browser

# For each label of the profile: how far its value sits from it, left and top edges (px).
FACT_OFFSETS = """() => [...document.querySelectorAll('#customer-facts dt')].map(dt => {
  const dd = dt.nextElementSibling, a = dt.getBoundingClientRect(),
        b = dd.getBoundingClientRect();
  return [dt.textContent.trim(), Math.round(b.left - a.left), Math.round(b.top - a.bottom)];
})"""
# The number of lines the text of each day cell of a table takes.
DAY_LINES = """(table) => [...document.querySelectorAll(`#${table} tbody tr > td:first-child`)]
  .map(td => { const range = document.createRange(); range.selectNodeContents(td);
               return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size; })"""


def _busiest_customer(url: str) -> int:
    """The showcase customer with the most feedback: a full feedback table."""
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return int(
                session.scalars(
                    select(FeedbackResponse.customer_id)
                    .group_by(FeedbackResponse.customer_id)
                    .order_by(func.count().desc(), FeedbackResponse.customer_id)
                ).first()
                or 0
            )
    finally:
        engine.dispose()


def _signed_in(
    chromium: Browser,
    server: RunningServer,
    seeded: SeededDatabase,
    width: int,
    height: int,
    path: str,
) -> Page:
    context = chromium.new_context(viewport={"width": width, "height": height}, locale="en-GB")
    page = context.new_page()
    page.goto(server.url(f"/login?next={path}"))
    page.get_by_label("E-mail address").fill(seeded.showcase.email)
    page.get_by_label("Password").fill(seeded.showcase.password)
    page.get_by_role("button", name="Log in").click()
    page.locator("#customer-facts").wait_for()
    return page


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_profile_facts_pair_labels_with_values_and_days_stay_on_one_line(
    kano_server: RunningServer,
    seeded_database: SeededDatabase,
    chromium: Browser,
    width: int,
    height: int,
) -> None:
    customer_id = _busiest_customer(seeded_database.url)
    page = _signed_in(
        chromium, kano_server, seeded_database, width, height, f"/customers/{customer_id}"
    )
    try:
        offsets = page.evaluate(FACT_OFFSETS)
        assert [label for label, _left, _gap in offsets][:2] == ["E-mail", "Customer since"]
        # The value starts under its label's left edge, just below it.
        assert [(label, left, 0 <= gap <= 8) for label, left, gap in offsets] == [
            (label, 0, True) for label, _left, _gap in offsets
        ]
        lines = page.evaluate(DAY_LINES, "customer-feedback")
        assert lines and set(lines) == {1}
        assert set(page.evaluate(DAY_LINES, "customer-orders")) == {1}
    finally:
        page.context.close()
