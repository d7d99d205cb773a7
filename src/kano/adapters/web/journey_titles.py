"""The title a page gives a journey: its name, or, for a journey nobody named (still
called "<segment> journey" as seeded, in English), that title in the reader's language:
"Путь клиента: Key accounts", "Ügyfélút: Key accounts".

The seeded name is recognised by the segment's current name; a journey whose segment was
renamed after seeding keeps its stored name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from kano.adapters.web.routes.navigation import N_
from kano.domain.journeys import Journey
from kano.domain.journeys.templates import default_journey_name

ALL_CUSTOMERS = "All customers"  # the segment name of a journey seeded for no segment


def journey_title(
    journey: Journey, segment_names: Mapping[str, str], gettext: Callable[[str], str]
) -> str:
    """``journey``'s name, or the translated fallback title where nobody named it."""
    if journey.segment is None:
        segment, shown = ALL_CUSTOMERS, gettext(N_("All customers"))
    else:
        segment = shown = segment_names.get(journey.segment, "")
    if not segment or journey.name != default_journey_name(segment):
        return journey.name
    return gettext(N_("%(segment)s journey")) % {"segment": shown}


def journey_titles(
    journeys: list[Journey], segment_names: Mapping[str, str], gettext: Callable[[str], str]
) -> dict[str, str]:
    """Each journey's title, by key."""
    return {j.key: journey_title(j, segment_names, gettext) for j in journeys}
