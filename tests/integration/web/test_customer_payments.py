"""The customer 360 page counts the payments not paid yet (QA pass of the demo: a customer
with four invoices unpaid for a year read "Payments paid late 54 / 130", as if they paid
everything): late counts only payments that were made, so the unpaid ones are named apart,
in the reader's language."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Customer, Payment
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies


def _customer(session: Session, workspace_id: int, external_id: str) -> int:
    return session.scalars(select(Customer.id).where(
        Customer.workspace_id == workspace_id, Customer.external_id == external_id)).one()


def test_customer_360_names_the_payments_not_paid_yet(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    paid_days = [date(2026, 3, 1), date(2026, 3, 20), None, None]  # on time, late, unpaid ×2
    with transaction(sessions) as session:
        owing = _customer(session, companies.acme_id, "C0")
        settled = _customer(session, companies.acme_id, "C1")
        session.add_all([
            Payment(workspace_id=companies.acme_id, customer_id=owing, amount=100.0,
                    due_on=date(2026, 3, 1), paid_on=paid)
            for paid in paid_days
        ] + [Payment(workspace_id=companies.acme_id, customer_id=settled, amount=50.0,
                     due_on=date(2026, 3, 1), paid_on=date(2026, 3, 9))])  # fmt: skip
    browser.log_in(companies.alice, PASSWORD)

    def payments(customer_id: int, language: str) -> str:
        page = browser.page(f"/customers/{customer_id}?lang={language}").text
        return text_of(page, "customer-payments")

    assert payments(owing, "en") == "1 / 4; not paid yet: 2"
    assert payments(owing, "ru") == "1 / 4; ещё не оплачено: 2"
    assert payments(owing, "hu") == "1 / 4; még nincs kifizetve: 2"
    assert payments(settled, "en") == "1 / 1"
