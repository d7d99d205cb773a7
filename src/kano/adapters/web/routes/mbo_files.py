"""MBO files: one review sheet as XLSX or PDF, all sheets of a period as one CSV or XLSX
(what HR loads into payroll: employee, sheet, objective, weight, achievement, weighted
score, and the reviewer's comments on the objective and on the sheet)."""

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
from kano.adapters.exports.table_files import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    Line,
    table_csv,
    table_xlsx,
)
from kano.adapters.web.deps import DbSession, SignedInPage, SignedInPageContext
from kano.adapters.web.strategy_access import formats_of, no_workspace, not_found
from kano.adapters.web.strategy_formats import LABELS

router = APIRouter()
# The period workbook: weights, achievements and scores with one decimal; widths in
# characters, the comments widest.
PERIOD_FORMATS = (None, None, None, None, None, "0.0", "0.0", "0.0", "0.0", None, None)
PERIOD_WIDTHS = (24, 12, 18, 10, 44, 10, 12, 12, 12, 48, 48)


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
        comment=_("Review comment"),
        sheet_comment=_("Reviewer's comment on the sheet"),
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


def _period_table(page: SignedInPageContext, db: DbSession,
                  period: str) -> tuple[list[str], list[Line]] | None:
    """The header and rows of every sheet of the period (None: the period has none)."""
    assert page.workspace is not None
    workspace_id = page.workspace.id
    views = [mbo_sheet(db, workspace_id, choice) for choice in list_sheets(db, workspace_id)
             if choice.period_label == period]
    if not views:
        return None
    _ = page.gettext
    header = [_("Employee"), _("Employee id"), _("Sheet"), _("Status"), _("Objective"),
              _("Weight, %"), _("Achievement, %"), _("Weighted score"),
              _("Sheet's weighted score"), _("Review comment"),
              _("Reviewer's comment on the sheet")]
    external = dict(db.execute(
        select(MboSheetRow.id, Employee.external_id)
        .join(Employee, Employee.id == MboSheetRow.employee_id)
        .where(MboSheetRow.workspace_id == workspace_id, MboSheetRow.period_label == period)
    ).all())
    return header, period_rows(views, external)


@router.get("/mbo/periods/{period}.csv")
def mbo_period_csv(page: SignedInPage, db: DbSession, period: str) -> Response:
    """Every sheet of the period, one row per objective, numbers as plain decimals."""
    if page.workspace is None:
        return no_workspace(page)
    table = _period_table(page, db, period)
    if table is None:
        return not_found(page, "mbo")
    return _download(table_csv(*table), CSV_MEDIA_TYPE, f"{period_stem(period)}.csv")


@router.get("/mbo/periods/{period}.xlsx")
def mbo_period_xlsx(page: SignedInPage, db: DbSession, period: str) -> Response:
    """The period's CSV as a workbook: numbers stay numbers, comments stay text."""
    if page.workspace is None:
        return no_workspace(page)
    table = _period_table(page, db, period)
    if table is None:
        return not_found(page, "mbo")
    header, lines = table
    content = table_xlsx(header, [Line(line.values, PERIOD_FORMATS) for line in lines],
                         sheet_title=f"MBO {period}", widths=PERIOD_WIDTHS)
    return _download(content, XLSX_MEDIA_TYPE, f"{period_stem(period)}.xlsx")
