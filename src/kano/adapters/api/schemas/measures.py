"""Measures of scorecard objectives and their series of values.

Thresholds are checked by the domain (``Thresholds``) on the measure as it will be after
the request, so a PATCH that moves only ``target`` below ``green_from`` is refused just
like a create that does; the 422 names the field the domain names.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from kano.adapters.api.pagination import Page
from kano.adapters.api.schemas.editing import (
    ClientTimestamp,
    Key,
    MetricBinding,
    MetricBindingBody,
    Name,
    Number,
    Position,
    RequestBody,
    Unit,
    Weight,
    not_null,
)
from kano.adapters.api.timestamps import UtcDateTime
from kano.domain.shared.scores import Status
from kano.domain.strategy.scoring import Direction

Frequency = Literal["weekly", "monthly", "quarterly", "yearly"]
MeasureKind = Literal["say", "do", "other"]
ValueSource = Literal["manual", "metric"]
Count = Annotated[int, Field(ge=0, le=2**31 - 1)]

_KIND = (
    "In the customer perspective: `say` (what customers report, e.g. NPS) or `do` (what "
    "they do, e.g. repurchase)."
)


class MeasureCreate(RequestBody):
    key: Key
    objective: Key
    name: Name
    unit: Unit | None = None
    direction: Direction
    baseline: Number | None = None
    amber_from: Number | None = None
    green_from: Number | None = None
    target: Number | None = None
    band_low: Number | None = None
    band_high: Number | None = None
    tolerance: Number | None = None
    weight: Weight = 1.0
    frequency: Frequency = "monthly"
    kind: MeasureKind = Field("other", description=_KIND)
    metric: MetricBindingBody | None = None
    position: Position | None = None


class MeasureUpdate(RequestBody):
    objective: Key | None = Field(None, description="Move to this objective.")
    name: Name | None = None
    unit: Unit | None = None
    direction: Direction | None = None
    baseline: Number | None = None
    amber_from: Number | None = None
    green_from: Number | None = None
    target: Number | None = None
    band_low: Number | None = None
    band_high: Number | None = None
    tolerance: Number | None = None
    weight: Weight | None = None
    frequency: Frequency | None = None
    kind: MeasureKind | None = None
    metric: MetricBindingBody | None = None
    position: Position | None = None

    refuse_null = not_null("objective", "name", "direction", "weight", "frequency", "kind",
                           "position")


class Measure(BaseModel):
    """A measure with its thresholds, and the score of its latest actual value."""

    id: int
    key: str
    objective: str
    name: str
    unit: str | None
    direction: Direction
    baseline: float | None
    amber_from: float | None
    green_from: float | None
    target: float | None
    band_low: float | None
    band_high: float | None
    tolerance: float | None
    weight: float
    frequency: str
    kind: str
    metric: MetricBinding | None
    position: int
    latest_period: date | None = Field(description="Period of the latest value with an actual.")
    latest_actual: float | None
    score: float | None = Field(description="0–10 from the thresholds, for `latest_actual`.")
    status: Status


class MeasurePage(Page[Measure]):
    """A page of measures."""


class MeasureValueCreate(RequestBody):
    period: date = Field(description="First day of the period the value is for.")
    actual: Number | None = None
    target: Number | None = None
    source: ValueSource = "manual"
    n: Count | None = Field(None, description="Observations behind a computed value.")
    ci_low: Number | None = None
    ci_high: Number | None = None
    computed_at: ClientTimestamp | None = None


class MeasureValueUpdate(RequestBody):
    actual: Number | None = None
    target: Number | None = None
    source: ValueSource | None = None
    n: Count | None = None
    ci_low: Number | None = None
    ci_high: Number | None = None
    computed_at: ClientTimestamp | None = None

    refuse_null = not_null("source")


class MeasureValue(BaseModel):
    """Actual and target of a measure for one period, with how sure a computed one is."""

    id: int
    measure: str
    period: date
    actual: float | None
    target: float | None
    source: str
    n: int | None
    ci_low: float | None
    ci_high: float | None
    computed_at: UtcDateTime | None
    score: float | None
    status: Status


class MeasureValuePage(Page[MeasureValue]):
    """A page of measure values, oldest id first."""
