"""The OKR page's inline check-in and the close of a cycle (SPEC §2.8).

The check-in form posts with HTMX (the CSRF token travels in the ``X-CSRF-Token`` header
the layout sets) and gets back the key result with its new progress bar, plus the
objective's progress and the teams' Net Confidence as out-of-band swaps. Without
JavaScript the same form posts normally and the page reloads at the key result. Only the
owner of a key result's objective (or an admin) checks in.

Admins close an open cycle with a confirmed form: ``okr_closing.close_cycle``, the same
operation as the API's and ``kano okr close``, grades every objective and carries the
unfinished key results over to the cycle chosen; the tree then shows each grade.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from kano.adapters.db.okr_closing import Actor, close_cycle
from kano.adapters.db.okr_store import CycleIsClosed
from kano.adapters.db.views.okr import OkrTree, cycle_of_key_result, find_key_result, okr_tree
from kano.adapters.web import okr_authoring
from kano.adapters.web.deps import CsrfChecked, DbSession, SignedInPage, SignedInPageContext
from kano.adapters.web.okr_page import okr_context, render_okr_page
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.strategy_access import editor_of, not_found, refuse_edit
from kano.adapters.web.strategy_edits import EditForbidden, EditRejected
from kano.domain.okr.closing import ClosingConflict, CycleNotOpen
from kano.domain.shared.errors import InvalidInput, NotFound

router = APIRouter()


def _check_in_fragment(
    page: SignedInPageContext, db: Session, tree: OkrTree, key_result_id: int, *,
    status_code: int = 200, error: EditRejected | None = None,
) -> Response:
    found = find_key_result(tree, key_result_id)
    assert found is not None
    node, kr = found
    return page.render(
        "okr/check_in_response.html", status_code=status_code, tree=tree, node=node, kr=kr,
        error=error, error_for=key_result_id if error else None, **okr_context(page, db),
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
    if cycle.status != "open":
        # graded once and for good: a check-in would move its figures after the grade; the
        # page shows the cycle closed, with its grades and no check-in forms
        return render_okr_page(page, db, cycle.key, status_code=409)
    try:
        okr_authoring.check_in(db, editor, key_result_id=key_result_id, value=value,
                               confidence=confidence, comment=comment)
    except EditForbidden as forbidden:
        db.rollback()
        return refuse_edit(page, forbidden.needs)
    except CycleIsClosed:  # closed since the check above
        db.rollback()
        return render_okr_page(page, db, cycle.key, status_code=409)
    except EditRejected as rejected:
        db.rollback()
        if htmx:
            tree = okr_tree(db, editor.workspace_id, cycle)
            return _check_in_fragment(page, db, tree, key_result_id, status_code=422,
                                      error=rejected)
        return render_okr_page(page, db, cycle.key, status_code=422, error=rejected,
                               error_for=key_result_id)
    db.commit()
    if htmx:
        return _check_in_fragment(page, db, okr_tree(db, editor.workspace_id, cycle),
                                  key_result_id)
    return page.redirect(f"/okr?cycle={quote(cycle.key)}#kr-{key_result_id}")


@router.post("/okr/cycles/{cycle_key}/close", dependencies=[CsrfChecked])
def close(
    page: SignedInPage,
    db: DbSession,
    cycle_key: str,
    carry_over_to: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Admins only; the form must be confirmed, since a cycle closes once."""
    editor = editor_of(page)
    if editor is None:
        return refuse_edit(page)
    form = {"carry_over_to": carry_over_to, "confirm": confirm}
    try:
        editor.require_admin()
        if confirm != "yes":
            raise EditRejected("confirm", N_("Tick the box to confirm the close."))
        close_cycle(db, editor.workspace_id, cycle_key, carry_over_to or None,
                    Actor(editor.email, editor.user_id))
    except EditForbidden as forbidden:
        return refuse_edit(page, forbidden.needs)
    except NotFound:
        db.rollback()
        return not_found(page, "okr")
    except (EditRejected, InvalidInput, ClosingConflict) as problem:
        db.rollback()
        status = 409 if isinstance(problem, ClosingConflict) else 422
        return render_okr_page(page, db, cycle_key, status_code=status,
                               close_error=_close_rejection(problem), close_form=form)
    db.commit()
    return page.redirect(f"/okr?cycle={quote(cycle_key)}")


def _close_rejection(problem: Exception) -> EditRejected:
    """The close form's message, in the catalogues' words."""
    if isinstance(problem, EditRejected):
        return problem
    if isinstance(problem, InvalidInput):
        return EditRejected("carry_over_to", N_("Choose another open cycle to carry over to."))
    if isinstance(problem, CycleNotOpen):
        return EditRejected("cycle", N_("This cycle is closed already."))
    return EditRejected("carry_over_to", N_(
        "The copies would take keys that exist already in this workspace."
    ))
