"""Shapes of ``/journeys``: journey maps and their ranked pain points."""

from __future__ import annotations

from pydantic import BaseModel, Field


class JourneyTouchpointOut(BaseModel):
    key: str
    name: str
    channel: str
    owner_team: str | None
    surveys: list[str]
    process_measures: list[str]


class JourneyStageOut(BaseModel):
    key: str
    name: str
    touchpoints: list[JourneyTouchpointOut]


class JourneyOut(BaseModel):
    key: str
    name: str
    kind: str = Field(description="b2c or b2b (with buying-committee stages).")
    segment: str | None
    stages: list[JourneyStageOut]


class Journeys(BaseModel):
    items: list[JourneyOut]


class IntervalOut(BaseModel):
    low: float
    high: float


class ScoreOut(BaseModel):
    measure: str = Field(description="nps (coded +100/0/-100), csat, ces or rating.")
    mean: float
    n: int
    ci: IntervalOut | None
    bar: float | None = Field(
        description="Target, or the journey's mean over the other touchpoints on the same measure."
    )
    bar_is_target: bool
    gap: float | None
    standardised_gap: float | None


class ChurnOut(BaseModel):
    poor_customers: int
    other_customers: int
    poor_rate: float | None
    other_rate: float | None
    uplift: float | None
    uplift_ci: IntervalOut | None


class ThemeOut(BaseModel):
    word: str
    count: int


class PainPointOut(BaseModel):
    rank: int
    touchpoint: str
    stage: str
    score: ScoreOut
    responses: int
    poor_share: float
    trend: float | None
    negative_comment_share: float | None
    themes: list[ThemeOut]
    churn: ChurnOut
    revenue_of_poor: float
    revenue_at_risk: float = Field(
        description="Revenue of poor-experience customers × their churn uplift."
    )
    revenue_at_risk_ci: IntervalOut | None
    priority: float


class PainPoints(BaseModel):
    journey: str
    segment: str | None
    items: list[PainPointOut]


class JourneyCreate(BaseModel):
    key: str = Field(max_length=64, description="Lowercase letters, digits, '-' or '_'.")
    name: str = Field(max_length=200)
    kind: str = Field(description="b2c, or b2b for the buying-committee template.")
    segment: str | None = Field(default=None, max_length=64)


class StageOrder(BaseModel):
    stages: list[str] = Field(description="Every stage key of the journey, in the new order.")


class PainPointLinkIn(BaseModel):
    touchpoint: str = Field(max_length=64)
    initiative: str | None = Field(default=None, max_length=64)
    okr_objective: str | None = Field(default=None, max_length=64)
    note: str = Field(default="", max_length=500)


class PainPointLinkOut(BaseModel):
    touchpoint: str
    initiative: str | None
    okr_objective: str | None
    note: str


class PainPointLinks(BaseModel):
    items: list[PainPointLinkOut]


class TouchpointMeasureIn(BaseModel):
    kind: str = Field(description="survey (a survey key) or process (a process measure).")
    ref: str = Field(max_length=64)


class TouchpointUpdate(BaseModel):
    """Only the fields given change."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    channel: str | None = Field(default=None, min_length=1, max_length=32)
    owner_team: str | None = Field(default=None, max_length=64, description="A team key.")
    stage: str | None = Field(default=None, max_length=64, description="A stage key.")


class TouchpointOut(BaseModel):
    key: str
    name: str
    channel: str
    stage: str
    owner_team: str | None
