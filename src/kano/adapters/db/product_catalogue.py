"""The workspace's product catalogue: a name (and optional category) per product code.

Orders and requirements store only the code; pages ask ``product_names`` once per view
for the names of the codes they show, and show a code without a name as itself. Every
query is filtered by workspace first, so one workspace's names never reach another's
pages. Writers leave the commit (and the audit entry, which names who wrote) to the
caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import ProductRow, utcnow


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


def _line(row: ProductRow) -> ProductLine:
    return ProductLine(row.code, row.name, row.category, row.created_at, row.updated_at)


def list_products(session: Session, workspace_id: int) -> list[ProductLine]:
    """The workspace's products by code."""
    rows = session.scalars(
        select(ProductRow).where(ProductRow.workspace_id == workspace_id)
        .order_by(ProductRow.code)
    )
    return [_line(row) for row in rows]


def get_product(session: Session, workspace_id: int, code: str) -> ProductLine | None:
    row = session.scalar(select(ProductRow).where(
        ProductRow.workspace_id == workspace_id, ProductRow.code == code))
    return None if row is None else _line(row)


def product_names(session: Session, workspace_id: int,
                  codes: Iterable[str | None] | None = None) -> dict[str, str]:
    """Code → name for ``codes`` (every product of the workspace when None), in one query;
    codes the catalogue does not know are absent."""
    query = select(ProductRow.code, ProductRow.name).where(
        ProductRow.workspace_id == workspace_id)
    if codes is not None:
        wanted = sorted({code for code in codes if code})
        if not wanted:
            return {}
        query = query.where(ProductRow.code.in_(wanted))
    return {code: name for code, name in session.execute(query)}


def upsert_products(session: Session, workspace_id: int,
                    products: Iterable[Product]) -> tuple[int, int]:
    """Add the products the workspace lacks and rename (or re-categorise) those it has,
    by code; (added, changed). A product already as given is left alone, so its
    ``updated_at`` says when it last really changed."""
    wanted = {product.code: product for product in products}
    if not wanted:
        return 0, 0
    existing = {row.code: row for row in session.scalars(select(ProductRow).where(
        ProductRow.workspace_id == workspace_id, ProductRow.code.in_(sorted(wanted))))}
    now = utcnow()
    added = changed = 0
    for code, product in wanted.items():
        row = existing.get(code)
        if row is None:
            session.add(ProductRow(workspace_id=workspace_id, code=code, name=product.name,
                                   category=product.category, created_at=now, updated_at=now))
            added += 1
        elif (row.name, row.category) != (product.name, product.category):
            row.name, row.category, row.updated_at = product.name, product.category, now
            changed += 1
    session.flush()
    return added, changed
