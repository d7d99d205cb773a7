"""Whether a survey takes answers: open, or closed by its builder (and reopened at will).

A closed survey keeps its questions, responses and invitations; its link page and widget
say "This survey is closed", every answer to it is refused (the REST API with 409
``survey_closed``) and no invitation or reminder goes out for it.
"""

from __future__ import annotations

from enum import StrEnum

from kano.domain.shared.errors import InvalidInput


class SurveyStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class SurveyClosed(InvalidInput):
    """An answer or an invitation to a closed survey; ``field`` names the survey field
    (``survey``, ``responses.3.survey``)."""

    code = "survey_closed"

    def __init__(self, field: str, survey: str) -> None:
        super().__init__(field, f"the survey {survey!r} is closed and takes no answers")
        self.survey = survey

    def details(self) -> dict[str, object]:
        return {"survey": self.survey}
