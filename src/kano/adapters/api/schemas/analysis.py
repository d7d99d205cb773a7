"""Shapes of ``/analysis``: tested links, key drivers and the strategy map's evidence."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

PerformanceBasis = Literal["scale", "target", "range"]


class LinkTest(BaseModel):
    cause: str = Field(description="Cause id (pulse item, process measure, score, money).")
    effect: str
    estimate: float | None = Field(description="Effect units per unit of the cause.")
    ci_low: float | None
    ci_high: float | None
    lag: str = Field(description="`0`, days (`90D`) or months (`1M`).")
    n: int
    method: str
    verdict: str = Field(description="supported, not supported, wrong sign or too few "
                         "observations.")
    grain: str
    where: dict[str, list[str]]
    p_value: float | None
    standardized: float | None = Field(description="SDs of the effect per SD of the cause.")
    clusters: int
    expected_sign: int
    odds_ratio: float | None = Field(
        default=None, description="For repurchase / churn: the logistic odds ratio per unit "
        "of the cause (the verdict follows the linear-probability slope).")
    odds_ratio_ci_low: float | None = None
    odds_ratio_ci_high: float | None = None
    # The same effect per a step of the cause a person thinks in, as the /linkage page
    # states it (kano.analytics.linkage.steps).
    step: float = Field(description="The step of the cause the effect is stated per, in "
                        "`cause_unit`: 1 point of a score's answer scale (NPS 0–10, CSAT "
                        "1–5, CES 1–7, engagement 1–5), 1 day, 10 minutes, 60 seconds, "
                        "1 hour, 0.1 of a 0–1 share (10 percentage points), 1 order, "
                        "1,000 of the currency.")
    cause_unit: str = Field(description="`points`, `days`, `minutes`, `seconds`, `hours`, "
                            "`share` (0–1), `defects`, `orders` or `money`.")
    effect_unit: str = Field(description="The unit of `effect_per_step`: `percentage "
                             "points` (repurchase, churn, shares), `percent` (spend: the "
                             "change of the amount, exp(slope × step) − 1), `money` (the "
                             "workspace's currency), `points`, `days`, `minutes`, "
                             "`seconds`, `defects` or `orders`.")
    effect_per_step: float | None = Field(description="`estimate` × `step` in "
                                          "`effect_unit` (× 100 for percentage points).")
    effect_per_step_ci_low: float | None = Field(description="`ci_low` scaled the same way.")
    effect_per_step_ci_high: float | None = Field(description="`ci_high` scaled the same "
                                                  "way.")


class LinkTests(BaseModel):
    items: list[LinkTest]


class Driver(BaseModel):
    driver: str
    weight: float = Field(description="Johnson's relative weight; the weights add up to R².")
    share: float = Field(description="The weight as a share of R².")
    ci_low: float
    ci_high: float
    performance: float = Field(description="The driver's raw mean over the respondents, in "
                               "its own unit (a 1–5 score, days, minutes); see "
                               "`performance_share` for a number comparable across drivers.")
    driver_display: str = Field(default="", description="The driver's name in the reader's "
                                "language, as the web page names it.")
    coverage: float | None = Field(default=None, description="Share of the respondents with "
                                   "a value for this driver (0–1).")
    performance_share: float | None = Field(
        default=None, ge=0, le=1, description="How well the driver performs on its own scale, "
        "0–1 (the x of importance × performance), on the basis `performance_basis` says.")
    performance_basis: PerformanceBasis | None = Field(
        default=None, description="`scale`: a survey score's place on its question's scale, "
        "(mean − low) / (high − low), e.g. CSAT 4.2 on 1–5 → 0.8, NPS mean / 10; `target`: a "
        "process measure's score against the scorecard measure that sets a target for its "
        "mean (bound with no slice to a metric that is the measure's plain mean), as the "
        "scorecard scores it, divided by 10 (1 at or beyond the target, ⅔ where it turns "
        "green); `range`: a process measure's place between the worst and the best "
        "respondent's value, in the measure's direction.")
    performance_direction: str | None = Field(
        default=None, description="Which way is better: `higher`, `lower`, or `band` (a "
        "scorecard band).")
    performance_direction_known: bool = Field(
        default=True, description="False for a process measure Kano has no direction for: "
        "higher is then taken as better.")
    performance_low: float | None = Field(
        default=None, description="The mean that would be 0: the scale's bottom (`scale`) or "
        "the worst respondent's value (`range`); null for `target`.")
    performance_high: float | None = Field(
        default=None, description="The mean that would be 1: the scale's top or the best "
        "respondent's value; null for `target`.")
    performance_target: float | None = Field(
        default=None, description="`target` only: the scorecard measure's target.")
    performance_measure: str | None = Field(
        default=None, description="`target` only: the scorecard measure's key.")
    performance_measure_name: str | None = Field(
        default=None, description="`target` only: the scorecard measure's name.")
    performance_unit: str | None = Field(
        default=None, description="`target` only: the scorecard measure's unit.")


class LeftOutDriver(BaseModel):
    driver: str
    driver_display: str = Field(description="The candidate's name in the reader's language.")
    coverage: float = Field(description="Share of the respondents with a value for it (0–1), "
                            "below `min_coverage`.")


class Drivers(BaseModel):
    outcome: str
    r_squared: float
    n: int = Field(description="Responses kept: those with a value for every kept driver.")
    min_coverage: float = Field(default=0.3, description="The share of respondents a "
                                "candidate needed a value for to be kept.")
    drivers: list[Driver]
    left_out: list[str] = Field(description="Candidates met by too few respondents.")
    left_out_coverage: list[LeftOutDriver] = Field(
        default_factory=list, description="The same candidates, each with its name and "
        "coverage, the best covered first.")
    performance_mark: float = Field(
        default=2 / 3, description="The `performance_share` from which a driver counts as "
        "performing well (where a scorecard measure turns green); the web chart's line.")


class MapLinkTest(BaseModel):
    cause: str = Field(description="Objective key of the cause.")
    effect: str
    proposed: bool = Field(description="True for a link the map lacks, found by the scan.")
    verdict: str
    cause_measure: str | None
    effect_measure: str | None
    cause_metric: str | None
    effect_metric: str | None
    lag: str | None
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    standardized: float | None
    n: int
    method: str | None
    tested_at: datetime


class MapLinkTests(BaseModel):
    scorecard: str
    items: list[MapLinkTest]
