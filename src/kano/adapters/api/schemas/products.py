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

from kano.adapters.api.pagination import Page
from kano.adapters.api.schemas.editing import RequestBody
from kano.adapters.api.timestamps import UtcDateTime
from kano.adapters.db.product_catalogue import (
    CATEGORY_MAX,
    CODE_MAX,
    CODE_PATTERN,
    NAME_MAX,
    VISIBLE_PATTERN,
)

ProductCode = Annotated[str, Path(
    min_length=1, max_length=CODE_MAX, pattern=CODE_PATTERN,
    description="The product's code, as orders and requirements carry it (e.g. `welding`).",
)]  # fmt: skip
ProductName = Annotated[str, Field(min_length=1, max_length=NAME_MAX, pattern=VISIBLE_PATTERN)]
Category = Annotated[str, Field(min_length=1, max_length=CATEGORY_MAX, pattern=VISIBLE_PATTERN)]


class ProductIn(RequestBody):
    name: ProductName = Field(description="What people call the product.")
    category: Category | None = Field(None, description="A product line or group.")


class ProductOut(BaseModel):
    code: str
    name: str
    category: str | None
    created_at: UtcDateTime
    updated_at: UtcDateTime


class Products(Page[ProductOut]):
    """A page of the catalogue, in the order the products were added."""
