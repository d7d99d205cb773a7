"""MBO files: one review sheet as XLSX or PDF, all sheets of a period as one CSV (what HR
loads into payroll: employee, sheet, objective, weight, achievement, weighted score)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select
from starlette.responses import Response

from kano.adapters.db.orm import Employee, MboSheetRow
from kano.adapters.db.views.mbo import MboSheetView, list_sheets, mbo_sheet
from kano.adapters.exports.pdf import mbo_sheet_pdf
from kano.adapters.exports.review_sheet import (
    ReviewSheetTexts,
    file_stem,
    period_rows,
    period_stem,
)
from kano.adapters.exports.table_files import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, table_csv
from kano.adapters.web.deps import DbSession, SignedInPage, SignedInPageContext
from kano.adapters.web.strategy_access import formats_of, no_workspace, not_found
from kano.adapters.web.strategy_formats import LABELS

router = APIRouter()


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
    return _download(content, XLSX_MEDIA_TYPE, f"{file_stem(view)}.xlsx")


@router.get("/mbo/sheets/{key}.pdf")
def mbo_pdf(page: SignedInPage, db: DbSession, key: str) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    view = _sheet_or_none(page, db, key)
    if view is None:
        return not_found(page, "mbo")
    content = mbo_sheet_pdf(view, review_sheet_texts(page, view))
    return _download(content, "application/pdf", f"{file_stem(view)}.pdf")


@router.get("/mbo/periods/{period}.csv")
def mbo_period_csv(page: SignedInPage, db: DbSession, period: str) -> Response:
    """Every sheet of the period, one row per objective, numbers as plain decimals."""
    if page.workspace is None:
        return no_workspace(page)
    workspace_id = page.workspace.id
    views = [mbo_sheet(db, workspace_id, choice) for choice in list_sheets(db, workspace_id)
             if choice.period_label == period]
    if not views:
        return not_found(page, "mbo")
    _ = page.gettext
    header = [_("Employee"), _("Employee id"), _("Sheet"), _("Status"), _("Objective"),
              _("Weight, %"), _("Achievement, %"), _("Weighted score"),
              _("Sheet's weighted score")]
    external = dict(db.execute(
        select(MboSheetRow.id, Employee.external_id)
        .join(Employee, Employee.id == MboSheetRow.employee_id)
        .where(MboSheetRow.workspace_id == workspace_id, MboSheetRow.period_label == period)
    ).tuples().all())
    content = table_csv(header, period_rows(views, external))
    return _download(content, CSV_MEDIA_TYPE, f"{period_stem(period)}.csv")
