"""Cases of the closed loop: opened by rules from unhappy responses, with SLA deadlines."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from kano.adapters.api.pagination import Page
from kano.adapters.api.schemas.editing import RequestBody
from kano.adapters.api.timestamps import UtcDateTime

CaseStatusName = Literal["new", "in_progress", "resolved", "loop_closed"]
# Any short text but a comma or a control character ("ox:delivery-defects", "Billing issue"):
# stored trimmed, with inner whitespace collapsed, in the workspace's spelling of the tag
# (``case_actions.update_case``).
RootCause = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^,\x00-\x1f\x7f]+$")]


class Case(BaseModel):
    id: int
    response_id: int | None
    customer_id: int | None
    rule: str = Field(description="The rule that opened it, e.g. `detractor`.")
    title: str = Field(
        description="As stored. A rule's case is titled `<survey name>: <the rule key's words>` "
        "in English words (`Relationship NPS: hard to deal with`), whatever the language."
    )
    title_display: str = Field(
        description="The title as the web UI shows it to a reader of the request's "
        "`Accept-Language` (`en`, `ru`, `hu`; else English): the words of Kano's default "
        "rules translated (`Реляционный NPS: критик`); any other title as stored."
    )
    priority: int = Field(description="1 is the most urgent.")
    status: CaseStatusName
    owner_team: str | None = Field(description="Key of the team the case is routed to.")
    owner: str | None = Field(
        description="E-mail of the member who owns (works) the case; null when nobody does."
    )
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


class MessageDelivery(BaseModel):
    kind: Literal["email", "webhook"]
    recipient: str = Field(description="The e-mail address, or the webhook endpoint's URL.")
    status: Literal["pending", "sent", "failed", "bounced"]
    attempts: int
    sent_at: UtcDateTime | None
    last_error: str | None


class ClosingMessage(BaseModel):
    at: UtcDateTime
    actor: str
    message: str = Field(description="What the customer was told had changed.")
    told: list[Literal["email", "webhook"]] = Field(
        description="The channels queued when the loop was closed; empty when Kano could not "
        "reach the customer (the owner told them otherwise)."
    )
    deliveries: list[MessageDelivery] = Field(
        description="The e-mail to the customer and the `case.loop_closed` webhook events, with "
        "their delivery; empty when nothing was queued, or once `KANO_OUTBOX_RETENTION_DAYS` "
        "removed the delivered messages."
    )


class CaseDetail(Case):
    events: list[CaseEvent] = Field(description="The full history: the audit trail.")
    closing_message: ClosingMessage | None = Field(
        None, description="Once the loop is closed: the message to the customer and its delivery."
    )


class CasePage(Page[Case]):
    """A page of cases; pass `next_cursor` back as `cursor` for the next one."""


class CaseUpdate(RequestBody):
    status: CaseStatusName | None = Field(
        None, description="new → in_progress → resolved → loop_closed (the customer was told)."
    )
    root_causes: list[RootCause] | None = Field(
        None, max_length=20,
        description="Replace the case's tags. Each is trimmed and its inner whitespace "
        "collapsed; tags that differ only in case are one tag: of two in the list the first "
        "is kept, and a tag the workspace's other cases carry is stored in their spelling "
        "(`billing issue` becomes `Billing issue`).",
    )
    note: Annotated[str, Field(min_length=1, max_length=5_000)] | None = None
    message: Annotated[str, Field(min_length=1, max_length=5_000)] | None = Field(
        None,
        description="Required with `\"status\": \"loop_closed\"`, and only then: what changed, "
        "told to the customer by e-mail (in the language of their response) and to the "
        "workspace's webhooks as a `case.loop_closed` event.",
    )
    owner: Annotated[str, Field(min_length=3, max_length=320)] | None = Field(
        None,
        description="Hand the case to this member (their e-mail): an active member of the "
        "workspace whose role is manager or above, else a 422 naming `owner`. `null` "
        "unassigns; leave the field out to keep the owner.",
    )
