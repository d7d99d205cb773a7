"""Shapes of ``/text``: themes per touchpoint/segment, the sentiment model, one response."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

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


class AnalysisState(BaseModel):
    source: Literal["stored", "computed"] = Field(
        description="`stored`: read from the analysis the worker stores in the warehouse "
        "after each load (or `kano text analyze`); `computed`: none is stored yet, so it "
        "was computed for this read.")
    analysed_at: datetime | None = Field(description="When the stored analysis ran (UTC).")
    not_analysed: int = Field(
        description="Commented responses in the warehouse the stored analysis has not read "
        "(new since, or their comment changed): they are analysed after the next warehouse "
        "load, or by `kano text analyze`.")
    no_longer_present: int = Field(
        description="Analysed comments no longer in the warehouse (left out of the figures).")
    outdated: str | None = Field(
        description="`method` or `taxonomy` when that changed since the analysis ran.")


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
    impact_ci_low: float | None = Field(
        default=None, description="Lower end of the impact's 95 % interval (points): the two "
        "groups are independent samples, Var = Var(NPS with) + Var(NPS without).")
    impact_ci_high: float | None = Field(
        default=None, description="Upper end of the impact's 95 % interval (points).")


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
    analysis: AnalysisState


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
    analysis: AnalysisState


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
