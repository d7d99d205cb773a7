"""OKRs as the API shows and takes them: cycles, objectives at company / team / person
level, key results with their progress, and check-ins.

A key result's kind decides which fields count (``kano.domain.okr.model.KeyResult``):
``metric`` from ``start`` to ``target``, ``band`` within ``band_low``–``band_high``,
``milestone`` as ``milestones_done`` of ``milestones_total``, ``yes_no`` as ``done``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from kano.adapters.api.pagination import Page
from kano.adapters.api.schemas.editing import (
    ClientTimestamp,
    Email,
    ExternalKey,
    Key,
    LongText,
    MetricBinding,
    MetricBindingBody,
    Name,
    Position,
    RequestBody,
    Title,
    Unit,
    Weight,
    not_null,
)
from kano.adapters.api.timestamps import UtcDateTime
from kano.domain.okr.live_window import Per
from kano.domain.okr.model import Commitment, Confidence, KeyResultKind

CycleKind = Literal["quarter", "year"]
CycleStatus = Literal["open", "closed"]
OkrLevel = Literal["company", "team", "person"]
Grade = Annotated[float, Field(ge=0, le=1, description="0.0–1.0, set when the cycle closes.")]
Milestones = Annotated[int, Field(ge=0, le=2**31 - 1)]
ConfidenceScore = Annotated[int, Field(ge=0, le=10, description="0–10: 7+ on track, 0–3 off.")]


class CycleCreate(RequestBody):
    key: Key
    name: Name
    kind: CycleKind = "quarter"
    starts_on: date
    ends_on: date
    status: CycleStatus = "open"


class CycleUpdate(RequestBody):
    name: Name | None = None
    kind: CycleKind | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    status: CycleStatus | None = None

    refuse_null = not_null("name", "kind", "starts_on", "ends_on", "status")


class Cycle(BaseModel):
    """An OKR cycle (a quarter or a year)."""

    id: int
    key: str
    name: str
    kind: str
    starts_on: date
    ends_on: date
    status: str


class CyclePage(Page[Cycle]):
    """A page of OKR cycles."""


class CycleClose(RequestBody):
    carry_over_to: Key | None = Field(
        None, description="An open cycle that continues the unfinished key results; "
        "`null` closes without carrying anything over."
    )


class ObjectiveGrade(BaseModel):
    """The grade an objective got at the close."""

    objective: str
    title: str
    commitment: Commitment
    grade: float = Field(description="0.0–1.0: the weighted progress of its key results.")
    success: bool = Field(description="1.0 counts for committed objectives, 0.7 for "
                          "aspirational ones.")


class CarriedKeyResult(BaseModel):
    """An unfinished key result and its copy in the target cycle."""

    key_result: str = Field(description="The unfinished key result.")
    copy_key: str = Field(description="Its copy; `carried_over_from` names the original.")
    objective: str = Field(description="The copy's objective, a copy of the original's.")
    title: str


class CycleClosed(BaseModel):
    """What closing a cycle did."""

    cycle: Cycle
    carried_over_to: str | None
    grades: list[ObjectiveGrade]
    carried: list[CarriedKeyResult]


class OkrObjectiveCreate(RequestBody):
    key: Key
    cycle: Key
    title: Title
    level: OkrLevel = "company"
    team: ExternalKey | None = Field(None, description="Key of the team (team level).")
    owner: Email | None = None
    parent: Key | None = Field(None, description="The OKR objective this one aligns to.")
    scorecard_objective: Key | None = Field(None, description="The scorecard objective served.")
    commitment: Commitment = Commitment.COMMITTED
    grade: Grade | None = None
    position: Position | None = None


class OkrObjectiveUpdate(RequestBody):
    cycle: Key | None = None
    title: Title | None = None
    level: OkrLevel | None = None
    team: ExternalKey | None = None
    owner: Email | None = None
    parent: Key | None = None
    scorecard_objective: Key | None = None
    commitment: Commitment | None = None
    grade: Grade | None = None
    position: Position | None = None

    refuse_null = not_null("cycle", "title", "level", "commitment", "position")


class OkrObjective(BaseModel):
    """An OKR objective with its progress: the weighted progress of its key results."""

    id: int
    key: str
    cycle: str
    title: str
    level: str
    team: str | None
    owner: str | None
    parent: str | None
    scorecard_objective: str | None
    commitment: Commitment
    grade: float | None
    position: int
    progress: float = Field(description="0.0–1.0.")


class OkrObjectivePage(Page[OkrObjective]):
    """A page of OKR objectives."""


PER_DESCRIPTION = (
    "The window a live value is computed over: `cycle` (the cycle so far; default) or "
    "`month` (the cycle's last complete calendar month in the data; the month so far "
    "before one is complete) — for monthly targets of additive metrics such as revenue."
)


class KeyResultCreate(RequestBody):
    key: Key
    objective: Key = Field(description="Key of the OKR objective.")
    title: Title
    kind: KeyResultKind
    unit: Unit | None = None
    start: float | None = None
    target: float | None = None
    current: float | None = None
    band_low: float | None = None
    band_high: float | None = None
    milestones_done: Milestones = 0
    milestones_total: Milestones = 0
    done: bool = False
    weight: Weight = 1.0
    metric: MetricBindingBody | None = None
    carried_over_from: Key | None = None
    position: Position | None = None
    due_on: date | None = Field(None, description="The day it is due; default: the last "
                                "day of its objective's cycle.")
    per: Per = Field(Per.CYCLE, description=PER_DESCRIPTION)


class KeyResultUpdate(RequestBody):
    objective: Key | None = None
    title: Title | None = None
    kind: KeyResultKind | None = None
    unit: Unit | None = None
    start: float | None = None
    target: float | None = None
    current: float | None = None
    band_low: float | None = None
    band_high: float | None = None
    milestones_done: Milestones | None = None
    milestones_total: Milestones | None = None
    done: bool | None = None
    weight: Weight | None = None
    metric: MetricBindingBody | None = None
    carried_over_from: Key | None = None
    position: Position | None = None
    due_on: date | None = None
    per: Per | None = Field(None, description=PER_DESCRIPTION)

    refuse_null = not_null("objective", "title", "kind", "milestones_done", "milestones_total",
                           "done", "weight", "position", "per")


class KeyResult(BaseModel):
    id: int
    key: str
    objective: str
    title: str
    kind: KeyResultKind
    unit: str | None
    start: float | None
    target: float | None
    current: float | None
    band_low: float | None
    band_high: float | None
    milestones_done: int
    milestones_total: int
    done: bool
    weight: float
    metric: MetricBinding | None
    carried_over_from: str | None
    position: int
    due_on: date | None = Field(description="The day it is due (`null`: none set).")
    per: Per = Field(description=PER_DESCRIPTION)
    progress: float = Field(description="0.0–1.0, from the kind's own rule.")
    awaiting_refresh: bool = Field(False, description=(
        "`true` when the key result follows its metric but has no value for its window "
        "yet: its window or metric changed while the warehouse could not be read (or the "
        "window has no data), so `current` is `null` rather than another window's number "
        "until the next `kano compute`."))


class KeyResultPage(Page[KeyResult]):
    """A page of key results."""


class CheckInCreate(RequestBody):
    at: ClientTimestamp | None = Field(None, description="When; default: now.")
    value: float | None = Field(
        None, description="The key result's value now; the latest check-in moves the key "
        "result (milestones done for a milestone, 1/0 for yes/no)."
    )
    confidence: ConfidenceScore
    comment: LongText | None = None
    author: Email | None = Field(None, description="Default: the token's user.")


class CheckInUpdate(RequestBody):
    at: ClientTimestamp | None = None
    value: float | None = None
    confidence: ConfidenceScore | None = None
    comment: LongText | None = None
    author: Email | None = None

    refuse_null = not_null("at", "confidence")


class CheckIn(BaseModel):
    id: int
    key_result: str
    at: UtcDateTime
    value: float | None
    confidence: int
    band: Confidence
    comment: str | None
    author: str | None


class CheckInPage(Page[CheckIn]):
    """A page of check-ins, oldest id first."""


class CheckInChange(BaseModel):
    """One entry of a check-in's history: what it was before a change (none on creation)."""

    action: str = Field(description="`create`, `update` or `delete`.")
    at: UtcDateTime
    actor: str
    before: dict[str, object] | None
    after: dict[str, object] | None
