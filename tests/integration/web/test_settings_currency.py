"""The workspace's currency (settings → "Money"): an owner changes it (CSRF, audit log, a
code that is not ISO 4217 refused naming the field), an analyst only sees it, and every
page that shows money writes it with that currency in EN/RU/HU: the home page's revenue,
the scorecard's money measures. On SQLite and PostgreSQL (the fixtures' engines)."""

from __future__ import annotations

import re

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import AuditEntry, MeasureRow, Workspace
from tests.integration.web.browsing import Browser, csrf_token_in, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies
from tests.integration.web.strategy_seed import seed_strategy

NBSP, MINUS = "\u00a0", "\u2212"


def _currency(sessions: sessionmaker[Session], workspace_id: int) -> str:
    with sessions() as session:
        found = session.scalar(select(Workspace.currency).where(Workspace.id == workspace_id))
    assert found is not None
    return found


def test_an_owner_sets_the_currency_and_every_page_writes_money_with_it(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    assert _currency(sessions, companies.acme_id) == "EUR"  # the default of every workspace
    browser.log_in(companies.bob, PASSWORD)  # owner of Acme
    page = browser.page("/settings")
    assert '<option value="EUR" selected>EUR – Euro</option>' in page.text
    assert text_of(browser.page("/").text, "figure-revenue") == (
        "Revenue, last 12 months €2,500 €2,500")
    token = csrf_token_in(page.text)

    assert browser.client.post("/settings/currency", data={"currency": "HUF"}).status_code == 403
    saved = browser.client.post("/settings/currency", data={"currency": "huf",
                                                            "csrf_token": token})
    assert saved.status_code == 303
    assert _currency(sessions, companies.acme_id) == "HUF"
    assert _currency(sessions, companies.globex_id) == "EUR"  # only this workspace's
    page = browser.page(saved.headers["location"])
    assert "The currency is saved." in page.text
    assert '<option value="HUF" selected>HUF – Hungarian Forint</option>' in page.text
    with sessions() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.entity == "workspace", AuditEntry.action == "update")).one()
    assert (entry.actor, entry.workspace_id) == (companies.bob, companies.acme_id)
    assert entry.detail == {"before": {"currency": "EUR"}, "after": {"currency": "HUF"}}

    # 1,200 + 800 + 500 in the last twelve months (tests/integration/web/test_home.py).
    assert text_of(browser.page("/?lang=hu").text, "figure-revenue") == (
        "Árbevétel, utolsó 12 hónap 2 500 Ft 2 500 Ft")
    assert text_of(browser.page("/?lang=en").text, "figure-revenue") == (
        "Revenue, last 12 months HUF 2,500 HUF 2,500")
    assert text_of(browser.page("/?lang=hu").text, "home-chart-table").endswith(
        "jún. 1 200 Ft – – 0")  # June 2025: 1,200

    browser.client.post("/settings/currency", data={"currency": "RUB", "csrf_token": token})
    russian = browser.page("/?lang=ru").text
    assert text_of(russian, "figure-revenue").endswith("2 500 ₽ 2 500 ₽")
    assert '"currency": ["", "\\u00a0\\u20bd"]' in russian  # the chart's axis locale: ₽ after


def test_a_code_that_is_not_a_currency_is_refused_naming_the_field(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    browser.log_in(companies.bob, PASSWORD)
    token = browser.session_token()
    for bad in ("EUROS", "ABC", "", "€"):
        refused = browser.client.post("/settings/currency", data={"currency": bad,
                                                                  "csrf_token": token})
        assert refused.status_code == 422, bad
        problem = text_of(refused.text, "currency-error")
        assert problem.startswith("Check this field: Currency.")
        assert "is not an ISO 4217 currency code" in problem
    hungarian = browser.client.post("/settings/currency?lang=hu", data={
        "currency": "FORINT", "csrf_token": token})
    assert text_of(hungarian.text, "currency-error").startswith(
        "Ellenőrizze ezt a mezőt: Pénznem.")
    assert _currency(sessions, companies.acme_id) == "EUR"
    with sessions() as session:
        assert session.scalars(select(AuditEntry).where(
            AuditEntry.entity == "workspace", AuditEntry.action == "update")).all() == []


def test_an_analyst_sees_the_currency_but_cannot_change_it(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    browser.log_in(companies.alice, PASSWORD)  # analyst of Acme
    page = browser.page("/settings?lang=ru")
    assert 'action="/settings/currency"' not in page.text
    assert text_of(page.text, "currency-value") == "EUR – евро"
    refused = browser.client.post("/settings/currency", data={
        "currency": "USD", "csrf_token": browser.session_token()})
    assert refused.status_code == 403
    assert "Изменить валюту может только владелец" in text_of(refused.text, "currency-refused")
    assert _currency(sessions, companies.acme_id) == "EUR"


def test_the_scorecard_writes_money_measures_in_the_workspace_currency(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    strategy = seed_strategy(sessions, companies)
    with sessions.begin() as session:
        # A measure bound to a money metric without a unit of its own has the unit
        # "money" (measure_store.metric_unit); the example's Revenue says "EUR" itself.
        session.execute(update(MeasureRow).where(
            MeasureRow.workspace_id == companies.acme_id, MeasureRow.key == "revenue"
        ).values(unit="money"))
        session.execute(update(Workspace).where(Workspace.id == companies.acme_id)
                        .values(currency="HUF"))
    browser.log_in(strategy.editor, strategy.password)

    hungarian = browser.page("/scorecard?lang=hu").text
    russian = browser.page("/scorecard?lang=ru").text
    english = browser.page("/scorecard?lang=en").text

    assert f"10{NBSP}120{NBSP}000{NBSP}Ft" in hungarian  # the latest actual of Revenue
    assert f"10{NBSP}120{NBSP}000{NBSP}HUF" in russian
    assert f"HUF{NBSP}10,120,000" in english
    assert "10,120,000 money" not in english


def test_every_currency_in_the_list_has_a_name_in_each_language(
    browser: Browser, companies: SeededCompanies
) -> None:
    """CLDR (Babel 2.18) names XCG and ZWG in English only; the form once offered
    "XCG – XCG" in Russian and Hungarian. Every option must read "CODE – name"."""
    browser.log_in(companies.bob, PASSWORD)  # owner of Acme: the form with the list
    expected = {
        "en": {"XCG": "Caribbean guilder", "ZWG": "Zimbabwean Gold"},  # CLDR's own
        "ru": {"XCG": "карибский гульден", "ZWG": "зимбабвийский золотой"},
        "hu": {"XCG": "karibi forint", "ZWG": "zimbabwei arany"},
    }
    for language, names in expected.items():
        page = browser.page(f"/settings?lang={language}").text
        select_html = page[page.index('<select id="currency"'):]
        select_html = select_html[:select_html.index("</select>")]
        options = dict(re.findall(r'<option value="([A-Z]{3})"[^>]*>([^<]*)</option>',
                                  select_html))  # fmt: skip
        assert len(options) > 150, language  # every currency some country pays with
        unnamed = {code: text for code, text in options.items()
                   if not text.startswith(f"{code} – ") or text.endswith(f" – {code}")}
        assert unnamed == {}, language
        for code, name in names.items():
            assert options[code] == f"{code} – {name}", language
