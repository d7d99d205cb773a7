"""The OKR tree of a cycle, and the inline check-in form (SPEC §2.8).

The check-in form posts with HTMX (the CSRF token travels in the ``X-CSRF-Token`` header
the layout sets) and gets back the key result with its new progress bar, plus the
objective's progress and the teams' Net Confidence as out-of-band swaps. Without
JavaScript the same form posts normally and the page reloads at the key result.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form
from starlette.requests import Request
from starlette.responses import Response

from kano.adapters.db.views.okr import (
    OkrTree,
    choose_cycle,
    cycle_of_key_result,
    find_key_result,
    list_cycles,
    okr_tree,
)
from kano.adapters.web.deps import CsrfChecked, DbSession, SignedInPage, SignedInPageContext
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.strategy_access import (
    editor_of,
    no_workspace,
    not_found,
    refuse_edit,
    strategy_context,
)
from kano.adapters.web.strategy_edits import EditRejected, record_check_in
from kano.adapters.web.strategy_formats import CONFIDENCE_STATUS

router = APIRouter()


def _context(page: SignedInPageContext) -> dict[str, Any]:
    return {**strategy_context(page), "confidence_status": CONFIDENCE_STATUS}


def _okr_page(
    page: SignedInPageContext, db: DbSession, cycle_key: str | None, *,
    status_code: int = 200, error: EditRejected | None = None, error_for: int | None = None,
) -> Response:
    assert page.workspace is not None
    cycles = list_cycles(db, page.workspace.id)
    chosen = choose_cycle(cycles, cycle_key, date.today())
    tree = okr_tree(db, page.workspace.id, chosen) if chosen else None
    return page.render(
        "okr/index.html", status_code=status_code, active="okr", cycles=cycles, tree=tree,
        error=error, error_for=error_for, **_context(page),
    )


@router.get("/okr")
def okr(page: SignedInPage, db: DbSession, cycle: str | None = None) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    return _okr_page(page, db, cycle)


def _parse_value(text: str) -> float:
    """A number as people type it: "37.5" or "37,5" (Russian and Hungarian write a comma)."""
    try:
        value = float(text.strip().replace("\u00a0", "").replace(" ", "").replace(",", "."))
    except ValueError:
        raise EditRejected("value", N_("Enter a number.")) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise EditRejected("value", N_("Enter a number."))
    return value


def _parse_confidence(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise EditRejected(
            "confidence", N_("Confidence is a whole number from 0 to 10.")
        ) from None


def _check_in_fragment(
    page: SignedInPageContext, tree: OkrTree, key_result_id: int, *,
    status_code: int = 200, error: EditRejected | None = None,
) -> Response:
    found = find_key_result(tree, key_result_id)
    assert found is not None
    node, kr = found
    return page.render(
        "okr/check_in_response.html", status_code=status_code, tree=tree, node=node, kr=kr,
        error=error, error_for=key_result_id if error else None, **_context(page),
    )


@router.post("/okr/key-results/{key_result_id}/check-ins", dependencies=[CsrfChecked])
def check_in(
    page: SignedInPage,
    request: Request,
    db: DbSession,
    key_result_id: int,
    value: Annotated[str, Form()] = "",
    confidence: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
) -> Response:
    editor = editor_of(page)
    if editor is None:
        return refuse_edit(page)
    cycle = cycle_of_key_result(db, editor.workspace_id, key_result_id)
    if cycle is None:
        return not_found(page, "okr")
    htmx = bool(request.headers.get("HX-Request"))
    try:
        record_check_in(db, editor, key_result_id=key_result_id, value=_parse_value(value),
                        confidence=_parse_confidence(confidence), comment=comment)
    except EditRejected as rejected:
        db.rollback()
        if htmx:
            tree = okr_tree(db, editor.workspace_id, cycle)
            return _check_in_fragment(page, tree, key_result_id, status_code=422,
                                      error=rejected)
        return _okr_page(page, db, cycle.key, status_code=422, error=rejected,
                         error_for=key_result_id)
    db.commit()
    if htmx:
        return _check_in_fragment(page, okr_tree(db, editor.workspace_id, cycle), key_result_id)
    return page.redirect(f"/okr?cycle={quote(cycle.key)}#kr-{key_result_id}")
