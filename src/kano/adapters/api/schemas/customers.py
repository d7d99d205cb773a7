"""Customers as the API shows them: accounts (B2B) and persons (B2C) with their keys."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, JsonValue, StrictBool

from kano.adapters.api.pagination import Page
from kano.adapters.api.schemas.editing import RequestBody, not_null
from kano.adapters.api.timestamps import UtcDateTime
from kano.domain.customers import edits


class Customer(BaseModel):
    """One customer, carrying the keys that join it to feedback and transactions."""

    id: int
    external_id: str = Field(description="The customer's id in the system it came from.")
    kind: str = Field(description="`account` (B2B) or `person` (B2C).", examples=["account"])
    name: str
    email: str | None
    segment_key: str | None = Field(description="Key of the customer's current segment.")
    account_id: int | None = Field(description="For a person: the account it belongs to.")
    region: str | None
    industry: str | None
    consent_contact: bool = Field(description="Whether the customer may be contacted.")
    email_undeliverable: bool = Field(description=(
        "Whether `email` bounced for good: no acknowledgement or invitation is e-mailed to "
        "it until the address changes or `email_deliverable` lifts the mark."))
    attributes: dict[str, Any] = Field(description="Free attributes imported with it.")
    created_on: date | None = Field(description="When the customer relationship began.")
    created_at: UtcDateTime = Field(description="When the record was created in Kano.")


class CustomerDetail(Customer):
    """One customer, with the address that bounced (if any)."""

    bounced_email: str | None = Field(description=(
        "The address that bounced for good, if one did. It may be an earlier address "
        "(`email_undeliverable` is false then); setting `email` back to it makes the "
        "customer undeliverable again."))
    email_bounced_at: datetime | None = Field(description="When `bounced_email` bounced.")


def _text(limit: int, description: str) -> Any:
    return Field(min_length=1, max_length=limit, description=description,
                 json_schema_extra={"pattern": edits.TEXT_PATTERN})


ShortText = Annotated[str, Field(max_length=edits.SHORT_MAX,
                                 json_schema_extra={"pattern": edits.TEXT_PATTERN})]


class CustomerPatch(RequestBody):
    """Only the fields sent change. `email`, `segment_key`, `region` and `industry` may be
    cleared with null; `external_id`, `name`, `consent_contact` and `attributes` may not."""

    external_id: Annotated[str, _text(
        edits.EXTERNAL_ID_MAX, "The customer's id in the system it came from (unique in the "
        "workspace: another customer's id is a 409).")] | None = None
    name: Annotated[str, _text(edits.NAME_MAX, "The account's or person's name.")] | None = None
    email: Annotated[str, Field(
        max_length=edits.EMAIL_MAX, json_schema_extra={"pattern": edits.EMAIL_PATTERN},
        description="A new address lifts a bounce mark; the bounced address again brings "
        "it back.", examples=["ann.lee@customer.example"])] | None = None
    segment_key: ShortText | None = Field(None, description="Key of a segment of the "
                                                            "workspace; null: no segment.")
    region: ShortText | None = None
    industry: ShortText | None = None
    consent_contact: StrictBool | None = Field(None, description=(
        "false: the customer opted out — no acknowledgements or invitations by e-mail."))
    attributes: dict[str, JsonValue] | None = Field(None, description=(
        "Merged into the free attributes (RFC 7396): a name set to null is removed, any "
        "other value replaces the old one."), examples=[{"tier": "gold", "legacy_id": None}])
    email_deliverable: Literal[True] | None = Field(None, description=(
        "true: the customer's mailbox works again (they confirmed it): the bounce mark is "
        "lifted without changing the address."))

    refuse_null = not_null("external_id", "name", "consent_contact", "attributes",
                           "email_deliverable")


class CustomerPage(Page[Customer]):
    """A page of customers; pass `next_cursor` back as `cursor` for the next one."""
