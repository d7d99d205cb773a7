"""``kano segments list|refresh|show``: customer segments from the shell.

``refresh`` recomputes the members as the worker's daily job does (RFM and client-matrix
segments on the warehouse; while it is not loaded they are skipped and keep their members)
with a progress bar; ``show`` prints a segment's definition and its members now.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, select

from kano.adapters.cli.console import console, friendly_errors
from kano.adapters.cli.workspaces import chosen_workspace
from kano.domain.shared.errors import InvalidInput

segments_app = typer.Typer(
    help="Customer segments: rule-based (filters on customer facts) and computed (RFM, "
    "value tier A/B/C by 12-month revenue, client-matrix cell).",
    no_args_is_help=True,
)
WorkspaceOption = typer.Option(
    None, "--workspace", help="Workspace slug (default: the only one, or demo)."
)


def _when(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError as error:
        raise InvalidInput("--as-of", f"{text!r} is not a date (YYYY-MM-DD)") from error
    return datetime(day.year, day.month, day.day)


def _definition_text(rule: dict[str, object] | None, parameter: str | None) -> str:
    if rule is not None:
        return json.dumps(rule, ensure_ascii=False)
    return parameter or ""


@segments_app.command("list")
@friendly_errors
def list_command(workspace: str | None = WorkspaceOption) -> None:
    """Every segment with its source, definition, members now and last refresh."""
    from kano.adapters.db.segments import segment_overview
    from kano.bootstrap import build_container

    container = build_container()
    try:
        with container.sessions() as session:
            slug, workspace_id = chosen_workspace(session, workspace)
            rows = segment_overview(session, workspace_id)
    finally:
        container.close()
    table = Table(title=f"Segments of {escape(slug)}")
    for column in ("key", "name", "source", "definition", "members", "refreshed"):
        table.add_column(column, justify="right" if column == "members" else "left")
    for s in rows:
        refreshed = f"{s.refreshed_at:%Y-%m-%d %H:%M}" if s.refreshed_at else "never"
        table.add_row(escape(s.key), escape(s.name), s.source,
                      escape(_definition_text(s.rule, s.parameter)), f"{s.members_now:,}",
                      refreshed)  # fmt: skip
    console.print(table)


@segments_app.command("refresh")
@friendly_errors
def refresh_command(
    keys: list[str] | None = typer.Argument(None, help="Only these segments (default: all)."),
    workspace: str | None = WorkspaceOption,
    as_of: str | None = typer.Option(
        None, "--as-of", help="Compute as of this day, YYYY-MM-DD (default: now)."
    ),
) -> None:
    """Recompute the members: leavers' spans end and newcomers' begin at --as-of.

        kano segments refresh --workspace acme
    """
    from kano.adapters.db.orm import Segment
    from kano.adapters.jobs.segments import refresh_workspace_segments, warehouse_if_loaded
    from kano.bootstrap import build_container

    container = build_container()
    try:
        with container.sessions() as session:
            slug, workspace_id = chosen_workspace(session, workspace)
            query = select(func.count()).select_from(Segment).where(
                Segment.workspace_id == workspace_id)  # fmt: skip
            if keys:
                query = query.where(Segment.key.in_(keys))
            total = session.scalar(query) or 0
        url = container.settings.resolved_warehouse_url()
        with warehouse_if_loaded(url) as backend, Progress(
            TextColumn("[bold blue]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[segment]}"), TimeElapsedColumn(), console=console,
        ) as progress:  # fmt: skip
            task = progress.add_task(f"Refreshing {escape(slug)}", total=total, segment="")
            report = refresh_workspace_segments(
                container, workspace_id, _when(as_of), warehouse=backend, keys=keys or None,
                progress=lambda done: progress.update(task, advance=1, segment=done.key),
            )  # fmt: skip
    finally:
        container.close()
    table = Table(title=f"Segments of {escape(slug)} as of {report.as_of:%Y-%m-%d %H:%M}")
    for column in ("key", "source", "entered", "left", "members", "note"):
        table.add_column(column, justify="right" if column in ("entered", "left", "members")
                         else "left")  # fmt: skip
    for s in report.segments:
        note = escape(f"skipped: {s.skipped}") if s.skipped else ""
        table.add_row(escape(s.key), s.source, f"{s.entered:,}", f"{s.left:,}",
                      f"{s.members:,}", note)  # fmt: skip
    console.print(table)


@segments_app.command("show")
@friendly_errors
def show_command(
    key: str = typer.Argument(..., help="The segment's key."),
    workspace: str | None = WorkspaceOption,
    search: str | None = typer.Option(None, "--search", help="Name, external id or e-mail."),
    limit: int = typer.Option(20, "--limit", min=1, max=10_000, help="Members to list."),
) -> None:
    """A segment's definition and its members now (by name)."""
    from kano.adapters.db.segments import members_now, segment_overview
    from kano.bootstrap import build_container

    container = build_container()
    try:
        with container.sessions() as session:
            slug, workspace_id = chosen_workspace(session, workspace)
            total, members = members_now(session, workspace_id, key, search=search, limit=limit)
            summary = next(s for s in segment_overview(session, workspace_id) if s.key == key)
    finally:
        container.close()
    console.print(f"[bold]{escape(summary.name)}[/] ({escape(key)}, {summary.source}) in "
                  f"{escape(slug)}: {summary.members_now:,} members now")  # fmt: skip
    definition = _definition_text(summary.rule, summary.parameter)
    if definition:
        console.print(f"Definition: {escape(definition)}")
    if summary.description:
        console.print(escape(summary.description))
    table = Table(title=f"{total:,} members" + (f" matching {escape(search)!r}" if search else ""))
    for column in ("external id", "name", "kind", "region", "since"):
        table.add_column(column)
    for m in members:
        table.add_row(escape(m.external_id), escape(m.name), m.kind, escape(m.region or ""),
                      f"{m.since:%Y-%m-%d}")  # fmt: skip
    console.print(table)
