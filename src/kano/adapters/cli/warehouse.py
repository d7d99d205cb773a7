"""``kano warehouse load``: fill the analytics warehouse from the app database or Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from sqlalchemy import select

from kano.adapters.cli.console import console, friendly_errors, row_progress
from kano.domain.shared.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from kano.bootstrap import Container

warehouse_app = typer.Typer(
    help="The analytics warehouse (KANO_WAREHOUSE_URL: DuckDB by default, or PostgreSQL, "
    "SQLite, Spark) that metrics are computed in.",
    no_args_is_help=True,
)


def load_into_warehouse(
    workspace: str | None = None, from_dir: Path | None = None, full: bool = False
) -> None:
    """Load one workspace (or every workspace) into the configured warehouse, with a bar.

    From the app database by default; from a generator folder with ``from_dir`` (the
    workspace is then created in the app database if needed, to give it an id).
    """
    from kano.adapters.db import accounts, migrate
    from kano.adapters.db.engine import transaction
    from kano.adapters.db.orm import Workspace
    from kano.adapters.warehouse import AppDatabaseSource, ParquetSource, open_store
    from kano.adapters.warehouse.loader import load_warehouse, pending_rows
    from kano.adapters.warehouse.sources import Source
    from kano.bootstrap import build_container

    container = build_container()
    migrate.upgrade(container.settings.database_url)
    url = container.settings.resolved_warehouse_url()
    try:
        with transaction(container.sessions) as session:
            if from_dir is not None:
                if workspace is None:
                    raise InvalidInput("--workspace", "name the workspace to load --from into")
                targets = [(workspace, accounts.ensure_workspace(session, workspace).id)]
            elif workspace is not None:
                targets = [(workspace, accounts.get_workspace(session, workspace).id)]
            else:
                targets = [
                    (w.slug, w.id)
                    for w in session.scalars(select(Workspace).order_by(Workspace.id))
                ]
        if not targets:
            raise NotFound("workspace", "any")
        source: Source = (
            ParquetSource(from_dir) if from_dir is not None else AppDatabaseSource(container.engine)
        )
        store = open_store(url)
        try:
            for slug, workspace_id in targets:
                total = pending_rows(store, source, workspace_id, full)
                with row_progress(f"Warehouse ← {slug}", total) as advance:
                    report = load_warehouse(
                        store, source, workspace_id, full=full, on_progress=advance
                    )
                appended = len(report.appended) - len(report.replaced)
                console.print(
                    f"Loaded {report.total_rows:,} rows of workspace [bold]{escape(slug)}[/] "
                    f"into {escape(_safe_url(url))} ({len(report.replaced)} tables replaced, "
                    f"{appended} appended incrementally)."
                )
                if report.backfilled:
                    console.print(backfill_line(_slugs(container, report.backfilled)))
        finally:
            store.close()
    finally:
        container.close()


def backfill_line(slugs: list[str]) -> str:
    """What a load did besides its own workspace: the segment membership spans of the
    workspaces last loaded before spans existed, read from the same source
    (``kano.adapters.warehouse.loader``), so their segments work from now on."""
    named = ", ".join(f"[bold]{escape(slug)}[/]" for slug in slugs)
    workspaces = "workspace" if len(slugs) == 1 else "workspaces"
    return (f"Backfilled the segment membership spans of {len(slugs)} other {workspaces} "
            f"last loaded before spans existed: {named}.")  # fmt: skip


def _slugs(container: Container, workspace_ids: list[int]) -> list[str]:
    from kano.adapters.db.orm import Workspace

    with container.sessions() as session:
        found = dict(session.execute(select(Workspace.id, Workspace.slug).where(
            Workspace.id.in_(workspace_ids))).all())  # fmt: skip
    return [found.get(i, f"#{i}") for i in workspace_ids]


def _safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


@warehouse_app.command("load")
@friendly_errors
def load(
    workspace: str | None = typer.Option(
        None, "--workspace", help="Workspace slug (default: every workspace)."
    ),
    from_dir: Path | None = typer.Option(
        None,
        "--from",
        help="A folder written by `kano generate` instead of the app database.",
        exists=True,
        file_okay=False,
    ),
    full: bool = typer.Option(
        False, "--full", help="Reload everything instead of only the new rows."
    ),
) -> None:
    """Load the warehouse: only new rows since the last load, all or nothing."""
    load_into_warehouse(workspace, from_dir, full)
