"""The Responses page's list as a file: CSV (streamed in chunks) or XLSX.

One row per response, with machine column names (the API's field names), so a script
reads the same file in every language; the CSV begins with UTF-8's byte-order mark, so
Excel reads respondents' Cyrillic and Hungarian letters (``table_files.CSV_ENCODING``).
``submitted_at`` is UTC, as stored. Scores are numbers; an empty cell is no answer.
Texts typed by respondents (a comment, a customer's name) that start like a spreadsheet
formula (``= + - @``, a tab or a carriage return) get a leading apostrophe in the CSV, as
OWASP advises against formula injection; the XLSX stores every text as text instead.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from io import BytesIO, StringIO
from typing import Any

from kano.adapters.db.views.responses import ResponseListLine
from kano.adapters.exports.table_files import csv_bytes

CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = ("id", "submitted_at", "survey_key", "survey", "channel", "touchpoint_key",
           "customer_external_id", "customer", "language", "nps", "csat", "ces", "rating",
           "comment", "acknowledgement", "case_ids")
ROWS_PER_CHUNK = 500
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def acknowledgement_text(line: ResponseListLine) -> str:
    """``email:sent webhook:pending``: each acknowledgement's kind and delivery status."""
    return " ".join(f"{d.kind}:{d.status}" for d in line.acknowledgements)


def response_record(line: ResponseListLine) -> tuple[Any, ...]:
    return (line.id, line.submitted_at.isoformat(sep=" "), line.survey_key, line.survey,
            line.channel, line.touchpoint_key, line.customer_external_id, line.customer,
            line.language, line.nps, line.csat, line.ces, line.rating, line.comment,
            acknowledgement_text(line), " ".join(str(case.id) for case in line.cases))


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def response_csv_chunks(lines: Iterable[ResponseListLine]) -> Iterator[bytes]:
    """UTF-8 CSV with a header row, in chunks of ``ROWS_PER_CHUNK`` rows; the first chunk
    (the header) carries the byte-order mark."""
    out = StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield csv_bytes(out.getvalue())
    out.seek(0)
    out.truncate()
    for count, line in enumerate(lines, start=1):
        writer.writerow([_csv_cell(value) for value in response_record(line)])
        if count % ROWS_PER_CHUNK == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def _text_cell(sheet: Any, value: str, cell_type: Any) -> Any:
    cell = cell_type(sheet, value=value)
    cell.data_type = "s"
    return cell


def response_xlsx(lines: Iterable[ResponseListLine]) -> bytes:
    """A workbook with the header row frozen; written in openpyxl's write-only mode, so
    100,000 rows do not sit in memory as cell objects."""
    # Imported here: openpyxl adds some 0.3 s to a server's start (test_startup_imports).
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Responses")
    sheet.freeze_panes = "A2"
    header = []
    for name in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for line in lines:
        # Plain values, except a text that starts with "=": openpyxl would store it as a
        # formula, so it goes in a cell marked as text (building a cell object for every
        # value made 100,000 rows take 85 s here).
        sheet.append([_text_cell(sheet, value, WriteOnlyCell)
                      if isinstance(value, str) and value.startswith("=") else value
                      for value in response_record(line)])
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()
