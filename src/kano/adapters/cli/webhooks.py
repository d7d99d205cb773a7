"""``kano webhook add|list|remove``: where a workspace's events (acknowledgements) go."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select

from kano.adapters.cli.console import console, friendly_errors
from kano.domain.shared.errors import NotFound

webhook_app = typer.Typer(
    help="Webhook endpoints: signed (Standard Webhooks) POSTs for every accepted response.",
    no_args_is_help=True,
)


@webhook_app.command("add")
@friendly_errors
def add(
    url: str = typer.Argument(..., help="The https URL to POST events to."),
    workspace: str = typer.Option(..., "--workspace", help="Workspace slug."),
) -> None:
    """Add an endpoint and print its signing secret (whsec_…; shown once, keep it)."""
    from kano.adapters.db import accounts
    from kano.adapters.db.engine import transaction
    from kano.adapters.db.orm import WebhookEndpointRow
    from kano.adapters.messaging.webhooks import check_target, new_secret
    from kano.bootstrap import build_container

    container = build_container()
    try:
        check_target(url, container.settings.webhook_allow_private)
        secret = new_secret()
        with transaction(container.sessions) as session:
            space = accounts.get_workspace(session, workspace)
            endpoint = WebhookEndpointRow(workspace_id=space.id, url=url, secret=secret)
            session.add(endpoint)
            session.flush()
            endpoint_id = endpoint.id
    finally:
        container.close()
    console.print(f"Webhook {endpoint_id} → {escape(url)}")
    console.print(f"Signing secret: [bold]{secret}[/]")


@webhook_app.command("list")
@friendly_errors
def list_endpoints(
    workspace: str = typer.Option(..., "--workspace", help="Workspace slug."),
) -> None:
    """The workspace's endpoints (secrets are not shown)."""
    from kano.adapters.db import accounts
    from kano.adapters.db.orm import WebhookEndpointRow
    from kano.bootstrap import build_container

    container = build_container()
    try:
        with container.sessions() as session:
            space = accounts.get_workspace(session, workspace)
            rows = session.scalars(
                select(WebhookEndpointRow)
                .where(WebhookEndpointRow.workspace_id == space.id)
                .order_by(WebhookEndpointRow.id)
            ).all()
            table = Table(title=f"Webhooks of {escape(workspace)}")
            for column in ("id", "url", "active", "created"):
                table.add_column(column)
            for row in rows:
                table.add_row(
                    str(row.id),
                    escape(row.url),
                    "yes" if row.active else "no",
                    row.created_at.isoformat(timespec="seconds"),
                )
    finally:
        container.close()
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
    from kano.adapters.db.orm import WebhookEndpointRow
    from kano.bootstrap import build_container

    container = build_container()
    try:
        with transaction(container.sessions) as session:
            space = accounts.get_workspace(session, workspace)
            row = session.get(WebhookEndpointRow, endpoint_id)
            if row is None or row.workspace_id != space.id:
                raise NotFound("webhook", endpoint_id)
            row.active = False
    finally:
        container.close()
    console.print(f"Webhook {endpoint_id} deactivated.")
