"""The customer 360 page writes its days the way every other page does, in the reader's
language (a walk of the demo in Russian found "Клиент с 2017-07-25", "2024-10-24 – 2026-10-28"
and ISO days in the feedback, cases and orders tables, next to a segment history on the same
page that read "1 нояб. 2026 г.")."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import CaseRow, Customer
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def test_customer_360_writes_days_in_the_readers_language(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    opened = datetime(2026, 3, 2, 9, 30)
    with transaction(sessions) as session:
        customer = session.scalars(select(Customer).where(
            Customer.workspace_id == companies.acme_id, Customer.external_id == "C0")).one()
        customer.created_on = date(2017, 7, 25)
        session.add(CaseRow(workspace_id=companies.acme_id, customer_id=customer.id,
                            title="Late parcel", rule="detractor", priority=2,
                            status="in_progress", opened_at=opened,
                            first_response_due_at=opened + timedelta(hours=4),
                            resolution_due_at=opened + timedelta(days=3)))
        customer_id = customer.id
    browser.log_in(companies.alice, PASSWORD)

    russian = browser.page(f"/customers/{customer_id}?lang=ru").text
    facts = text_of(russian, "customer-facts")
    assert "25 июл. 2017 г." in facts, facts
    for table in ("customer-facts", "customer-feedback", "customer-cases", "customer-orders"):
        shown = text_of(russian, table)
        assert not ISO_DAY.search(shown), (table, shown)
    assert "2 мар. 2026 г." in text_of(russian, "customer-cases")
    assert "5 мар. 2026 г." in text_of(russian, "customer-cases")  # due three days later

    english = browser.page(f"/customers/{customer_id}?lang=en").text
    assert "Jul 25, 2017" in text_of(english, "customer-facts")
    hungarian = browser.page(f"/customers/{customer_id}?lang=hu").text
    assert "2017. júl. 25." in text_of(hungarian, "customer-facts")
