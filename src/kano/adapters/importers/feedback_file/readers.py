"""Reading CSV and XLSX exports into header rows and numbered data rows.

Row numbers are the ones a user sees when the file is opened in a spreadsheet: the first
line is row 1, header rows count, and a CSV record with a line break inside a quoted cell
is still one row.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kano.adapters.importers.feedback_file.mapping import FileMapping
from kano.domain.shared.errors import InvalidInput

CSV_DELIMITERS = ",;\t|"
SNIFF_BYTES = 64 * 1024

Cell = Any  # str from CSV; str, int, float, datetime or None from XLSX


@dataclass(frozen=True)
class Table:
    """The header rows (as text) and the data rows with their row numbers."""

    headers: list[list[str]]
    rows: list[tuple[int, list[Cell]]]
    first_data_row: int

    @property
    def width(self) -> int:
        return max((len(header) for header in self.headers), default=0)


def read_table(path: Path, mapping: FileMapping) -> Table:
    """The file's rows: XLSX by its extension (.xlsx, .xlsm), CSV otherwise."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        records = _xlsx_records(path, mapping.sheet)
    else:
        records = _csv_records(path, mapping)
    return _split(records, mapping, path)


def _split(records: list[list[Cell]], mapping: FileMapping, path: Path) -> Table:
    header_end = mapping.skip_rows + mapping.header_rows
    if len(records) < header_end:
        raise InvalidInput(
            str(path),
            f"has {len(records)} rows; the mapping expects {mapping.skip_rows} rows to skip "
            f"and {mapping.header_rows} header rows",
        )
    headers = [
        ["" if cell is None else str(cell).strip() for cell in record]
        for record in records[mapping.skip_rows : header_end]
    ]
    rows = [
        (number, record) for number, record in enumerate(records[header_end:], start=header_end + 1)
    ]
    return Table(headers, rows, header_end + 1)


def _csv_records(path: Path, mapping: FileMapping) -> list[list[Cell]]:
    try:
        with path.open(encoding=mapping.encoding, newline="") as handle:
            delimiter = mapping.delimiter or _sniffed_delimiter(handle.read(SNIFF_BYTES))
            handle.seek(0)
            return list(csv.reader(handle, delimiter=delimiter))
    except UnicodeDecodeError as error:
        raise InvalidInput(
            str(path),
            f"is not {mapping.encoding} text ({error.reason} at byte {error.start}); "
            "set `encoding` in the mapping (e.g. cp1252, utf-16)",
        ) from None
    except csv.Error as error:
        raise InvalidInput(str(path), f"is not a readable CSV file: {error}") from None
    except OSError as error:
        raise InvalidInput(str(path), f"cannot be read: {error}") from None


def _sniffed_delimiter(sample: str) -> str:
    """The delimiter of the first lines: the candidate that splits the first line most."""
    first_line = sample.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        counts = {candidate: first_line.count(candidate) for candidate in CSV_DELIMITERS}
        best = max(counts, key=lambda candidate: counts[candidate])
        return best if counts[best] else ","


def _xlsx_records(path: Path, sheet: str | None) -> list[list[Cell]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as error:
        raise InvalidInput(str(path), f"is not a readable XLSX workbook: {error}") from None
    try:
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            names = ", ".join(workbook.sheetnames)
            raise InvalidInput("sheet", f"no sheet {sheet!r} in {path.name}; it has {names}")
        return [list(row) for row in worksheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
