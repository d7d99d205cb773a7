"""E-mail invitations to a survey: who to invite, who was invited and skipped, status."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from kano.adapters.api.pagination import Page
from kano.adapters.api.schemas.editing import RequestBody
from kano.adapters.api.timestamps import UtcDateTime

NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
Identifier = Annotated[str, Field(min_length=1, max_length=320, pattern=NO_CONTROL)]
InvitationStatus = Literal["queued", "sent", "reminded", "answered", "bounced", "failed"]


class InvitationRequest(RequestBody):
    survey: str = Field(min_length=1, max_length=64, pattern=NO_CONTROL,
                        description="The survey key.")
    segment: str | None = Field(
        None, min_length=1, max_length=64, pattern=NO_CONTROL,
        description="Invite this segment's customers."
    )
    customers: list[Identifier] | None = Field(
        None, min_length=1, max_length=10_000,
        description="Invite these customers: external ids or e-mail addresses "
        "(not with `segment`).",
    )
    dry_run: bool = Field(False, description="Decide and report, send nothing.")



class InvitedContact(BaseModel):
    external_id: str
    email: str | None


class SkippedContact(BaseModel):
    contact: str = Field(description="The customer's external id (or the identifier given).")
    reason: str


class InvitationReport(BaseModel):
    survey: str
    dry_run: bool
    invited: int
    skipped: int
    invitations: list[InvitedContact]
    skips: list[SkippedContact]


class Invitation(BaseModel):
    id: int
    survey: str
    customer: str = Field(description="The customer's external id.")
    email: str
    status: InvitationStatus = Field(
        description="queued (e-mail not yet sent), sent, reminded, answered, bounced (the "
        "mail server returned the e-mail: see `error`), or failed (it could not be delivered)."
    )
    invited_at: UtcDateTime
    reminded_at: UtcDateTime | None
    answered_at: UtcDateTime | None
    response_id: int | None
    error: str | None = Field(
        description="The delivery error of a failed e-mail, the diagnostic of a bounced one."
    )


class Invitations(Page[Invitation]):
    """One page, in id order."""
