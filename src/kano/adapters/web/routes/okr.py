"""The OKR page (SPEC §2.8): a cycle's alignment tree and its files.

``/okr`` shows the cycle chosen by ``?cycle=`` (the current one by default) as a tree of
objectives with their key results, progress, confidence and grades; ``/okr.csv``,
``.xlsx`` and ``.pdf`` are the same tree as a file. What the page writes lives beside it:
check-ins and closing a cycle in ``okr_check_ins``, the authoring forms in ``okr_writes``
(both included here, so the app mounts one router); the page itself is rendered by
``web/okr_page.py``.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from starlette.responses import Response

from kano.adapters.db.views.okr import choose_cycle, list_cycles, okr_tree
from kano.adapters.exports.okr_file import XLSX_WIDTHS, columns, okr_lines, okr_pdf
from kano.adapters.exports.table_files import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    table_csv,
    table_xlsx,
)
from kano.adapters.web.deps import DbSession, SignedInPage
from kano.adapters.web.okr_page import render_okr_page
from kano.adapters.web.routes import okr_check_ins, okr_writes
from kano.adapters.web.strategy_access import no_workspace, not_found
from kano.adapters.web.strategy_exports import download, okr_texts

router = APIRouter()
router.include_router(okr_check_ins.router)
router.include_router(okr_writes.router)


@router.get("/okr")
def okr(page: SignedInPage, db: DbSession, cycle: str | None = None) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    return render_okr_page(page, db, cycle)


@router.get("/okr.{extension}")
def okr_file(page: SignedInPage, db: DbSession, extension: str,
             cycle: str | None = None) -> Response:
    """The tree of the cycle the page shows for the same ``?cycle=``, as CSV, XLSX or
    PDF: objectives with level, owner and parent, key results with their figures."""
    if page.workspace is None:
        return no_workspace(page)
    if extension not in ("csv", "xlsx", "pdf"):
        return not_found(page, "okr")
    chosen = choose_cycle(list_cycles(db, page.workspace.id), cycle, date.today())
    if chosen is None:
        return not_found(page, "okr")
    tree = okr_tree(db, page.workspace.id, chosen)
    texts = okr_texts(page, db, chosen)
    stem = f"okr-{chosen.key}"
    if extension == "pdf":
        return download(okr_pdf(tree, texts), "application/pdf", f"{stem}.pdf")
    lines = okr_lines(tree, texts)
    if extension == "csv":
        return download(table_csv(columns(texts), lines), CSV_MEDIA_TYPE, f"{stem}.csv")
    return download(table_xlsx(columns(texts), lines, sheet_title=chosen.name,
                               widths=XLSX_WIDTHS), XLSX_MEDIA_TYPE, f"{stem}.xlsx")
