"""The value pages' files as a marketing lead hands them on: human headers in the reader's
language, each customer's external id and name (never Kano's internal id), segment, level,
strategy and reason names instead of keys, money to the cent, probabilities as
percentages; the figures those of the page. The QA pass opened /value/clv.csv in Excel and
read ``customer_id,segment,…,p_alive`` and profit with fifteen decimals."""

from __future__ import annotations

import csv
import io
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from kano.adapters.db.orm import Customer, Segment
from kano.analytics.value import views
from kano.bootstrap import Container
from tests.integration.jobs.test_live_binding import demo_data, live, workspace_id
from tests.integration.web.browsing import Browser
from tests.integration.web.demo_session import backend, browser

__all__ = ["backend", "browser", "demo_data", "live"]

CENTS = re.compile(r"-?\d+\.\d\d")
TENTHS = re.compile(r"\d+\.\d")
HEADERS = {
    ("rfm", "en"): ["Customer ID", "Customer", "RFM segment", "R", "F", "M",
                    "Days since last order", "Orders", "Revenue (EUR)"],
    ("rfm", "ru"): ["ID клиента", "Клиент", "RFM-сегмент", "R", "F", "M",
                    "Дней с последнего заказа", "Заказы", "Выручка (EUR)"],
    ("matrix", "en"): ["Customer ID", "Customer", "Attractiveness", "Attractiveness score",
                       "Relationship", "Relationship score", "Strategy",
                       "Revenue, last 365 days (EUR)"],
    ("clv", "en"): ["Customer ID", "Customer", "Segment", "Repeat purchases",
                    "Weeks from first to last purchase", "Weeks since first purchase",
                    "Average repeat purchase (EUR)", "Probability alive (%)",
                    "Expected purchases", "Expected spend per purchase (EUR)", "CLV (EUR)"],
    ("churn", "en"): ["Customer ID", "Customer", "Churn risk (%)", "Top reasons"],
    ("profit", "en"): ["Lever", "Unit", "Before", "After",
                       "Contribution to the change (EUR)"],
}  # fmt: skip


@pytest.fixture(scope="module")
def customers(live: Container) -> dict[int, tuple[str, str]]:
    """Every demo customer: internal id → (external id, name), read from the database."""
    with live.sessions() as session:
        found = session.execute(select(Customer.id, Customer.external_id, Customer.name).where(
            Customer.workspace_id == workspace_id(live.sessions)))  # fmt: skip
        return {int(i): (external, name) for i, external, name in found}


def _csv(browser: Browser, path: str) -> tuple[list[str], list[list[str]]]:
    response = browser.page(path)
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    header, *rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    return header, rows


def _cents(value: float) -> str:
    return str(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _by_external_id(rows: list[list[str]]) -> dict[str, list[str]]:
    return {row[0]: row for row in rows}


@pytest.mark.parametrize(("analysis", "language"), sorted(HEADERS))
def test_each_export_is_titled_in_the_readers_language(
    browser: Browser, analysis: str, language: str
) -> None:
    header, rows = _csv(browser, f"/value/{analysis}.csv?lang={language}")
    assert header == HEADERS[(analysis, language)]
    assert rows
    workbook = load_workbook(io.BytesIO(browser.page(f"/value/{analysis}.xlsx?lang={language}")
                                        .content))  # fmt: skip
    sheet = workbook.active
    assert sheet is not None
    assert [cell.value for cell in sheet[1]] == header
    assert sheet.max_row == len(rows) + 1


@pytest.mark.parametrize("analysis", ["matrix", "clv", "churn", "profit"])
def test_russian_files_have_no_english_or_machine_headers(
    browser: Browser, analysis: str
) -> None:
    russian, _ru_rows = _csv(browser, f"/value/{analysis}.csv?lang=ru")
    english, _rows = _csv(browser, f"/value/{analysis}.csv?lang=en")
    assert len(russian) == len(english)
    for title, english_title in zip(russian, english, strict=True):
        assert "_" not in title
        if english_title not in ("R", "F", "M", "CLV (EUR)"):
            assert title != english_title and re.search("[а-яА-Я]", title), title


def test_rfm_file_names_each_customer_and_rounds_money_to_the_cent(
    live: Container, browser: Browser, backend: Any, customers: dict[int, tuple[str, str]]
) -> None:
    expected = views.rfm_view(backend, workspace_id(live.sessions)).customers
    _header, rows = _csv(browser, "/value/rfm.csv?lang=ru")
    shown = _by_external_id(rows)

    assert len(shown) == len(rows) == len(expected)
    for customer in expected:
        external_id, name = customers[int(customer["customer_id"])]
        row = shown[external_id]
        assert row[1] == name and name and not name.isdigit()
        assert row[7] == str(customer["frequency"])
        assert CENTS.fullmatch(row[8]) and row[8] == _cents(customer["monetary"])
        assert not re.search("[A-Za-z]", row[2]), row[2]  # the segment's Russian name
        if customer["segment"] == "At risk":
            assert row[2] == "Под угрозой"
    monies = [float(row[8]) for row in rows]
    assert monies == sorted(monies, reverse=True)  # worth most first, as the page lists them


def test_clv_workbook_stores_numbers_with_formats_matching_the_page(
    live: Container, browser: Browser, backend: Any, customers: dict[int, tuple[str, str]]
) -> None:
    ws = workspace_id(live.sessions)
    expected = {customers[int(c["customer_id"])][0]: c
                for c in views.clv_view(backend, ws).customers}  # fmt: skip
    workbook = load_workbook(io.BytesIO(browser.page("/value/clv.xlsx?lang=en").content))
    sheet = workbook.active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(expected)
    with live.sessions() as session:
        segment_names = dict(session.execute(select(Segment.key, Segment.name).where(
            Segment.workspace_id == ws)).all())  # fmt: skip
    for row in rows:
        fit = expected[str(row[0].value)]
        assert row[1].value == customers[int(fit["customer_id"])][1]
        assert row[2].value == segment_names[fit["segment"]] != fit["segment"]
        assert row[7].value == pytest.approx(round(fit["p_alive"], 3))
        assert row[7].number_format == "0.0%"
        for cell, key in ((row[6], "monetary"), (row[9], "expected_spend"), (row[10], "clv")):
            assert cell.number_format == "#,##0.00" and isinstance(cell.value, int | float)
            assert cell.value == pytest.approx(fit[key], abs=0.005)
            assert cell.value == round(cell.value, 2)

    # The page's first customer is the file's first row, with the same CLV.
    page = browser.page("/value/clv?lang=en").text
    table = page[page.index('<table id="clv-customers">'):]
    first = re.search(r'<a href="/customers/(\d+)">([^<]+)</a>.*?'
                      r'<td class="number">€([\d,]+)</td></tr>', table, re.S)  # fmt: skip
    assert first
    assert rows[0][0].value == customers[int(first.group(1))][0]
    assert round(rows[0][10].value) == int(first.group(3).replace(",", ""))


def test_churn_file_writes_risk_as_percent_and_reasons_in_words(
    live: Container, browser: Browser, backend: Any, customers: dict[int, tuple[str, str]]
) -> None:
    expected = views.churn_view(backend, workspace_id(live.sessions)).customers
    _header, rows = _csv(browser, "/value/churn.csv?lang=ru")
    assert [row[0] for row in rows] == [customers[int(c["customer_id"])][0] for c in expected]
    for row, scored in zip(rows, expected, strict=True):
        assert TENTHS.fullmatch(row[2]), row[2]
        assert Decimal(row[2]) == Decimal(repr(100 * scored["churn_risk"])).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP)
        assert not re.search(r"[a-z]_[a-z]|\(\+0[.,]\d{3}", row[3]), row[3]
    assert any("Дней с последнего заказа (+" in row[3] and "п. п.)" in row[3] for row in rows)


def test_matrix_file_names_levels_and_strategies(
    live: Container, browser: Browser, backend: Any
) -> None:
    accounts = views.matrix_view(backend, workspace_id(live.sessions)).accounts
    _header, rows = _csv(browser, "/value/matrix.csv?cell=high-low&lang=ru")
    chosen = [a for a in accounts if (a["attractiveness_level"], a["relationship_level"])
              == ("high", "low")]  # fmt: skip
    assert len(rows) == len(chosen) > 0
    assert {(row[2], row[4]) for row in rows} == {("высокая", "низкая")}
    assert {row[6] for row in rows} == {"Инвестировать: повышать лояльность"}
    assert all(CENTS.fullmatch(row[7]) and re.fullmatch(r"\d\.\d\d", row[3]) for row in rows)
    assert float(sum(Decimal(row[7]) for row in rows)) == pytest.approx(
        sum(a["revenue_365d"] for a in chosen), abs=0.01 * len(rows))


def test_profit_file_keeps_each_lever_in_its_unit_and_the_change_to_the_cent(
    live: Container, browser: Browser, backend: Any
) -> None:
    report = views.profit_view(backend, workspace_id(live.sessions))
    _header, rows = _csv(browser, "/value/profit.csv?lang=en")
    levers = {lever["label"]: lever for lever in report["levers"]}
    assert [row[0] for row in rows] == list(levers)
    for label, unit, before, after, change in rows:
        lever = levers[label]
        assert CENTS.fullmatch(change) and change == _cents(lever["contribution"])
        if lever["lever"] in ("conversion", "margin"):
            assert unit == "%" and before == str(Decimal(repr(100 * lever["before"])).quantize(
                Decimal("0.1"), rounding=ROUND_HALF_UP))
        elif lever["lever"] in ("value_per_period", "costs"):
            assert unit == "EUR" and before == _cents(lever["before"])
        assert after  # never empty
    assert float(sum(Decimal(row[4]) for row in rows)) == pytest.approx(report["change"], abs=0.05)
    workbook = load_workbook(io.BytesIO(browser.page("/value/profit.xlsx?lang=ru").content))
    sheet = workbook.active
    assert sheet is not None
    margin = next(row for row in sheet.iter_rows(min_row=2) if row[1].value == "%")
    assert margin[2].number_format == "0.0%" and margin[4].number_format == "#,##0.00"
    assert sheet.cell(row=2, column=1).value == "Лиды"
