"""The customer 360 page counts the payments not paid yet (QA pass of the demo: a customer
with four invoices unpaid for a year read "Payments paid late 54 / 130", as if they paid
everything): late counts only payments that were made, so the unpaid ones are named apart,
in the reader's language. A later QA pass (a marketing lead) found "not paid yet" mixing
debts to chase with invoices not due yet: they are split, each with its amount."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Customer, Payment
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies


def _customer(session: Session, workspace_id: int, external_id: str) -> int:
    return session.scalars(select(Customer.id).where(
        Customer.workspace_id == workspace_id, Customer.external_id == external_id)).one()


def test_customer_360_splits_unpaid_payments_into_overdue_and_not_yet_due(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    soon = date.today() + timedelta(days=20)
    invoices = [(100.0, date(2026, 3, 1), date(2026, 3, 1)),  # on time
                (100.0, date(2026, 3, 1), date(2026, 3, 20)),  # late
                (120.25, date(2026, 3, 1), None), (80.5, date(2026, 4, 1), None),  # overdue
                (40.75, soon, None), (1234.5, date.today(), None)]  # not yet due (due today)
    with transaction(sessions) as session:
        owing = _customer(session, companies.acme_id, "C0")
        settled = _customer(session, companies.acme_id, "C1")
        session.add_all([
            Payment(workspace_id=companies.acme_id, customer_id=owing, amount=amount,
                    due_on=due, paid_on=paid)
            for amount, due, paid in invoices
        ] + [Payment(workspace_id=companies.acme_id, customer_id=settled, amount=50.0,
                     due_on=date(2026, 3, 1), paid_on=date(2026, 3, 9))])  # fmt: skip
    with sessions() as session:  # the sums, independently of the page's query
        stored = session.execute(select(Payment.amount, Payment.due_on).where(
            Payment.customer_id == owing, Payment.paid_on.is_(None))).all()  # fmt: skip
    overdue = sum(amount for amount, due in stored if due < date.today())
    not_yet_due = sum(amount for amount, due in stored if due >= date.today())
    assert (overdue, not_yet_due) == (200.75, 1275.25)
    browser.log_in(companies.alice, PASSWORD)

    def payments(customer_id: int, language: str) -> str:  # spaces as plain ones
        page = browser.page(f"/customers/{customer_id}?lang={language}").text
        return text_of(page, "customer-payments")

    assert payments(owing, "en") == (
        "1 / 6; overdue: 2 (€200.75); not yet due: 2 (€1,275.25)")
    assert payments(owing, "ru") == (
        "1 / 6; просрочено: 2 (200,75 €); срок ещё не наступил: 2 (1 275,25 €)")
    assert payments(owing, "hu") == (
        "1 / 6; lejárt: 2 (200,75 EUR); még nem esedékes: 2 (1 275,25 EUR)")
    assert payments(settled, "en") == "1 / 1"
