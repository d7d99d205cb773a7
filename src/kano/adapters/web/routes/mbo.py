"""MBO review sheets: one employee and period per page, exportable to XLSX and PDF."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from kano.adapters.db.views.mbo import MboSheetView, choose_sheet, list_sheets, mbo_sheet
from kano.adapters.exports.pdf import mbo_sheet_pdf
from kano.adapters.exports.review_sheet import ReviewSheetTexts, file_stem
from kano.adapters.web.deps import DbSession, SignedInPage, SignedInPageContext
from kano.adapters.web.strategy_access import (
    formats_of,
    no_workspace,
    not_found,
    strategy_context,
)
from kano.adapters.web.strategy_formats import LABELS

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/mbo")
def mbo(page: SignedInPage, db: DbSession, sheet: str | None = None) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    choices = list_sheets(db, page.workspace.id)
    chosen = choose_sheet(choices, sheet)
    view = mbo_sheet(db, page.workspace.id, chosen) if chosen else None
    return page.render("mbo/index.html", active="mbo", choices=choices, view=view,
                       **strategy_context(page))


def weights_problem(page: SignedInPageContext, view: MboSheetView) -> str | None:
    """Why the sheet has no score yet, in the reader's language (None when it has one)."""
    if view.weights_add_up:
        return None
    fmt = formats_of(page)
    if not view.lines:
        return page.gettext("This sheet has no objectives yet.")
    return page.gettext("The weights add up to %(total)s; they must add up to %(full)s.") % {
        "total": fmt.percent(view.total_weight / 100, 1), "full": fmt.percent(1.0)}


def review_sheet_texts(page: SignedInPageContext, view: MboSheetView) -> ReviewSheetTexts:
    _ = page.gettext
    fmt = formats_of(page)
    sheet_statuses = LABELS["sheet_status"]
    return ReviewSheetTexts(
        title=_("MBO review sheet"),
        employee=_("Employee"),
        role=_("Role"),
        team=_("Team"),
        period=_("Period"),
        status=_("Status"),
        status_value=_(sheet_statuses.get(view.sheet.status, view.sheet.status)),
        objective=_("Objective"),
        weight=_("Weight, %"),
        achievement=_("Achievement, %"),
        weighted=_("Weighted score"),
        linked_to=_("Serves"),
        total=_("Total"),
        weights_problem=weights_problem(page, view),
        signatures=(_("Employee's signature"), _("Manager's signature")),
        page=_("Page %(number)s"),
        number=fmt.number,
    )


def _sheet_or_none(page: SignedInPageContext, db: DbSession, key: str) -> MboSheetView | None:
    assert page.workspace is not None
    chosen = next((c for c in list_sheets(db, page.workspace.id) if c.key == key), None)
    return mbo_sheet(db, page.workspace.id, chosen) if chosen else None


def _download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    })


@router.get("/mbo/sheets/{key}.xlsx")
def mbo_xlsx(page: SignedInPage, db: DbSession, key: str) -> Response:
    # Imported here: the workbook writer loads openpyxl, which start-up must not pay.
    from kano.adapters.exports.xlsx import mbo_sheet_xlsx

    if page.workspace is None:
        return no_workspace(page)
    view = _sheet_or_none(page, db, key)
    if view is None:
        return not_found(page, "mbo")
    content = mbo_sheet_xlsx(view, review_sheet_texts(page, view))
    return _download(content, XLSX, f"{file_stem(view)}.xlsx")


@router.get("/mbo/sheets/{key}.pdf")
def mbo_pdf(page: SignedInPage, db: DbSession, key: str) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    view = _sheet_or_none(page, db, key)
    if view is None:
        return not_found(page, "mbo")
    content = mbo_sheet_pdf(view, review_sheet_texts(page, view))
    return _download(content, "application/pdf", f"{file_stem(view)}.pdf")
