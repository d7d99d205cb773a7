"""A count and its unit as one phrase in the number's plural form: "1 ride-along",
"3 ride-alongs"; Russian "1 выезд", "3 выезда", "5 выездов"; Hungarian keeps the singular
after a number ("3 közös út").

A measure's or key result's unit is free text. Where it is one of the count units Kano
itself writes (the demo strategy's, under its English key or the word the Russian or
Hungarian demo stores: ``kano.demo.strategy`` overlays; or a metric catalogue unit, which a
measure bound to a metric without a unit of its own shows), the phrase comes from the
catalogue through ``ngettext``; any other unit is written after the number as typed.
"""

from __future__ import annotations

from collections.abc import Callable

Plural = Callable[[str, str, int], str]
"""``ngettext`` of the page's language."""

# One phrase per count unit, written out so that ``pybabel extract`` finds each pair.
PHRASES: dict[str, Callable[[Plural, int], str]] = {
    "customers": lambda ngettext, n: ngettext("%(count)s customer", "%(count)s customers", n),
    "reviews": lambda ngettext, n: ngettext("%(count)s review", "%(count)s reviews", n),
    "ride-alongs": lambda ngettext, n: ngettext(
        "%(count)s ride-along", "%(count)s ride-alongs", n
    ),
}
# The metric catalogue's units (``kano.metrics.catalogue``), always stored in English: a
# Russian scorecard read "5,62 points" under a CES measure that took its metric's unit.
CATALOGUE_PHRASES: dict[str, Callable[[Plural, int], str]] = {
    "points": lambda ngettext, n: ngettext("%(count)s point", "%(count)s points", n),
    "days": lambda ngettext, n: ngettext("%(count)s day", "%(count)s days", n),
    "hours": lambda ngettext, n: ngettext("%(count)s hour", "%(count)s hours", n),
    "minutes": lambda ngettext, n: ngettext("%(count)s minute", "%(count)s minutes", n),
    "seconds": lambda ngettext, n: ngettext("%(count)s second", "%(count)s seconds", n),
    "months": lambda ngettext, n: ngettext("%(count)s month", "%(count)s months", n),
    "orders": lambda ngettext, n: ngettext("%(count)s order", "%(count)s orders", n),
}
# The words a stored unit may be in (the demo overlays' units: en key, ru, hu).
SPELLINGS: dict[str, str] = {
    "customers": "customers", "клиентов": "customers", "ügyfél": "customers",
    "reviews": "reviews", "встреч": "reviews", "áttekintés": "reviews",
    "ride-alongs": "ride-alongs", "выездов": "ride-alongs", "közös út": "ride-alongs",
}  # fmt: skip


def plural_number(value: float) -> int:
    """The integer that picks the plural form: the value itself when whole; a fraction
    reads as "few" in Russian ("1,5 выезда") and plural in English, as 2 does."""
    return abs(int(value)) if float(value).is_integer() else 2


def count_phrase(value: float, number_text: str, unit: str, ngettext: Plural) -> str | None:
    """``number_text`` with ``unit`` in the plural form ``value`` asks for, or None when
    ``unit`` is not a count unit Kano knows."""
    typed = unit.strip().lower()
    key = SPELLINGS.get(typed)
    phrase = PHRASES[key] if key is not None else CATALOGUE_PHRASES.get(typed)
    if phrase is None:
        return None
    return phrase(ngettext, plural_number(value)) % {"count": number_text}
