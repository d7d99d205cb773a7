"""Shapes of ``/text``: themes per touchpoint/segment, the sentiment model, one response."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SentimentModelStatus(BaseModel):
    status: str = Field(description="`trained`, or `too_few_labelled` (then no sentiment).")
    message: str
    labelled: int = Field(description="Comments whose response carries a polar score.")
    negative: int
    positive: int
    min_per_class: int = Field(description="Labelled comments needed on each side.")
    accuracy: float | None = Field(description="Cross-validated (grouped by text) accuracy.")
    macro_f1: float | None
    folds: int
    trained_on: int = Field(description="Distinct (text, label) pairs the model was fit on.")


class ThemeStat(BaseModel):
    group: str = Field(description="Touchpoint or segment key ('' for all comments).")
    theme: str
    label: str
    comments: int = Field(description="Comments in the group.")
    n: int = Field(description="Comments in the group mentioning the theme.")
    share: float
    negative: int = Field(description="Of those, how many the model calls negative.")
    mean_sentiment: float | None = Field(description="−1 (negative) … 1 (positive).")
    nps_with: float | None
    n_nps_with: int
    nps_without: float | None
    n_nps_without: int
    impact: float | None = Field(description="NPS with the theme minus without (points).")


class Topic(BaseModel):
    index: int
    label: str
    terms: list[str]
    comments: int


class ThemesSummary(BaseModel):
    by: str = Field(description="`touchpoint`, `segment` or `all`.")
    comments: int
    languages: dict[str, int]
    model: SentimentModelStatus
    themes: list[ThemeStat]
    negative_themes: list[ThemeStat] = Field(description="Most negative comments first.")
    topics: list[Topic] = Field(description="Discovered automatically (NMF), top terms.")


class SentimentGroup(BaseModel):
    group: str
    n: int
    negative: int
    neutral: int
    positive: int
    mean_sentiment: float | None


class SentimentSummary(BaseModel):
    model: SentimentModelStatus
    by: str
    distribution: list[SentimentGroup]


class ResponseText(BaseModel):
    response_id: int
    comment: str
    language: str = Field(description="en, ru, hu or unknown (detected when not given).")
    p_positive: float | None
    sentiment: str = Field(description="negative, neutral, positive or '' without a model.")
    label: str = Field(description="What the response's own score says: negative, "
                       "positive or '' (no polar score).")
    themes: list[str]
    topic: str | None
