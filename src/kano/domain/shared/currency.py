"""The currency a workspace keeps its money in: an ISO 4217 code ("EUR", "HUF", "RUB").

Kano never converts money: the orders, costs and targets a workspace loads are in one
currency, and the workspace says which, so every page can write "9 650 000 Ft" instead of
a bare number. The known codes are CLDR's (through Babel), the same data the pages use to
find a currency's symbol, so a code accepted here can always be written.
"""

from __future__ import annotations

from functools import cache

from babel.numbers import list_currencies

from kano.domain.shared.errors import InvalidInput

DEFAULT_CURRENCY = "EUR"
CURRENCY_FIELD = "currency"


@cache
def known_currencies() -> frozenset[str]:
    """Every ISO 4217 code CLDR knows (current ones and a few historic ones)."""
    return frozenset(list_currencies())


def checked_currency(code: object, field: str = CURRENCY_FIELD) -> str:
    """The code in capitals; an InvalidInput naming ``field`` for anything else.

    Lower case is accepted ("huf" is HUF); a code CLDR does not know ("EUROS", "ABC") is not.
    """
    if not isinstance(code, str):
        raise InvalidInput(field, "give a three-letter ISO 4217 currency code, e.g. EUR")
    text = code.strip().upper()
    if len(text) != 3 or not text.isascii() or not text.isalpha():
        raise InvalidInput(field, "give a three-letter ISO 4217 currency code, e.g. EUR")
    if text not in known_currencies():
        raise InvalidInput(field, f"{text} is not an ISO 4217 currency code")
    return text
