"""The strategy-as-code file format, as pydantic models (format ``kano-strategy/1``).

The models check what one entry can check on its own: types, required fields, lengths that
fit the database columns, and the domain's rules — thresholds through ``Thresholds``, key
results through ``KeyResult``, MBO weights through ``validate_weights`` — so the file and
the web forms refuse the same things. References between entries (a link to an unknown
objective, a duplicate key) are checked afterwards by ``checks.py``.

``metrics`` holds the workspace's custom metrics, each a mapping in the format of
``kano metrics --definitions`` files (``kano.metrics.custom``). They are kept as written:
the custom-metric parser checks them (``metrics.py``), not a model here, and the export
writes back exactly the stored mapping.

Field order here is the order of the exported YAML; lists are ordered as in the file.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal, Self, get_origin

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, JsonValue, model_validator
from pydantic_core import PydanticCustomError

from kano.adapters.db.measure_store import NUMBER_LIMIT, WEIGHT_LIMIT
from kano.domain.mbo.model import PersonalObjective, validate_weights
from kano.domain.okr.live_window import Per
from kano.domain.okr.model import Commitment, KeyResultKind
from kano.domain.okr.model import KeyResult as DomainKeyResult
from kano.domain.shared.errors import InvalidInput
from kano.domain.strategy.scoring import Direction, Thresholds

FORMAT = "kano-strategy/1"
INT32_MAX = 2**31 - 1  # counts are INTEGER columns on PostgreSQL

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
# NUL cannot be stored by PostgreSQL; other control characters are invisible typos.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _key(value: str) -> str:
    if not _KEY.match(value):
        raise ValueError(
            "a key has 1–64 letters, digits, '-', '_' or '.', and starts with a letter or digit"
        )
    return value


def _text(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("contains control characters")
    return value


def _nonblank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return _text(value)


def _email(value: str) -> str:
    value = value.strip().lower()
    if "@" not in value:
        raise ValueError("is not an e-mail address")
    return value


def _naive_utc(value: datetime) -> datetime:
    """Times are stored as naive UTC; an offset in the file is converted, not dropped."""
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(UTC).replace(tzinfo=None)
    except OverflowError as error:  # year 1 or 9999 pushed past by its offset: a 422, not a 500
        raise ValueError("is outside the supported range of dates") from error


Key = Annotated[str, AfterValidator(_key)]
Name = Annotated[str, Field(max_length=200), AfterValidator(_nonblank)]
Title = Annotated[str, Field(max_length=300), AfterValidator(_nonblank)]
ShortText = Annotated[str, Field(max_length=300), AfterValidator(_text)]
LongText = Annotated[str, Field(max_length=20_000), AfterValidator(_text)]
# A reviewer's comment on an MBO sheet or objective (``mbo_store.COMMENT_MAX``).
ReviewComment = Annotated[str, Field(max_length=2000), AfterValidator(_text)]
Unit = Annotated[str, Field(max_length=32), AfterValidator(_text)]
Email = Annotated[str, Field(max_length=320), AfterValidator(_email)]
Timestamp = Annotated[datetime, AfterValidator(_naive_utc)]
# A measure's numbers, bounded as the measure store bounds them (no score can overflow).
Measured = Annotated[float, Field(ge=-NUMBER_LIMIT, le=NUMBER_LIMIT)]
# Keys of rows owned by other parts of Kano (teams, employees): looser than our own keys.
ExternalKey = Annotated[str, Field(max_length=64), AfterValidator(_nonblank)]


def domain_error(error: InvalidInput, model: type[BaseModel]) -> PydanticCustomError:
    """A domain rule broken by an entry, pointing at the field when the model has it."""
    head = re.split(r"[.\[]", error.field, maxsplit=1)[0]
    if head in model.model_fields:
        return PydanticCustomError(
            "domain_rule", "{message}", {"field": error.field, "message": error.message}
        )
    return PydanticCustomError("domain_rule", "{message}", {"field": "", "message": str(error)})


class StrictModel(BaseModel):
    # Unknown fields are errors (a typo must not be silently ignored); numbers are accepted
    # where text is expected because YAML reads an unquoted 2026 as a number.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, coerce_numbers_to_str=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_means_no_items(cls, data: Any) -> Any:
        """``links:`` with nothing after it is an empty list, as a reader would expect."""
        if not isinstance(data, dict):
            return data
        lists = {name for name, f in cls.model_fields.items() if get_origin(f.annotation) is list}
        return {k: [] if v is None and k in lists else v for k, v in data.items()}


class MetricBinding(StrictModel):
    id: Annotated[str, Field(max_length=128), AfterValidator(_nonblank)]
    slice: dict[str, JsonValue] | None = None


class MeasureValue(StrictModel):
    period: date
    actual: Measured | None = None
    target: Measured | None = None
    source: Literal["manual", "metric"] = "manual"
    n: Annotated[int, Field(ge=0, le=INT32_MAX)] | None = None
    ci_low: Measured | None = None
    ci_high: Measured | None = None
    computed_at: Timestamp | None = None

    @model_validator(mode="after")
    def _interval_in_order(self) -> Self:
        if self.ci_low is not None and self.ci_high is not None and self.ci_low > self.ci_high:
            raise domain_error(InvalidInput("ci_low", "must not exceed ci_high"), type(self))
        return self


class Measure(StrictModel):
    key: Key
    name: Name
    unit: Unit | None = None
    direction: Direction
    baseline: Measured | None = None
    amber_from: Measured | None = None
    green_from: Measured | None = None
    target: Measured | None = None
    band_low: Measured | None = None
    band_high: Measured | None = None
    tolerance: Measured | None = None
    weight: Annotated[float, Field(ge=0, le=WEIGHT_LIMIT)] = 1.0
    frequency: Literal["weekly", "monthly", "quarterly", "yearly"] = "monthly"
    kind: Literal["say", "do", "other"] = "other"
    metric: MetricBinding | None = None
    values: list[MeasureValue] = []

    @model_validator(mode="after")
    def _thresholds_make_sense(self) -> Self:
        try:
            self.thresholds()
        except InvalidInput as error:
            raise domain_error(error, type(self)) from None
        return self

    def thresholds(self) -> Thresholds:
        return Thresholds(
            direction=self.direction,
            amber_from=self.amber_from,
            green_from=self.green_from,
            target=self.target,
            band_low=self.band_low,
            band_high=self.band_high,
            tolerance=self.tolerance,
        )


class Objective(StrictModel):
    key: Key
    title: Title
    description: LongText | None = None
    customer_voice: ShortText | None = None
    owner: Email | None = None
    owner_team: ExternalKey | None = None
    aligned_to: Key | None = None
    measures: list[Measure] = []


class Perspective(StrictModel):
    key: Key
    name: Name
    objectives: list[Objective] = []


class Link(StrictModel):
    cause: Key
    effect: Key
    hypothesis: LongText | None = None
    lag_months: Annotated[int, Field(ge=0, le=120)] = 0

    @model_validator(mode="after")
    def _not_a_loop(self) -> Self:
        if self.cause == self.effect:
            raise domain_error(InvalidInput("effect", "must differ from cause"), type(self))
        return self


class Initiative(StrictModel):
    key: Key
    name: Name
    owner: Email | None = None
    owner_team: ExternalKey | None = None
    budget: Annotated[float, Field(ge=0)] | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    status: Literal["planned", "active", "on_hold", "done", "cancelled"] = "planned"
    objectives: list[Key] = []

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise domain_error(InvalidInput("ends_on", "is before starts_on"), type(self))
        return self


class Scorecard(StrictModel):
    key: Key
    name: Name
    level: Literal["company", "department", "team"] = "company"
    parent: Key | None = None
    owner_team: ExternalKey | None = None
    perspectives: list[Perspective] = []
    links: list[Link] = []
    initiatives: list[Initiative] = []


class CheckIn(StrictModel):
    at: Timestamp
    value: float | None = None
    confidence: Annotated[int, Field(ge=0, le=10)]
    comment: LongText | None = None
    author: Email | None = None


class KeyResult(StrictModel):
    key: Key
    title: Title
    kind: KeyResultKind
    unit: Unit | None = None
    start: float | None = None
    target: float | None = None
    current: float | None = None
    band_low: float | None = None
    band_high: float | None = None
    milestones_done: Annotated[int, Field(ge=0, le=INT32_MAX)] = 0
    milestones_total: Annotated[int, Field(ge=0, le=INT32_MAX)] = 0
    done: bool = False
    weight: Annotated[float, Field(ge=0)] = 1.0
    # Left out: due when its cycle ends (``due_on_or_cycle_end``, as the API and the OKR
    # page); the export leaves it out too when it is that day, so a moved cycle moves it.
    due_on: date | None = None
    metric: MetricBinding | None = None
    # The window a live value covers: the cycle so far, or its last complete month
    # ("EUR 1.5 M revenue a month"); ``live_window`` decides the days.
    per: Per = Per.CYCLE
    carried_over_from: Key | None = None
    check_ins: list[CheckIn] = []

    @model_validator(mode="after")
    def _kind_has_its_fields(self) -> Self:
        try:
            if self.kind is KeyResultKind.MILESTONE and self.milestones_total < 1:
                raise InvalidInput("milestones_total", "a milestone key result needs at least 1")
            self.to_domain()
        except InvalidInput as error:
            raise domain_error(error, type(self)) from None
        return self

    def to_domain(self) -> DomainKeyResult:
        return DomainKeyResult(
            kind=self.kind,
            weight=self.weight,
            start=self.start,
            target=self.target,
            current=self.current,
            band_low=self.band_low,
            band_high=self.band_high,
            milestones_done=self.milestones_done,
            milestones_total=self.milestones_total,
            done=self.done,
        )


class OkrObjective(StrictModel):
    key: Key
    title: Title
    level: Literal["company", "team", "person"] = "company"
    team: ExternalKey | None = None
    owner: Email | None = None
    parent: Key | None = None
    scorecard_objective: Key | None = None
    commitment: Commitment = Commitment.COMMITTED
    grade: Annotated[float, Field(ge=0, le=1)] | None = None
    key_results: list[KeyResult] = []


class OkrCycle(StrictModel):
    key: Key
    name: Name
    kind: Literal["quarter", "year"] = "quarter"
    starts_on: date
    ends_on: date
    status: Literal["open", "closed"] = "open"
    objectives: list[OkrObjective] = []

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.ends_on < self.starts_on:
            raise domain_error(InvalidInput("ends_on", "is before starts_on"), type(self))
        return self


class MboObjective(StrictModel):
    key: Key
    title: Title
    weight: float
    achievement: Annotated[float, Field(ge=0)] | None = None
    okr_objective: Key | None = None
    scorecard_objective: Key | None = None
    comment: ReviewComment | None = None  # the reviewer's comment on the achievement


class MboSheet(StrictModel):
    key: Key
    employee: ExternalKey
    period: Annotated[str, Field(max_length=32), AfterValidator(_nonblank)]
    status: Literal["draft", "agreed", "reviewed"] = "draft"
    comment: ReviewComment | None = None  # the reviewer's comment on the whole sheet
    objectives: list[MboObjective] = []

    @model_validator(mode="after")
    def _weights_add_up(self) -> Self:
        try:
            validate_weights([PersonalObjective(o.title, o.weight) for o in self.objectives])
        except InvalidInput as error:
            raise domain_error(error, type(self)) from None
        return self


class StrategyDocument(StrictModel):
    format: Literal["kano-strategy/1"]
    # Left out: the workspace's custom metrics stay as they are. Listed (even empty): the
    # workspace's custom metrics become exactly this list.
    metrics: list[dict[str, Any]] = []
    scorecards: list[Scorecard] = []
    okr_cycles: list[OkrCycle] = []
    mbo_sheets: list[MboSheet] = []


def document_dump(document: StrategyDocument) -> dict[str, Any]:
    """Python values (dates stay dates) without defaults, ready for the YAML writer."""
    return document.model_dump(mode="python", exclude_defaults=True)
