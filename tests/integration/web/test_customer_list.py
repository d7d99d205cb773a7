"""The customer list (SPEC §2.2, §2.12): filters that live in the URL, sortable columns with
12-month revenue and the last order, paging, and a CSV/XLSX download that holds exactly the
filtered list — in the reader's language, never another workspace's customers."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import segments
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Customer, Segment, Transaction
from tests.integration.web.browsing import Browser, csrf_token_in, text_of
from tests.integration.web.exported_files import download, downloaded_rows
from tests.integration.web.seed import PASSWORD, SeededCompanies

XSS = '<script>alert("x")</script>'
REFRESHED = datetime(2025, 7, 1)


def listed_ids(html: str) -> list[str]:
    """The external ids of the rows the list shows, in its order."""
    return re.findall(r'<tr data-customer="\d+"><td><a[^>]*>.*?</a>.*?'
                      r'<td class="one-line">([^<]+)</td>', html)


def add_customers(sessions: sessionmaker[Session], workspace_id: int) -> None:
    """Twelve customers with kinds, regions, industries, a primary segment and orders:
    revenue in the 12 months to the refresh (1 Jul 2024 – 30 Jun 2025) grows with the
    number; B-accounts in the north are the ones the tests filter for."""
    with transaction(sessions) as session:
        key = Segment(workspace_id=workspace_id, key="key", name="Key accounts")
        session.add(key)
        session.flush()
        for n in range(12):
            customer = Customer(
                workspace_id=workspace_id, external_id=f"B{n:02d}",
                kind="account" if n % 2 == 0 else "person",
                name=f"Buyer {n:02d}" if n != 5 else XSS,
                email=f"buyer{n}@example.com", region="north" if n < 8 else "south",
                industry="energy" if n % 3 == 0 else "construction",
                segment_id=key.id if n % 4 == 0 else None)
            session.add(customer)
            session.flush()
            session.add(Transaction(
                workspace_id=workspace_id, customer_id=customer.id,
                occurred_at=datetime(2025, 1, 1 + n), amount=100.0 * (n + 1), margin=1.0,
                product="widget", channel="web"))
            session.add(Transaction(  # too old for the 12 months, still the last order of none
                workspace_id=workspace_id, customer_id=customer.id,
                occurred_at=datetime(2023, 1, 1), amount=99_999.0, margin=1.0,
                product="widget", channel="web"))
        # the segment refresh of 1 July 2025 stored every customer's 12-month facts
        segments.refresh_segments(session, workspace_id, REFRESHED)


def test_filters_sorting_and_paging_stay_in_the_url(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    add_customers(sessions, companies.acme_id)
    browser.log_in(companies.alice, PASSWORD)

    page = browser.page("/customers?kind=account&region=north&sort=revenue_12m&order=desc")
    assert listed_ids(page.text) == ["B06", "B04", "B02", "B00"]
    assert text_of(page.text, "customers-heading") == "Customers found: 4"
    assert 'aria-sort="descending"' in page.text
    # revenue counts the 12 months to the refresh only (not the 99,999), and says so
    assert text_of(page.text, "revenue-window") == (
        "12-month revenue and last order: the orders from Jul 1, 2024, 12:00:00 AM up to "
        "Jul 1, 2025, 12:00:00 AM UTC, as the last segment refresh computed them.")
    assert 'id="facts-stale"' not in page.text
    assert "€700" in page.text and "99,999" not in page.text and "100,699" not in page.text
    # the form shows what is chosen; the download carries the same filters
    assert '<option value="account" selected>' in page.text
    assert 'href="/customers.csv?kind=account&amp;region=north&amp;sort=revenue_12m' \
           '&amp;order=desc"' in page.text

    energy = browser.page("/customers?industry=energy&segment=key")
    assert listed_ids(energy.text) == ["B00"]  # energy: 0, 3, 6, 9; key: 0, 4, 8
    unsegmented = browser.page("/customers?segment=-&q=buyer")
    assert sorted(listed_ids(unsegmented.text)) == [
        f"B{n:02d}" for n in range(12) if n % 4]  # B05 by its e-mail
    by_mail = browser.page("/customers?q=BUYER7@EXAMPLE")
    assert listed_ids(by_mail.text) == ["B07"]

    xss = browser.page("/customers?q=B05")
    assert XSS not in xss.text and "&lt;script&gt;" in xss.text

    # a header link flips the order and keeps the filters
    flipped = re.search(r'href="([^"]+)" id="sort-revenue_12m"', page.text)
    assert flipped
    ascending = browser.page(flipped.group(1).replace("&amp;", "&"))
    assert listed_ids(ascending.text) == ["B00", "B02", "B04", "B06"]


def test_pages_of_fifty_in_a_stable_order(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        session.add_all([Customer(workspace_id=companies.acme_id, external_id=f"P{n:03d}",
                                  kind="person", name="Same name", region="east")
                         for n in range(120)])
    browser.log_in(companies.alice, PASSWORD)
    seen: list[str] = []
    for number in (1, 2, 3):
        page = browser.page(f"/customers?region=east&page_number={number}")
        seen += listed_ids(page.text)
    assert len(seen) == 120 and len(set(seen)) == 120  # same names: the id keeps pages apart
    second = browser.page("/customers?region=east&page_number=2")
    assert 'href="/customers?region=east&amp;page_number=3" id="page-next"' not in second.text
    assert 'id="page-next" href="/customers?region=east&amp;page_number=3"' in second.text
    assert text_of(second.text, "customers-heading") == "Customers found: 120"


def test_the_download_is_the_filtered_list_in_the_readers_language(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    add_customers(sessions, companies.acme_id)
    browser.log_in(companies.alice, PASSWORD)
    query = "region=north&sort=revenue_12m&order=desc"
    shown = listed_ids(browser.page(f"/customers?{query}").text)

    rows = downloaded_rows(browser, f"/customers.csv?{query}", "customers.csv")
    assert rows[0] == ["Name", "External id", "Kind", "E-mail", "Region", "Industry",
                       "Segment", "Revenue, 12 months to 2025-07-01 00:00 UTC (EUR)",
                       "Last order before 2025-07-01 00:00 UTC"]
    assert [row[1] for row in rows[1:]] == shown
    top = rows[1]
    assert top[:3] == ["Buyer 07", "B07", "Person"]
    assert top[4:] == ["North", "Construction", "", "800.0", "2025-01-08"]
    assert [row[0] for row in rows if row[1] == "B05"] == ["'" + XSS] or \
        [row[0] for row in rows if row[1] == "B05"] == [XSS]

    sheet = downloaded_rows(browser, f"/customers.xlsx?{query}&lang=ru", "customers.xlsx")
    assert sheet[0][:3] == ["Название", "Внешний идентификатор", "Тип"]
    assert [row[1] for row in sheet[1:]] == shown
    assert sheet[1][7] == 800.0


def test_another_workspaces_customers_and_segments_never_show(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    add_customers(sessions, companies.globex_id)  # Globex's own "key" segment and buyers
    with sessions() as session:
        acme_ids = set(session.scalars(select(Customer.external_id).where(
            Customer.workspace_id == companies.acme_id)))
    browser.log_in(companies.alice, PASSWORD)
    page = browser.page("/customers?sort=revenue_12m&order=desc")
    assert set(listed_ids(page.text)) == acme_ids
    assert "Key accounts" not in page.text and "7,777,777" not in page.text
    assert listed_ids(browser.page("/customers?segment=key").text) == []
    rows = downloaded_rows(browser, "/customers.csv")
    assert {row[1] for row in rows[1:]} == acme_ids


def test_the_list_says_when_orders_came_after_its_figures_and_refreshes_them(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    add_customers(sessions, companies.acme_id)
    with transaction(sessions) as session:
        late = session.scalars(select(Customer).where(
            Customer.workspace_id == companies.acme_id, Customer.external_id == "B00")).one()
        session.add(Transaction(workspace_id=companies.acme_id, customer_id=late.id,
                                occurred_at=datetime(2025, 6, 30), amount=5_000.0,
                                margin=1.0, product="widget", channel="web"))  # fmt: skip
    browser.log_in(companies.bob, PASSWORD)  # Acme's owner: may refresh
    query = "/customers?kind=account&region=north&sort=revenue_12m&order=desc"
    page = browser.page(query)
    assert listed_ids(page.text) == ["B06", "B04", "B02", "B00"]  # the stored moment's order
    assert text_of(page.text, "facts-stale") == (
        "Recorded since then, not in these figures yet — orders: 1, customers: 0. Refresh now")
    russian = browser.page(query + "&lang=ru")
    assert "Записано после этого" in text_of(russian.text, "facts-stale")

    # "Refresh now": the segments and the facts move to now together
    owner = browser
    assert 'id="facts-refresh"' in page.text
    token = csrf_token_in(page.text)
    refreshed = owner.client.post("/customers/_facts/refresh", data={"csrf_token": token})
    assert refreshed.status_code == 303 and refreshed.headers["location"] == "/customers"
    page = owner.page(query)
    assert 'id="facts-stale"' not in page.text
    window = text_of(page.text, "revenue-window")
    this_year = f"{datetime.now(UTC).year}"
    assert window.count(this_year) == 1 and "2025 UTC" not in window  # 12 months to now
    # no order of this seed is in the 12 months to now: every account shows 0
    assert "€5,100" not in page.text and listed_ids(page.text) == ["B06", "B04", "B02", "B00"]
    assert owner.client.post("/customers/_facts/refresh", data={}).status_code != 303


def test_the_files_say_as_of_when_their_12_month_columns_hold_and_still_sort(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    add_customers(sessions, companies.acme_id)
    with transaction(sessions) as session:  # recorded after the refresh of 1 July 2025
        late = session.scalars(select(Customer).where(
            Customer.workspace_id == companies.acme_id, Customer.external_id == "B00")).one()
        session.add(Transaction(workspace_id=companies.acme_id, customer_id=late.id,
                                occurred_at=datetime(2025, 6, 30), amount=5_000.0,
                                margin=1.0, product="widget", channel="web"))  # fmt: skip
    browser.log_in(companies.bob, PASSWORD)  # Acme's owner, a viewer of Globex
    rows = downloaded_rows(browser, "/customers.csv?q=buyer", "customers.csv")
    assert rows[0][7:] == ["Revenue, 12 months to 2025-07-01 00:00 UTC (EUR)",
                           "Last order before 2025-07-01 00:00 UTC"]
    assert len(rows) == 13 and all(re.fullmatch(r"B\d\d", row[1]) for row in rows[1:])
    # one header row, then only customers: sorting the table by revenue sorts customers
    by_revenue = sorted(rows[1:], key=lambda row: float(row[7]), reverse=True)
    assert [row[1] for row in by_revenue[:3]] == ["B11", "B10", "B09"]
    assert {row[1]: row[7] for row in rows[1:]}["B00"] == "100.0"  # the stored moment's

    content = download(browser, "/customers.xlsx?q=buyer&lang=ru", "customers.xlsx").content
    workbook = load_workbook(BytesIO(content))
    table, about = workbook.worksheets
    header = [cell.value for cell in table[1]]
    assert header[7:] == ["Выручка за 12 месяцев до 2025-07-01 00:00 UTC (EUR)",
                          "Последний заказ до 2025-07-01 00:00 UTC"]
    values = [[cell.value for cell in row] for row in table.iter_rows(min_row=2)]
    assert len(values) == 12 and all(isinstance(row[7], int | float) for row in values)
    assert table.freeze_panes == "A2"
    assert about.title == "Об этих показателях"
    notes = {row[0].value: row[1].value for row in about.iter_rows()}
    assert notes == {
        "Показатели за 12 месяцев на момент (UTC)": REFRESHED,
        "Учтены заказы с (UTC, включительно)": datetime(2024, 7, 1),
        "Учтены заказы до (UTC, не включая)": REFRESHED,
        "Рассчитано обновлением сегментов в (UTC)": notes[
            "Рассчитано обновлением сегментов в (UTC)"],
        "Заказов записано с тех пор, не вошли в показатели": 1,
        "Клиентов добавлено с тех пор, не вошли в показатели": 0,
    }
    assert isinstance(notes["Рассчитано обновлением сегментов в (UTC)"], datetime)
    browser.page("/customers?lang=en")

    # Globex never refreshed: its figures are computed for the download, as of now
    switch = browser.client.post("/workspace", data={"workspace_id": str(companies.globex_id),
                                                     "csrf_token": browser.session_token()})
    assert switch.status_code in (302, 303)
    before = datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0)
    content = download(browser, "/customers.xlsx", "customers.xlsx").content
    table, about = load_workbook(BytesIO(content)).worksheets
    title = str(table.cell(row=1, column=8).value)
    moment = datetime.strptime(title, "Revenue, 12 months to %Y-%m-%d %H:%M UTC (EUR)")
    assert before <= moment <= datetime.now(UTC).replace(tzinfo=None)
    notes = {row[0].value: row[1].value for row in about.iter_rows()}
    assert notes["Computed"] == "for this download"
    assert {str(row[1].value) for row in table.iter_rows(min_row=2)} == {f"C{i}" for i in range(5)}
