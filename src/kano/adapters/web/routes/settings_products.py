"""Settings → "Products" (``/settings/products``): the workspace's product catalogue, a
page of 50 at a time by code, with a search over code and name (workspaces have
thousands of SKUs).

Everyone in the workspace reads it; owners and admins add and rename a product (the form
above the list, CSRF-checked, through ``save_product`` with its audit entry, as the API's
``PUT /products/{code}``) and upload a CSV or XLSX list (through ``import_products``, as
``kano products import``: all rows or none, the problems listed by row and column).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, UploadFile
from starlette.responses import Response

from kano.adapters.db.product_catalogue import (
    CATEGORY_MAX,
    CODE_MAX,
    NAME_MAX,
    checked_product,
    find_products,
    get_product,
    save_product,
)
from kano.adapters.importers.product_file import MAX_ROWS, ProductImport, import_products
from kano.adapters.web.deps import CsrfChecked, DbSession, SignedInPage, SignedInPageContext
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.routes.settings_page import ProductsAdminPage, may_administer
from kano.adapters.web.strategy_access import no_workspace
from kano.domain.shared.errors import InvalidInput

router = APIRouter()

PAGE_SIZE = 50
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
PROBLEMS_SHOWN = 200
FIELD_LABELS = {"code": N_("Code"), "name": N_("Name"), "category": N_("Category")}
FIELD_RULES = {  # what a bad value of each field needs, in the page's language
    "code": N_("Use up to %(max)s characters without spaces, /, \\, ?, # or %%, "
               "not starting with a dot."),
    "name": N_("Give a name of 1 to %(max)s characters."),
    "category": N_("Use up to %(max)s characters, or leave it empty."),
}  # fmt: skip
FIELD_MAX = {"code": CODE_MAX, "name": NAME_MAX, "category": CATEGORY_MAX}


def _render(
    page: SignedInPageContext, db: DbSession, *, q: str = "", number: int = 1,
    status_code: int = 200, **context: Any,
) -> Response:  # fmt: skip
    """The products page: the search's page ``number`` and a form's state or result."""
    assert page.workspace is not None
    search = q.strip()[:200]
    lines, total = find_products(db, page.workspace.id, search,
                                 offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)  # fmt: skip
    pages = max(1, -(-total // PAGE_SIZE))
    if number > pages:  # a page past the end (the list shrank): show the last one
        number = pages
        lines, total = find_products(db, page.workspace.id, search,
                                     offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)  # fmt: skip

    def link(to: int) -> str:
        return "/settings/products?" + urlencode({"q": search, "page": to} if search
                                                 else {"page": to})  # fmt: skip

    return page.render(
        "settings/products.html", status_code=status_code, active="settings", q=search,
        products=lines, total=total, first=(number - 1) * PAGE_SIZE + 1 if total else 0,
        last=(number - 1) * PAGE_SIZE + len(lines), number=number, pages=pages,
        page_link=link,
        can_change=may_administer(page), field_labels=FIELD_LABELS, field_rules=FIELD_RULES,
        field_max=FIELD_MAX, max_rows=MAX_ROWS, problems_shown=PROBLEMS_SHOWN,
        **{"form": None, "error": None, "saved": None, "imported": None, "problems": None,
           "file_error": False, **context},
    )  # fmt: skip


@router.get("/settings/products")
def products_page(
    page: SignedInPage, db: DbSession,
    q: Annotated[str, Query(max_length=200)] = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=1_000_000)] = 1,
    edit: Annotated[str, Query(max_length=CODE_MAX)] = "",
    saved: Annotated[str, Query(max_length=CODE_MAX)] = "",
) -> Response:  # fmt: skip
    """The catalogue; ``edit`` fills the form with that product, ``saved`` confirms one."""
    if page.workspace is None:
        return no_workspace(page)
    form = None
    if edit and may_administer(page):
        found = get_product(db, page.workspace.id, edit)
        if found is not None:
            form = {"code": found.code, "name": found.name, "category": found.category or ""}
    shown = get_product(db, page.workspace.id, saved) if saved else None
    return _render(page, db, q=q, number=page_number, form=form, saved=shown)


@router.post("/settings/products", dependencies=[CsrfChecked])
def save_product_form(
    page: ProductsAdminPage, db: DbSession,
    code: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    """Add the product or rename it (by code), then show it in the list."""
    form = {"code": code[: CODE_MAX + 50], "name": name[: NAME_MAX + 50],
            "category": category[: CATEGORY_MAX + 50]}  # fmt: skip
    try:
        product = checked_product(code, name, category)
        save_product(db, page.workspace.id, product, actor=page.viewer.email,
                     user_id=page.viewer.user_id)  # fmt: skip
    except InvalidInput as problem:
        db.rollback()
        return _render(page, db, status_code=422, form=form, error=problem.field)
    db.commit()
    return page.redirect(
        "/settings/products?" + urlencode({"q": product.code, "saved": product.code})
    )


@router.post("/settings/products/upload", dependencies=[CsrfChecked])
def upload_products(
    page: ProductsAdminPage, db: DbSession, file: Annotated[UploadFile, File()],
) -> Response:  # fmt: skip
    """Import a CSV or XLSX list: all rows or none; the problems by row and column."""
    suffix = Path(file.filename or "").suffix.lower()
    if suffix not in {".csv", ".txt", ".xlsx", ".xlsm"} or (file.size or 0) > MAX_UPLOAD_BYTES:
        return _render(page, db, status_code=422, file_error=True)
    with tempfile.TemporaryDirectory(prefix="kano-products-") as folder:
        path = Path(folder) / f"upload{suffix}"
        with path.open("wb") as copy:
            shutil.copyfileobj(file.file, copy)
        if path.stat().st_size > MAX_UPLOAD_BYTES:
            return _render(page, db, status_code=422, file_error=True)
        try:
            report = import_products(db, page.workspace.id, path, actor=page.viewer.email,
                                     user_id=page.viewer.user_id,
                                     source=file.filename or path.name)  # fmt: skip
        except (InvalidInput, OSError, ValueError):
            db.rollback()  # not a CSV/XLSX we can read, or over MAX_ROWS
            return _render(page, db, status_code=422, file_error=True)
    if report.problems:
        db.rollback()
        return _render(page, db, status_code=422, problems=report.problems)
    db.commit()
    return _render(page, db, imported=_imported(report))


def _imported(report: ProductImport) -> dict[str, int]:
    return {"rows": report.rows, "added": report.added, "changed": report.changed}
