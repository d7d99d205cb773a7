"""Customers as the API shows them: accounts (B2B) and persons (B2C) with their keys."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from kano.adapters.api.pagination import Page
from kano.adapters.api.timestamps import UtcDateTime


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
    attributes: dict[str, Any] = Field(description="Free attributes imported with it.")
    created_on: date | None = Field(description="When the customer relationship began.")
    created_at: UtcDateTime = Field(description="When the record was created in Kano.")


class CustomerPage(Page[Customer]):
    """A page of customers; pass `next_cursor` back as `cursor` for the next one."""
