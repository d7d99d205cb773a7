"""``/products``: the workspace's product catalogue, so orders and requirements that carry
a product code can be shown with the product's name (workspace-isolated, audited; a 422
names the field)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import select

from kano.adapters.api.deps import ReadAccess, SessionDep
from kano.adapters.api.editing import EditorDep, commit_or_conflict, write_responses
from kano.adapters.api.errors import problem_responses
from kano.adapters.api.pagination import PageParams, fetch_page
from kano.adapters.api.schemas.problems import Problem
from kano.adapters.api.schemas.products import ProductCode, ProductIn, ProductOut, Products
from kano.adapters.db.orm import ProductRow
from kano.adapters.db.product_catalogue import Product, ProductLine, product_line, save_product

router = APIRouter(prefix="/products", tags=["transactions"])


def _out(line: ProductLine) -> ProductOut:
    return ProductOut.model_validate(line, from_attributes=True)


_PUT_RESPONSES = write_responses(400, 401, 403, 404, 409, 422, 500) | {
    201: {"model": ProductOut, "description": "The product was new to the catalogue."},
    404: {"model": Problem, "description": "No such route: a code with '/' in it."},
}


@router.get("", summary="List the product catalogue", response_model=Products,
            responses=problem_responses(401, 403, 422, 500))  # fmt: skip
def list_catalogue(caller: ReadAccess, session: SessionDep, page: PageParams) -> Products:
    """The products the workspace has named, a page at a time in the order they were added
    (pass `next_cursor` back as `cursor` for the next page; the paging every list uses)."""
    statement = select(ProductRow).where(ProductRow.workspace_id == caller.workspace_id)
    rows, next_cursor = fetch_page(session, statement, ProductRow.id, page)
    return Products(items=[_out(product_line(row[0])) for row in rows], next_cursor=next_cursor)


@router.put("/{code}", summary="Name a product", response_model=ProductOut,
            responses=_PUT_RESPONSES)  # fmt: skip
def put_product(
    editor: EditorDep, session: SessionDep, code: ProductCode, body: ProductIn, response: Response
) -> ProductOut:
    """Add the product (201) or change its name and category (200); a category left out
    is cleared. Members who change data (not viewers) may; the change is in the audit log
    with the values before and after. Pages show this name wherever the code appears."""
    editor.require_writer()
    before, after = save_product(session, editor.workspace_id,
                                 Product(code, body.name, body.category),
                                 actor=editor.actor, user_id=editor.user_id)  # fmt: skip
    commit_or_conflict(session)
    response.status_code = 201 if before is None else 200
    return _out(after)
