"""``kano strategy``: the strategy as code — export to YAML, edit, import back."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import typer
from rich.markup import escape
from rich.table import Table

from kano.adapters.cli.console import console, error_console, friendly_errors
from kano.adapters.db.strategy_store import EditForbidden
from kano.adapters.strategy_code import ImportResult, StrategyFileInvalid, export_yaml
from kano.adapters.strategy_code import import_strategy as run_import
from kano.adapters.strategy_code.importer import workspace_owner
from kano.bootstrap import build_container
from kano.domain.shared.errors import InvalidInput

strategy_app = typer.Typer(
    help="Strategy as code: custom metrics, scorecards, strategy map links, initiatives, "
    "OKRs and MBO sheets of a workspace as one YAML file.",
    no_args_is_help=True,
)


@strategy_app.command("export")
@friendly_errors
def export(
    workspace: str = typer.Option("demo", "--workspace", help="Workspace slug."),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="File to write (default: standard output)."
    ),
) -> None:
    """Write the workspace's whole strategy as YAML; the same data gives the same bytes."""
    container = build_container()
    try:
        with container.sessions() as session:
            text = export_yaml(session, workspace)
    finally:
        container.close()
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    console.print(f"Strategy of [bold]{escape(workspace)}[/] written to {escape(str(output))}.")


IMPORT_HELP = (
    "Check FILE completely, then apply it all or nothing (exit code 2 on any error, with "
    "every error listed as FILE:LINE: path: message).\n\n"
    "Rows are matched by their keys, so importing the same file twice changes nothing.\n\n"
    "Every scorecard, OKR cycle and MBO sheet in the file is replaced by the file's version: "
    "perspectives, objectives, measures, values, links, initiatives, OKR objectives, key "
    "results, check-ins and MBO objectives that the file leaves out are DELETED from them. "
    "Scorecards, cycles and sheets that the file does not mention are kept.\n\n"
    "A `metrics:` list replaces the workspace's custom metrics (each checked like a "
    "`kano metrics --definitions` file); without one they are kept. Every metric binding "
    "must name a built-in or custom metric (`kano metrics list`).\n\n"
    "Scorecards, perspectives, objectives, measures, values and links are written as a "
    "form or the API writes them, each with its audit entry naming the importer: the member "
    "given by --as (an admin or owner), else the workspace's owner, else `cli` (a new "
    "workspace, or one without an owner)."
)


@strategy_app.command("import", help=IMPORT_HELP)
@friendly_errors
def import_(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, readable=True, help="The strategy YAML file."
    ),
    workspace: str = typer.Option(
        "demo", "--workspace", help="Workspace slug (created if it does not exist)."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Check the file and show what would change; write nothing."
    ),
    as_user: str | None = typer.Option(
        None, "--as", metavar="EMAIL",
        help="The admin or owner who imports (default: the workspace's owner).",
    ),
) -> None:
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as not_utf8:
        error_console.print(f"[bold red]Error:[/] {escape(str(file))} is not UTF-8 ({not_utf8}).")
        raise typer.Exit(2) from None
    container = build_container()
    try:
        if as_user is None:
            with container.sessions() as session:
                as_user = workspace_owner(session, workspace)
        result = run_import(
            container.sessions, text, source=str(file), workspace=workspace, dry_run=dry_run,
            as_user=as_user,
        )
    except StrategyFileInvalid as invalid:
        count = len(invalid.errors)
        error_console.print(
            f"[bold red]{count} error{'s' if count != 1 else ''}[/] in {escape(str(file))}; "
            "nothing was imported.",
        )
        for problem in invalid.errors:
            # Plain lines, never wrapped: editors and grep read FILE:LINE: … directly.
            typer.echo(problem.render(str(file)), err=True)
        raise typer.Exit(2) from None
    except (InvalidInput, EditForbidden) as refused:
        if isinstance(refused, InvalidInput) and refused.field != "as_user":
            raise
        _refuse_importer(refused, workspace)
    finally:
        container.close()
    _report(result, workspace)


def _refuse_importer(refused: InvalidInput | EditForbidden, workspace: str) -> NoReturn:
    """The member named by --as may not import: say so by the flag's name, and how to go
    on (the importer's own words name the library's parameter, ``as_user``)."""
    problem = refused.message if isinstance(refused, InvalidInput) else str(refused)
    error_console.print(
        f"[bold red]Error:[/] --as: {escape(problem)}.\n"
        f"Give the e-mail of an admin or owner of workspace '{escape(workspace)}' (Settings → "
        f"Members, or `kano user create --email EMAIL --workspace {escape(workspace)} --role "
        "admin`), or leave out --as to import as the workspace's owner.",
        soft_wrap=True,
    )
    raise typer.Exit(2) from None


def _report(result: ImportResult, workspace: str) -> None:
    verb = "would change" if result.dry_run else "changed"
    if not result.changed:
        console.print(f"Workspace [bold]{escape(workspace)}[/] already matches the file.")
        return
    who = "Would import" if result.dry_run else "Imported"
    console.print(f"{who} as [bold]{escape(result.actor)}[/].")
    if result.workspace_created:
        state = "would be created" if result.dry_run else "was created"
        console.print(f"Workspace [bold]{escape(workspace)}[/] {state}.")
    table = Table(title=f"What the import {verb}" + (" (dry run)" if result.dry_run else ""))
    for column in ("entity", "create", "update", "delete"):
        table.add_column(column, justify="left" if column == "entity" else "right")
    for entity, created, updated, deleted in result.summary.table():
        table.add_row(entity, str(created), str(updated), str(deleted))
    console.print(table)
