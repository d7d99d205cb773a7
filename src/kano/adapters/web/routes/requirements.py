"""The special-requirements register on the web (issue 6 item 5): ``/requirements``.

A list with filters (kind, status, customer, overdue review), a form to add one and a
page to change one; managers and up write (CSRF-checked, audited through
``requirements_store``), viewers read. A problem shows the form again (422) with the
field that needs another look.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from kano.adapters.db import requirements_store
from kano.adapters.db.orm import Membership, User
from kano.adapters.db.survey_store import touchpoints_of
from kano.adapters.db.views.requirements import requirements
from kano.adapters.web.deps import CsrfChecked, DbSession, SignedInPage, SignedInPageContext
from kano.adapters.web.labels import REQUIREMENT_KIND_LABELS as KIND_LABELS
from kano.adapters.web.labels import REQUIREMENT_STATUS_LABELS as STATUS_LABELS
from kano.adapters.web.labels import product_names_of
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.strategy_access import can_edit, no_workspace, not_found, refuse_edit
from kano.domain.feedback.requirements import FIELDS
from kano.domain.shared.errors import InvalidInput, NotFound

router = APIRouter()

FIELD_LABELS = {
    "customer": N_("Customer"),
    "kind": N_("Kind"),
    "text": N_("Requirement"),
    "status": N_("Status"),
    "owner": N_("Owner"),
    "product": N_("Product"),
    "process": N_("Process"),
    "review_on": N_("Review date"),
}
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_ID = 2**63 - 1
EMPTY_FORM = {name: "" for name in FIELDS} | {"kind": "other", "status": "proposed"}


def _members(db: Session, workspace_id: int) -> list[str]:
    return list(db.scalars(
        select(User.email).join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == workspace_id).order_by(User.email)))


def _filters(kind: str, status: str, customer: str, overdue: str) -> dict[str, Any]:
    return {
        "kind": kind if kind in KIND_LABELS else "",
        "status": status if status in STATUS_LABELS else "",
        "customer": CONTROL.sub("", customer).strip()[:200],
        "overdue": overdue == "1",
    }


def _list_page(page: SignedInPageContext, db: Session, filters: dict[str, Any], *,
               form: dict[str, str] | None = None, error: dict[str, str] | None = None,
               status_code: int = 200) -> Response:
    assert page.workspace is not None
    lines = requirements(db, page.workspace.id, kind=filters["kind"] or None,
                         status=filters["status"] or None,
                         customer=filters["customer"] or None, overdue=filters["overdue"])
    form = form or dict(EMPTY_FORM)
    products = product_names_of(db, page.workspace.id,  # one look-up for every line
                                [line.product for line in lines] + [form.get("product")])
    return page.render(
        "requirements/index.html", status_code=status_code, active="requirements",
        lines=lines, filters=filters, kinds=KIND_LABELS, statuses=STATUS_LABELS,
        csv_query=urlencode({k: "1" if v is True else v for k, v in filters.items() if v}),
        fields=FIELD_LABELS, can_write=can_edit(page), members=_members(db, page.workspace.id),
        form=form, error=error, **products,
        # a stated requirement's process is its touchpoint: named as the journey map names it
        process_names=dict(touchpoints_of(db, page.workspace.id)),
    )


@router.get("/requirements.csv")
def requirement_csv(page: SignedInPage, db: DbSession, kind: str = "", status: str = "",
                    customer: str = "", overdue: str = "") -> Response:
    """The register as the page filters it, in the columns ``kano requirements import``
    reads (a file edited in a spreadsheet goes back in), one requirement a row; texts that
    start like a formula get the exports' apostrophe (``table_files``)."""
    from kano.adapters.exports.table_files import CSV_MEDIA_TYPE, Line, table_csv

    if page.workspace is None:
        return no_workspace(page)
    chosen = _filters(kind, status, customer, overdue)
    lines = requirements(db, page.workspace.id, kind=chosen["kind"] or None,
                         status=chosen["status"] or None,
                         customer=chosen["customer"] or None, overdue=chosen["overdue"])
    body = table_csv(FIELDS, [Line([getattr(line, name) for name in FIELDS]) for line in lines])
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", page.workspace.slug) + "-requirements.csv"
    return Response(body, media_type=CSV_MEDIA_TYPE, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@router.get("/requirements")
def requirement_list(page: SignedInPage, db: DbSession, kind: str = "", status: str = "",
                     customer: str = "", overdue: str = "") -> Response:
    if page.workspace is None:
        return no_workspace(page)
    return _list_page(page, db, _filters(kind, status, customer, overdue))


def _form_values(form: FormData) -> dict[str, str]:
    values = {}
    for name in FIELDS:
        value = form.get(name)
        values[name] = value.strip() if isinstance(value, str) else ""
    return values


def _raw(values: dict[str, str]) -> dict[str, object]:
    """Empty optional fields are left unset (cleared)."""
    return {name: (value or None) for name, value in values.items()}


def _problem(page: SignedInPageContext, error: InvalidInput) -> dict[str, str]:
    return {"field": error.field, "label": page.gettext(FIELD_LABELS.get(error.field, "")),
            "detail": error.message}  # the template says it: |refusal


@router.post("/requirements", dependencies=[CsrfChecked])
async def add_requirement(request: Request, page: SignedInPage, db: DbSession) -> Response:
    form = await request.form()
    return await run_in_threadpool(_add, page, db, _form_values(form))


def _add(page: SignedInPageContext, db: Session, values: dict[str, str]) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    if not can_edit(page):
        return refuse_edit(page)
    try:
        line = requirements_store.create_requirement(
            db, page.workspace.id, _raw(values), actor=page.viewer.email,
            user_id=page.viewer.user_id)
    except InvalidInput as error:
        db.rollback()
        return _list_page(page, db, _filters("", "", "", ""), form=values,
                          error=_problem(page, error), status_code=422)
    db.commit()
    return page.redirect(f"/requirements#requirement-{line.id}")


@router.get("/requirements/{requirement_id}")
def requirement_page(page: SignedInPage, db: DbSession, requirement_id: int) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    if not 0 < requirement_id <= MAX_ID:
        return not_found(page, "requirements")
    try:
        line = requirements_store.get_requirement(db, page.workspace.id, requirement_id)
    except NotFound:
        return not_found(page, "requirements")
    form = {name: "" for name in FIELDS} | {
        "customer": line.customer, "kind": line.kind, "text": line.text,
        "status": line.status, "owner": line.owner or "", "product": line.product or "",
        "process": line.process or "",
        "review_on": line.review_on.isoformat() if line.review_on else ""}
    return _edit_page(page, db, line.id, form)


def _edit_page(page: SignedInPageContext, db: Session, requirement_id: int,
               form: dict[str, str], *, error: dict[str, str] | None = None,
               status_code: int = 200) -> Response:
    assert page.workspace is not None
    found = requirements(db, page.workspace.id, requirement_id=requirement_id, limit=1)
    return page.render(
        "requirements/edit.html", status_code=status_code, active="requirements",
        requirement_id=requirement_id, stated_in=found[0].response_id if found else None,
        form=form, error=error, kinds=KIND_LABELS,
        statuses=STATUS_LABELS, fields=FIELD_LABELS, can_write=can_edit(page),
        members=_members(db, page.workspace.id),
        **product_names_of(db, page.workspace.id, [form.get("product")]),
    )


@router.post("/requirements/{requirement_id}", dependencies=[CsrfChecked])
async def change_requirement(request: Request, page: SignedInPage, db: DbSession,
                             requirement_id: int) -> Response:
    form = await request.form()
    return await run_in_threadpool(_change, page, db, requirement_id, _form_values(form))


def _change(page: SignedInPageContext, db: Session, requirement_id: int,
            values: dict[str, str]) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    if not can_edit(page):
        return refuse_edit(page)
    if not 0 < requirement_id <= MAX_ID:
        return not_found(page, "requirements")
    try:
        requirements_store.update_requirement(
            db, page.workspace.id, requirement_id, _raw(values), actor=page.viewer.email,
            user_id=page.viewer.user_id)
    except NotFound:
        db.rollback()
        return not_found(page, "requirements")
    except InvalidInput as error:
        db.rollback()
        return _edit_page(page, db, requirement_id, values, error=_problem(page, error),
                          status_code=422)
    db.commit()
    return page.redirect(f"/requirements#requirement-{requirement_id}")
