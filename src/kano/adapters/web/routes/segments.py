"""Segments on the web (SPEC §2.2): the list with each segment's source, members now, the
change at its last refresh and when that was; a segment's page with its definition in
words and its members (paged, searchable, CSV/XLSX); the form that defines a rule segment
by condition rows, with a live preview count (HTMX; without JavaScript the "Preview"
button shows it), or a computed one chosen from a list; delete after a confirmation; and
"Refresh now".

Everything goes through :mod:`kano.adapters.db.segments`, the store the API and the CLI
use. Viewers read; other members change (as the API's ``write`` tokens), CSRF-checked and
audited. The page's own actions live under ``_`` (``/segments/_new``): a segment key never
starts with one, so no key hides them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from kano.adapters.db import accounts
from kano.adapters.db import segments as store
from kano.adapters.db.orm import Segment, utcnow
from kano.adapters.db.segment_changes import last_refresh_changes
from kano.adapters.exports.table_files import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    Line,
    table_csv,
    table_xlsx,
)
from kano.adapters.web.attribute_labels import REGION_LABELS
from kano.adapters.web.deps import CsrfChecked, DbSession, SignedInPage, SignedInPageContext, Web
from kano.adapters.web.labels import vocabulary_filter
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.routes.value import workspace_currency
from kano.adapters.web.segment_form import (
    MESSAGES,
    ROW_FIELDS,
    SOURCES_OFFERED,
    FormProblem,
    SegmentForm,
    definition_input,
    form_of,
    parameter_choices,
    problem_of,
    read_form,
    rule_input,
)
from kano.adapters.web.segment_words import (
    FIELD_LABELS,
    KIND_WORDS,
    OP_LABELS,
    SOURCE_LABELS,
    RuleWords,
)
from kano.adapters.web.strategy_access import no_workspace, not_found, refuse_edit
from kano.adapters.web.strategy_exports import download, utc_heading
from kano.adapters.web.warehouse_reads import on_warehouse
from kano.domain.customers.segments import OPS, definition_from
from kano.domain.shared.errors import InvalidInput, NotFound
from kano.domain.workspaces import Role

router = APIRouter()

MEMBERS_PAGE = 50
SAMPLE = 8
WAREHOUSE_SOURCES = ("rfm", "matrix_cell")  # the analyses that read the warehouse
REFRESHED_WITHOUT_WAREHOUSE = N_("RFM and client-matrix segments were not refreshed: they "
                                 "need the warehouse, which could not be read just now.")


def may_change(page: SignedInPageContext) -> bool:
    return page.workspace is not None and page.workspace.role != Role.VIEWER


def _words(page: SignedInPageContext, db: Session) -> RuleWords:
    assert page.workspace is not None
    names = dict(db.execute(select(Segment.key, Segment.name)
                            .where(Segment.workspace_id == page.workspace.id)).all())
    return RuleWords(page.gettext, page.language.code, workspace_currency(page),
                     {str(k): str(v) for k, v in names.items()})


def audit_segments(page: SignedInPageContext, db: Session, action: str, key: str,
                   detail: dict[str, Any] | None = None) -> None:
    assert page.workspace is not None
    accounts.audit(db, page.workspace.id, page.viewer.email, action, "segment", key, detail,
                   user_id=page.viewer.user_id)


def refresh_segments_now(page: SignedInPageContext, web: Web, db: Session,
                         keys: list[str] | None = None) -> str | None:
    """Refresh (all, or ``keys``) and commit; RFM and matrix segments read the warehouse.
    When it cannot be read, the others are refreshed and the returned notice says so."""
    assert page.workspace is not None
    workspace_id = page.workspace.id
    sources = select(Segment.source).where(Segment.workspace_id == workspace_id)
    if keys is not None:
        sources = sources.where(Segment.key.in_(keys))
    if not set(db.scalars(sources)) & set(WAREHOUSE_SOURCES):
        store.refresh_segments(db, workspace_id, utcnow(), keys=keys)
        db.commit()
        return None
    _, problem = on_warehouse(web, lambda backend: store.refresh_segments(
        db, workspace_id, utcnow(), warehouse=backend, keys=keys), page.gettext)
    if problem is not None:
        db.rollback()
        store.refresh_segments(db, workspace_id, utcnow(), keys=keys)
    db.commit()
    return page.gettext(REFRESHED_WITHOUT_WAREHOUSE) if problem is not None else None


@router.get("/segments")
def segment_list(page: SignedInPage, db: DbSession, notice: str = "") -> Response:
    if page.workspace is None:
        return no_workspace(page)
    words = _words(page, db)
    summaries = store.segment_overview(db, page.workspace.id)
    return page.render(
        "segments/index.html", active="segments", segments=summaries,
        changes=last_refresh_changes(db, page.workspace.id), source_labels=SOURCE_LABELS,
        described={s.key: words.definition(s.source, s.rule, s.parameter) for s in summaries},
        can_change=may_change(page),
        notice=page.gettext(REFRESHED_WITHOUT_WAREHOUSE) if notice == "warehouse" else None,
    )  # fmt: skip


def refresh_all_and_return(page: SignedInPageContext, web: Web, db: Session,
                           back: str) -> Response:
    """"Refresh now" (on /segments and on the customer list, whose 12-month facts the
    refresh stores): every segment, audited, then back to ``back``."""
    if page.workspace is None:
        return no_workspace(page)
    if not may_change(page):
        return refuse_edit(page)
    notice = refresh_segments_now(page, web, db)
    audit_segments(page, db, "refresh", "*")
    db.commit()
    return page.redirect(back + ("?notice=warehouse" if notice else ""))


@router.post("/segments/_refresh", dependencies=[CsrfChecked])
def refresh_now(page: SignedInPage, web: Web, db: DbSession) -> Response:
    return refresh_all_and_return(page, web, db, "/segments")


def _form_page(page: SignedInPageContext, db: Session, form: SegmentForm, *, editing: bool,
               problem: FormProblem | None = None, preview: Any = None,
               status_code: int = 200) -> Response:
    return page.render(
        "segments/form.html", status_code=status_code, active="segments",
        form=form.padded(), editing=editing, problem=problem, preview=preview,
        source_labels=SOURCE_LABELS, sources=SOURCES_OFFERED, field_labels=FIELD_LABELS,
        row_fields=ROW_FIELDS, op_labels=OP_LABELS, ops=OPS, choices=parameter_choices(),
        words=_words(page, db),
    )  # fmt: skip


@router.get("/segments/_new")
def new_segment(page: SignedInPage, db: DbSession, source: str = "rule") -> Response:
    if page.workspace is None:
        return no_workspace(page)
    if not may_change(page):
        return refuse_edit(page)
    return _form_page(page, db, SegmentForm(
        source=source if source in SOURCES_OFFERED else "rule"), editing=False)


def _preview(page: SignedInPageContext, db: Session, form: SegmentForm) -> dict[str, Any]:
    """The preview of the form's rule: a count and a sample, or the problem in it; a rule
    on 12-month figures counts on the stored facts, the ones saving it computes members
    from, and says as of when they hold."""
    assert page.workspace is not None
    if not form.rows:
        return {"problem": FormProblem("rule", MESSAGES["rule"])}
    try:
        found = store.preview_rule(db, page.workspace.id, rule_input(form, page.gettext),
                                   SAMPLE)
    except InvalidInput as error:
        return {"problem": problem_of(error, form)}
    return {"count": found.count, "sample": found.sample, "facts_as_of": found.facts_as_of}


@router.get("/segments/_preview")
def preview_fragment(request: Request, page: SignedInPage, db: DbSession) -> Response:
    """The live preview (HTMX): how many customers the rule of the form matches now."""
    if page.workspace is None:
        return no_workspace(page)
    form = read_form(dict(request.query_params))
    return page.render("segments/_preview.html", preview=_preview(page, db, form))


async def _posted(request: Request) -> tuple[SegmentForm, str]:
    data = await request.form()
    values = {name: value for name, value in data.items() if isinstance(value, str)}
    return read_form(values), values.get("action", "save")


@router.post("/segments/_new", dependencies=[CsrfChecked])
async def create_segment(request: Request, page: SignedInPage, web: Web,
                         db: DbSession) -> Response:
    form, action = await _posted(request)
    return _save(page, web, db, form, action, editing=False)


@router.post("/segments/{key}/edit", dependencies=[CsrfChecked])
async def change_segment(request: Request, page: SignedInPage, web: Web, db: DbSession,
                         key: str) -> Response:
    form, action = await _posted(request)
    form.key = key
    return _save(page, web, db, form, action, editing=True)


def _save(page: SignedInPageContext, web: Web, db: Session, form: SegmentForm, action: str,
          *, editing: bool) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    if not may_change(page):
        return refuse_edit(page)
    workspace_id = page.workspace.id
    existing = {s.key for s in store.segment_overview(db, workspace_id)}
    if editing and form.key not in existing:
        return not_found(page, "segments")
    if action == "preview":
        return _form_page(page, db, form, editing=editing, preview=_preview(page, db, form))
    if not editing and form.key in existing:
        return _form_page(page, db, form, editing=False, status_code=422,
                          problem=FormProblem("key", MESSAGES["key_taken"]))
    try:
        definition = definition_from(definition_input(form, page.gettext))
        store.save_segment(db, workspace_id, definition)
    except InvalidInput as error:
        db.rollback()
        return _form_page(page, db, form, editing=editing, status_code=422,
                          problem=problem_of(error, form))
    audit_segments(page, db, "update" if editing else "create", form.key,
           {"definition": definition_input(form, page.gettext)})
    db.commit()
    notice = refresh_segments_now(page, web, db, [form.key])
    return page.redirect(f"/segments/{form.key}" + ("?notice=warehouse" if notice else ""))


def _summary(db: Session, workspace_id: int, key: str) -> store.SegmentSummary | None:
    return next((s for s in store.segment_overview(db, workspace_id) if s.key == key), None)


def _to_change(page: SignedInPageContext, db: Session,
               key: str) -> store.SegmentSummary | Response:
    """The segment the viewer is about to change, or the page that says why not."""
    if page.workspace is None:
        return no_workspace(page)
    if not may_change(page):
        return refuse_edit(page)
    found = _summary(db, page.workspace.id, key)
    return not_found(page, "segments") if found is None else found


@router.get("/segments/{key}/edit")
def edit_segment(page: SignedInPage, db: DbSession, key: str) -> Response:
    found = _to_change(page, db, key)
    if isinstance(found, Response):
        return found
    return _form_page(page, db, form_of(found.key, found.name, found.source, found.rule,
                                        found.parameter, found.description), editing=True)


@router.get("/segments/{key}/delete")
def confirm_delete(page: SignedInPage, db: DbSession, key: str) -> Response:
    found = _to_change(page, db, key)
    if isinstance(found, Response):
        return found
    return page.render("segments/delete.html", active="segments", segment=found)


@router.post("/segments/{key}/delete", dependencies=[CsrfChecked])
def delete_segment(page: SignedInPage, db: DbSession, key: str) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    if not may_change(page):
        return refuse_edit(page)
    try:
        store.delete_segment(db, page.workspace.id, key)
    except NotFound:
        db.rollback()
        return not_found(page, "segments")
    audit_segments(page, db, "delete", key)
    db.commit()
    return page.redirect("/segments")


@router.get("/segments/{key}")
def segment_page(page: SignedInPage, db: DbSession, key: str, q: str = "",
                 page_number: int = 1, notice: str = "") -> Response:
    if page.workspace is None:
        return no_workspace(page)
    found = _summary(db, page.workspace.id, key)
    if found is None:
        return not_found(page, "segments")
    page_number = min(max(page_number, 1), 10**6)
    total, members = store.members_now(db, page.workspace.id, key, search=q[:200] or None,
                                       limit=MEMBERS_PAGE,
                                       offset=(page_number - 1) * MEMBERS_PAGE)
    change = last_refresh_changes(db, page.workspace.id).get(key)
    return page.render(
        "segments/show.html", active="segments", segment=found, change=change,
        definition=_words(page, db).definition(found.source, found.rule, found.parameter),
        source_labels=SOURCE_LABELS, members=members, total=total, query=q[:200],
        page_number=page_number, pages=max((total + MEMBERS_PAGE - 1) // MEMBERS_PAGE, 1),
        kind_labels=KIND_WORDS, can_change=may_change(page),
        notice=page.gettext(REFRESHED_WITHOUT_WAREHOUSE) if notice == "warehouse" else None,
    )  # fmt: skip


@router.get("/segments/{key}/members.{extension}")
def member_file(page: SignedInPage, db: DbSession, key: str, extension: str,
                q: str = "") -> Response:
    """The segment's current members (those the search finds) as CSV or XLSX."""
    if page.workspace is None:
        return no_workspace(page)
    if extension not in ("csv", "xlsx"):
        return not_found(page, "segments")
    found = _summary(db, page.workspace.id, key)
    if found is None:
        return not_found(page, "segments")
    _, members = store.members_now(db, page.workspace.id, key, search=q[:200] or None,
                                   limit=max(found.members_now, 1) + 1000)
    gettext = page.gettext
    region = vocabulary_filter(REGION_LABELS, gettext)
    header = [gettext("Name"), gettext("External id"), gettext("Kind"), gettext("Region"),
              utc_heading(gettext("Member since"), gettext)]
    lines = [Line([m.name, m.external_id, gettext(KIND_WORDS.get(m.kind, m.kind)),
                   region(m.region) if m.region else None, m.since]) for m in members]
    stem = f"segment-{key}-members"
    if extension == "csv":
        return download(table_csv(header, lines), CSV_MEDIA_TYPE, f"{stem}.csv")
    return download(table_xlsx(header, lines, sheet_title=found.name,
                               widths=(30, 16, 12, 14, 18)), XLSX_MEDIA_TYPE, f"{stem}.xlsx")
