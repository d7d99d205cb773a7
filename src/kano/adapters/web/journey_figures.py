"""The journey map's figures as the page asks for them, kept until the warehouse changes.

Not in the route module: the server's warm-up (:mod:`kano.adapters.web.warm_figures`) asks
the same question for each workspace's first journey, and a background job has no business
importing a page's routes.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from kano.adapters.web.page_figures import PAGE_FIGURES
from kano.domain.journeys import Journey

if TYPE_CHECKING:  # for types only: the journey analytics load statsmodels (start-up cost)
    from kano.analytics.journeys.report import JourneyMap


def journey_figures(
    url: str, workspace_id: int, journey: Journey, segment: str, first: date | None,
    last: date | None,
) -> JourneyMap:  # fmt: skip
    """The map of the slice, kept until the warehouse changes (the page's question, also
    asked by the server's warm-up for each workspace's first journey)."""
    # Imported here: the journey analytics load statsmodels, which start-up must not pay.
    from kano.analytics.journeys.report import journey_map

    # The whole journey is in the question: editing its stages, touchpoints or segment
    # asks a new one. The day too: without orders the churn windows end today.
    question = ("journey-map", journey, segment, first, last, date.today())
    return PAGE_FIGURES.figures(
        url,
        workspace_id,
        question,
        lambda backend: journey_map(
            backend, workspace_id, journey, segment=segment or None, start=first, end=last
        ),
    )
