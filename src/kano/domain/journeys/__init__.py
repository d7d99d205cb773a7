"""Customer journeys: the stages a segment goes through and the touchpoints at each."""

from kano.domain.journeys.model import Journey, JourneyStagePlan, JourneyTouchpoint
from kano.domain.journeys.templates import B2B_STAGES, B2C_STAGES, journeys_for_segments

__all__ = [
    "B2B_STAGES",
    "B2C_STAGES",
    "Journey",
    "JourneyStagePlan",
    "JourneyTouchpoint",
    "journeys_for_segments",
]
