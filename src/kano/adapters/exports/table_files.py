"""A titled table as a CSV or an XLSX file: what the scorecard, OKR and case exports share.

The header row arrives in the reader's language; values are Python values (text, numbers,
dates, None). CSV: UTF-8 with a byte-order mark (:func:`csv_bytes`, as every CSV a page
hands out), numbers at full precision with a dot, times in ISO 8601 (UTC, as stored; the
header says so), and a text that starts like a spreadsheet formula (``= + - @``, a tab or
a carriage return) gets a leading apostrophe, as OWASP advises against formula injection
(the Responses export does the same). XLSX: numbers stay numbers (money with its
currency's number format), every text is stored as text (never a formula), the header row
is bold and frozen.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO, StringIO
from typing import Any

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
CSV_ENCODING = "utf-8-sig"
"""UTF-8 behind a byte-order mark. Excel on Windows opens a CSV without one in the system's
code page, so Cyrillic and Hungarian letters (ő, ű) turn into mojibake; with it Excel,
LibreOffice, Numbers, pandas and Python's ``utf-8-sig`` all read UTF-8."""
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HEADER_COLOUR = "E8EDFB"
SHEET_NAME_MAX = 31  # Excel's limit
_NOT_IN_SHEET_NAMES = str.maketrans({c: " " for c in "[]:*?/\\"})


@dataclass(frozen=True)
class Line:
    """One row: its values, a number format per value (None: the default), in bold or not."""

    values: Sequence[Any]
    formats: Sequence[str | None] = ()
    bold: bool = False


def money_format(currency: str) -> str:
    """An Excel number format naming the currency: ``#,##0.## "HUF"``."""
    return f'#,##0.##" {currency}"'


def csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_bytes(text: str) -> bytes:
    """A CSV's text as the bytes of a download: UTF-8 with the byte-order mark."""
    return text.encode(CSV_ENCODING)


def table_csv(header: Sequence[str], lines: Sequence[Line]) -> bytes:
    out = StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(title) for title in header])
    for line in lines:
        writer.writerow([csv_cell(value) for value in line.values])
    return csv_bytes(out.getvalue())


def sheet_name(text: str, fallback: str) -> str:
    return text.translate(_NOT_IN_SHEET_NAMES).strip()[:SHEET_NAME_MAX] or fallback


def table_xlsx(header: Sequence[str], lines: Sequence[Line], *, sheet_title: str,
               widths: Sequence[int] = (), notes: Sequence[tuple[str, Any]] = (),
               notes_title: str = "About") -> bytes:
    """``notes``: (label, value) rows on a second sheet named ``notes_title`` — what the
    figures mean (as of when they hold), kept off the table so it sorts and filters as
    one block under its header row."""
    # Imported here: openpyxl adds some 0.3 s to a server's start (test_startup_imports).
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_name(sheet_title, "Export")
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_COLOUR)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.data_type = "s"
    for line in lines:
        sheet.append([value.replace(tzinfo=None) if isinstance(value, datetime) else value
                      for value in line.values])
        row = sheet.max_row
        for column, value in enumerate(line.values, start=1):
            cell = sheet.cell(row=row, column=column)
            if isinstance(value, str):
                cell.data_type = "s"  # a text that starts with "=" is text, not a formula
            number_format = line.formats[column - 1] if column <= len(line.formats) else None
            if number_format:
                cell.number_format = number_format
            elif isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            if line.bold:
                cell.font = Font(bold=True)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    if notes:
        about = workbook.create_sheet(sheet_name(notes_title, "About"))
        for label, value in notes:
            about.append([label, value.replace(tzinfo=None) if isinstance(value, datetime)
                          else value])  # fmt: skip
            about.cell(row=about.max_row, column=1).data_type = "s"
            if isinstance(value, datetime):
                about.cell(row=about.max_row, column=2).number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(value, str):
                about.cell(row=about.max_row, column=2).data_type = "s"
        about.column_dimensions["A"].width = 48
        about.column_dimensions["B"].width = 22
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()
