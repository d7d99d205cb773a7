"""An owner changes a customer on the customer 360 page in Chromium: opens Edit, gets the
server's message next to the e-mail field, saves, and lifts a bounce mark with the
badge's button — against a real ``kano serve``."""

from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from kano.adapters.db.engine import make_engine, make_session_factory, transaction
from kano.adapters.db.orm import Customer
from tests.e2e.conftest import RunningServer, SeededDatabase

pytestmark = pytest.mark.browser


def test_an_owner_edits_a_customer_and_lifts_a_bounce_mark(
    kano_server: RunningServer, seeded_database: SeededDatabase, chromium: Browser,
) -> None:
    engine = make_engine(seeded_database.url)
    sessions = make_session_factory(engine)
    try:
        with transaction(sessions) as session:
            customer = session.scalars(select(Customer).where(
                Customer.external_id == "N0007")).one()
            customer.email = customer.undeliverable_email = "ops@account7.example"
            customer.email_bounced_at = datetime(2026, 11, 30, 8, 15)
            customer_id = customer.id

        context = chromium.new_context(viewport={"width": 1360, "height": 860},
                                       locale="en-GB")
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text)
                if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        showcase = seeded_database.showcase
        page.goto(kano_server.url(f"/login?next=/customers/{customer_id}"))
        page.get_by_label("E-mail address").fill(showcase.email)
        page.get_by_label("Password").fill(showcase.password)
        page.get_by_role("button", name="Log in").click()
        expect(page.locator("#email-paused")).to_have_text("Address bounced — e-mails paused")

        page.get_by_text("Edit", exact=True).click()
        form = page.locator("#customer-edit-form")
        form.get_by_label("Name").fill("Account 7 <b>Ltd</b>")
        # The browser takes it as an address; the server wants a dot in the domain.
        form.get_by_label("E-mail").fill("orders@account7")
        form.get_by_role("button", name="Save the customer").click()
        expect(page.locator("#customer-email-error")).to_have_text(
            "Enter an e-mail address such as name@example.com.")
        expect(page.locator("#customer-edit-form")).to_be_visible()
        expect(form.get_by_label("Name")).to_have_value("Account 7 <b>Ltd</b>")

        form.get_by_label("E-mail").fill("orders@account7.example")
        form.get_by_label("May be contacted").uncheck()
        form.get_by_role("button", name="Save the customer").click()
        expect(page.locator("#customer-name")).to_have_text("Account 7 <b>Ltd</b>")
        expect(page.locator("#email-paused")).to_have_count(0)

        # Back to the address that bounced: e-mails pause again; then the button lifts it.
        page.get_by_text("Edit", exact=True).click()
        form.get_by_label("E-mail").fill("ops@account7.example")
        form.get_by_role("button", name="Save the customer").click()
        expect(page.locator("#email-paused")).to_be_visible()
        page.get_by_role("button", name="The address works again: resume e-mails").click()
        expect(page.locator("#email-paused")).to_have_count(0)
        expect(page.locator("#customer-name")).to_be_visible()
        # The refused save is a 422 page, which Chromium logs; nothing else may fail.
        assert [p for p in problems if "status of 422" not in p] == []
        context.close()

        with sessions() as session:
            stored = session.get(Customer, customer_id)
            assert stored is not None
            assert (stored.email, stored.undeliverable_email, stored.consent_contact) == (
                "ops@account7.example", None, False)
    finally:
        engine.dispose()
