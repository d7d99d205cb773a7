"""The customer 360 page writes money as money in the workspace's currency (QA pass of the
Hungarian demo: order amounts and margins were bare decimals, "1 200,00", while every other
page wrote "1 200 Ft"): the revenue headline shortened like the home page's, each order's
amount and margin to the cent, in the reader's language."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Customer, Workspace
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies


@pytest.mark.parametrize(("language", "currency", "revenue", "amounts"), [
    ("hu", "HUF", "12,5 E Ft",
     ["1 200,00 Ft", "360,00 Ft", "10 000,00 Ft"]),
    ("en", "EUR", "€12.5K", ["€1,200.00", "€360.00", "€10,000.00"]),
])  # fmt: skip
def test_customer_360_writes_revenue_and_orders_in_the_workspace_currency(
    browser: Browser,
    companies: SeededCompanies,
    sessions: sessionmaker[Session],
    language: str,
    currency: str,
    revenue: str,
    amounts: list[str],
) -> None:
    with transaction(sessions) as session:
        session.get_one(Workspace, companies.acme_id).currency = currency
        customer_id = session.scalars(
            select(Customer.id).where(
                Customer.workspace_id == companies.acme_id, Customer.external_id == "C0"
            )
        ).one()
    browser.log_in(companies.alice, PASSWORD)

    page = browser.page(f"/customers/{customer_id}?lang={language}").text

    headline = text_of(page, "customer-revenue")
    assert revenue in headline, headline  # text_of reads the no-break spaces as spaces
    orders = text_of(page, "customer-orders")
    for amount in amounts:  # 1,200 and 10,000 ordered; 360 is the 1,200 order's margin
        assert amount in orders, orders
