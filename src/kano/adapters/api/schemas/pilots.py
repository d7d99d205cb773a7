"""Pilots with control groups (SPEC 2.10): the pilot, its plan and its evaluation."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from kano.adapters.api.schemas.editing import RequestBody, not_null
from kano.adapters.api.timestamps import UtcDateTime

NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
Key = Annotated[str, Field(min_length=1, max_length=64, pattern=NO_CONTROL)]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_CONTROL)]
Text = Annotated[str, Field(min_length=1, max_length=4_000, pattern=r"^[^\x00]*$")]
OwnerEmail = Annotated[str, Field(min_length=3, max_length=320, pattern=NO_CONTROL,
                                  description="E-mail of a member of the workspace.")]
MetricId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
Attribute = Literal["segment", "region", "industry", "kind"]
PilotStatus = Literal["planned", "running", "evaluated", "decided"]
Decision = Literal["scale", "iterate", "stop"]
StepStatus = Literal["planned", "in_progress", "done"]
Day = Annotated[date, Field(ge=date(1900, 1, 1), le=date(2199, 12, 31))]


class Group(RequestBody):
    """Customers by attribute values (all attributes must match, any of one attribute's
    values) or listed by external id: give one of the two."""

    filters: dict[Attribute, Annotated[list[Key], Field(min_length=1, max_length=1_000)]] | None = (
        Field(None, description="E.g. {\"region\": [\"north\"]}.")
    )
    customers: Annotated[list[Key], Field(min_length=1, max_length=10_000)] | None = Field(
        None, description="External ids of the customers."
    )


class RolloutStep(RequestBody):
    name: Name
    planned_on: Day
    status: StepStatus = "planned"
    note: Text | None = None


class PilotIn(RequestBody):
    name: Name
    hypothesis: Text | None = None
    pilot_group: Group
    control_group: Group
    kpis: Annotated[list[MetricId], Field(min_length=1, max_length=10,
                                          description="Metric ids of the catalogue.")]
    baseline_start: Day
    baseline_end: Day
    test_start: Day
    test_end: Day
    owner: OwnerEmail | None = None
    status: PilotStatus = "planned"
    target_effect: Annotated[float, Field(gt=0, le=1e15)] | None = Field(
        None, description="The smallest effect worth finding, in the first KPI's unit (plan)."
    )
    rollout: Annotated[list[RolloutStep], Field(max_length=50)] = Field(default_factory=list)


class PilotPatch(RequestBody):
    """Only the fields sent change. A `decision` makes the pilot *decided*; `rollout`
    replaces the list of steps. Changing the groups, KPIs or periods drops the stored
    evaluation."""

    name: Name | None = None
    hypothesis: Text | None = None
    pilot_group: Group | None = None
    control_group: Group | None = None
    kpis: Annotated[list[MetricId], Field(min_length=1, max_length=10)] | None = None
    baseline_start: Day | None = None
    baseline_end: Day | None = None
    test_start: Day | None = None
    test_end: Day | None = None
    owner: OwnerEmail | None = None
    status: PilotStatus | None = None
    decision: Decision | None = None
    decision_note: Text | None = None
    target_effect: Annotated[float, Field(gt=0, le=1e15)] | None = None
    rollout: Annotated[list[RolloutStep], Field(max_length=50)] | None = None

    refuse_null = not_null("name", "pilot_group", "control_group", "kpis", "baseline_start",
                           "baseline_end", "test_start", "test_end", "status", "rollout")


class Lead(BaseModel):
    period: str
    coefficient: float
    std_error: float


class PreTrend(BaseModel):
    testable: bool = Field(description="False with a single baseline month.")
    f_statistic: float | None
    p_value: float | None
    rejected: bool | None = Field(description="Parallel pre-trends rejected at 5 %.")
    inference: Literal["cr1", "wild-cluster-bootstrap"] = Field(
        "cr1",
        description="Where p_value comes from: the joint Wald F test of the leads with errors "
        "clustered by customer, F(leads, customers − 1) (cr1), or, by the effect's rule "
        "(fewer than 50 customers or fewer than 10 in either group in the baseline), the "
        "wild cluster restricted bootstrap of that Wald statistic. f_statistic is the CR1 "
        "F either way.",
    )
    bootstrap_weights: Literal["rademacher", "webb"] | None = Field(
        None, description="Rademacher (12 customers and more) or Webb's six-point weights."
    )
    bootstrap_draws: int | None = Field(
        None, description="Bootstrap draws (2^customers when every sign vector was enumerated)."
    )
    leads: list[Lead]


class GroupMean(BaseModel):
    period: str
    group: Literal["pilot", "control"]
    mean: float
    n: int


class TwoByTwo(BaseModel):
    pilot_before: float
    pilot_after: float
    control_before: float
    control_after: float
    effect: float


class KpiEvaluation(BaseModel):
    metric: str
    unit: str
    effect: float
    std_error: float
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    relative_effect: float | None = Field(description="Effect ÷ the pilot group's baseline mean.")
    n_units: int
    n_observations: int
    pilot_units: int
    control_units: int
    method: Literal["2x2", "two-way fixed effects"]
    cov_type: Literal["cluster", "classical"]
    inference: Literal["cr1", "wild-cluster-bootstrap"] = Field(
        "cr1",
        description="Where the CI and p-value come from: t(customers − 1) with errors "
        "clustered by customer (cr1), or, with fewer than 50 customers or fewer than 10 in "
        "either group, the wild cluster restricted bootstrap (p-value; CI by test "
        "inversion). std_error is CR1 either way.",
    )
    bootstrap_weights: Literal["rademacher", "webb"] | None = Field(
        None, description="Rademacher (12 customers and more) or Webb's six-point weights."
    )
    bootstrap_draws: int | None = Field(
        None, description="Bootstrap draws (2^customers when every sign vector was enumerated)."
    )
    pre_trend: PreTrend
    means: list[GroupMean]
    two_by_two: TwoByTwo


class Evaluation(BaseModel):
    kpis: dict[str, KpiEvaluation]


class Plan(BaseModel):
    metric: str
    unit: str
    pilot_units: int
    control_units: int
    baseline_months: int
    test_months: int
    sd: float = Field(description="SD of the KPI of one customer in one month (baseline).")
    rho: float = Field(description="Correlation of a customer's months (baseline).")
    rho_estimated: bool
    pilot_observed_share: float = Field(
        description="Mean share of the baseline months a pilot customer has the KPI in; "
        "the plan expects the same share of the test months (1: every month)."
    )
    control_observed_share: float = Field(
        description="The same for a control customer."
    )
    alpha: float
    power: float
    minimum_detectable_effect: float
    target_effect: float | None
    required_test_months: int | None = Field(
        description="For the target effect; null when no duration would do."
    )
    required_units_per_group: int | None


class Pilot(BaseModel):
    id: int
    name: str
    hypothesis: str | None
    pilot_group: dict[str, object]
    control_group: dict[str, object]
    kpis: list[str]
    baseline_start: date
    baseline_end: date
    test_start: date
    test_end: date
    owner: str | None
    status: PilotStatus
    decision: Decision | None
    decision_note: str | None
    decided_at: UtcDateTime | None
    rollout: list[dict[str, object]]
    target_effect: float | None
    evaluation: Evaluation | None
    evaluated_at: UtcDateTime | None
    created_at: UtcDateTime
    updated_at: UtcDateTime


class Pilots(BaseModel):
    items: list[Pilot]
