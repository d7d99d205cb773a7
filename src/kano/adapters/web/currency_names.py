"""Currency names for the "Money" form, in the page's language.

Babel (CLDR) names nearly every currency; a few that came into use recently have no name in
every language Kano speaks yet (CLDR of Babel 2.18 names XCG and ZWG in English only, so
the list read "XCG – XCG" in Russian and Hungarian). Those get their name from Kano's
catalogues here until CLDR has it; a code nothing names is shown alone, never twice.
"""

from __future__ import annotations

from collections.abc import Callable

from babel.numbers import get_currency_name

from kano.adapters.web.routes.navigation import N_

NAMES_CLDR_LACKS: dict[str, str] = {
    "XCG": N_("Caribbean guilder"),  # Curaçao and Sint Maarten, since 2025-03-31
    "ZWG": N_("Zimbabwe Gold"),  # Zimbabwe, since 2024-04-08
}


def currency_name(code: str, language: str, gettext: Callable[[str], str]) -> str:
    """The currency's name in ``language``: CLDR's, else Kano's own, else the code."""
    name = get_currency_name(code, locale=language)
    if name == code and code in NAMES_CLDR_LACKS:
        return gettext(NAMES_CLDR_LACKS[code])
    return name


def currency_choice(code: str, language: str, gettext: Callable[[str], str]) -> str:
    """"HUF – magyar forint"; a code with no name anywhere is written once: "XYZ"."""
    name = currency_name(code, language, gettext)
    return code if name == code else f"{code} – {name}"
