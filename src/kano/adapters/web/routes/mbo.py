"""MBO review sheets: one employee and period per page, written on the page, exported
(``mbo_files``) to XLSX, PDF and — all the sheets of a period — CSV.

Who may is the API's rule, through the same store (``mbo_store``): admins and owners
create sheets and move them between draft, agreed and reviewed; an objective belongs to
the owners of the OKR or scorecard objective it serves, who edit it, record its
achievement with a comment, move or remove it; admins delete a sheet after a
confirmation page; viewers read. An agreed sheet's weights
must add up to 100 % after every change. Every form carries the CSRF token; a refused
field is named next to its form in the reader's language; every change leaves the API's
audit entry (who and when).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from kano.adapters.db.orm import MboObjectiveRow, MboSheetRow
from kano.adapters.db.views.mbo import MboLine, choose_sheet, list_sheets, mbo_sheet
from kano.adapters.web import mbo_authoring
from kano.adapters.web.deps import CsrfChecked, DbSession, SignedInPage, SignedInPageContext
from kano.adapters.web.mbo_authoring import ObjectiveForm
from kano.adapters.web.mbo_history import review_comments, sheet_comment, status_change
from kano.adapters.web.routes import mbo_files
from kano.adapters.web.strategy_access import (
    EditRights,
    editor_of,
    no_workspace,
    not_found,
    refuse_edit,
    strategy_context,
)
from kano.adapters.web.strategy_edits import EditForbidden, Editor, EditRejected
from kano.domain.shared.errors import NotFound
from kano.domain.workspaces import may_change_everything

router = APIRouter()
router.include_router(mbo_files.router)


def may_edit_line(rights: EditRights, line: MboLine) -> bool:
    """The line's objective is the reader's to change: they own what it serves, or admin."""
    if rights.structure:
        return True
    return bool((line.okr is not None and rights.okr(line.okr.id))
                or (line.scorecard_objective is not None
                    and rights.objective(line.scorecard_objective[0])))


def _mbo_page(page: SignedInPageContext, db: Session, sheet_key: str | None, *,
              status_code: int = 200, **errors: Any) -> Response:
    assert page.workspace is not None
    workspace_id = page.workspace.id
    choices = list_sheets(db, workspace_id)
    chosen = choose_sheet(choices, sheet_key)
    view = mbo_sheet(db, workspace_id, chosen) if chosen else None
    context = strategy_context(page, db)
    rights: EditRights = context["rights"]
    editable = {line.key for line in view.lines if may_edit_line(rights, line)} if view else set()
    authoring = context["can_edit"]
    sheet_id = view.sheet.id if view else None
    comments = review_comments(db, workspace_id, sheet_id) if sheet_id else {}
    changed = status_change(db, workspace_id, sheet_id) if sheet_id else None
    commented = sheet_comment(db, workspace_id, sheet_id) if sheet_id else None
    forms: dict[str, Any] = {name: None for name in (
        "sheet_error", "sheet_form", "status_error", "new_error", "new_form", "line_error",
        "line_key", "line_form", "status_comment")}
    return page.render(
        "mbo/index.html", status_code=status_code, active="mbo", choices=choices, view=view,
        editable=editable, may_admin=rights.structure, comments=comments,
        status_changed=changed, sheet_commented=commented,
        links=mbo_authoring.link_choices(db, workspace_id) if authoring else None,
        employees=mbo_authoring.employees(db, workspace_id) if rights.structure else [],
        periods=sorted({c.period_label for c in choices}, reverse=True),
        statuses=mbo_authoring.STATUS_STEPS, **context, **(forms | errors))


@router.get("/mbo")
def mbo(page: SignedInPage, db: DbSession, sheet: str | None = None) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    return _mbo_page(page, db, sheet)


def _sheet(db: Session, editor: Editor, key: str) -> MboSheetRow | None:
    return mbo_authoring.sheet_by_key(db, editor.workspace_id, key)


def _objective(db: Session, sheet: MboSheetRow, key: str) -> MboObjectiveRow | None:
    return db.scalar(select(MboObjectiveRow).where(
        MboObjectiveRow.workspace_id == sheet.workspace_id,
        MboObjectiveRow.sheet_id == sheet.id, MboObjectiveRow.key == key))


def _back(page: SignedInPageContext, sheet_key: str, anchor: str = "") -> Response:
    return page.redirect(f"/mbo?sheet={quote(sheet_key)}{anchor}")


@router.post("/mbo/sheets", dependencies=[CsrfChecked])
def new_sheet(
    page: SignedInPage, db: DbSession,
    employee: Annotated[str, Form()] = "", period: Annotated[str, Form()] = "",
) -> Response:
    """A draft sheet for an employee and a period: admins and owners, as the API."""
    editor = editor_of(page)
    if editor is None:
        return refuse_edit(page)
    try:
        sheet = mbo_authoring.create_sheet(db, editor, employee, period)
    except EditForbidden as forbidden:
        db.rollback()
        return refuse_edit(page, forbidden.needs)
    except EditRejected as rejected:
        db.rollback()
        return _mbo_page(page, db, None, status_code=422, sheet_error=rejected,
                         sheet_form={"employee": employee, "period": period})
    db.commit()
    return _back(page, sheet.key)


@router.post("/mbo/sheets/{sheet_key}/status", dependencies=[CsrfChecked])
def sheet_status(
    page: SignedInPage, db: DbSession, sheet_key: str, status: Annotated[str, Form()] = "",
    comment: Annotated[str | None, Form()] = None,
) -> Response:
    """Agree a draft, mark it reviewed, or move it back to draft (admins and owners), with
    the reviewer's comment on the whole sheet."""
    editor = editor_of(page)
    if editor is None:
        return refuse_edit(page)
    sheet = _sheet(db, editor, sheet_key)
    if sheet is None:
        return not_found(page, "mbo")
    try:
        mbo_authoring.set_status(db, editor, sheet, status, comment)
    except EditForbidden as forbidden:
        db.rollback()
        return refuse_edit(page, forbidden.needs)
    except EditRejected as rejected:
        db.rollback()
        return _mbo_page(page, db, sheet_key, status_code=422, status_error=rejected,
                         status_comment=comment)
    db.commit()
    return _back(page, sheet_key)


@router.get("/mbo/sheets/{sheet_key}/delete")
def confirm_delete_sheet(page: SignedInPage, db: DbSession, sheet_key: str) -> Response:
    """What deleting the sheet takes with it, and the button that does it (admins)."""
    if page.workspace is None:
        return no_workspace(page)
    editor = editor_of(page)
    if editor is None or not may_change_everything(editor.role):
        return refuse_edit(page, "admin" if editor is not None else "editor")
    chosen = next((c for c in list_sheets(db, editor.workspace_id) if c.key == sheet_key), None)
    if chosen is None:
        return not_found(page, "mbo")
    view = mbo_sheet(db, editor.workspace_id, chosen)
    return page.render("mbo/delete.html", active="mbo", view=view, **strategy_context(page))


@router.post("/mbo/sheets/{sheet_key}/delete", dependencies=[CsrfChecked])
def delete_sheet(page: SignedInPage, db: DbSession, sheet_key: str) -> Response:
    """Delete the sheet with its objectives (admins); the audit log keeps what it was."""
    editor = editor_of(page)
    if editor is None:
        return refuse_edit(page)
    sheet = _sheet(db, editor, sheet_key)
    if sheet is None:
        return not_found(page, "mbo")
    try:
        mbo_authoring.delete_sheet(db, editor, sheet)
    except EditForbidden as forbidden:
        db.rollback()
        return refuse_edit(page, forbidden.needs)
    db.commit()
    return page.redirect("/mbo")


@router.post("/mbo/sheets/{sheet_key}/objectives", dependencies=[CsrfChecked])
def new_objective(
    page: SignedInPage, db: DbSession, sheet_key: str,
    title: Annotated[str, Form()] = "", weight: Annotated[str, Form()] = "",
    achievement: Annotated[str, Form()] = "", link: Annotated[str, Form()] = "",
) -> Response:
    editor = editor_of(page)
    if editor is None:
        return refuse_edit(page)
    sheet = _sheet(db, editor, sheet_key)
    if sheet is None:
        return not_found(page, "mbo")
    form = ObjectiveForm(title, weight, achievement, link)
    try:
        row = mbo_authoring.add_objective(db, editor, sheet, form)
    except EditForbidden as forbidden:
        db.rollback()
        return refuse_edit(page, forbidden.needs)
    except EditRejected as rejected:
        db.rollback()
        return _mbo_page(page, db, sheet_key, status_code=422, new_error=rejected,
                         new_form=form)
    db.commit()
    return _back(page, sheet_key, f"#mbo-{row.key}")


def _objective_change(page: SignedInPageContext, db: Session, sheet_key: str, key: str,
                      change: Any, form: ObjectiveForm | None = None) -> Response:
    """Run ``change(db, editor, sheet, row)`` on an objective of the sheet; answer as the
    other forms do (403, 404, the page with the refusal next to the objective's form)."""
    editor = editor_of(page)
    if editor is None:
        return refuse_edit(page)
    sheet = _sheet(db, editor, sheet_key)
    row = _objective(db, sheet, key) if sheet is not None else None
    if sheet is None or row is None:
        return not_found(page, "mbo")
    try:
        change(db, editor, sheet, row)
    except EditForbidden as forbidden:
        db.rollback()
        return refuse_edit(page, forbidden.needs)
    except NotFound:
        db.rollback()
        return not_found(page, "mbo")
    except EditRejected as rejected:
        db.rollback()
        return _mbo_page(page, db, sheet_key, status_code=422, line_error=rejected,
                         line_key=key, line_form=form)
    db.commit()
    return _back(page, sheet_key, f"#mbo-{key}")


@router.post("/mbo/sheets/{sheet_key}/objectives/{key}", dependencies=[CsrfChecked])
def edit_objective(
    page: SignedInPage, db: DbSession, sheet_key: str, key: str,
    title: Annotated[str, Form()] = "", weight: Annotated[str, Form()] = "",
    achievement: Annotated[str, Form()] = "", link: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
) -> Response:
    """Reword, re-weight, re-link an objective or record its achievement with a comment."""
    form = ObjectiveForm(title, weight, achievement, link, comment)

    def change(db: Session, editor: Editor, sheet: MboSheetRow, row: MboObjectiveRow) -> None:
        mbo_authoring.update_objective(db, editor, sheet, row, form)

    return _objective_change(page, db, sheet_key, key, change, form)


@router.post("/mbo/sheets/{sheet_key}/objectives/{key}/delete", dependencies=[CsrfChecked])
def remove_objective(page: SignedInPage, db: DbSession, sheet_key: str, key: str) -> Response:
    return _objective_change(page, db, sheet_key, key, mbo_authoring.delete_objective)


@router.post("/mbo/sheets/{sheet_key}/objectives/{key}/move", dependencies=[CsrfChecked])
def move_objective(
    page: SignedInPage, db: DbSession, sheet_key: str, key: str,
    step: Annotated[str, Form()] = "down",
) -> Response:
    """One place up or down the sheet (the order the review and its files follow)."""

    def change(db: Session, editor: Editor, sheet: MboSheetRow, row: MboObjectiveRow) -> None:
        mbo_authoring.move_objective(db, editor, sheet, row, -1 if step == "up" else 1)

    return _objective_change(page, db, sheet_key, key, change)
