"""Shared console, error reporting and progress bars for every CLI command."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy.exc import OperationalError

from kano.domain.shared.errors import KanoError

console = Console()
error_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def friendly_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn Kano's own errors into one red line and exit code 2 instead of a traceback."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except KanoError as error:
            error_console.print(f"[bold red]Error:[/] {error}")
            raise typer.Exit(2) from error
        except OperationalError as error:
            error_console.print(
                f"[bold red]Database error:[/] {error.orig}\n"
                "Check KANO_DATABASE_URL and run [bold]kano db upgrade[/]."
            )
            raise typer.Exit(2) from error

    return wrapper


@contextmanager
def row_progress(description: str, total: int | None) -> Iterator[Callable[[str, int], None]]:
    """A Rich progress bar fed by ``(table, rows)`` callbacks from long-running work."""
    with Progress(
        TextColumn("[bold blue]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[table]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task(description, total=total, table="")

        def advance(table: str, rows: int) -> None:
            progress.update(task, advance=rows, table=table)

        yield advance


def print_kv(title: str, values: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(title=title, show_header=False)
    for key, value in values.items():
        table.add_row(str(key), str(value))
    console.print(table)
