"""The OKR page's authoring forms (SPEC §2.8): a cycle, an objective, a key result, and
the window a live key result is measured over.

The page writes OKRs through the API's store (``okr_store``; the forms are read by
``okr_authoring``): admins open a cycle; in an open cycle editors add an objective
(managers one they own) and a key result on an objective they may change, due at the end
of the cycle unless its form names a day. A refused field is named next to its form, in
the reader's language; the page answers 403 to a viewer and 409 for a closed cycle.

A change of a live key result's window (``per``) recomputes its value in the same request
(``live_key_result``, the worker's own computation), so the number shown next is the new
window's; when the warehouse cannot answer, the old window's number is withdrawn and the
page says the value awaits the next refresh.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from kano.adapters.db.okr_store import CycleIsClosed, key_result_to_check_in
from kano.adapters.db.orm import KeyResultRow, OkrCycleRow, OkrObjectiveRow
from kano.adapters.db.strategy_store import record
from kano.adapters.db.views.okr import cycle_of_key_result
from kano.adapters.jobs.live_key_result import refresh_after_change
from kano.adapters.web.deps import CsrfChecked, DbSession, SignedInPage
from kano.adapters.web.okr_authoring import (
    CycleForm,
    KeyResultForm,
    ObjectiveForm,
    create_cycle,
    create_key_result,
    create_okr_objective,
    cycle_at,
)
from kano.adapters.web.okr_page import render_okr_page
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.strategy_access import editor_of, not_found, refuse_edit
from kano.adapters.web.strategy_edits import EditForbidden, Editor, EditRejected
from kano.domain.okr.live_window import Per
from kano.domain.shared.errors import NotFound

router = APIRouter()


@router.post("/okr/cycles/{cycle_key}/objectives", dependencies=[CsrfChecked])
def new_objective(
    page: SignedInPage,
    db: DbSession,
    cycle_key: str,
    title: Annotated[str, Form()] = "",
    level: Annotated[str, Form()] = "company",
    owner: Annotated[str, Form()] = "",
    team: Annotated[str, Form()] = "",
    parent: Annotated[str, Form()] = "",
    scorecard_objective: Annotated[str, Form()] = "",
    commitment: Annotated[str, Form()] = "committed",
) -> Response:
    """A new objective in an open cycle: managers one they own, admins any (as the API)."""
    editor = editor_of(page)
    if editor is None:
        return refuse_edit(page)
    cycle = cycle_at(db, editor.workspace_id, cycle_key)
    if cycle is None:
        return not_found(page, "okr")
    if cycle.status != "open":
        return render_okr_page(page, db, cycle.key, status_code=409)
    form = ObjectiveForm(title, level, owner, team, parent, scorecard_objective, commitment)
    try:
        row = create_okr_objective(db, editor, cycle, form)
    except EditForbidden as forbidden:
        db.rollback()
        return refuse_edit(page, forbidden.needs)
    except CycleIsClosed:  # closed since the check above
        db.rollback()
        return render_okr_page(page, db, cycle.key, status_code=409)
    except EditRejected as rejected:
        db.rollback()
        return render_okr_page(page, db, cycle.key, status_code=422, new_error=rejected,
                               new_form=form)
    db.commit()
    return page.redirect(f"/okr?cycle={quote(cycle.key)}#okr-{row.id}")


@router.post("/okr/objectives/{objective_id}/key-results", dependencies=[CsrfChecked])
def new_key_result(
    page: SignedInPage,
    db: DbSession,
    objective_id: int,
    title: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "metric",
    metric: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "",
    start: Annotated[str, Form()] = "",
    target: Annotated[str, Form()] = "",
    milestones_total: Annotated[str, Form()] = "",
    due_on: Annotated[str, Form()] = "",
    per: Annotated[str, Form()] = "cycle",
) -> Response:
    """A key result on an objective of an open cycle, by its owner or an admin."""
    editor = editor_of(page)
    if editor is None:
        return refuse_edit(page)
    cycle = db.scalar(select(OkrCycleRow).join(
        OkrObjectiveRow, OkrObjectiveRow.cycle_id == OkrCycleRow.id).where(
        OkrObjectiveRow.id == objective_id, OkrObjectiveRow.workspace_id == editor.workspace_id))
    if cycle is None:
        return not_found(page, "okr")
    if cycle.status != "open":
        return render_okr_page(page, db, cycle.key, status_code=409)
    form = KeyResultForm(title, kind, metric, unit, start, target, milestones_total, due_on,
                         per)
    try:
        row = create_key_result(db, editor, objective_id, form)
    except EditForbidden as forbidden:
        db.rollback()
        return refuse_edit(page, forbidden.needs)
    except CycleIsClosed:  # closed since the check above
        db.rollback()
        return render_okr_page(page, db, cycle.key, status_code=409)
    except EditRejected as rejected:
        db.rollback()
        return render_okr_page(page, db, cycle.key, status_code=422, kr_error=rejected,
                               kr_for=objective_id, kr_form=form)
    db.commit()
    return page.redirect(f"/okr?cycle={quote(cycle.key)}#kr-{row.id}")


@router.post("/okr/key-results/{key_result_id}/window", dependencies=[CsrfChecked])
def change_window(
    page: SignedInPage,
    db: DbSession,
    key_result_id: int,
    per: Annotated[str, Form()] = "",
) -> Response:
    """A key result's window (``per``), by its objective's owner or an admin, in an open
    cycle; a live value is recomputed for the new window before the page shows it."""
    editor = editor_of(page)
    if editor is None:
        return refuse_edit(page)
    cycle = cycle_of_key_result(db, editor.workspace_id, key_result_id)
    if cycle is None:
        return not_found(page, "okr")
    if cycle.status != "open":
        return render_okr_page(page, db, cycle.key, status_code=409)
    try:
        _change_window(db, editor, key_result_id, per,
                       page.web.container.settings.resolved_warehouse_url())
    except EditForbidden as forbidden:
        db.rollback()
        return refuse_edit(page, forbidden.needs)
    except (CycleIsClosed, NotFound):  # closed or deleted since the check above
        db.rollback()
        return render_okr_page(page, db, cycle.key, status_code=409)
    except EditRejected as rejected:
        db.rollback()
        return render_okr_page(page, db, cycle.key, status_code=422, error=rejected,
                               error_for=key_result_id)
    db.commit()
    return page.redirect(f"/okr?cycle={quote(cycle.key)}#kr-{key_result_id}")


def _change_window(
    db: Session, editor: Editor, key_result_id: int, per: str, warehouse_url: str
) -> KeyResultRow:
    """Set ``per`` as the API's PATCH does (one audit entry of the change), then bring a
    live value to the new window."""
    if per not in tuple(Per):
        raise EditRejected("per", N_("Choose the cycle so far or per month."))
    kr = key_result_to_check_in(db, editor, key_result_id)  # the owner's, in an open cycle
    if kr.per != per:
        record(db, editor, "update", "key_result", kr.id,
               {"key": kr.key, "per": {"from": kr.per, "to": per}})
        kr.per = per
        refresh_after_change(db, warehouse_url, editor.workspace_id, kr.id)
    return kr


@router.post("/okr/cycles", dependencies=[CsrfChecked])
def new_cycle(
    page: SignedInPage,
    db: DbSession,
    name: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "quarter",
    starts_on: Annotated[str, Form()] = "",
    ends_on: Annotated[str, Form()] = "",
) -> Response:
    """A new open cycle: the OKR calendar is structure, admins only (as the API)."""
    editor = editor_of(page)
    if editor is None:
        return refuse_edit(page)
    form = CycleForm(name, kind, starts_on, ends_on)
    try:
        row = create_cycle(db, editor, form)
    except EditForbidden as forbidden:
        db.rollback()
        return refuse_edit(page, forbidden.needs)
    except EditRejected as rejected:
        db.rollback()
        return render_okr_page(page, db, None, status_code=422, cycle_error=rejected,
                               cycle_form=form)
    db.commit()
    return page.redirect(f"/okr?cycle={quote(row.key)}")
