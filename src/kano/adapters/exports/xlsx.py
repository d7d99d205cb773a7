"""MBO review sheets as XLSX workbooks (openpyxl).

Numbers are written as numbers (not text) with a number format, so a reviewer can sort,
sum or chart them; the weighted score is written as a value, since the sheet records a
review rather than modelling one.
"""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from kano.adapters.db.views.mbo import MboSheetView
from kano.adapters.exports.review_sheet import ReviewSheetTexts, sheet_facts

NUMBER_FORMAT = "0.0"
HEADER_FILL = PatternFill("solid", fgColor="E8EDFB")
RULE = Border(bottom=Side(style="thin", color="9AA3B5"))
COLUMN_WIDTHS = {"A": 56, "B": 14, "C": 16, "D": 16, "E": 44, "F": 60}
SHEET_NAME_MAX = 31  # Excel's limit
_NOT_IN_SHEET_NAMES = str.maketrans({c: " " for c in "[]:*?/\\"})


def mbo_sheet_xlsx(view: MboSheetView, texts: ReviewSheetTexts) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"{view.sheet.employee} {view.sheet.period_label}".translate(
        _NOT_IN_SHEET_NAMES).strip()[:SHEET_NAME_MAX] or "MBO"
    sheet.append([texts.title])
    sheet["A1"].font = Font(bold=True, size=14)
    for label, value in sheet_facts(view, texts):
        sheet.append([label, value])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    if view.comment:
        sheet.append([texts.sheet_comment, view.comment])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        sheet.cell(row=sheet.max_row, column=2).alignment = Alignment(wrap_text=True)
        sheet.cell(row=sheet.max_row, column=2).data_type = "s"  # text, never a formula
    if texts.weights_problem:
        sheet.append([texts.weights_problem])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, color="B42318")
    sheet.append([])
    sheet.append([texts.objective, texts.weight, texts.achievement, texts.weighted,
                  texts.linked_to, texts.comment])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font, cell.fill, cell.border = Font(bold=True), HEADER_FILL, RULE
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for line in view.lines:
        sheet.append([line.title, line.weight_percent, line.achievement_percent,
                      line.weighted, line.linked_title, line.comment])
    sheet.append([texts.total, view.total_weight, None, view.weighted_score, None])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=header_row + 1, min_col=2, max_col=4):
        for cell in row:
            cell.number_format = NUMBER_FORMAT
    for row in sheet.iter_rows(min_row=header_row + 1, max_col=6):
        for cell in (row[0], row[5]):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a comment that starts with "=" stays text
    for column, width in COLUMN_WIDTHS.items():
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()
