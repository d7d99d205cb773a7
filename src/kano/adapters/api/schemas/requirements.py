"""The special-requirements register: customer-specific requirements with owner, status,
review date and links to a customer, a product and a process."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from kano.adapters.api.pagination import Page
from kano.adapters.api.schemas.editing import RequestBody, not_null
from kano.adapters.api.timestamps import UtcDateTime

RequirementKind = Literal["product_purpose", "delivery", "packaging", "technical", "chemical",
                          "documentation", "other"]
RequirementStatus = Literal["proposed", "agreed", "in_effect", "retired"]
NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
FreeKey = Annotated[str, Field(min_length=1, max_length=64, pattern=NO_CONTROL)]
OwnerEmail = Annotated[str, Field(min_length=3, max_length=320, pattern=NO_CONTROL,
                                  description="E-mail of a member of the workspace.")]
Text = Annotated[str, Field(min_length=1, max_length=4_000, pattern=r"^[^\x00]*$")]


class RequirementIn(RequestBody):
    customer: FreeKey = Field(description="The customer's external id.")
    kind: RequirementKind
    text: Text
    status: RequirementStatus = "proposed"
    owner: OwnerEmail | None = None
    product: FreeKey | None = Field(None, description="A product key (free text).")
    process: FreeKey | None = Field(None, description="A process or touchpoint key.")
    review_on: date | None = Field(None, description="Review again by this day.")


class RequirementPatch(RequestBody):
    """Only the fields sent change; `owner`, `product`, `process`, `review_on` may be
    cleared with null."""

    customer: FreeKey | None = None
    kind: RequirementKind | None = None
    text: Text | None = None
    status: RequirementStatus | None = None
    owner: OwnerEmail | None = None
    product: FreeKey | None = None
    process: FreeKey | None = None
    review_on: date | None = None

    refuse_null = not_null("customer", "kind", "text", "status")


class Requirement(BaseModel):
    id: int
    customer: str = Field(description="The customer's external id.")
    customer_id: int
    customer_name: str
    kind: RequirementKind
    text: str
    status: RequirementStatus
    owner: str | None
    product: str | None
    product_name: str | None = Field(
        None, description="The product's name in the workspace's catalogue (`/products`); "
        "null when it does not know the code.")
    process: str | None
    review_on: date | None
    overdue: bool = Field(description="Review date passed and not retired.")
    created_at: UtcDateTime
    updated_at: UtcDateTime
    response_id: int | None = Field(
        None, description="The survey response it was stated in (a requirement question)."
    )


class Requirements(Page[Requirement]):
    """One page, in id order."""
