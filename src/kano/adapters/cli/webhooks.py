"""``kano webhook add|list|remove``: where a workspace's events (acknowledgements) go.

The same functions as the web Settings page and ``/api/v1/webhooks``
(:mod:`kano.adapters.db.webhook_endpoints`): one URL rule, audited changes.
"""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from kano.adapters.cli.console import console, friendly_errors

webhook_app = typer.Typer(
    help="Webhook endpoints: signed (Standard Webhooks) POSTs for every accepted response.",
    no_args_is_help=True,
)

ACTOR = "cli"


@webhook_app.command("add")
@friendly_errors
def add(
    url: str = typer.Argument(..., help="The https URL to POST events to."),
    workspace: str = typer.Option(..., "--workspace", help="Workspace slug."),
) -> None:
    """Add an endpoint and print its signing secret (whsec_…; shown once, keep it)."""
    from kano.adapters.db import accounts
    from kano.adapters.db.engine import transaction
    from kano.adapters.db.webhook_endpoints import add_webhook_endpoint
    from kano.bootstrap import build_container

    container = build_container()
    try:
        with transaction(container.sessions) as session:
            space = accounts.get_workspace(session, workspace)
            added = add_webhook_endpoint(
                session, space.id, url, allow_private=container.settings.webhook_allow_private,
                actor=ACTOR, user_id=None)
    finally:
        container.close()
    console.print(f"Webhook {added.endpoint.id} → {escape(added.endpoint.url)}")
    console.print(f"Signing secret: [bold]{added.secret}[/]")


@webhook_app.command("list")
@friendly_errors
def list_endpoints(
    workspace: str = typer.Option(..., "--workspace", help="Workspace slug."),
) -> None:
    """The workspace's endpoints and how their messages fared (secrets are not shown)."""
    from kano.adapters.db import accounts
    from kano.adapters.db.webhook_endpoints import webhook_endpoints
    from kano.bootstrap import build_container

    container = build_container()
    try:
        with container.sessions() as session:
            space = accounts.get_workspace(session, workspace)
            lines = webhook_endpoints(session, space.id)
    finally:
        container.close()
    table = Table(title=f"Webhooks of {escape(workspace)}")
    for column in ("id", "url", "active", "created", "delivered", "failed", "pending"):
        table.add_column(column)
    for line in lines:
        table.add_row(
            str(line.id),
            escape(line.url),
            "yes" if line.enabled else "no",
            line.created_at.isoformat(timespec="seconds"),
            str(line.delivered),
            str(line.failed),
            str(line.pending),
        )
    console.print(table)


@webhook_app.command("remove")
@friendly_errors
def remove(
    endpoint_id: int = typer.Argument(..., help="The endpoint id (see `kano webhook list`)."),
    workspace: str = typer.Option(..., "--workspace", help="Workspace slug."),
) -> None:
    """Deactivate an endpoint: nothing more is sent to it (queued messages are dropped)."""
    from kano.adapters.db import accounts
    from kano.adapters.db.engine import transaction
    from kano.adapters.db.webhook_endpoints import change_webhook_endpoint
    from kano.bootstrap import build_container

    container = build_container()
    try:
        with transaction(container.sessions) as session:
            space = accounts.get_workspace(session, workspace)
            change_webhook_endpoint(
                session, space.id, endpoint_id, enabled=False,
                allow_private=container.settings.webhook_allow_private,
                actor=ACTOR, user_id=None)
    finally:
        container.close()
    console.print(f"Webhook {endpoint_id} deactivated.")
