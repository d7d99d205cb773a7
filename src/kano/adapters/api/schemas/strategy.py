"""The Balanced Scorecard as the API shows and takes it: scorecards, perspectives,
objectives, cause–effect links and initiatives (measures are in ``measures.py``).

Rows refer to each other by key (`scorecard`, `perspective`, `aligned_to` …), people by
e-mail and teams by key, as in the strategy-as-code file. A ``…Create`` body makes a row,
an ``…Update`` body changes only the fields it contains (PATCH).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from kano.adapters.api.pagination import Page
from kano.adapters.api.schemas.editing import (
    Email,
    ExternalKey,
    Key,
    LongText,
    Name,
    Position,
    RequestBody,
    ShortText,
    Title,
    not_null,
)

ScorecardLevel = Literal["company", "department", "team"]
InitiativeStatus = Literal["planned", "active", "on_hold", "done", "cancelled"]
LagMonths = Annotated[int, Field(ge=0, le=120, description="Months until the effect shows.")]
Budget = Annotated[float, Field(ge=0, le=1e15)]


class ScorecardCreate(RequestBody):
    key: Key
    name: Name
    level: ScorecardLevel = "company"
    parent: Key | None = Field(None, description="Key of the scorecard this one cascades from.")
    owner_team: ExternalKey | None = Field(None, description="Key of the team that owns it.")


class ScorecardUpdate(RequestBody):
    name: Name | None = None
    level: ScorecardLevel | None = None
    parent: Key | None = None
    owner_team: ExternalKey | None = None

    refuse_null = not_null("name", "level")


class Scorecard(BaseModel):
    """A scorecard at one level of the cascade company → department → team."""

    id: int
    key: str
    name: str
    level: str
    parent: str | None
    owner_team: str | None = Field(description="Key of the team that owns it (`null`: none).")


class ScorecardPage(Page[Scorecard]):
    """A page of scorecards."""


class PerspectiveCreate(RequestBody):
    key: Key
    name: Name
    position: Position | None = Field(None, description="Band order; default: last.")


class PerspectiveUpdate(RequestBody):
    name: Name | None = None
    position: Position | None = None

    refuse_null = not_null("name", "position")


class Perspective(BaseModel):
    """A band of the strategy map (financial, customer …), ordered by ``position``."""

    id: int
    scorecard: str
    key: str
    name: str
    position: int


class PerspectivePage(Page[Perspective]):
    """A page of perspectives."""


class ObjectiveCreate(RequestBody):
    key: Key
    scorecard: Key
    perspective: Key = Field(description="Key of a perspective of that scorecard.")
    title: Title
    description: LongText | None = None
    customer_voice: ShortText | None = Field(
        None, description="The objective in the customer's words: \"XYZ makes my job easier\"."
    )
    owner: Email | None = None
    owner_team: ExternalKey | None = Field(None, description="Key of the owning team.")
    aligned_to: Key | None = Field(
        None, description="An objective of a parent scorecard that this one serves."
    )
    position: Position | None = None


class ObjectiveUpdate(RequestBody):
    perspective: Key | None = Field(None, description="Move to this perspective of its scorecard.")
    title: Title | None = None
    description: LongText | None = None
    customer_voice: ShortText | None = None
    owner: Email | None = None
    owner_team: ExternalKey | None = None
    aligned_to: Key | None = None
    position: Position | None = None

    refuse_null = not_null("perspective", "title", "position")


class Objective(BaseModel):
    """A strategic objective in a perspective of a scorecard."""

    id: int
    key: str
    scorecard: str
    perspective: str
    title: str
    description: str | None
    customer_voice: str | None
    owner: str | None = Field(description="E-mail of the owner.")
    owner_team: str | None
    aligned_to: str | None
    position: int


class ObjectivePage(Page[Objective]):
    """A page of objectives."""


class LinkCreate(RequestBody):
    scorecard: Key = Field(description="The scorecard whose map shows the arrow.")
    cause: Key
    effect: Key
    hypothesis: LongText | None = None
    lag_months: LagMonths = 0


class LinkUpdate(RequestBody):
    hypothesis: LongText | None = None
    lag_months: LagMonths | None = None

    refuse_null = not_null("lag_months")


class Link(BaseModel):
    """A cause–effect arrow of the strategy map: moving `cause` moves `effect`."""

    id: int
    scorecard: str
    cause: str
    effect: str
    hypothesis: str | None
    lag_months: int


class LinkPage(Page[Link]):
    """A page of cause–effect links."""


class InitiativeCreate(RequestBody):
    key: Key
    scorecard: Key
    name: Name
    owner: Email | None = None
    owner_team: ExternalKey | None = None
    budget: Budget | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    status: InitiativeStatus = "planned"
    objectives: list[Key] = Field([], max_length=200, description="Keys of the objectives served.")


class InitiativeUpdate(RequestBody):
    name: Name | None = None
    owner: Email | None = None
    owner_team: ExternalKey | None = None
    budget: Budget | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    status: InitiativeStatus | None = None
    objectives: list[Key] | None = Field(None, max_length=200, description="Replaces the list.")

    refuse_null = not_null("name", "status", "objectives")


class Initiative(BaseModel):
    """A project (owner, budget, dates, status) serving objectives of one scorecard."""

    id: int
    key: str
    scorecard: str
    name: str
    owner: str | None
    owner_team: str | None
    budget: float | None
    starts_on: date | None
    ends_on: date | None
    status: str
    objectives: list[str]


class InitiativePage(Page[Initiative]):
    """A page of initiatives."""
