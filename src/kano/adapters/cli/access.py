"""``kano user`` and ``kano token``: people and API access."""

from __future__ import annotations

import typer

from kano.adapters.cli.console import console, friendly_errors
from kano.adapters.db import accounts
from kano.adapters.db.api_tokens import issue_api_token
from kano.adapters.db.engine import transaction
from kano.bootstrap import build_container
from kano.domain.workspaces import Role, Scope

user_app = typer.Typer(help="Create users and give them roles.", no_args_is_help=True)
token_app = typer.Typer(help="Issue API tokens (shown once, stored hashed).", no_args_is_help=True)


@user_app.command("create")
@friendly_errors
def create_user(
    email: str = typer.Option(..., "--email", help="Login e-mail."),
    password: str = typer.Option(
        ...,
        "--password",
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="Password (prompted when omitted).",
    ),
    workspace: str = typer.Option(
        "demo", "--workspace", help="Workspace slug (created if missing)."
    ),
    role: Role = typer.Option(Role.VIEWER, "--role", help="Role in the workspace."),
    name: str | None = typer.Option(None, "--name", help="Display name."),
    language: str | None = typer.Option(None, "--language", help="UI language: en, ru or hu."),
) -> None:
    """Create a user (or reset the password of an existing one) with a role in a workspace."""
    container = build_container()
    with transaction(container.sessions) as session:
        ws = accounts.ensure_workspace(session, workspace)
        user = accounts.ensure_user(session, email, password, name=name, language=language)
        accounts.grant_role(session, ws, user, role)
    console.print(f"User [bold]{user.email}[/] is {role.value} of workspace [bold]{workspace}[/].")


@token_app.command("create")
@friendly_errors
def create_token(
    workspace: str = typer.Option("demo", "--workspace", help="Workspace slug."),
    scope: Scope = typer.Option(Scope.READ, "--scope", help="read, or write (includes read)."),
    name: str = typer.Option("cli", "--name", help="A label to recognise the token by."),
) -> None:
    """Print a new API token for a workspace. It is shown only this once."""
    container = build_container()
    with transaction(container.sessions) as session:
        ws = accounts.get_workspace(session, workspace)
        issued = issue_api_token(session, ws, name, scope)
    # Plain print: the token alone on stdout, so `TOKEN=$(kano token create …)` works.
    typer.echo(issued.token)
