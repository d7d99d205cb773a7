"""Transactions (the TX, "do" layer): what customers bought, for how much, through whom."""

from __future__ import annotations

from pydantic import BaseModel, Field

from kano.adapters.api.pagination import Page
from kano.adapters.api.timestamps import UtcDateTime


class Transaction(BaseModel):
    """One order, with the keys that join it to the customer, segment and team."""

    id: int
    customer_id: int
    segment_key: str | None = Field(description="The customer's current segment.")
    team_key: str | None = Field(description="The team that handled the order.")
    channel: str = Field(description="Sales channel (web, store, field sales …).")
    product: str = Field(description="The product's code.")
    product_name: str | None = Field(
        description="The product's name in the workspace's catalogue (`/products`); null "
        "when the catalogue does not know the code.")
    amount: float = Field(description="Revenue of the order.")
    margin: float = Field(description="Gross margin of the order.")
    occurred_at: UtcDateTime


class TransactionPage(Page[Transaction]):
    """A page of transactions; pass `next_cursor` back as `cursor` for the next one."""
