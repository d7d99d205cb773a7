"""MBO review sheets and their weighted personal objectives.

The weights of a sheet must add up to 100 % once it is ``agreed`` or ``reviewed``
(``kano.domain.mbo.model.validate_weights``); a ``draft`` is being written and may not
add up yet. Change the weights of an agreed sheet all at once with
``PUT /mbo/sheets/{key}/objectives``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from kano.adapters.api.pagination import Page
from kano.adapters.api.schemas.editing import (
    ExternalKey,
    Key,
    Position,
    RequestBody,
    Title,
    not_null,
)

SheetStatus = Literal["draft", "agreed", "reviewed"]
Period = Annotated[str, Field(
    min_length=1, max_length=32, pattern=r"^[^\x00-\x1f\x7f]*\S[^\x00-\x1f\x7f]*$",
    description="e.g. `2026` or `2026-H1`.",
)]
Comment = Annotated[str, Field(
    max_length=2000, pattern=r"^[^\x00-\x08\x0b-\x1f\x7f]*$",
    description="The reviewer's comment (blank: none).",
)]
WeightPercent = Annotated[float, Field(gt=0, le=100, description="Share of the review, %.")]
Achievement = Annotated[float, Field(ge=0, le=1000, description="% achieved (may pass 100).")]


class MboObjectiveCreate(RequestBody):
    key: Key
    title: Title
    weight: WeightPercent
    achievement: Achievement | None = None
    okr_objective: Key | None = Field(None, description="The OKR objective it serves.")
    scorecard_objective: Key | None = Field(None, description="The scorecard objective served.")
    position: Position | None = None
    comment: Comment | None = Field(None, description="The reviewer's comment on the "
                                                      "achievement.")


class MboObjectiveUpdate(RequestBody):
    title: Title | None = None
    weight: WeightPercent | None = None
    achievement: Achievement | None = None
    okr_objective: Key | None = None
    scorecard_objective: Key | None = None
    position: Position | None = None
    comment: Comment | None = Field(None, description="The reviewer's comment on the "
                                                      "achievement; null or blank clears it.")

    refuse_null = not_null("title", "weight", "position")


class MboObjective(BaseModel):
    id: int
    sheet: str
    key: str
    title: str
    weight: float
    achievement: float | None
    okr_objective: str | None
    scorecard_objective: str | None
    position: int
    comment: str | None = Field(description="The reviewer's comment on the achievement.")


class MboObjectivePage(Page[MboObjective]):
    """A page of MBO objectives."""


class SheetCreate(RequestBody):
    key: Key
    employee: ExternalKey = Field(description="The employee's id (`external_id`).")
    period: Period
    status: SheetStatus = "draft"
    comment: Comment | None = Field(None, description="The reviewer's comment on the sheet.")
    objectives: list[MboObjectiveCreate] = Field([], max_length=100)


class SheetUpdate(RequestBody):
    """Admins only. The status moves one step at a time: draft → agreed (the weights must
    add up to 100 %), agreed → reviewed or back to draft, reviewed → agreed."""

    employee: ExternalKey | None = None
    period: Period | None = None
    status: SheetStatus | None = None
    comment: Comment | None = Field(None, description="The reviewer's comment on the sheet; "
                                                      "null or blank clears it.")

    refuse_null = not_null("employee", "period", "status")


class Sheet(BaseModel):
    """A review sheet with its objectives, total weight and weighted achievement."""

    id: int
    key: str
    employee: str
    period: str
    status: str
    comment: str | None = Field(description="The reviewer's comment on the whole sheet.")
    objectives: list[MboObjective]
    total_weight: float = Field(description="Sum of the weights, % (100 when complete).")
    weighted_achievement: float | None = Field(
        description="Σ weight × achievement / 100, once the weights add up to 100 %."
    )


class SheetPage(Page[Sheet]):
    """A page of MBO sheets."""
