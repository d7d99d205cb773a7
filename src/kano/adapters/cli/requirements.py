"""``kano requirements import``: load the special-requirements register from a CSV file."""

from __future__ import annotations

import csv
from pathlib import Path

import typer
from rich.markup import escape

from kano.adapters.cli.console import console, friendly_errors
from kano.adapters.cli.row_problems import ErrorsCsvOption, RowProblem, check_rows
from kano.adapters.cli.workspaces import chosen_workspace
from kano.domain.shared.errors import InvalidInput

requirements_app = typer.Typer(
    help="The special-requirements register: customer-specific requirements.",
    no_args_is_help=True,
)
MAX_ROWS = 100_000


@requirements_app.command("import")
@friendly_errors
def import_command(
    file: Path = typer.Argument(
        ..., help="A CSV file with a header row.", exists=True, dir_okay=False, readable=True
    ),
    workspace: str | None = typer.Option(
        None, "--workspace", help="Workspace slug (default: the only one, or demo)."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check every row; store nothing."),
    errors_csv: Path | None = ErrorsCsvOption,
) -> None:
    """Import requirements from a CSV: all rows or, if any row is wrong, none.

    Columns: customer (external id), kind (product_purpose, delivery, packaging,
    technical, chemical, documentation, other), text, and optionally status (proposed,
    agreed, in_effect, retired), owner (a member's e-mail), product, process and
    review_on (YYYY-MM-DD). Problems are listed by row (the header is row 1) and field;
    the exit code is then 1.
    """
    from kano.adapters.db.requirements_store import import_requirements
    from kano.bootstrap import build_container

    with file.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not {"customer", "kind", "text"} <= {
            name.strip().lower() for name in reader.fieldnames
        }:
            raise InvalidInput("FILE", "the header row must name customer, kind and text")
        rows = list(reader)
    if len(rows) > MAX_ROWS:
        raise InvalidInput("FILE", f"at most {MAX_ROWS:,} rows per file")
    container = build_container()
    try:
        with container.sessions() as session:
            slug, workspace_id = chosen_workspace(session, workspace)
            result = import_requirements(session, workspace_id, rows, actor="cli",
                                         dry_run=dry_run)
            if result.ok and not dry_run:
                session.commit()
            else:
                session.rollback()
    finally:
        container.close()
    check_rows([RowProblem(e.row, e.field, e.reason) for e in result.errors], file, errors_csv)
    verb = "would be imported" if dry_run else "imported"
    console.print(f"{escape(file.name)} → {escape(slug)}: {result.rows:,} requirements {verb}")
