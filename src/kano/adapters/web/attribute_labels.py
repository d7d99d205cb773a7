"""Labels of the attribute values whose meaning Kano knows: the demo company's regions and
industries (``kano.demo.company``), team functions, processes, the two kinds of customer
and the languages of answers, so a page writes "North" / "Север" / "Észak" where the data
hold ``north``. A value Kano does not know is shown as it is stored.
"""

from __future__ import annotations

from collections.abc import Iterable

from babel import Locale, UnknownLocaleError

from kano.adapters.web.routes.navigation import N_

REGION_LABELS: dict[str, str] = {
    "north": N_("North"),
    "south": N_("South"),
    "east": N_("East"),
    "west": N_("West"),
    "central": N_("Central"),
}
INDUSTRY_LABELS: dict[str, str] = {
    "construction": N_("Construction"),
    "manufacturing": N_("Manufacturing"),
    "automotive": N_("Automotive"),
    "energy": N_("Energy"),
    "food_processing": N_("Food processing"),
    "agriculture": N_("Agriculture"),
    "logistics": N_("Logistics"),
    "public_sector": N_("Public sector"),
}
# What a team does (``teams.function``): the demo company's functions.
TEAM_FUNCTION_LABELS: dict[str, str] = {
    "marketing": N_("Marketing"),
    "sales": N_("Sales"),
    "digital": N_("Digital channels"),
    "onboarding": N_("Onboarding"),
    "delivery": N_("Delivery and logistics"),
    "support": N_("Customer support"),
    "finance": N_("Finance"),
}
# The OX processes a process event belongs to (``process_events.process``; the demo's
# ``kano.demo.schema.PROCESSES``). No table names them, so Kano's words do.
PROCESS_LABELS: dict[str, str] = {
    "delivery": N_("Order delivery"),
    "support": N_("Customer support"),
    "onboarding": N_("Customer onboarding"),
}
# ``customers.kind``: a company account (B2B) or a private person (B2C).
CUSTOMER_KIND_LABELS: dict[str, str] = {
    "account": N_("Business (B2B)"),
    "person": N_("Consumer (B2C)"),
}


def language_names(codes: Iterable[str], locale: str) -> dict[str, str]:
    """Each language code (``ru``, ``pt_BR``, ``pt-BR``) → its name in ``locale`` from
    CLDR ("Russian", "Русский", "Orosz"); codes CLDR does not know are left out.

    CLDR stores language names as they read mid-sentence ("русский", "orosz") and asks a
    list or menu to capitalise the first word (its ``uiListOrMenu`` context transform,
    which Babel does not carry), so a table cell or a choice begins with a capital."""
    try:
        reader = Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        reader = Locale("en")
    names: dict[str, str] = {}
    for code in codes:
        if not code or code.casefold().startswith("und"):
            continue  # "undetermined": Babel would guess a language for it
        try:
            name = Locale.parse(code.replace("-", "_")).get_display_name(reader)
        except (UnknownLocaleError, ValueError, TypeError):
            continue
        if name:
            names[code] = name[:1].upper() + name[1:]
    return names
