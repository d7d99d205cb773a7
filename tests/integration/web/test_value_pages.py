"""The customer-value pages on the demo company: the same numbers as the shared analyses
(which the CLI and the API print), every account placed in a cell, the profit change
attributed exactly, exports of every customer, the cell filter, three languages."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from starlette.testclient import TestClient

from kano.adapters.db.orm import Customer
from kano.adapters.warehouse import ParquetSource, connect
from kano.adapters.web.formatting import NumberFormats
from kano.analytics.value import views
from kano.app import create_app
from kano.bootstrap import Container, build_container
from kano.config import Settings
from tests.integration.jobs.test_live_binding import demo_data, live, workspace_id
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.demo_session import backend, browser
from tests.warehouses import load_into

__all__ = ["backend", "browser", "demo_data", "live"]


def _number(text: str) -> float:
    """A figure as the English UI writes it: "1,234", "+56", "−7.5" (true minus), money
    in the demo workspace's currency: "+€23,039"."""
    plain = text.replace(",", "").replace("\u2212", "-").replace("+", "").replace("€", "")
    return float(plain.strip())


def test_matrix_page_places_every_account_in_a_cell_with_its_strategy(
    live: Container, browser: Browser, backend: Any
) -> None:
    expected = views.matrix_view(backend, workspace_id(live.sessions))
    page = browser.client.get("/value/matrix?lang=en")

    assert page.status_code == 200
    cells = re.findall(r'data-cell="(\w+-\w+)">\s*<a [^>]*><strong class="matrix-count">'
                       r'([\d,]+)</strong></a>\s*<span class="cell-note">([^<]+)</span>',
                       page.text)  # fmt: skip
    assert len(cells) == 9
    shown = {cell: (int(count.replace(",", "")), strategy) for cell, count, strategy in cells}
    for cell in expected.cells:
        key = f"{cell['attractiveness_level']}-{cell['relationship_level']}"
        assert shown[key] == (cell["accounts"], cell["strategy"].replace("'", "&#39;"))
    assert sum(count for count, _strategy in shown.values()) == len(expected.accounts) > 100
    assert 'data-vega-spec="matrix-chart-spec"' in page.text


def test_the_cell_filter_lists_only_that_cells_accounts(browser: Browser) -> None:
    page = browser.client.get("/value/matrix?cell=high-low&lang=en").text

    listed = re.findall(r'<tr data-cell="([\w-]+)"><td><a href="/customers/\d+">', page)
    assert listed and set(listed) == {"high-low"}
    assert "Invest: raise loyalty" in page


def test_profit_waterfall_attributes_the_change_exactly(
    live: Container, browser: Browser, backend: Any
) -> None:
    report = views.profit_view(backend, workspace_id(live.sessions))
    page = browser.client.get("/value/profit?lang=en").text

    rows = dict(re.findall(r'<tr data-lever="(\w+)">.*?<td class="number">([^<]+)</td></tr>',
                           page, re.S))  # fmt: skip
    assert set(rows) == {lever["lever"] for lever in report["levers"]}
    for lever in report["levers"]:
        assert _number(rows[lever["lever"]]) == pytest.approx(lever["contribution"], abs=0.5)
    contributions = sum(lever["contribution"] for lever in report["levers"])
    assert contributions == pytest.approx(report["change"], rel=1e-12, abs=1e-6)
    assert report["change"] != 0
    assert 'data-vega-spec="profit-chart-spec"' in page


def test_profit_levers_read_in_their_own_terms(
    live: Container, browser: Browser, backend: Any
) -> None:
    """Conversion and margin as percentages, leads, money and costs whole, the lifetime with
    two decimals: the QA pass found "Leads 42.000", "Margin 0.242" and "Costs 0.000"."""
    report = views.profit_view(backend, workspace_id(live.sessions))
    page = browser.client.get("/value/profit?lang=ru").text

    cells = dict(re.findall(r'<tr data-lever="(\w+)"><td>[^<]*</td><td class="number">'
                            r'([^<]+)</td>', page))  # fmt: skip
    before = {lever["lever"]: lever["before"] for lever in report["levers"]}
    assert set(cells) == set(before)
    russian = {"\u00a0€": "", "\u00a0%": "", "\u00a0": "", ",": "."}

    def shown(key: str) -> float:
        text = cells[key]
        for written, plain in russian.items():
            text = text.replace(written, plain)
        return float(text)

    for share in ("conversion", "margin"):
        assert cells[share].endswith("\u00a0%")  # CLDR's Russian percent, unbroken
        assert shown(share) == pytest.approx(100 * before[share], abs=0.05)
    assert re.fullmatch(r"[\d\u00a0]+", cells["leads"]), cells["leads"]
    for money in ("value_per_period", "costs"):  # in the workspace's currency, after in ru
        assert re.fullmatch(r"[\d\u00a0]+\u00a0€", cells[money]), cells[money]
    for whole in ("leads", "value_per_period", "costs"):
        assert shown(whole) == pytest.approx(before[whole], abs=0.5)
    assert re.fullmatch(r"[\d\u00a0]+,\d\d", cells["lifetime"])
    assert shown("lifetime") == pytest.approx(before["lifetime"], abs=0.005)


ENGLISH_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                  "Dec"]  # fmt: skip
RUSSIAN_MONTHS = ["янв", "февр", "мар", "апр", "ма", "июн", "июл", "авг", "сент", "окт", "нояб",
                  "дек"]  # fmt: skip


def _months(period: list[str]) -> tuple[int, int, int, int]:
    """The first and the last month (inclusive) of a period given with its exclusive end."""
    first, end = (date.fromisoformat(day) for day in period)
    last = end.year * 12 + end.month - 2
    return first.year, first.month, last // 12, last % 12 + 1


def test_profit_heading_names_two_periods_that_do_not_overlap(
    live: Container, browser: Browser, backend: Any
) -> None:
    """The QA pass read "From 2026-04-01 – 2026-07-01 to 2026-07-01 – 2026-10-01": the ends
    are exclusive, so the periods looked as if they shared a day. Now the months shown are
    the ones counted, in the page's language."""
    report = views.profit_view(backend, workspace_id(live.sessions), months=3)
    before, after = _months(report["before_period"]), _months(report["after_period"])
    assert (after[0] * 12 + after[1]) - (before[2] * 12 + before[3]) == 1  # adjacent

    english = text_of(browser.client.get("/value/profit?months=3&lang=en").text,
                      "waterfall-heading")  # fmt: skip
    russian = text_of(browser.client.get("/value/profit?months=3&lang=ru").text,
                      "waterfall-heading")  # fmt: skip

    for heading in (english, russian):
        assert not re.search(r"\d{4}-\d\d-\d\d", heading), heading
    assert english.startswith("From ") and " to " in english
    for year, month, last_year, last_month in (before, after):
        start, stop = ENGLISH_MONTHS[month - 1], ENGLISH_MONTHS[last_month - 1]
        if year == last_year:
            shown = rf"{start}\W+{stop} {last_year}"
        else:
            shown = rf"{start} {year}\W+{stop} {last_year}"
        assert re.search(shown, english), (shown, english)
        assert re.search(rf"{RUSSIAN_MONTHS[month - 1]}\w*\.?\W+(\d{{4}}\W+)?"
                         rf"{RUSSIAN_MONTHS[last_month - 1]}\w*\.? {last_year}",
                         russian), russian  # fmt: skip
    assert "→" in russian


def test_rfm_page_shows_each_segments_revenue_and_the_moves(
    live: Container, browser: Browser, backend: Any
) -> None:
    view = views.rfm_view(backend, workspace_id(live.sessions))
    page = browser.client.get("/value/rfm?transitions_from=2025-11-01&lang=en").text

    for segment in view.segments:
        row = re.search(rf'<tr data-segment="{re.escape(segment["segment"])}">(.*?)</tr>'
                        .replace("'", "&#39;"), page.replace("'", "&#39;"), re.S)  # fmt: skip
        assert row, segment["segment"]
        assert f"{segment['customers']:,}" in row.group(1)
    assert 'data-vega-spec="rfm-moves-chart-spec"' in page


def test_rfm_lists_the_customers_worth_most_first(
    live: Container, browser: Browser, backend: Any
) -> None:
    """The QA pass found the RFM table's 100 rows were the first customers by internal id,
    an arbitrary tenth of them: it lists them by revenue now, as the matrix, CLV and churn
    pages list theirs by what matters, and says so."""
    customers = views.rfm_view(backend, workspace_id(live.sessions)).customers
    page = browser.page("/value/rfm?lang=en").text
    assert text_of(page, "customers-heading") == (
        f"Customers by revenue (100 of {len(customers):,})")
    table = page[page.index('id="rfm-customers"'):]
    listed = [int(i) for i in re.findall(r'<a href="/customers/(\d+)">', table)]
    richest = sorted(customers, key=lambda c: (-c["monetary"], c["customer_id"]))[:100]
    assert [float(c["monetary"]) for c in customers if int(c["customer_id"]) in listed[:1]] == [
        float(richest[0]["monetary"])]
    shown = {int(c["customer_id"]): float(c["monetary"]) for c in customers}
    assert [shown[i] for i in listed] == sorted((shown[i] for i in listed), reverse=True)
    assert min(shown[i] for i in listed) == float(richest[-1]["monetary"])
    assert "Клиенты по выручке (100 из" in browser.page("/value/rfm?lang=ru").text


def test_each_rfm_segment_lists_its_own_customers_and_exports_them(
    live: Container, browser: Browser, backend: Any
) -> None:
    """A marketer reads "At risk: 129 customers" and wants those people: the segment's
    name links to its list (the page's other options kept), and the CSV holds the same."""
    view = views.rfm_view(backend, workspace_id(live.sessions), as_of=date(2026, 6, 1))
    at_risk = {int(c["customer_id"]) for c in view.customers if c["segment"] == "At risk"}
    assert 0 < len(at_risk) < len(view.customers)
    start = browser.page("/value/rfm?as_of=2026-06-01&lang=en").text
    found = re.search(r'<tr data-segment="At risk"><td><a href="([^"]+)"', start)
    assert found
    link = html.unescape(found.group(1))
    assert "as_of=2026-06-01" in link and "rfm=At+risk" in link

    page = browser.page(link + "&lang=en").text
    assert text_of(page, "customers-heading") == (
        f"“At risk” customers by revenue ({min(len(at_risk), 100)} of {len(at_risk)})")
    table = page[page.index('id="rfm-customers"'):]
    listed = {int(i) for i in re.findall(r'<a href="/customers/(\d+)">', table)}
    assert listed and listed <= at_risk
    every = re.search(r'<a href="([^"]+)" id="rfm-all"', page)
    assert every and html.unescape(every.group(1)) == "/value/rfm?as_of=2026-06-01"
    link, rows = _exported(browser, link)
    assert "rfm=At+risk" in link
    assert {_internal(live)[r["Customer ID"]] for r in rows} == at_risk
    ru = browser.page("/value/rfm?rfm=At+risk&lang=ru").text
    assert text_of(ru, "customers-heading").startswith("Клиенты сегмента «Под угрозой» по выручке")


def test_clv_and_churn_pages_show_the_fits_and_the_model_quality(
    live: Container, browser: Browser, backend: Any
) -> None:
    churn = views.churn_view(backend, workspace_id(live.sessions))
    clv = browser.client.get("/value/clv?lang=en").text
    risk = browser.client.get("/value/churn?lang=en").text

    assert re.search(r'<table id="clv-fits">.*?<td class="number">[\d.]+</td>', clv, re.S)
    assert 'data-vega-spec="clv-holdout-chart-spec"' in clv
    auc = re.search(r'id="churn-auc"><dt>AUC</dt><dd class="figure-value">([\d.]+)<', risk)
    assert auc and float(auc.group(1)) == pytest.approx(churn.quality["holdout_auc"], abs=5e-4)


def test_churn_reasons_name_the_features_in_the_pages_language(
    live: Container, browser: Browser, backend: Any
) -> None:
    """The QA pass found "recency_days (+0.13); spend_recent (+0.00)" on every language's
    page: now the features' names, the added risk in percentage points, no empty reason."""
    first = views.churn_view(backend, workspace_id(live.sessions)).customers[0]
    page = browser.client.get("/value/churn?lang=ru").text

    shown = re.findall(r'<td class="churn-reasons">([^<]*)</td>', page)
    assert len(shown) > 50
    expected = "; ".join(
        f"{RUSSIAN_FEATURES[name]} (+{_points(added, 'ru')} п. п.)"
        for name, added in re.findall(r"(\w+) \(\+([\d.]+)\)", first["reasons"])
        if _visible(added))  # fmt: skip
    assert shown[0] == expected
    assert not any(re.search(r"[a-z]_[a-z]|\+0 |\+0,0 ", reasons) for reasons in shown)


def _points(added: str, language: str) -> str:
    """An added risk (a share) in percentage points as the page writes them: one decimal
    below 10 points, none above ("+0,4", "+13")."""
    points = 100 * float(added)
    digits = 1 if points < 10 else 0
    return NumberFormats(language).decimal(round(points, digits), digits)


def _visible(added: str) -> bool:
    """Whether an added risk shows as more than "+0.0 pp"."""
    return round(100 * float(added), 1) > 0


def test_customer_360_names_the_churn_reasons_in_hungarian(
    live: Container, browser: Browser, backend: Any
) -> None:
    """The QA pass read "delivery_delay_days (+0.00); order_trend (+0.00)" on a Hungarian
    customer 360: now the features' names and the added risk in percentage points, precise
    enough that a small one does not read 0, and no reason that adds nothing."""
    customers = views.churn_view(backend, workspace_id(live.sessions)).customers
    riskiest, safest = customers[0], customers[-1]
    for customer in (riskiest, safest):
        page = browser.client.get(f"/customers/{customer['customer_id']}?lang=hu").text
        shown = re.search(r'<p id="customer-churn-reasons">([^<]*)</p>', page)
        assert shown, page
        reasons = [(name, added) for name, added in
                   re.findall(r"(\w+) \(\+([\d.]+)\)", customer["reasons"])
                   if _visible(added)]  # fmt: skip
        if reasons:
            named = "; ".join(f"{HUNGARIAN_FEATURES[name]} (+{_points(added, 'hu')} százalékpont)"
                              for name, added in reasons)  # fmt: skip
            assert shown.group(1) == f"Mi növeli leginkább a lemorzsolódási kockázatot: {named}"
        else:
            assert "Egyetlen jellemző sem növeli" in shown.group(1)
        assert not re.search(r"[a-z]_[a-z]|\+0,0 |\d\.\d", shown.group(1))


HUNGARIAN_FEATURES = {  # the churn model's features as the Hungarian catalogue names them
    "call_wait_seconds": "Várakozási idő hívásnál", "ces_recent": "Friss CES",
    "csat_recent": "Friss CSAT", "delivery_delay_days": "Szállítási késés",
    "last_nps": "Utolsó NPS-válasz", "late_payment_share": "Késedelmes fizetések aránya",
    "order_trend": "Rendelési trend", "orders_recent": "Friss rendelések",
    "recency_days": "Napok az utolsó rendelés óta",
    "segment_churn_rate": "A szegmens lemorzsolódása",
    "spend_recent": "Friss költés", "support_contacts": "Ügyfélszolgálati kapcsolatok",
    "tenure_days": "Napok ügyfélként", "loyalty_activity_recent": "Hűségprogram-aktivitás",
}
RUSSIAN_FEATURES = {  # the churn model's features as the Russian catalogue names them
    "call_wait_seconds": "Время ожидания на линии", "ces_recent": "Недавний CES",
    "csat_recent": "Недавний CSAT", "delivery_delay_days": "Задержка доставки",
    "last_nps": "Последний ответ NPS", "late_payment_share": "Доля просроченных оплат",
    "order_trend": "Тренд заказов", "orders_recent": "Недавние заказы",
    "recency_days": "Дней с последнего заказа", "segment_churn_rate": "Отток сегмента",
    "spend_recent": "Недавние траты", "support_contacts": "Обращения в поддержку",
    "tenure_days": "Дней в статусе клиента",
}


def test_exports_hold_every_customer(live: Container, browser: Browser, backend: Any) -> None:
    expected = views.rfm_view(backend, workspace_id(live.sessions)).customers
    exported = browser.client.get("/value/rfm.csv?lang=en")

    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(rows) == len(expected)
    ids = _internal(live)
    assert {ids[r["Customer ID"]] for r in rows} == {int(c["customer_id"]) for c in expected}
    workbook = load_workbook(io.BytesIO(browser.client.get("/value/clv.xlsx").content))
    assert workbook.active is not None and workbook.active.max_row > 100


def _internal(live: Container) -> dict[str, int]:
    """The demo customers' internal ids by the external ids the files name them with."""
    with live.sessions() as session:
        return {external: int(i) for i, external in session.execute(
            select(Customer.id, Customer.external_id).where(
                Customer.workspace_id == workspace_id(live.sessions)))}  # fmt: skip


def _exported(browser: Browser, path: str) -> tuple[str, list[dict[str, str]]]:
    """The page's CSV link, and the rows of the file behind it."""
    found = re.search(r'id="export-csv" href="([^"]+)"', browser.page(path).text)
    assert found, f"no CSV link on {path}"
    link = html.unescape(found.group(1))
    body = browser.page(link + ("&" if "?" in link else "?") + "lang=en").content.decode(
        "utf-8-sig")
    return link, list(csv.DictReader(io.StringIO(body)))


def test_exports_hold_the_numbers_of_the_page_as_shown(
    live: Container, browser: Browser, backend: Any
) -> None:
    """The QA pass chose a scoring day, a CLV horizon and the boosting churn model, then
    downloaded: the files held the default day, 52 weeks and the logistic model. The links
    carry the page's options, so a file has the numbers its page shows."""
    ws = workspace_id(live.sessions)
    link, rows = _exported(browser, "/value/rfm?as_of=2025-12-01")
    assert "as_of=2025-12-01" in link
    then = views.rfm_view(backend, ws, as_of=date(2025, 12, 1)).customers
    now = views.rfm_view(backend, ws).customers
    ids = _internal(live)
    segments = {(ids[r["Customer ID"]], r["RFM segment"]) for r in rows}
    assert segments == {(int(c["customer_id"]), c["segment"]) for c in then}
    assert segments != {(int(c["customer_id"]), c["segment"]) for c in now}

    link, rows = _exported(browser, "/value/clv?horizon=104")
    assert "horizon=104" in link
    two_years = views.clv_view(backend, ws, horizon=104.0).customers
    exported = sum(float(r["CLV (EUR)"]) for r in rows)  # to the cent
    assert exported == pytest.approx(sum(float(c["clv"]) for c in two_years),
                                     abs=0.005 * len(rows))
    assert exported > 1.2 * sum(float(c["clv"]) for c in views.clv_view(backend, ws).customers)

    link, rows = _exported(browser, "/value/churn?method=boosting")
    assert "method=boosting" in link
    boosted = views.churn_view(backend, ws, method="boosting").customers
    assert {ids[r["Customer ID"]]: float(r["Churn risk (%)"]) for r in rows} == pytest.approx(
        {int(c["customer_id"]): 100 * float(c["churn_risk"]) for c in boosted}, abs=0.0501)


@pytest.mark.parametrize(("language", "sign"), [("en", "%"), ("hu", "%"), ("ru", "\u00a0%")])
def test_percentages_are_written_the_languages_way(
    browser: Browser, language: str, sign: str
) -> None:
    """The QA pass read "5 %" with a plain space on every language: English and Hungarian
    write "5%", Russian "5 %" with a non-breaking space (CLDR), on pages and in charts."""
    churn = browser.client.get(f"/value/churn?lang={language}").text
    base_rate = re.search(r'id="churn-base-rate"><dt>[^<]*</dt><dd class="figure-value">'
                          r'([^<]*)</dd>', churn)  # fmt: skip
    assert base_rate and re.fullmatch(r"\d+[.,]\d" + sign, base_rate.group(1)), base_rate
    risks = re.findall(r'<td class="number">(\d+\D*%)</td>', churn)
    assert risks and all(re.fullmatch(r"\d+" + sign, risk) for risk in risks), risks[:3]
    assert f'"percent": "{json.dumps(sign)[1:-1]}"' in churn  # the charts' number locale


def test_pages_speak_russian_and_hungarian(browser: Browser) -> None:
    assert "Клиентская матрица" in browser.client.get("/value/matrix?lang=ru").text
    assert "Nyereségképlet" in browser.client.get("/value/profit?lang=hu").text
    assert "Lemorzsolódási kockázat" in browser.client.get("/value/churn?lang=hu").text


def test_bad_input_is_named_and_escaped(browser: Browser) -> None:
    page = browser.client.get("/value/rfm", params={"segment": "<script>x</script>",
                                                    "lang": "en"}).text  # fmt: skip
    assert "unknown segment" in page
    assert "<script>x</script>" not in page
    assert "as_of" in browser.client.get("/value/rfm?as_of=2026-13-40&lang=en").text


def test_customer_360_shows_value_risk_feedback_and_orders(
    live: Container, browser: Browser, backend: Any
) -> None:
    workspace = workspace_id(live.sessions)
    churn = views.churn_view(backend, workspace).customers[0]
    customer = int(churn["customer_id"])
    rfm = {int(r["customer_id"]): r for r in views.rfm_view(backend, workspace).customers}

    with live.sessions() as session:
        external_id = session.get(Customer, customer).external_id  # type: ignore[union-attr]
    found = browser.client.get("/customers", params={"q": external_id, "lang": "en"})
    page = browser.client.get(f"/customers/{customer}?lang=en")

    assert found.status_code == 200 and f'href="/customers/{customer}"' in found.text
    assert page.status_code == 200
    risk = re.search(r'id="customer-churn"><dt>Churn risk</dt><dd class="figure-value">(\d+)%',
                     page.text)  # fmt: skip
    assert risk and int(risk.group(1)) == round(100 * churn["churn_risk"])
    if customer in rfm:
        assert f'R{rfm[customer]["r"]} F{rfm[customer]["f"]} M{rfm[customer]["m"]}' in page.text
    orders = re.search(r"Orders \(latest (\d+) of (\d+)\)", page.text)
    assert orders and int(orders.group(2)) > 0
    assert page.text.count("<tr>", page.text.index('id="customer-history"')) >= 4
    # An account's cell, "high × medium", says which level is which (the QA pass could not
    # tell), on the card and over the history's column.
    account = int(views.matrix_view(backend, workspace).accounts[0]["customer_id"])
    en = browser.page(f"/customers/{account}?lang=en").text
    assert text_of(en, "customer-cell-axes") == "attractiveness × relationship"
    assert "Client-matrix cell (attractiveness × relationship)" in text_of(en, "customer-history")
    ru = browser.page(f"/customers/{account}?lang=ru").text
    assert text_of(ru, "customer-cell-axes") == "привлекательность × отношения"


def test_customer_360_writes_a_tiny_churn_risk_as_below_one_percent(
    live: Container, browser: Browser, backend: Any
) -> None:
    """The QA pass read "Churn risk 0%" for a loyal key account: a model's risk is small,
    never nil, so below half a percent it reads "<1%" ("<1\u00a0%" in Russian)."""
    scored = views.churn_view(backend, workspace_id(live.sessions)).customers
    tiny = min(scored, key=lambda c: float(c["churn_risk"]))
    assert float(tiny["churn_risk"]) < 0.005
    customer = int(tiny["customer_id"])
    en = text_of(browser.page(f"/customers/{customer}?lang=en").text, "customer-churn")
    assert en.startswith("Churn risk <1%"), en
    ru = browser.page(f"/customers/{customer}?lang=ru").text
    assert "<dd class=\"figure-value\">&lt;1\u00a0%</dd>" in ru


def test_customer_360_finds_by_name_and_refuses_unknown_ids(browser: Browser) -> None:
    listing = browser.client.get("/customers?lang=en").text
    first = re.search(r'<tr data-customer="(\d+)"><td><a href="/customers/\d+">([^<]+)</a>',
                      listing)  # fmt: skip
    assert first
    name = first.group(2).split()[0]
    searched = browser.client.get("/customers", params={"q": name, "lang": "en"}).text
    assert f'data-customer="{first.group(1)}"' in searched
    assert browser.client.get("/customers/987654321?lang=en").status_code == 404


CHARTED = ("/value/rfm?transitions_from=2025-11-01", "/value/matrix", "/value/profit",
           "/value/clv", "/value/churn")  # fmt: skip
CHANNELS = ("x", "y", "color", "size", "strokeDash")


def _chart_specs(page: str) -> dict[str, dict[str, Any]]:
    """Each chart's Vega-Lite spec as the page embeds it, by the chart's id."""
    found = re.findall(r'<script type="application/json" id="([\w-]+)-spec">(.*?)</script>',
                       page, re.S)  # fmt: skip
    return {chart: json.loads(text) for chart, text in found}


def _titles(spec: Any) -> list[str | None]:
    """The title of every axis, legend and tooltip line of a spec and its layers; a tooltip
    line without one (Vega shows the field's name, "importance") counts as None."""
    titles: list[str | None] = []
    if isinstance(spec, dict):
        encoding = spec.get("encoding", {})
        for channel in CHANNELS:
            shown = encoding.get(channel)
            if isinstance(shown, dict) and "field" in shown and shown.get("axis", "") is not None \
                    and shown.get("legend", "") is not None and shown.get("title", "") is not None:
                titles.append(shown.get("title"))
        tooltip = encoding.get("tooltip", [])
        titles.extend(line.get("title") for line in tooltip if isinstance(tooltip, list))
        for value in spec.values():
            titles.extend(_titles(value))
    elif isinstance(spec, list):
        for item in spec:
            titles.extend(_titles(item))
    return titles


@pytest.mark.parametrize("language", ["ru", "hu"])
def test_value_charts_read_in_the_pages_language(browser: Browser, language: str) -> None:
    """The QA pass found the value charts' axes in English on Russian and Hungarian pages:
    numbers with the English decimal point and comma grouping, tooltips titled by field
    names ("importance", "purchases"). Every chart now carries the language's number locale
    and a translated title on each axis, legend and tooltip line."""
    neutral = {"CLV"}  # the same word in every language
    for path in CHARTED:
        english = _chart_specs(browser.client.get(f"{path}&lang=en" if "?" in path
                                                  else f"{path}?lang=en").text)  # fmt: skip
        local = _chart_specs(browser.client.get(f"{path}&lang={language}" if "?" in path
                                                else f"{path}?lang={language}").text)  # fmt: skip
        assert local and set(local) == set(english), path
        for chart, spec in local.items():
            locale = spec["usermeta"]["embedOptions"]["formatLocale"]
            assert (locale["decimal"], locale["thousands"]) == (",", "\u00a0"), chart
            assert english[chart]["usermeta"]["embedOptions"]["formatLocale"]["decimal"] == "."
            titles, english_titles = _titles(spec), _titles(english[chart])
            assert None not in titles and None not in english_titles, (chart, titles)
            assert len(titles) == len(english_titles)
            untranslated = set(titles) & (set(english_titles) - neutral)
            assert not untranslated, (chart, untranslated)


@pytest.mark.parametrize(
    ("language", "words"),
    [("hu", "saját átlagos rendelési értéke"), ("ru", "собственный средний чек")],
)
def test_the_clv_page_says_in_the_readers_language_which_segment_is_valued_by_own_average(
    live: Container, browser: Browser, backend: Any, language: str, words: str
) -> None:
    """The demo's key accounts: Gamma-Gamma's limit p → ∞ (no spread per order), each
    account's expected spend its own average order value; the page says so per segment."""
    view = views.clv_view(backend, workspace_id(live.sessions))
    page = browser.client.get(f"/value/clv?lang={language}").text
    own = [f.segment for f in view.fits if f.gg.own_average]

    assert own == ["key_account"] and not view.problems
    note = page[page.index('id="clv-own-average"'):]
    note = note[:note.index("</ul>")]
    assert re.findall(r'data-segment="([^"]*)"', note) == own
    assert words in text_of(page, "clv-own-average")
    for fit in view.customers:
        if fit["segment"] == "key_account" and fit["frequency"] > 0:
            assert fit["expected_spend"] == fit["monetary"]


def test_clv_and_churn_tables_name_each_customer_and_link_their_page(
    live: Container, browser: Browser
) -> None:
    """The QA pass found the churn and CLV tables listing internal numbers. Each row now
    names the customer as the app database does and links their 360 page."""
    workspace = workspace_id(live.sessions)
    for path, table in (("/value/clv?lang=hu", "clv-customers"),
                        ("/value/churn?lang=ru", "churn-customers")):  # fmt: skip
        page = browser.client.get(path).text
        body = page[page.index(f'<table id="{table}">'):]
        body = body[:body.index("</table>")]
        links = re.findall(r'<tr><td><a href="/customers/(\d+)">([^<]+)</a></td>', body)
        assert len(links) == 100, path
        with live.sessions() as session:
            names = dict(session.execute(
                select(Customer.id, Customer.name).where(Customer.workspace_id == workspace)
            ).all())  # fmt: skip
        for customer, shown in links:
            assert html.unescape(shown) == names[int(customer)], (path, customer)
            assert not shown.strip().isdigit()
    first = links[0][0]
    profile = browser.client.get(f"/customers/{first}?lang=en")
    assert profile.status_code == 200 and names[int(first)] in html.unescape(profile.text)


def _fits(page: str) -> list[list[str]]:
    """The rows of the CLV page's table of fitted models, as the page shows them."""
    table = page[page.index('<table id="clv-fits">'):]
    rows = re.findall(r"<tr><td>(.*?)</td></tr>", table[:table.index("</table>")], re.S)
    return [re.split(r"</td><td[^>]*>", row) for row in rows]


def test_a_load_of_new_orders_refits_the_clv_page(
    live: Container, demo_data: Path, tmp_path: Path
) -> None:
    """The pages keep the fitted models until a load changes the data: the same answer
    again at once, and after the later orders arrive, the fit of the data as loaded then."""
    workspace = workspace_id(live.sessions)
    earlier = tmp_path / "earlier"
    shutil.copytree(demo_data, earlier)
    orders = pq.read_table(demo_data / "transactions.parquet")
    cut = pc.less(orders["occurred_at"], pa.scalar(datetime(2026, 9, 1), pa.timestamp("us")))
    pq.write_table(orders.filter(cut), earlier / "transactions.parquet")
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    load_into(url, ParquetSource(earlier), workspace)
    container = build_container(Settings(
        database_url=live.settings.database_url, warehouse_url=url,
        secret_key="test-secret-key-0123456789abcdef", demo_data_dir=str(demo_data)))  # fmt: skip
    try:
        reader = Browser(TestClient(create_app(container=container), follow_redirects=False))
        reader.log_in("helen.carter@northwind.example", "demo")
        first = reader.page("/value/clv?lang=en").text
        before = _fits(first)
        again = _fits(reader.page("/value/clv?lang=en").text)
        load_into(url, ParquetSource(demo_data), workspace)  # September and October arrive
        after = _fits(reader.page("/value/clv?lang=en").text)
    finally:
        container.close()
    backend = connect(url, read_only=True)
    try:
        expected = views.clv_view(backend, workspace).parameters()
    finally:
        backend.disconnect()

    # The key accounts' Gamma-Gamma likelihood rises for ever along p, up to September and
    # after: the page values them by each one's own average order value and says so.
    assert again == before
    assert [row[0] for row in before] == [
        "Consumers", "Key accounts", "Small and medium businesses"]  # fmt: skip
    assert [row[7:10:2] for row in before][1] == ["∞", "—"]  # p and gamma
    assert "clv-not-fitted" not in first
    assert text_of(first, "clv-own-average") == (
        "Key accounts: expected spend is each customer's own average order value: the data "
        "show no spread per order (p = ∞, the Gamma-Gamma model's limit).")  # fmt: skip
    assert len(after) == len(expected) == 3
    assert after != before
    for row, fit in zip(after, expected, strict=True):
        assert _number(row[1]) == fit["customers"]
        shown = [_number(cell) for cell in row[2:6]]  # BG/NBD r, alpha, a, b
        wanted = [fit["bg_nbd"][name] for name in ("r", "alpha", "a", "b")]
        assert shown == pytest.approx(wanted, abs=0.0015, rel=1e-3)
    assert sum(_number(row[1]) for row in after) > sum(_number(row[1]) for row in before)


def test_value_pages_write_money_in_the_workspace_currency(
    live: Container, browser: Browser
) -> None:
    """Headline figures, table cells and the charts' number locale follow Settings → Money:
    forints on a Hungarian page ("9 650 000 Ft"), never a bare number or a euro sign."""
    from kano.adapters.db.orm import Workspace

    ws = workspace_id(live.sessions)
    with live.sessions.begin() as session:
        session.get(Workspace, ws).currency = "HUF"  # type: ignore[union-attr]
    try:
        profit = browser.client.get("/value/profit?lang=hu").text
        headline = r'id="profit-before"><dt>[^<]*</dt><dd class="figure-value">'
        assert re.search(headline + r"[\d,\u00a0]+\u00a0[A-Za-z]*\u00a0?Ft</dd>", profit)
        change = re.search(r'<tr class="total">.*?</tr>', profit, re.S)
        assert change and change.group(0).count("Ft") == 3 and "€" not in change.group(0)
        assert '"currency": ["", "\\u00a0Ft"]' in profit  # the waterfall's axis locale
        rfm = browser.client.get("/value/rfm?lang=hu").text
        assert re.search(r'<td class="number">[\d\u00a0]+\u00a0Ft</td>', rfm)
        clv = browser.client.get("/value/clv?lang=en").text
        assert re.search(r'id="clv-total"><dt>[^<]*</dt><dd class="figure-value">HUF', clv)
    finally:
        with live.sessions.begin() as session:
            session.get(Workspace, ws).currency = "EUR"  # type: ignore[union-attr]


def test_value_exports_name_the_workspace_currency_in_money_headers(
    live: Container, browser: Browser
) -> None:
    """A downloaded table says which money its amounts are in, as the metric explorer's
    files do ("Value (HUF)"): money columns carry the workspace's currency, others not."""
    from kano.adapters.db.orm import Workspace

    ws = workspace_id(live.sessions)
    with live.sessions.begin() as session:
        session.get(Workspace, ws).currency = "HUF"  # type: ignore[union-attr]
    try:
        def csv_header(analysis: str) -> list[str]:
            body = browser.client.get(f"/value/{analysis}.csv?lang=hu").content.decode("utf-8-sig")
            return next(csv.reader(io.StringIO(body)))

        rfm = csv_header("rfm")
        assert "Árbevétel (HUF)" in rfm and "Rendelések" in rfm and "Ügyfélazonosító" in rfm
        assert "Árbevétel az elmúlt 365 napban (HUF)" in csv_header("matrix")
        assert "Hozzájárulás a változáshoz (HUF)" in csv_header("profit")
        assert not any("HUF" in title for title in csv_header("churn"))
        workbook = load_workbook(io.BytesIO(browser.client.get("/value/clv.xlsx?lang=en")
                                            .content))  # fmt: skip
        assert workbook.active is not None
        header = [cell.value for cell in workbook.active[1]]
        assert {"Average repeat purchase (HUF)", "Expected spend per purchase (HUF)",
                "CLV (HUF)"} <= set(header)  # fmt: skip
        assert "Probability alive (%)" in header
        assert not any("EUR" in str(title) for title in header)
    finally:
        with live.sessions.begin() as session:
            session.get(Workspace, ws).currency = "EUR"  # type: ignore[union-attr]


@pytest.mark.parametrize(("language", "labels"), [
    ("en", {"north": "North", "food_processing": "Food processing"}),
    ("ru", {"north": "Север", "food_processing": "Пищевая отрасль"}),
    ("hu", {"north": "Észak", "food_processing": "Élelmiszer-feldolgozás"}),
])
def test_customer_360_names_the_demos_region_and_industry(
    live: Container, browser: Browser, language: str, labels: dict[str, str]
) -> None:
    """The QA pass read "north · food_processing" on customer pages: the demo's regions and
    industries read as words of the page's language; a value Kano does not know as stored."""
    with live.sessions() as session:
        customer = session.scalars(select(Customer).where(
            Customer.workspace_id == workspace_id(live.sessions),
            Customer.region == "north", Customer.industry == "food_processing",
        ).limit(1)).one()  # fmt: skip
        customer_id, region, industry = customer.id, customer.region, customer.industry
    try:
        page = browser.client.get(f"/customers/{customer_id}?lang={language}").text
        lead = re.search(r'<p class="lead">([^<]*)</p>', page)
        assert lead and lead.group(1).endswith(
            f" · {labels['north']} · {labels['food_processing']}"), lead
        with live.sessions.begin() as session:
            changed = session.get(Customer, customer_id)
            assert changed is not None
            changed.region = "Tisza valley"
        page = browser.client.get(f"/customers/{customer_id}?lang={language}").text
        assert f" · Tisza valley · {labels['food_processing']}</p>" in page
    finally:
        with live.sessions.begin() as session:
            restored = session.get(Customer, customer_id)
            assert restored is not None
            restored.region, restored.industry = region, industry
