"""A computed metric as a flat table: CSV text or an XLSX workbook.

One row per slice: the slice keys, then value, the 95 % interval, n, the previous
period's value and the change when compared, and the factors of decomposed metrics
(``component_customers`` …). Numbers are written at full precision (CSV) or as numbers
with the metric's number format (XLSX), so a file read back gives the same figures the
API returns. The API writes machine column names; the explorer page passes titles in
the reader's language.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from io import BytesIO, StringIO
from typing import Any

from kano.adapters.exports.table_files import csv_bytes
from kano.metrics import MetricRow

CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIGURES = ("value", "ci_low", "ci_high", "n")
COMPARISON = ("previous_value", "change")
COMPONENT_PREFIX = "component_"
HEADER_COLOUR = "E8EDFB"  # the header row's fill
SHEET_NAME_MAX = 31  # Excel's limit
_NOT_IN_SHEET_NAMES = str.maketrans({c: " " for c in "[]:*?/\\"})
_FORMAT_SPEC = re.compile(r"^(?P<group>,)?(?:\.(?P<digits>\d+))?[fg%]?$")


def file_stem(workspace: str, metric_id: str, by: Sequence[str]) -> str:
    """``demo-nps-by-month-segment``: the workspace, the metric and its slices."""
    stem = f"{workspace}-{metric_id}"
    if by:
        stem += "-by-" + "-".join(by)
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", stem)[:120]


def metric_columns(by: Sequence[str], rows: Sequence[MetricRow], compared: bool) -> list[str]:
    """Column names: the slices in request order, the figures, comparison, components."""
    columns = [*by, *FIGURES]
    if compared:
        columns += COMPARISON
    for row in rows:
        columns += [f"{COMPONENT_PREFIX}{name}" for name, _ in row.components
                    if f"{COMPONENT_PREFIX}{name}" not in columns]
    return columns


def metric_records(rows: Sequence[MetricRow]) -> list[dict[str, Any]]:
    """Each row flat, keyed by the names of :func:`metric_columns`."""
    records = []
    for row in rows:
        record: dict[str, Any] = dict(row.keys)
        record.update(value=row.value, ci_low=row.ci_low, ci_high=row.ci_high, n=row.n)
        if row.compared:
            record.update(previous_value=row.previous_value, change=row.change)
        record.update({f"{COMPONENT_PREFIX}{name}": value for name, value in row.components})
        records.append(record)
    return records


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back as the same number
    return value


def metric_csv(
    columns: Sequence[str], records: Sequence[Mapping[str, Any]],
    titles: Mapping[str, str] | None = None, *, byte_order_mark: bool = True,
) -> bytes:
    """UTF-8 CSV with a header row (the titles, else the column names); behind a
    byte-order mark unless ``byte_order_mark`` is False (the API's machine format)."""
    out = StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([(titles or {}).get(column, column) for column in columns])
    for record in records:
        writer.writerow([_csv_cell(record.get(column)) for column in columns])
    return csv_bytes(out.getvalue()) if byte_order_mark else out.getvalue().encode("utf-8")


def excel_number_format(spec: str) -> str:
    """A Python format spec as an Excel number format: ``,.1f`` → ``#,##0.0``."""
    match = _FORMAT_SPEC.match(spec)
    if match is None:
        return "General"
    digits = int(match.group("digits") or 0)
    integer = "#,##0" if match.group("group") else "0"
    return integer + ("." + "0" * digits if digits else "")


def sheet_name(text: str, fallback: str) -> str:
    return text.translate(_NOT_IN_SHEET_NAMES).strip()[:SHEET_NAME_MAX] or fallback


def metric_xlsx(
    columns: Sequence[str],
    records: Sequence[Mapping[str, Any]],
    *,
    number_format: str,
    sheet_title: str,
    titles: Mapping[str, str] | None = None,
    about: Sequence[tuple[str, str]] = (),
    about_title: str = "About",
) -> bytes:
    """A workbook: the table on the first sheet (header row, frozen), numbers as numbers;
    ``about`` (label, text) pairs on a second sheet say what was computed."""
    # openpyxl is imported here: the API and page modules import this one for the CSV
    # table too, and openpyxl would add some 0.3 s to every server start.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_name(sheet_title, "Metric")
    sheet.append([(titles or {}).get(column, column) for column in columns])
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_COLOUR)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for record in records:
        sheet.append([record.get(column) for column in columns])
    figure_columns = {index for index, column in enumerate(columns, start=1)
                      if column in ("value", "ci_low", "ci_high", *COMPARISON)
                      or column.startswith(COMPONENT_PREFIX)}
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.column in figure_columns:
                cell.number_format = number_format
            elif cell.data_type == "f":  # a key that starts with "=" is text, not a formula
                cell.data_type = "s"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(
            12, min(40, len((titles or {}).get(column, column)) + 4)
        )
    sheet.freeze_panes = "A2"
    if about:
        notes = workbook.create_sheet(sheet_name(about_title, "About"))
        for label, text in about:
            notes.append([label, text])
            notes.cell(row=notes.max_row, column=1).font = Font(bold=True)
        notes.column_dimensions["A"].width = 24
        notes.column_dimensions["B"].width = 90
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()
