"""``kano db``: schema migrations of the app database."""

from __future__ import annotations

import typer

from kano.adapters.cli.console import console, friendly_errors
from kano.adapters.db import migrate
from kano.config import get_settings

db_app = typer.Typer(help="Migrate the app database (KANO_DATABASE_URL).", no_args_is_help=True)


@db_app.command("upgrade")
@friendly_errors
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    url = get_settings().database_url
    migrate.upgrade(url, revision)
    console.print(f"Database at revision [bold]{migrate.current_revision(url)}[/].")


@db_app.command("downgrade")
@friendly_errors
def downgrade(revision: str = typer.Argument(..., help="Target revision, or 'base'.")) -> None:
    """Revert migrations down to REVISION (destroys data of the reverted tables)."""
    url = get_settings().database_url
    migrate.downgrade(url, revision)
    console.print(f"Database at revision [bold]{migrate.current_revision(url) or 'base'}[/].")


@db_app.command("current")
@friendly_errors
def current() -> None:
    """Show the database's current revision."""
    console.print(migrate.current_revision(get_settings().database_url) or "base (empty)")
