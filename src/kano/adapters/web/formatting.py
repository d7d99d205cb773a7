"""Numbers and dates written the way each UI language writes them (Babel/CLDR).

``1234567.8`` reads "1,234,568" in English, "1 234 568" in Russian and "1 234 568" in
Hungarian; big figures are shortened ("1.2M", "1,2 млн", "1,2 M"); money carries the
workspace's currency where the language puts it ("€9,650,000", "9 650 000 Ft",
"9 650 000 ₽"). Negative numbers get a true minus sign (U+2212), never a hyphen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.dates import format_date, format_datetime, format_interval, format_skeleton
from babel.numbers import (
    format_compact_currency,
    format_compact_decimal,
    format_decimal,
    get_currency_symbol,
)

MINUS = "\u2212"
NBSP = "\u00a0"


def true_minus(text: str) -> str:
    """Babel's text of a number with its hyphen-minus made a true minus ("-13 948,4" →
    "−13 948,4"), and with none when the number was rounded to nothing ("-0,0" → "0,0",
    as :meth:`NumberFormats.money` writes a sliver below zero)."""
    if "-" not in text:
        return text
    if not any(digit in text for digit in "123456789"):
        return text.replace("-", "")
    return text.replace("-", MINUS)


def currency_affixes(language: str, currency: str) -> tuple[str, str]:
    """What the language writes before and after an amount of ``currency``: ("€", "") in
    English, ("", " €") in Russian, ("", " Ft") in Hungarian.

    CLDR's currency spacing rule is applied, which Babel leaves out: a symbol made of
    letters is kept apart from the digits ("HUF 9,650,000", not "HUF9,650,000").
    """
    pattern = Locale.parse(language).currency_formats["standard"]
    symbol = get_currency_symbol(currency, locale=language)
    before = pattern.prefix[0].replace("¤", symbol)
    after = pattern.suffix[0].replace("¤", symbol)
    if before and before[-1].isalpha():
        before += NBSP
    if after and after[0].isalpha():
        after = NBSP + after
    return before, after


@dataclass(frozen=True)
class NumberFormats:
    """Formatting helpers bound to one language; templates get them as filters."""

    language: str

    def integer(self, value: float | int | None) -> str:
        """A whole number with a true minus sign: "−1,235", "−1 235"."""
        if value is None:
            return "–"
        return true_minus(format_decimal(round(value), locale=self.language))

    def money(
        self, value: float | None, currency: str, digits: int = 0, signed: bool = False
    ) -> str:
        """An amount of ``currency`` (ISO 4217) the language's way, to ``digits`` decimals:
        "€9,650,000", "9 650 000 €" (ru), "9 650 000 Ft" (hu); "−€1,200" when negative;
        ``signed`` for a change, which says "+€1,200" when it is positive.

        The symbol and its place are CLDR's standard currency pattern (what Babel's
        ``format_currency`` uses), but the decimals are ``digits`` (Babel would give HUF
        two) and halves round up as on an invoice (12.5 → 13, where Babel's half-even
        rounding gives 12).
        """
        if value is None:
            return "–"
        before, after = currency_affixes(self.language, currency)
        amount = Decimal(str(abs(value))).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
        text = self.decimal(amount, digits)
        sign = "" if amount == 0 else MINUS if value < 0 else "+" if signed else ""
        return f"{sign}{before}{text}{after}"

    def money_compact(self, value: float | None, currency: str) -> str:
        """A headline amount shortened: "€9.6M", "9,6 млн €", "9,6 M Ft"."""
        if value is None:
            return "–"
        if abs(value) < 10_000:
            return self.money(value, currency)
        text = format_compact_currency(
            abs(value), currency, format_type="short", fraction_digits=1, locale=self.language
        )
        before, _after = currency_affixes(self.language, currency)
        symbol = get_currency_symbol(currency, locale=self.language)
        if before and text.startswith(symbol) and not text.startswith(before):
            text = before + text[len(symbol):]  # the spacing rule, as in money()
        return (MINUS if value < 0 else "") + text

    def decimal(self, value: float | Decimal | None, digits: int = 1) -> str:
        """A number to ``digits`` decimals with a true minus: "−13,948.4", "−13 948,4"
        (Babel writes a hyphen); no sign when it rounds to zero."""
        if value is None:
            return "–"
        pattern = "#,##0." + "0" * digits if digits else "#,##0"
        return true_minus(format_decimal(value, format=pattern, locale=self.language))

    def expected_count(self, value: float | None) -> str:
        """An expected number of events (a BG/NBD forecast of purchases) the way a manager
        reads it: to one decimal ("2.4", "2,4"), and "< 0.1" rather than a bare "0.0" for a
        customer expected to buy almost never; one form on every page and file."""
        if value is None:
            return "–"
        if 0 < value < 0.05:
            return "< " + self.decimal(0.1, 1)
        return self.decimal(value, 1)

    def percent(self, share: float | None, digits: int = 0, signed: bool = False) -> str:
        """A share (0.05) as a percentage the language's way (CLDR's percent pattern, as
        Babel's ``format_percent``): "5%" in English and Hungarian, "5 %" (non-breaking
        space) in Russian; a true minus, and "+" for a rise when ``signed``."""
        if share is None:
            return "–"
        pattern = Locale.parse(self.language).percent_formats[None]
        text = self.decimal(abs(share) * 100, digits)
        rounded = round(share * 100, digits)
        sign = MINUS if rounded < 0 else "+" if signed and rounded > 0 else ""
        return f"{sign}{pattern.prefix[0]}{text}{pattern.suffix[0]}"

    def p_value(self, value: float | None) -> str:
        """A p-value to three decimals; below 0.001 as "< 0.001", never a bare 0.000."""
        if value is None:
            return "–"
        if value < 0.001:
            return "< " + self.decimal(0.001, 3)
        return self.decimal(value, 3)

    def significant(self, value: float | None, digits: int = 4) -> str:
        """A slope or an interval's bound whose size is unknown in advance (0.002842, −24.66),
        to ``digits`` significant digits in the language's writing and with a true minus:
        Python's ``%.4g`` wrote "-0.2553" on the Russian page."""
        if value is None:
            return "–"
        if value == 0:
            return "0"
        text = format_decimal(abs(value), format="@" + "#" * (digits - 1), locale=self.language)
        return MINUS + text if value < 0 else text

    def compact(self, value: float | None) -> str:
        """Short form for headline figures: 1.2M, 1,2 млн, 1,2 M; "−1.2M" when negative."""
        if value is None:
            return "–"
        if abs(value) < 10_000:
            return self.integer(value)
        return true_minus(format_compact_decimal(
            value, format_type="short", fraction_digits=1, locale=self.language
        ))  # fmt: skip

    def signed(self, value: float | None, digits: int = 0) -> str:
        """A score that can be negative (NPS): always signed, with a true minus sign."""
        if value is None:
            return "–"
        text = self.decimal(abs(value), digits)
        if round(value, digits) > 0:
            return "+" + text
        if round(value, digits) < 0:
            return MINUS + text
        return text

    def month(self, value: date) -> str:
        """A month as an axis label: "Jan 2026", "янв. 2026", "2026. jan."."""
        return format_skeleton("yMMM", value, locale=self.language)

    def day(self, value: date | str) -> str:
        """A calendar day (a date or ISO text): "Mar 1, 2026", "1 мар. 2026 г.",
        "2026. márc. 1."."""
        day = date.fromisoformat(value) if isinstance(value, str) else value
        return format_date(day, format="medium", locale=self.language)

    def day_range(self, first: date, last: date) -> str:
        """Two days, both included: "Mar 1 – Oct 31, 2026", "1 мар. – 31 окт. 2026 г.",
        "2026. márc. 1. – okt. 31."; an ISO "2026-03-01 – 2026-10-31" read as English."""
        return format_interval(first, max(last, first), "yMMMd", locale=self.language)

    def moment(self, value: datetime) -> str:
        """A date and time: "Nov 23, 2026, 12:03:00 PM", "23 нояб. 2026 г., 12:03:00", …"""
        return format_datetime(value, format="medium", locale=self.language)

    def month_range(self, first: date, last: date) -> str:
        return f"{self.month(first)} – {self.month(last)}"

    def period(self, first: date | str, end: date | str) -> str:
        """Whole months from ``first`` up to the exclusive ``end`` (ISO text or dates), written
        inclusively: "Apr – Jun 2026", "апр. – июнь 2026 г.", "2026. ápr.–jún.". Two periods
        written with their exclusive ends ("… – 2026-07-01 to 2026-07-01 – …") read as
        overlapping."""
        start = date.fromisoformat(first) if isinstance(first, str) else first
        stop = date.fromisoformat(end) if isinstance(end, str) else end
        index = stop.year * 12 + stop.month - 1 - (1 if stop.day == 1 else 0)
        last = date(index // 12, index % 12 + 1, 1)
        return format_interval(start, max(last, start), "yMMM", locale=self.language)
