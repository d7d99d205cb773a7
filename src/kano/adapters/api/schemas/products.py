"""The product catalogue: the name (and optional category) of each product code that
orders and requirements carry.

Every rule is in the schema, so what it accepts the API accepts: a code is what a path
segment can hold (no spaces, '/', '\\', '?', '#', '%' or control characters, not
starting with '.'), a name or category has at least one visible character.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, Field

from kano.adapters.api.schemas.editing import RequestBody
from kano.adapters.api.timestamps import UtcDateTime

CODE_PATTERN = r"^[^\x00-\x20\x7f/\\?#%.][^\x00-\x20\x7f/\\?#%]*$"
_VISIBLE = r"^[^\x00-\x1f\x7f]*[^\x00-\x20\x7f][^\x00-\x1f\x7f]*$"

ProductCode = Annotated[str, Path(
    min_length=1, max_length=64, pattern=CODE_PATTERN,
    description="The product's code, as orders and requirements carry it (e.g. `welding`).",
)]  # fmt: skip
ProductName = Annotated[str, Field(min_length=1, max_length=200, pattern=_VISIBLE)]
Category = Annotated[str, Field(min_length=1, max_length=100, pattern=_VISIBLE)]


class ProductIn(RequestBody):
    name: ProductName = Field(description="What people call the product.")
    category: Category | None = Field(None, description="A product line or group.")


class ProductOut(BaseModel):
    code: str
    name: str
    category: str | None
    created_at: UtcDateTime
    updated_at: UtcDateTime


class Products(BaseModel):
    items: list[ProductOut] = Field(description="The workspace's products, by code.")
