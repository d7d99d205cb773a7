"""``kano products import|list``: the workspace's product catalogue from the shell.

The import goes through :mod:`kano.adapters.importers.product_file`, as the settings
page's upload does, so the rules, the all-or-nothing check and the audit entry are the
same whichever way a list came in.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from kano.adapters.cli.console import console, friendly_errors, row_progress
from kano.adapters.cli.row_problems import ErrorsCsvOption, RowProblem, check_rows
from kano.adapters.cli.workspaces import chosen_workspace

products_app = typer.Typer(
    help="The product catalogue: the name (and category) of each product code that orders "
    "and requirements carry.",
    no_args_is_help=True,
)
WorkspaceOption = typer.Option(
    None, "--workspace", help="Workspace slug (default: the only one, or demo)."
)


@products_app.command("import")
@friendly_errors
def import_command(
    file: Path = typer.Argument(
        ...,
        help="CSV or XLSX with a header row: code, name and optionally category.",
        exists=True,
        dir_okay=False,
        readable=True,
    ),
    workspace: str | None = WorkspaceOption,
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Check every row and count what would change; store nothing."
    ),
    errors_csv: Path | None = ErrorsCsvOption,
) -> None:
    """Add and rename products from a file: all rows or, if any row is wrong, none.

    A code already in the catalogue takes the file's name and category (an empty category
    clears it); products not in the file are left alone. Problems are listed by row (the
    header is row 1) and column, and the exit code is then 1. Example:

        kano products import products.xlsx --workspace acme --dry-run
    """
    from kano.adapters.importers.product_file import import_products
    from kano.bootstrap import build_container

    container = build_container()
    try:
        with container.sessions() as session:
            slug, workspace_id = chosen_workspace(session, workspace)
            with row_progress(f"Importing {escape(file.name)}", None) as advance:
                report = import_products(
                    session, workspace_id, file, actor="cli", dry_run=dry_run,
                    on_progress=lambda rows: advance("products", rows),
                )  # fmt: skip
            if report.problems or dry_run:
                session.rollback()
            else:
                session.commit()
    finally:
        container.close()
    check_rows([RowProblem(p.row, p.column, p.reason) for p in report.problems], file,
               errors_csv)  # fmt: skip
    verb = "would be" if dry_run else "were"
    console.print(
        f"{escape(file.name)} → {escape(slug)}: {report.rows:,} products; "
        f"{report.added:,} {verb} added, {report.changed:,} {verb} renamed, "
        f"{report.unchanged:,} already as given"
    )


@products_app.command("list")
@friendly_errors
def list_command(
    workspace: str | None = WorkspaceOption,
    search: str = typer.Option(
        "", "--search", "-s", help="Only products whose code or name contains this text."
    ),
    limit: int = typer.Option(
        200, "--limit", min=1, max=100_000, help="Show at most this many (by code)."
    ),
) -> None:
    """Print the catalogue by code: code, name, category and when it last changed."""
    from kano.adapters.db.product_catalogue import find_products
    from kano.bootstrap import build_container

    container = build_container()
    try:
        with container.sessions() as session:
            slug, workspace_id = chosen_workspace(session, workspace)
            lines, total = find_products(session, workspace_id, search, limit=limit)
    finally:
        container.close()
    shown = f"{len(lines):,} of {total:,}" if total > len(lines) else f"{total:,}"
    table = Table(title=f"Products of {escape(slug)} ({shown})")
    for column in ("code", "name", "category", "changed (UTC)"):
        table.add_column(column)
    for line in lines:
        table.add_row(escape(line.code), escape(line.name), escape(line.category or ""),
                      f"{line.updated_at:%Y-%m-%d %H:%M}")  # fmt: skip
    console.print(table)
