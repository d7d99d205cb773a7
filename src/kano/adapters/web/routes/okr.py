"""The OKR tree of a cycle, the inline check-in form, and closing the cycle (SPEC §2.8).

The check-in form posts with HTMX (the CSRF token travels in the ``X-CSRF-Token`` header
the layout sets) and gets back the key result with its new progress bar, plus the
objective's progress and the teams' Net Confidence as out-of-band swaps. Without
JavaScript the same form posts normally and the page reloads at the key result. Only the
owner of a key result's objective (or an admin) checks in.

Admins close an open cycle with a confirmed form: ``okr_closing.close_cycle``, the same
operation as the API's and ``kano okr close``, grades every objective and carries the
unfinished key results over to the cycle chosen; the tree then shows each grade.

The page also writes OKRs through the API's store (``okr_store``; the forms are read by
``okr_authoring``): admins open a cycle; in an open cycle editors add an objective
(managers one they own) and a key result on an objective they may change, due at the end
of the cycle unless its form names a day; each key result shows its due date, flagged
overdue once the day is past and it is not done. A refused field is named next to its
form, in the reader's language; the page answers 403 to a viewer and 409 for a closed cycle.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from babel.dates import format_date, format_skeleton
from fastapi import APIRouter, Form
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from kano.adapters.db.metric_catalogue import workspace_catalogue
from kano.adapters.db.okr_closing import Actor, close_cycle
from kano.adapters.db.okr_store import CycleIsClosed
from kano.adapters.db.orm import OkrCycleRow, OkrObjectiveRow
from kano.adapters.db.views.okr import (
    OkrTree,
    choose_cycle,
    cycle_of_key_result,
    find_key_result,
    list_cycles,
    okr_tree,
)
from kano.adapters.exports.okr_file import XLSX_WIDTHS, columns, okr_lines, okr_pdf
from kano.adapters.exports.table_files import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    table_csv,
    table_xlsx,
)
from kano.adapters.web import okr_authoring
from kano.adapters.web.deps import CsrfChecked, DbSession, SignedInPage, SignedInPageContext
from kano.adapters.web.okr_authoring import (
    CYCLE_KINDS,
    KR_KIND_LABELS,
    KR_KINDS,
    LEVELS,
    CycleForm,
    KeyResultForm,
    ObjectiveForm,
    create_cycle,
    create_key_result,
    create_okr_objective,
    cycle_at,
    members,
    scorecard_objectives,
    teams,
)
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.strategy_access import (
    editor_of,
    no_workspace,
    not_found,
    refuse_edit,
    strategy_context,
)
from kano.adapters.web.strategy_edits import EditForbidden, EditRejected
from kano.adapters.web.strategy_exports import download, okr_texts
from kano.adapters.web.strategy_formats import CONFIDENCE_STATUS
from kano.adapters.web.strategy_session import metric_groups
from kano.domain.okr.closing import ClosingConflict, CycleNotOpen
from kano.domain.okr.model import Commitment, is_success
from kano.domain.shared.errors import InvalidInput, NotFound

router = APIRouter()


def graded_success(grade: float, commitment: str) -> bool:
    """Whether an objective's grade counts as success (1.0 committed, 0.7 aspirational)."""
    return is_success(grade, Commitment(commitment))


def _context(page: SignedInPageContext, db: Session) -> dict[str, Any]:
    language = page.language.code
    assert page.workspace is not None
    catalogue = workspace_catalogue(db, page.workspace.id)

    def metric_name(metric_id: str) -> str:
        """A live key result's metric as the catalogue names it in the reader's language
        (the page said "live from on_time_delivery")."""
        return catalogue.get(metric_id).name(language) if metric_id in catalogue else metric_id

    return {**strategy_context(page, db), "confidence_status": CONFIDENCE_STATUS,
            "graded_success": graded_success, "today": date.today(),
            "due_date": lambda day: format_date(day, "medium", locale=language),
            "metric_name": metric_name,
            "month_label": lambda day: format_skeleton("yMMMM", day, locale=language)}


def _okr_page(
    page: SignedInPageContext, db: DbSession, cycle_key: str | None, *,
    status_code: int = 200, error: EditRejected | None = None, error_for: int | None = None,
    close_error: EditRejected | None = None, close_form: dict[str, str] | None = None,
    new_error: EditRejected | None = None, new_form: ObjectiveForm | None = None,
    kr_error: EditRejected | None = None, kr_for: int | None = None,
    kr_form: KeyResultForm | None = None,
    cycle_error: EditRejected | None = None, cycle_form: CycleForm | None = None,
) -> Response:
    assert page.workspace is not None
    cycles = list_cycles(db, page.workspace.id)
    chosen = choose_cycle(cycles, cycle_key, date.today())
    tree = okr_tree(db, page.workspace.id, chosen) if chosen else None
    targets = [c for c in cycles if c.status == "open" and (chosen is None or c.id != chosen.id)]
    return page.render(
        "okr/index.html", status_code=status_code, active="okr", cycles=cycles, tree=tree,
        error=error, error_for=error_for, carry_over_targets=targets,
        close_error=close_error, close_form=close_form or {}, **_context(page, db),
        **_authoring(page, db, chosen, new_error, new_form, kr_error, kr_for, kr_form),
        cycle_kinds=CYCLE_KINDS, cycle_error=cycle_error, cycle_form=cycle_form or CycleForm(),
    )


def _authoring(
    page: SignedInPageContext, db: Session, cycle: Any, new_error: EditRejected | None,
    new_form: ObjectiveForm | None, kr_error: EditRejected | None, kr_for: int | None,
    kr_form: KeyResultForm | None,
) -> dict[str, Any]:
    """What the "New objective" and "Add a key result" forms offer (editors only)."""
    assert page.workspace is not None
    if editor_of(page) is None or cycle is None or cycle.status != "open":
        return {"authoring": False}
    ws = page.workspace.id
    return {
        "authoring": True, "levels": LEVELS,
        "kr_kinds": KR_KINDS, "kr_kind_labels": KR_KIND_LABELS,
        "members": members(db, ws), "teams": teams(db, ws),
        "scorecard_objectives": scorecard_objectives(db, ws),
        "okr_objectives": db.execute(
            select(OkrObjectiveRow.id, OkrObjectiveRow.title)
            .where(OkrObjectiveRow.workspace_id == ws, OkrObjectiveRow.cycle_id == cycle.id)
            .order_by(OkrObjectiveRow.position, OkrObjectiveRow.id)).all(),
        "metric_choices": list(metric_groups(db, ws, None, page.language.code).by_id.values()),
        "new_error": new_error, "new_form": new_form or ObjectiveForm(
            owner=str(page.viewer.user_id)),
        "kr_error": kr_error, "kr_for": kr_for, "kr_form": kr_form or KeyResultForm(),
        # a key result is due when its cycle ends unless the form names a day
        "kr_due": format_date(cycle.ends_on, "medium", locale=page.language.code),
        "kr_due_default": cycle.ends_on.isoformat(),
    }


@router.get("/okr")
def okr(page: SignedInPage, db: DbSession, cycle: str | None = None) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    return _okr_page(page, db, cycle)


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


def _check_in_fragment(
    page: SignedInPageContext, db: Session, tree: OkrTree, key_result_id: int, *,
    status_code: int = 200, error: EditRejected | None = None,
) -> Response:
    found = find_key_result(tree, key_result_id)
    assert found is not None
    node, kr = found
    return page.render(
        "okr/check_in_response.html", status_code=status_code, tree=tree, node=node, kr=kr,
        error=error, error_for=key_result_id if error else None, **_context(page, db),
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
        return _okr_page(page, db, cycle.key, status_code=409)
    try:
        okr_authoring.check_in(db, editor, key_result_id=key_result_id, value=value,
                               confidence=confidence, comment=comment)
    except EditForbidden as forbidden:
        db.rollback()
        return refuse_edit(page, forbidden.needs)
    except CycleIsClosed:  # closed since the check above
        db.rollback()
        return _okr_page(page, db, cycle.key, status_code=409)
    except EditRejected as rejected:
        db.rollback()
        if htmx:
            tree = okr_tree(db, editor.workspace_id, cycle)
            return _check_in_fragment(page, db, tree, key_result_id, status_code=422,
                                      error=rejected)
        return _okr_page(page, db, cycle.key, status_code=422, error=rejected,
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
        return _okr_page(page, db, cycle_key, status_code=status,
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
        return _okr_page(page, db, cycle.key, status_code=409)
    form = ObjectiveForm(title, level, owner, team, parent, scorecard_objective, commitment)
    try:
        row = create_okr_objective(db, editor, cycle, form)
    except EditForbidden as forbidden:
        db.rollback()
        return refuse_edit(page, forbidden.needs)
    except CycleIsClosed:  # closed since the check above
        db.rollback()
        return _okr_page(page, db, cycle.key, status_code=409)
    except EditRejected as rejected:
        db.rollback()
        return _okr_page(page, db, cycle.key, status_code=422, new_error=rejected,
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
        return _okr_page(page, db, cycle.key, status_code=409)
    form = KeyResultForm(title, kind, metric, unit, start, target, milestones_total, due_on,
                         per)
    try:
        row = create_key_result(db, editor, objective_id, form)
    except EditForbidden as forbidden:
        db.rollback()
        return refuse_edit(page, forbidden.needs)
    except CycleIsClosed:  # closed since the check above
        db.rollback()
        return _okr_page(page, db, cycle.key, status_code=409)
    except EditRejected as rejected:
        db.rollback()
        return _okr_page(page, db, cycle.key, status_code=422, kr_error=rejected,
                         kr_for=objective_id, kr_form=form)
    db.commit()
    return page.redirect(f"/okr?cycle={quote(cycle.key)}#kr-{row.id}")


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
        return _okr_page(page, db, None, status_code=422, cycle_error=rejected,
                         cycle_form=form)
    db.commit()
    return page.redirect(f"/okr?cycle={quote(row.key)}")
