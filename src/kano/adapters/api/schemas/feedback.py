"""Feedback responses (the CX, "say" layer) with the journey keys they were given at."""

from __future__ import annotations

from pydantic import BaseModel, Field

from kano.adapters.api.pagination import Page
from kano.adapters.api.timestamps import UtcDateTime


class FeedbackResponse(BaseModel):
    """One survey response: the scores, the comment, and where in the journey it arose."""

    id: int
    customer_id: int | None
    segment_key: str | None = Field(description="The customer's current segment.")
    survey_key: str | None
    touchpoint_key: str | None
    stage_key: str | None = Field(description="The journey stage of the touchpoint.")
    team_key: str | None = Field(description="The team that owns the touchpoint.")
    channel: str = Field(description="Where the response came in (email, web, phone …).")
    transaction_id: int | None = Field(description="The purchase the response is about.")
    submitted_at: UtcDateTime
    nps: int | None = Field(description="Likelihood to recommend, 0–10.")
    csat: int | None = Field(description="Satisfaction, 1–5.")
    ces: int | None = Field(description="Customer effort, 1–7.")
    rating: int | None
    comment: str | None
    language: str | None


class FeedbackResponsePage(Page[FeedbackResponse]):
    """A page of responses; pass `next_cursor` back as `cursor` for the next one."""
