"""``/products``: the workspace's product catalogue, so orders and requirements that carry
a product code can be shown with the product's name (workspace-isolated, audited; a 422
names the field)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from kano.adapters.api.deps import ReadAccess, SessionDep
from kano.adapters.api.editing import EditorDep, commit_or_conflict, record, write_responses
from kano.adapters.api.errors import problem_responses
from kano.adapters.api.schemas.problems import Problem
from kano.adapters.api.schemas.products import ProductCode, ProductIn, ProductOut, Products
from kano.adapters.db.product_catalogue import (
    Product,
    ProductLine,
    get_product,
    list_products,
    upsert_products,
)

router = APIRouter(prefix="/products", tags=["transactions"])


def _out(line: ProductLine) -> ProductOut:
    return ProductOut.model_validate(line, from_attributes=True)


def _snapshot(line: ProductLine | None) -> dict[str, Any] | None:
    return None if line is None else {"name": line.name, "category": line.category}


_PUT_RESPONSES = write_responses(400, 401, 403, 404, 409, 422, 500) | {
    201: {"model": ProductOut, "description": "The product was new to the catalogue."},
    404: {"model": Problem, "description": "No such route: a code with '/' in it."},
}


@router.get("", summary="List the product catalogue", response_model=Products,
            responses=problem_responses(401, 403, 500))  # fmt: skip
def list_catalogue(caller: ReadAccess, session: SessionDep) -> Products:
    """Every product the workspace has named, by code."""
    return Products(items=[_out(line) for line in list_products(session, caller.workspace_id)])


@router.put("/{code}", summary="Name a product", response_model=ProductOut,
            responses=_PUT_RESPONSES)  # fmt: skip
def put_product(editor: EditorDep, session: SessionDep, code: ProductCode, body: ProductIn,
                response: Response) -> ProductOut:
    """Add the product (201) or change its name and category (200); a category left out
    is cleared. Members who change data (not viewers) may; the change is in the audit log
    with the values before and after. Pages show this name wherever the code appears."""
    editor.require_writer()
    before = get_product(session, editor.workspace_id, code)
    upsert_products(session, editor.workspace_id, [Product(code, body.name, body.category)])
    after = get_product(session, editor.workspace_id, code)
    assert after is not None
    if _snapshot(before) != _snapshot(after):
        record(session, editor, "create" if before is None else "update", "product", code,
               {"before": _snapshot(before), "after": _snapshot(after)})
    commit_or_conflict(session)
    response.status_code = 201 if before is None else 200
    return _out(after)
