"""Reading CSV and XLSX exports into header rows and numbered data rows.

Row numbers are the ones a user sees when the file is opened in a spreadsheet: the first
line is row 1, header rows count, and a CSV record with a line break inside a quoted cell
is still one row.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from dataclasses import dataclass
from functools import cached_property
from itertools import islice
from pathlib import Path
from typing import Any

from kano.adapters.importers.feedback_file.mapping import FileMapping
from kano.domain.shared.errors import InvalidInput

CSV_DELIMITERS = ",;\t|"
SNIFF_BYTES = 64 * 1024

Cell = Any  # str from CSV; str, int, float, datetime or None from XLSX


# The file's records read afresh, ``size`` at a time, after the first ``skip``: in lists,
# not one by one through a generator (that cost 0.15 s of 100,000 rows' 0.35 s to read).
Records = Callable[[int, int], Generator[list[list[Cell]], None, None]]


@dataclass(frozen=True)
class Table:
    """The header rows (as text) and the data rows with their row numbers.

    The data rows are read as they are wanted (:meth:`batches`), so an import checks and
    stores the first rows while the rest of the file is still unread, and a file larger
    than memory can be imported; :attr:`rows` reads them all at once."""

    headers: list[list[str]]
    first_data_row: int
    records: Records  # every record of the file, header rows included
    size_hint: int = 0  # about how many data rows (for progress bars; may be off)

    @classmethod
    def of(cls, headers: list[list[str]], records: list[list[Cell]]) -> Table:
        """A table of rows already in memory (after ``headers``)."""
        every = [*headers, *records]

        def chunks(size: int, skip: int) -> Generator[list[list[Cell]], None, None]:
            yield from (every[start : start + size] for start in range(skip, len(every), size))

        return cls(headers, len(headers) + 1, chunks, len(records))

    @property
    def width(self) -> int:
        return max((len(header) for header in self.headers), default=0)

    def batches(self, size: int) -> Iterator[list[tuple[int, list[Cell]]]]:
        """The data rows, numbered, ``size`` at a time, read from the file as they go."""
        number = self.first_data_row
        with closing(self.records(size, number - 1)) as chunks:
            for chunk in chunks:
                yield list(enumerate(chunk, start=number))
                number += len(chunk)

    @cached_property
    def rows(self) -> list[tuple[int, list[Cell]]]:
        """Every data row, numbered (read once)."""
        return [row for batch in self.batches(100_000) for row in batch]


def read_table(path: Path, mapping: FileMapping) -> Table:
    """The file's header rows, and its data rows to be read as they are wanted: XLSX by
    its extension (.xlsx, .xlsm), CSV otherwise."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        records, size = _xlsx_records(path, mapping.sheet)
    else:
        records, size = _csv_records(path, mapping)
    header_end = mapping.skip_rows + mapping.header_rows
    with closing(records(header_end, 0)) as reading:
        first = next(reading, []) if header_end else []
    if len(first) < header_end:
        raise InvalidInput(
            str(path),
            f"has {len(first)} rows; the mapping expects {mapping.skip_rows} rows to skip "
            f"and {mapping.header_rows} header rows",
        )
    headers = [
        ["" if cell is None else str(cell).strip() for cell in record]
        for record in first[mapping.skip_rows :]
    ]
    return Table(headers, header_end + 1, records, max(0, size - header_end))


def _csv_records(path: Path, mapping: FileMapping) -> tuple[Records, int]:
    """The CSV's records (read when iterated; a read error is :class:`InvalidInput` then
    too) and its number of lines, as a size hint."""
    delimiter = mapping.delimiter

    def records(size: int, skip: int) -> Generator[list[list[Cell]], None, None]:
        nonlocal delimiter
        try:
            with path.open(encoding=mapping.encoding, newline="") as handle:
                if delimiter is None:
                    delimiter = _sniffed_delimiter(handle.read(SNIFF_BYTES))
                    handle.seek(0)
                reader = csv.reader(handle, delimiter=delimiter)
                for _ in range(skip):
                    next(reader, None)
                while chunk := list(islice(reader, size)):
                    yield chunk
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

    return records, _line_count(path)


def _line_count(path: Path) -> int:
    """Line breaks in the file (a cell with a line break inside counts twice: a hint)."""
    lines = 0
    try:
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                lines += block.count(b"\n")
    except OSError as error:
        raise InvalidInput(str(path), f"cannot be read: {error}") from None
    return lines


def _sniffed_delimiter(sample: str) -> str:
    """The delimiter of the first lines: the candidate that splits the first line most."""
    first_line = sample.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        counts = {candidate: first_line.count(candidate) for candidate in CSV_DELIMITERS}
        best = max(counts, key=lambda candidate: counts[candidate])
        return best if counts[best] else ","


def _xlsx_records(path: Path, sheet: str | None) -> tuple[Records, int]:
    """The sheet's records (read when iterated) and its row count as the sheet states it."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    def opened() -> Any:
        try:
            return load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, OSError, KeyError, ValueError) as error:
            raise InvalidInput(str(path), f"is not a readable XLSX workbook: {error}") from None

    def worksheet_of(workbook: Any) -> Any:
        if sheet is None:
            return workbook.worksheets[0]
        if sheet in workbook.sheetnames:
            return workbook[sheet]
        names = ", ".join(workbook.sheetnames)
        raise InvalidInput("sheet", f"no sheet {sheet!r} in {path.name}; it has {names}")

    def records(size: int, skip: int) -> Generator[list[list[Cell]], None, None]:
        workbook = opened()
        try:
            rows = worksheet_of(workbook).iter_rows(values_only=True)
            for _ in range(skip):
                next(rows, None)
            while chunk := [list(row) for row in islice(rows, size)]:
                yield chunk
        finally:
            workbook.close()

    workbook = opened()
    try:
        size = worksheet_of(workbook).max_row or 0
    finally:
        workbook.close()
    return records, size
