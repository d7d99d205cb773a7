"""Segments through the API: a definition in, a segment with its member count out.

The rule's grammar is checked by :mod:`kano.domain.customers.segments`, so a 422 names the
exact place in the rule (``rule.all.1.value``) as the CLI and the pages do.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, Field

from kano.adapters.api.pagination import Page
from kano.adapters.api.schemas.editing import RequestBody
from kano.adapters.api.timestamps import UtcDateTime

SegmentKey = Annotated[str, Path(
    min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$",
    description="The segment's key (e.g. `key-accounts-at-risk`).",
)]  # fmt: skip
Source = Literal["manual", "rule", "rfm", "value_tier", "matrix_cell"]
RULE_HELP = (
    'A filter: `{"all": [conditions]}` or `{"any": [...]}`; a condition is `{"field", '
    '"op", "value"}` or a nested group. Fields: kind, region, industry, segment, '
    "attributes.<name>, revenue_12m, margin_12m, orders_12m, days_since_last_order. "
    "Ops: eq, ne, in, not_in, gte, lte, between, contains, exists."
)
PARAMETER_HELP = (
    "For rfm: the RFM segment name (e.g. `Champions`); for value_tier: A (top 20 % by "
    "12-month revenue), B (next 30 %) or C (the rest); for matrix_cell: "
    "`<attractiveness>-<relationship>` with low/medium/high (e.g. `high-low`)."
)


class SegmentIn(RequestBody):
    name: str = Field(min_length=1, max_length=200, description="What people call it.")
    source: Source = Field("manual", description="Where the members come from.")
    rule: dict[str, Any] | None = Field(None, description=f"For source rule. {RULE_HELP}")
    parameter: str | None = Field(None, max_length=64, description=PARAMETER_HELP)
    description: str | None = Field(None, max_length=1000)


class SegmentOut(BaseModel):
    key: str
    name: str
    source: Source
    rule: dict[str, Any] | None
    parameter: str | None
    description: str | None
    members_now: int = Field(description="Customers in the segment now.")
    refreshed_at: UtcDateTime | None = Field(
        description="When the members were last computed (null: not yet)."
    )


class Segments(BaseModel):
    items: list[SegmentOut]


class MemberOut(BaseModel):
    customer_id: int
    external_id: str
    name: str
    kind: str
    region: str | None
    since: UtcDateTime = Field(description="When the customer's current span began.")


Members = Page[MemberOut]


class PreviewIn(RequestBody):
    rule: dict[str, Any] = Field(description=RULE_HELP)
    limit: int = Field(20, ge=0, le=200, description="How many matching customers to list.")


class CustomerBriefOut(BaseModel):
    customer_id: int
    external_id: str
    name: str
    kind: str


class PreviewOut(BaseModel):
    count: int = Field(description="Customers the rule matches now.")
    sample: list[CustomerBriefOut] = Field(description="The first of them by name.")
    facts_as_of: UtcDateTime | None = Field(description=(
        "The moment of the stored 12-month customer facts the rule was counted on "
        "(revenue_12m, margin_12m, orders_12m, days_since_last_order): those the customer "
        "list shows and a segment saved now is computed from; ISO 8601 in UTC "
        "(`2026-01-31T09:00:00Z`). Null when the rule reads none of them."))
