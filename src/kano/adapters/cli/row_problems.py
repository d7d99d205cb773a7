"""How every ``kano … import`` prints the rows it refused: one table, one hint, one CSV.

Products, requirements, loyalty exports and survey responses are imported all or nothing;
when rows are wrong the importer lists them here the same way: a line saying how many
problems the file has, a table of the first :data:`PROBLEMS_SHOWN` (row, column, reason;
the header is row 1), "… and K more" with how to see them all, and exit code 1.
``--errors-csv FILE`` writes every problem to a CSV with the same three headings
(``row,column,reason``, as docs/feedback-import.md has always described it): a reader who
saw the table finds the same words in the file, and scripts reading the file keep working.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import typer
from rich.markup import escape
from rich.table import Table

from kano.adapters.cli.console import console, error_console
from kano.domain.shared.errors import InvalidInput

PROBLEMS_SHOWN = 200
"""The terminal shows this many problems; ``--errors-csv`` has all of them."""
CSV_HEADER = ("row", "column", "reason")
"""The headings of the terminal's table and of the ``--errors-csv`` file alike."""

ErrorsCsvOption = typer.Option(
    None,
    "--errors-csv",
    help="Write every problem (row, column, reason) to this CSV; the terminal shows the "
    f"first {PROBLEMS_SHOWN}.",
    dir_okay=False,
)


@dataclass(frozen=True)
class RowProblem:
    """One refused cell: the row as a spreadsheet numbers it, the column (or field) the
    file names, and what is wrong, in English."""

    row: int
    field: str
    problem: str


def write_problems_csv(path: Path, problems: Sequence[RowProblem]) -> None:
    """Every problem by row; a file with the header alone when there are none, so a script
    can always read it."""
    try:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_HEADER)
            for line in sorted(problems, key=lambda p: p.row):
                writer.writerow([line.row, line.field, line.problem])
    except OSError as error:
        raise InvalidInput("--errors-csv", f"cannot write {path}: {error.strerror}") from error


def print_row_problems(
    problems: Sequence[RowProblem], source: Path, errors_csv: Path | None = None
) -> None:
    """The headline, the table of the first :data:`PROBLEMS_SHOWN` by row, and what is
    left out with how to see it, on stderr. The lines around the table are not wrapped by
    Rich (``soft_wrap``): a file's path stays whole for copying."""
    ordered = sorted(problems, key=lambda p: p.row)
    count = len(ordered)
    error_console.print(
        f"[bold red]{count:,} problem{'' if count == 1 else 's'}[/] in {escape(source.name)};"
        " nothing was imported. Fix the rows and run again.",
        soft_wrap=True,
    )
    table = Table()
    for heading in CSV_HEADER:
        table.add_column(heading)
    for line in ordered[:PROBLEMS_SHOWN]:
        table.add_row(str(line.row), escape(line.field), escape(line.problem))
    error_console.print(table)
    left_out = count - PROBLEMS_SHOWN
    if left_out > 0:
        where = (
            f"all {count:,} are in {escape(str(errors_csv))}"
            if errors_csv is not None
            else "add --errors-csv FILE to get every problem in a CSV"
        )
        error_console.print(f"… and {left_out:,} more: {where}.", soft_wrap=True)
    elif errors_csv is not None:
        error_console.print(f"The same list is in {escape(str(errors_csv))}.", soft_wrap=True)


def refuse_rows(
    problems: Sequence[RowProblem], source: Path, errors_csv: Path | None = None
) -> NoReturn:
    """Write ``errors_csv`` (if given), print the problems and end with exit code 1."""
    if errors_csv is not None:
        write_problems_csv(errors_csv, problems)
    print_row_problems(problems, source, errors_csv)
    raise typer.Exit(1)


def check_rows(
    problems: Sequence[RowProblem], source: Path, errors_csv: Path | None = None
) -> None:
    """After an import: :func:`refuse_rows` when a row is wrong; otherwise write the
    (empty) ``errors_csv`` if asked for, say so, and return."""
    if problems:
        refuse_rows(problems, source, errors_csv)
    if errors_csv is not None:
        write_problems_csv(errors_csv, problems)
        console.print(f"No problems; {escape(str(errors_csv))} has the header row only.")
