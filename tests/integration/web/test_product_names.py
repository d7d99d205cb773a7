"""Pages name products as the workspace's catalogue does (a customer-care manager reads
"Widget, zinc-plated", not "widget"): the customer 360 page's orders and requirements, the
requirements register and a requirement's page (a viewer's too), in English and in
Hungarian, with the code beside the name; a code the catalogue does not know is shown as
itself, another workspace's names never appear, and each page looks the names up once,
not per row."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Customer, SpecialRequirementRow
from kano.adapters.db.product_catalogue import Product, upsert_products
from kano.bootstrap import Container
from kano.domain.workspaces import Role
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies

HEADERS = {"en": ("Product", "Requirement"), "hu": ("Termék", "Követelmény")}
DAY_IN = {"en": "Jun 15, 2025", "hu": "2025. jún. 15."}


@pytest.fixture
def named(sessions: sessionmaker[Session], companies: SeededCompanies) -> dict[str, int]:
    """Acme names its product ``widget``; Globex names the same code otherwise. Acme's C0
    has orders of widgets, a requirement on widgets and one on an unnamed product."""
    with transaction(sessions) as session:
        upsert_products(session, companies.acme_id,
                        [Product("widget", "Widget, zinc-plated", "Fasteners")])
        upsert_products(session, companies.globex_id,
                        [Product("widget", "Globex gizmo widget"),
                         Product("PRIMER-20L", "Globex primer")])
        customer = session.scalars(select(Customer).where(
            Customer.workspace_id == companies.acme_id, Customer.external_id == "C0")).one()
        on_widgets = SpecialRequirementRow(
            workspace_id=companies.acme_id, customer_id=customer.id, kind="packaging",
            status="agreed", text="Boxes of 100", product_key="widget")
        on_primer = SpecialRequirementRow(
            workspace_id=companies.acme_id, customer_id=customer.id, kind="chemical",
            status="agreed", text="No toluene", product_key="PRIMER-20L")
        session.add_all([on_widgets, on_primer])
        session.flush()
        return {"customer": customer.id, "widgets": on_widgets.id, "primer": on_primer.id}


@pytest.fixture
def product_queries(container: Container) -> Iterator[list[str]]:
    """The statements that read the product catalogue while the test runs."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FROM products" in statement:
            seen.append(statement)

    event.listen(container.engine, "before_cursor_execute", count)
    yield seen
    event.remove(container.engine, "before_cursor_execute", count)


@pytest.mark.parametrize("language", ["en", "hu"])
def test_customer_360_names_the_products_of_orders_and_requirements(
    browser: Browser, companies: SeededCompanies, named: dict[str, int],
    product_queries: list[str], language: str,
) -> None:
    browser.log_in(companies.alice, PASSWORD)
    product_queries.clear()

    page = browser.page(f"/customers/{named['customer']}?lang={language}")

    assert len(product_queries) == 1, "one look-up for the whole page"
    orders = text_of(page.text, "customer-orders")
    assert HEADERS[language][0] in orders
    day = DAY_IN[language]  # the 15 June 2025 order, its day as the reader writes it
    assert f"{day} Widget, zinc-plated widget " in orders
    assert len(re.findall(r"\S Widget, zinc-plated widget ", orders)) == 4, \
        "every order (4): its day, the product's name, then its code"
    requirements = text_of(page.text, "customer-requirements")
    assert "Boxes of 100" in requirements and "Widget, zinc-plated widget" in requirements
    assert "No toluene" in requirements and "PRIMER-20L" in requirements, "unnamed: the code"
    assert "Globex" not in page.text, "another workspace's names never show"


@pytest.mark.parametrize("language", ["en", "hu"])
def test_requirements_register_and_page_name_the_product(
    browser: Browser, companies: SeededCompanies, named: dict[str, int],
    product_queries: list[str], language: str,
) -> None:
    browser.log_in(companies.alice, PASSWORD)
    product_queries.clear()

    listed = browser.page(f"/requirements?lang={language}")

    assert len(product_queries) == 1, "one look-up for every line"
    assert f">{HEADERS[language][0]}</th>" in listed.text
    widgets = text_of(listed.text, f"requirement-{named['widgets']}")
    assert "Widget, zinc-plated widget" in widgets
    primer = text_of(listed.text, f"requirement-{named['primer']}")
    assert "PRIMER-20L" in primer and "Globex" not in listed.text

    detail = browser.page(f"/requirements/{named['widgets']}?lang={language}")
    assert 'id="req-product" name="product" value="widget"' in detail.text, "the code to edit"
    assert text_of(detail.text, "req-product-name") == "Widget, zinc-plated"
    unnamed = browser.page(f"/requirements/{named['primer']}?lang={language}")
    assert 'id="req-product-name"' not in unnamed.text and "Globex" not in unnamed.text


def test_a_viewer_reads_the_requirements_product_by_name(
    browser: Browser, companies: SeededCompanies, named: dict[str, int],
    sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        accounts.grant_role(session, accounts.get_workspace(session, "acme"),
                            accounts.ensure_user(session, "vera@acme.test", PASSWORD),
                            Role.VIEWER)
    browser.log_in("vera@acme.test", PASSWORD)

    page = browser.page(f"/requirements/{named['widgets']}?lang=hu")

    assert 'name="product"' not in page.text, "a viewer gets no form"
    assert text_of(page.text, "requirement-product") == "Widget, zinc-plated widget"
