"""Cases of the closed loop: opened by rules from unhappy responses, with SLA deadlines."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from kano.adapters.api.pagination import Page
from kano.adapters.api.schemas.editing import RequestBody
from kano.adapters.api.timestamps import UtcDateTime

CaseStatusName = Literal["new", "in_progress", "resolved", "loop_closed"]
RootCause = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_.:-]*$")]


class Case(BaseModel):
    id: int
    response_id: int | None
    customer_id: int | None
    rule: str = Field(description="The rule that opened it, e.g. `detractor`.")
    title: str
    priority: int = Field(description="1 is the most urgent.")
    status: CaseStatusName
    owner_team: str | None = Field(description="Key of the team the case is routed to.")
    opened_at: UtcDateTime
    first_response_due_at: UtcDateTime = Field(description="SLA, in business hours.")
    resolution_due_at: UtcDateTime
    first_responded_at: UtcDateTime | None
    resolved_at: UtcDateTime | None
    loop_closed_at: UtcDateTime | None
    escalation_level: int = Field(
        description="0; 1 once the first response is overdue; 2 once the resolution is."
    )
    root_causes: list[str] = Field(description="Tags that point at the process (OX) at fault.")


class CaseEvent(BaseModel):
    at: UtcDateTime
    kind: str
    actor: str
    detail: dict[str, Any] | None
    note: str | None


class CaseDetail(Case):
    events: list[CaseEvent] = Field(description="The full history: the audit trail.")


class CasePage(Page[Case]):
    """A page of cases; pass `next_cursor` back as `cursor` for the next one."""


class CaseUpdate(RequestBody):
    status: CaseStatusName | None = Field(
        None, description="new → in_progress → resolved → loop_closed (the customer was told)."
    )
    root_causes: list[RootCause] | None = Field(None, max_length=20)
    note: Annotated[str, Field(min_length=1, max_length=5_000)] | None = None
