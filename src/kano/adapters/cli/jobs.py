"""``kano compute`` (refresh live bindings now) and ``kano worker`` (on a schedule)."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kano.adapters.cli.console import console, error_console, friendly_errors


def refresh_bindings(workspace: str | None, trigger: str, show_progress: bool = True) -> list[Any]:
    """Refresh one workspace (or all) from the configured warehouse; the reports."""
    from sqlalchemy import select

    from kano.adapters.db import accounts, migrate
    from kano.adapters.db.metric_catalogue import workspace_catalogue
    from kano.adapters.db.orm import Workspace
    from kano.adapters.jobs.compute import refresh_workspace, warehouse_backend
    from kano.bootstrap import build_container

    container = build_container()
    migrate.upgrade(container.settings.database_url)
    try:
        with container.sessions() as session:
            if workspace is not None:
                targets = [(workspace, accounts.get_workspace(session, workspace).id)]
            else:
                targets = [
                    (w.slug, w.id)
                    for w in session.scalars(select(Workspace).order_by(Workspace.id))
                ]
        reports = []
        with (
            warehouse_backend(container.settings.resolved_warehouse_url()) as backend,
            Progress(
                TextColumn("[bold blue]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[binding]}"),
                TimeElapsedColumn(),
                console=console,
                disable=not show_progress,
                transient=True,
            ) as progress,
        ):
            for slug, workspace_id in targets:
                with container.sessions() as session:
                    catalogue = workspace_catalogue(session, workspace_id)
                task = progress.add_task(slug, total=None, binding="")

                def advance(binding: str, task: Any = task) -> None:
                    progress.update(task, advance=1, binding=escape(binding))

                report = refresh_workspace(
                    container.sessions, backend, workspace_id, catalogue, trigger, advance
                )
                progress.update(task, total=report.bindings, completed=report.bindings)
                reports.append((slug, report))
        return reports
    finally:
        container.close()


@friendly_errors
def compute(
    workspace: str | None = typer.Option(
        None, "--workspace", help="Workspace slug (default: every workspace)."
    ),
    output: str = typer.Option("table", "--format", help="table or json."),
) -> None:
    """Recompute every measure and key result bound to a metric, from the warehouse.

    Measures get a value per period of their frequency up to the end of the data; key
    results of open cycles get the metric over the cycle so far. Every changed value is
    kept in the history with its n, interval and computation time. Exits with 1 when a
    binding failed (the others are still stored).
    """
    if output not in {"table", "json"}:
        raise typer.BadParameter("choose table or json", param_hint="--format")
    reports = refresh_bindings(workspace, trigger="cli", show_progress=output == "table")
    if output == "json":
        sys.stdout.write(
            json.dumps(
                [
                    {
                        "workspace": slug,
                        "status": r.status,
                        "bindings": r.bindings,
                        "values_changed": r.values_changed,
                        "data_end": r.data_end.isoformat() if r.data_end else None,
                        "errors": r.errors,
                    }
                    for slug, r in reports
                ],
                indent=1,
            )
            + "\n"
        )
    else:
        table = Table(title="Live bindings refreshed")
        for column in ("workspace", "status", "bindings", "values changed", "data up to"):
            table.add_column(column)
        for slug, r in reports:
            colour = {"ok": "green", "partial": "yellow"}.get(r.status, "red")
            table.add_row(
                escape(slug),
                f"[{colour}]{r.status}[/]",
                str(r.bindings),
                str(r.values_changed),
                r.data_end.isoformat() if r.data_end else "–",
            )
        console.print(table)
        for slug, r in reports:
            for error in r.errors:
                error_console.print(
                    f"[red]{escape(slug)}[/] {error['subject']} {escape(error.get('key', ''))}: "
                    f"{escape(error['error'])}"
                )
    if any(r.status != "ok" for _, r in reports):
        raise typer.Exit(1)


@friendly_errors
def worker(
    once: bool = typer.Option(
        False, "--once", help="Run what is due now, then exit (for cron or a test)."
    ),
    poll: float = typer.Option(
        0.2,
        "--poll",
        min=0.05,
        help="Seconds between looks at the outbox when it is idle (the schedule is looked "
        "at every second, or every --poll if longer).",
    ),
) -> None:
    """Deliver queued messages and run the scheduled jobs.

    Messages are acknowledgement e-mails and webhooks, sent with retries; the scheduled
    jobs: refresh live metric bindings every KANO_COMPUTE_EVERY_MINUTES.
    Start as many workers as you like; each message and each due run is claimed by one of
    them. Stops cleanly on SIGTERM or Ctrl-C."""
    from kano.adapters.db import migrate
    from kano.adapters.jobs.worker import Worker, default_continuous, default_jobs
    from kano.bootstrap import build_container

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    container = build_container()
    migrate.upgrade(container.settings.database_url)
    try:
        runner = Worker(
            container, default_jobs(container), poll_seconds=poll, continuous=default_continuous()
        )
        if once:
            for report in runner.run_continuous():
                console.print(escape(report))
            for name, status, message in runner.run_due():
                console.print(f"{name}: {status} — {escape(message)}")
            return
        runner.install_signal_handlers()
        runner.run_forever()
    finally:
        container.close()
