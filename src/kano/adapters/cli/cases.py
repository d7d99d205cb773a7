"""``kano cases rules export|import``: a workspace's case rules and routing table as YAML."""

from __future__ import annotations

from pathlib import Path

import typer
import yaml
from rich.markup import escape

from kano.adapters.cli.console import console, friendly_errors
from kano.adapters.cli.workspaces import chosen_workspace
from kano.domain.shared.errors import InvalidInput

cases_app = typer.Typer(help="The closed loop's cases.", no_args_is_help=True)
rules_app = typer.Typer(
    help="Case rules (score, keyword, VIP, segment, sentiment) and the routing table.",
    no_args_is_help=True,
)
cases_app.add_typer(rules_app, name="rules")

WORKSPACE = typer.Option(
    None, "--workspace", help="Workspace slug (default: the only one, or demo)."
)


@rules_app.command("export")
@friendly_errors
def export_rules(
    file: Path = typer.Argument(..., help="The YAML file to write.", dir_okay=False),
    workspace: str | None = WORKSPACE,
) -> None:
    """Write the rules in force (the defaults when the workspace has none) and the routes."""
    from kano.adapters.db import case_rules
    from kano.bootstrap import build_container

    container = build_container()
    try:
        with container.sessions() as session:
            slug, workspace_id = chosen_workspace(session, workspace)
            document = case_rules.document_of(session, workspace_id)
    finally:
        container.close()
    document.pop("defaults")
    file.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    console.print(
        f"{escape(slug)} → {escape(str(file))}: {len(document['rules'])} rules, "
        f"{len(document['routes'])} routes"
    )


@rules_app.command("import")
@friendly_errors
def import_rules(
    file: Path = typer.Argument(
        ..., help="A YAML file as export writes it.", exists=True, dir_okay=False, readable=True
    ),
    workspace: str | None = WORKSPACE,
    dry_run: bool = typer.Option(False, "--dry-run", help="Check the file; change nothing."),
) -> None:
    """Replace the workspace's case rules and routes with the file's.

    All or nothing; a
    problem is named by its field, as rules.2.threshold). An empty rule list goes back
    to the default rules. The change is written to the audit log."""
    from kano.adapters.db import accounts, case_rules
    from kano.bootstrap import build_container

    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise InvalidInput("FILE", f"not YAML: {error}") from None
    rules, routes = case_rules.parse_document(data or {})
    container = build_container()
    try:
        with container.sessions() as session:
            slug, workspace_id = chosen_workspace(session, workspace)
            before = case_rules.document_of(session, workspace_id)
            case_rules.replace_policy(session, workspace_id, rules, routes)
            if dry_run:
                session.rollback()
            else:
                after = case_rules.document_of(session, workspace_id)
                accounts.audit(
                    session, workspace_id, "cli", "replace", "case_rules", None,
                    {"from": before, "to": after},
                )  # fmt: skip
                session.commit()
            warnings = case_rules.policy_warnings(session, workspace_id, rules)
    finally:
        container.close()
    verb = "would be set" if dry_run else "set"
    console.print(
        f"{escape(file.name)} → {escape(slug)}: {len(rules)} rules and {len(routes)} routes "
        f"{verb}" + ("" if rules else " (no rules: the defaults apply)")
    )
    for warning in warnings:
        console.print(f"[yellow]Warning:[/] {escape(warning)}")
