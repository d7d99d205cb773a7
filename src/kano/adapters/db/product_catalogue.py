"""The workspace's product catalogue: a name (and optional category) per product code.

Orders and requirements store only the code; pages ask ``product_names`` once per view
for the names of the codes they show, and show a code without a name as itself. Every
query is filtered by workspace first, so one workspace's names never reach another's
pages. Writers leave the commit (and the audit entry, which names who wrote) to the
caller.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from kano.adapters.db.accounts import audit
from kano.adapters.db.orm import ProductRow, utcnow
from kano.adapters.db.views.responses import like_pattern
from kano.domain.shared.errors import InvalidInput

# What a path segment can hold (the API's ``PUT /products/{code}`` takes the code there):
# no spaces, '/', '\\', '?', '#', '%' or control characters, not starting with '.'.
CODE_PATTERN = r"^[^\x00-\x20\x7f/\\?#%.][^\x00-\x20\x7f/\\?#%]*$"
VISIBLE_PATTERN = r"^[^\x00-\x1f\x7f]*[^\x00-\x20\x7f][^\x00-\x1f\x7f]*$"
CODE_MAX, NAME_MAX, CATEGORY_MAX = 64, 200, 100
_CODE, _VISIBLE = re.compile(CODE_PATTERN), re.compile(VISIBLE_PATTERN)


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    category: str | None = None


@dataclass(frozen=True)
class ProductLine:
    code: str
    name: str
    category: str | None
    created_at: datetime
    updated_at: datetime


def checked_product(code: object, name: object, category: object = None) -> Product:
    """The product as typed (code, name and category trimmed; an empty category is none),
    or ``InvalidInput`` naming the field: the rules the API's schema holds, for the pages,
    the CLI and file imports, which have no schema."""
    code_text, name_text = _text(code), _text(name)
    category_text = _text(category) or None
    if not code_text:
        raise InvalidInput("code", "give the product's code")
    if len(code_text) > CODE_MAX or not _CODE.match(code_text):
        raise InvalidInput("code", f"use up to {CODE_MAX} characters without spaces, '/', "
                                   "'\\', '?', '#' or '%', not starting with '.'")  # fmt: skip
    if not name_text or len(name_text) > NAME_MAX or not _VISIBLE.match(name_text):
        raise InvalidInput("name", f"give a name of 1 to {NAME_MAX} characters")
    if category_text is not None and (
        len(category_text) > CATEGORY_MAX or not _VISIBLE.match(category_text)
    ):
        raise InvalidInput("category", f"use up to {CATEGORY_MAX} characters, or leave it empty")
    return Product(code_text, name_text, category_text)


def _text(value: object) -> str:
    """A cell or form value as trimmed text (a spreadsheet's 1001.0 as the code 1001)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def product_line(row: ProductRow) -> ProductLine:
    return ProductLine(row.code, row.name, row.category, row.created_at, row.updated_at)


def list_products(session: Session, workspace_id: int) -> list[ProductLine]:
    """The workspace's products by code."""
    rows = session.scalars(
        select(ProductRow).where(ProductRow.workspace_id == workspace_id).order_by(ProductRow.code)
    )
    return [product_line(row) for row in rows]


def find_products(
    session: Session, workspace_id: int, search: str = "", *, offset: int = 0, limit: int = 50
) -> tuple[list[ProductLine], int]:
    """One page of the workspace's products by code whose code or name holds ``search``
    (any case), and how many match in all (for the page's "1–50 of 3,214")."""
    query = select(ProductRow).where(ProductRow.workspace_id == workspace_id)
    wanted = search.strip()
    if wanted:  # ILIKE as the other searches: on SQLite, ASCII letters only match any case
        pattern = like_pattern(wanted)
        query = query.where(
            or_(
                ProductRow.code.ilike(pattern, escape="\\"),
                ProductRow.name.ilike(pattern, escape="\\"),
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(ProductRow.code).offset(offset).limit(limit))
    return [product_line(row) for row in rows], int(total)


def get_product(session: Session, workspace_id: int, code: str) -> ProductLine | None:
    row = session.scalar(
        select(ProductRow).where(ProductRow.workspace_id == workspace_id, ProductRow.code == code)
    )
    return None if row is None else product_line(row)


def product_names(
    session: Session, workspace_id: int, codes: Iterable[str | None] | None = None
) -> dict[str, str]:
    """Code → name for ``codes`` (every product of the workspace when None), in one query;
    codes the catalogue does not know are absent."""
    query = select(ProductRow.code, ProductRow.name).where(ProductRow.workspace_id == workspace_id)
    if codes is not None:
        wanted = sorted({code for code in codes if code})
        if not wanted:
            return {}
        query = query.where(ProductRow.code.in_(wanted))
    return {code: name for code, name in session.execute(query)}


def upsert_products(
    session: Session, workspace_id: int, products: Iterable[Product]
) -> tuple[int, int]:
    """Add the products the workspace lacks and rename (or re-categorise) those it has,
    by code; (added, changed). A product already as given is left alone, so its
    ``updated_at`` says when it last really changed."""
    wanted = {product.code: product for product in products}
    if not wanted:
        return 0, 0
    existing = {
        row.code: row
        for row in session.scalars(
            select(ProductRow).where(
                ProductRow.workspace_id == workspace_id, ProductRow.code.in_(sorted(wanted))
            )
        )
    }
    now = utcnow()
    added = changed = 0
    for code, product in wanted.items():
        row = existing.get(code)
        if row is None:
            session.add(
                ProductRow(
                    workspace_id=workspace_id,
                    code=code,
                    name=product.name,
                    category=product.category,
                    created_at=now,
                    updated_at=now,
                )
            )
            added += 1
        elif (row.name, row.category) != (product.name, product.category):
            row.name, row.category, row.updated_at = product.name, product.category, now
            changed += 1
    session.flush()
    return added, changed


def snapshot(line: ProductLine | None) -> dict[str, Any] | None:
    """What an audit entry keeps of a product (None for one not there)."""
    return None if line is None else {"name": line.name, "category": line.category}


def save_product(
    session: Session, workspace_id: int, product: Product, *, actor: str, user_id: int | None = None
) -> tuple[ProductLine | None, ProductLine]:
    """Add or change one product, with an audit entry (entity ``product``, the values
    before and after) when something changed; (before, after). The caller commits.
    The API's ``PUT /products/{code}`` and the settings page both write through here."""
    before = get_product(session, workspace_id, product.code)
    upsert_products(session, workspace_id, [product])
    after = get_product(session, workspace_id, product.code)
    assert after is not None
    if snapshot(before) != snapshot(after):
        audit(session, workspace_id, actor, "create" if before is None else "update",
              "product", product.code, {"before": snapshot(before), "after": snapshot(after)},
              user_id=user_id)  # fmt: skip
    return before, after
