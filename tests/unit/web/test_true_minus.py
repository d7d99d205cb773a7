"""Every number formatter writes a negative number with the true minus (U+2212), never
Babel's hyphen-minus: the CLV fits table read "-13 948,4" (decimal) beside "−€1,200"
(money). A number that rounds to zero carries no sign ("0.0", not "−0.0"), as money does.
Checked against Babel's own text of the number's size, with the sign put on by hand."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from babel.numbers import format_compact_decimal, format_decimal, format_percent
from hypothesis import given
from hypothesis import strategies as st

from kano.adapters.web.formatting import MINUS, NumberFormats, true_minus
from kano.adapters.web.strategy_formats import StrategyFormats

LANGUAGES = ("en", "ru", "hu")
NBSP = "\u00a0"
sizes = st.floats(min_value=1e-6, max_value=1e12, allow_nan=False, allow_infinity=False)


def _formatters(language: str) -> dict[str, Callable[[float], str]]:
    plain, strategy = NumberFormats(language), StrategyFormats(language, "EUR")
    return {
        "decimal": plain.decimal,
        "decimal(3)": lambda v: plain.decimal(v, 3),
        "decimal(0)": lambda v: plain.decimal(v, 0),
        "integer": plain.integer,
        "compact": plain.compact,
        "percent": plain.percent,
        "signed": plain.signed,
        "significant": plain.significant,
        "money": lambda v: plain.money(v, "EUR"),
        "money_compact": lambda v: plain.money_compact(v, "EUR"),
        "number": strategy.number,
        "score": strategy.score,
        "strategy percent": strategy.percent,
        "measure": lambda v: strategy.measure(v, "points"),
    }


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", f"{MINUS}13,948.4"), ("ru", f"{MINUS}13{NBSP}948,4"),
     ("hu", f"{MINUS}13{NBSP}948,4")],
)  # fmt: skip
def test_decimal_writes_the_clv_log_likelihood_with_a_true_minus(
    language: str, shown: str
) -> None:
    assert NumberFormats(language).decimal(-13_948.4) == shown


@pytest.mark.parametrize("language", LANGUAGES)
@given(size=sizes)
def test_no_formatter_writes_a_hyphen_for_a_negative_number(language: str, size: float) -> None:
    for name, written in _formatters(language).items():
        negative, positive = written(-size), written(size)
        assert "-" not in negative, (name, negative)
        # The same text as the number's size, with a true minus in front, or unsigned when
        # it rounds to nothing; "signed" writes "+" for a rise, "−" for a fall.
        unsigned = positive.removeprefix("+")
        assert negative in (MINUS + unsigned, unsigned), (name, negative, positive)
        if negative == unsigned:
            assert not any(digit in unsigned for digit in "123456789"), (name, negative)


@pytest.mark.parametrize("language", LANGUAGES)
@given(size=sizes)
def test_decimal_integer_and_compact_are_babels_text_with_a_true_minus(
    language: str, size: float
) -> None:
    formats = NumberFormats(language)
    babel = format_decimal(size, format="#,##0.0", locale=language)
    rounds_away = babel.strip("0,." + NBSP) == ""
    assert formats.decimal(-size) == (babel if rounds_away else MINUS + babel)
    assert formats.integer(-size) == (MINUS if round(size) else "") + format_decimal(
        round(size), locale=language)  # fmt: skip
    if size >= 10_000:
        compact = format_compact_decimal(size, format_type="short", fraction_digits=1,
                                         locale=language)  # fmt: skip
        assert formats.compact(-size) == MINUS + compact


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_negative_that_rounds_to_zero_has_no_sign(language: str) -> None:
    formats, strategy = NumberFormats(language), StrategyFormats(language)
    zero = "0,0" if language != "en" else "0.0"
    assert formats.decimal(-0.04) == zero
    assert formats.decimal(-0.0) == zero
    assert formats.integer(-0.4) == "0"
    assert strategy.number(-0.001) == "0"
    assert strategy.percent(-0.00001) == format_percent(0, locale=language)


def test_true_minus_leaves_other_text_alone() -> None:
    assert true_minus("12,5\u00a0%") == "12,5\u00a0%"
    assert true_minus("-5\u00a0%") == f"{MINUS}5\u00a0%"
    assert true_minus("-0,00") == "0,00"
