"""``kano okr``: OKR cycles from the command line — closing one with its grades."""

from __future__ import annotations

import typer
from rich.console import JustifyMethod
from rich.markup import escape
from rich.table import Table

from kano.adapters.cli.console import console, friendly_errors
from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.okr_closing import Actor, ClosedCycle, close_cycle
from kano.bootstrap import build_container

okr_app = typer.Typer(help="OKR cycles: close one, grading its objectives.", no_args_is_help=True)

CLOSE_HELP = (
    "Close CYCLE_KEY: every objective gets its grade (0.0–1.0, the weighted progress of its "
    "key results; success at 1.0 for committed and 0.7 for aspirational objectives).\n\n"
    "With --carry-over-to, each unfinished key result (progress below 1) is copied into "
    "that open cycle under a copy of its objective, keyed <key>-<target cycle>. A closed "
    "cycle cannot be closed again (exit code 2)."
)


@okr_app.command("close", help=CLOSE_HELP)
@friendly_errors
def close(
    cycle_key: str = typer.Argument(..., metavar="CYCLE_KEY", help="The cycle to close."),
    workspace: str = typer.Option("demo", "--workspace", help="Workspace slug."),
    carry_over_to: str | None = typer.Option(
        None, "--carry-over-to", metavar="KEY",
        help="An open cycle that continues the unfinished key results.",
    ),
) -> None:
    container = build_container()
    try:
        with transaction(container.sessions) as session:
            ws = accounts.get_workspace(session, workspace)
            closed = close_cycle(session, ws.id, cycle_key, carry_over_to, Actor("cli"))
    finally:
        container.close()
    _report(closed, workspace)


def _report(closed: ClosedCycle, workspace: str) -> None:
    table = Table(title=f"Grades of cycle {escape(closed.cycle)} ({escape(workspace)})")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("objective", "left"), ("commitment", "left"), ("grade", "right"), ("success", "left"))
    for column, justify in columns:
        table.add_column(column, justify=justify)
    for grade in closed.grades:
        table.add_row(escape(grade.title), grade.commitment.value, f"{grade.grade:.1f}",
                      "yes" if grade.success else "no")
    console.print(table)
    if closed.carried_over_to is None:
        console.print(f"Cycle [bold]{escape(closed.cycle)}[/] is closed.")
        return
    count = len(closed.carried)
    console.print(
        f"Cycle [bold]{escape(closed.cycle)}[/] is closed; {count} unfinished key "
        f"result{'' if count == 1 else 's'} carried over to "
        f"[bold]{escape(closed.carried_over_to)}[/]."
    )
    for carried in closed.carried:
        console.print(f"  {escape(carried.key_result)} → {escape(carried.copy)} "
                      f"({escape(carried.objective)})")
