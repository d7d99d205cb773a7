"""Money written with the workspace's currency the way each page language writes it (CLDR:
the symbol's place, the group mark, a true minus), the chart locale carrying the same
symbol, and whole numbers with a true minus in every language."""

from __future__ import annotations

import pytest
from babel.numbers import format_compact_decimal

from kano.adapters.web.charts import compact_suffixes, d3_number_locale, money_axis
from kano.adapters.web.formatting import NumberFormats
from kano.adapters.web.strategy_formats import StrategyFormats, money_currency
from kano.domain.shared.currency import checked_currency
from kano.domain.shared.errors import InvalidInput

MINUS, NBSP = "\u2212", "\u00a0"


@pytest.mark.parametrize(
    ("language", "currency", "value", "shown"),
    [
        ("en", "EUR", 9_650_000, "€9,650,000"),
        ("en", "EUR", -1_200.4, f"{MINUS}€1,200"),
        ("en", "HUF", 9_650_000, f"HUF{NBSP}9,650,000"),  # letters kept apart from digits
        ("ru", "RUB", 9_650_000, f"9{NBSP}650{NBSP}000{NBSP}₽"),
        ("ru", "EUR", -1_200, f"{MINUS}1{NBSP}200{NBSP}€"),
        ("hu", "HUF", 9_650_000, f"9{NBSP}650{NBSP}000{NBSP}Ft"),
        ("hu", "HUF", -0.2, f"0{NBSP}Ft"),  # rounds to nothing: no sign
        ("hu", "EUR", 12.5, f"13{NBSP}EUR"),
        ("en", "EUR", None, "–"),
    ],
)  # fmt: skip
def test_money_in_the_page_language(
    language: str, currency: str, value: float | None, shown: str
) -> None:
    assert NumberFormats(language).money(value, currency) == shown


def test_money_with_cents_and_compact() -> None:
    assert NumberFormats("en").money(1_200, "EUR", signed=True) == "+€1,200"
    assert NumberFormats("hu").money(-1_200, "HUF", signed=True) == f"{MINUS}1{NBSP}200{NBSP}Ft"
    assert NumberFormats("ru").money(0.2, "RUB", signed=True) == f"0{NBSP}₽"
    assert NumberFormats("en").money(-12.345, "USD", 2) == f"{MINUS}$12.35"
    assert NumberFormats("ru").money(1234.5, "RUB", 2) == f"1{NBSP}234,50{NBSP}₽"
    assert NumberFormats("en").money_compact(9_650_000, "EUR") == "€9.6M"
    assert NumberFormats("en").money_compact(-12_000_000, "HUF") == f"{MINUS}HUF{NBSP}12M"
    assert NumberFormats("ru").money_compact(9_650_000, "RUB") == f"9,6{NBSP}млн{NBSP}₽"
    assert NumberFormats("hu").money_compact(9_650_000, "HUF") == f"9,6{NBSP}M{NBSP}Ft"
    assert NumberFormats("hu").money_compact(2_500, "HUF") == f"2{NBSP}500{NBSP}Ft"


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", f"{MINUS}1,235"), ("ru", f"{MINUS}1{NBSP}235"), ("hu", f"{MINUS}1{NBSP}235")],
)
def test_integer_writes_a_true_minus(language: str, shown: str) -> None:
    assert NumberFormats(language).integer(-1234.6) == shown
    assert "-" not in NumberFormats(language).integer(-5)
    assert NumberFormats(language).integer(0) == "0"


@pytest.mark.parametrize(
    ("language", "currency", "affixes"),
    [("en", "EUR", ["€", ""]), ("en", "HUF", [f"HUF{NBSP}", ""]),
     ("ru", "RUB", ["", f"{NBSP}₽"]), ("hu", "HUF", ["", f"{NBSP}Ft"])],
)
def test_chart_locale_carries_the_currency(
    language: str, currency: str, affixes: list[str]
) -> None:
    locale = d3_number_locale(language, currency)
    assert locale["currency"] == affixes
    assert locale["minus"] == MINUS


def test_a_money_axis_puts_the_symbol_where_the_language_does() -> None:
    """d3's "$~s" writes "€1.2M" but "20 Ftk" for a symbol after the number (seen in
    Chromium), so there the symbol is added after d3's label."""
    assert money_axis("en", "EUR") == {
        "format": "$~s", "labelExpr": 'datum.value == 0 ? "€0" : datum.label'}
    assert money_axis("en", "HUF") == {
        "format": "$~s", "labelExpr": f'datum.value == 0 ? "HUF{NBSP}0" : datum.label'}
    hungarian = (f'(datum.value == 0 ? "0" : replace(replace(replace(datum.label, '
                 f'"k", "{NBSP}E"), "M", "{NBSP}M"), "G", "{NBSP}Mrd")) + "{NBSP}Ft"')
    assert money_axis("hu", "HUF") == {"format": "~s", "labelExpr": hungarian}
    russian = (f'(datum.value == 0 ? "0" : replace(replace(replace(datum.label, '
               f'"k", "{NBSP}тыс."), "M", "{NBSP}млн"), "G", "{NBSP}млрд")) + "{NBSP}₽"')
    assert money_axis("ru", "RUB") == {"format": "~s", "labelExpr": russian}


def test_a_money_axis_names_thousands_and_millions_as_the_page_figures_do() -> None:
    """The QA pass of the Russian demo: the home page's figure read "16,6 млн €" and its
    chart's axis "1,8M €" beside it. The axis takes CLDR's short forms, as the figures do."""
    for language in ("ru", "hu"):
        suffixes = compact_suffixes(language)
        for prefix, power in (("k", 3), ("M", 6), ("G", 9)):
            written = format_compact_decimal(2 * 10**power, format_type="short", locale=language)
            assert written == "2" + suffixes[prefix]


def test_measures_in_money_follow_the_workspace_or_their_own_code() -> None:
    budapest = StrategyFormats("hu", "HUF")
    assert budapest.measure(9_650_000, "money") == f"9{NBSP}650{NBSP}000{NBSP}Ft"
    assert budapest.measure(9_650_000, "EUR") == f"9{NBSP}650{NBSP}000{NBSP}EUR"
    assert StrategyFormats("ru", "RUB").measure(9_650_000, "money") == (
        f"9{NBSP}650{NBSP}000{NBSP}₽")
    assert StrategyFormats("en").measure(12.5, "money") == "€12.50"  # cents where they tell
    assert StrategyFormats("en").measure(4_231.55, "money") == "€4,232"
    assert StrategyFormats("en").measure(37.2, "points") == "37.2 points"
    assert StrategyFormats("en").measure(61, "%") == "61%"
    assert money_currency("customers", "HUF") is None
    assert money_currency("min", "HUF") is None  # three letters, but no currency


def test_a_currency_code_is_checked_naming_the_field() -> None:
    assert checked_currency(" huf ") == "HUF"
    for bad in ("EUROS", "ABC", "", "€", None, 978):
        with pytest.raises(InvalidInput) as raised:
            checked_currency(bad)
        assert raised.value.field == "currency"
