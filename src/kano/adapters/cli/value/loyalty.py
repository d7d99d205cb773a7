"""``kano value import-loyalty``: a loyalty-programme export as behaviour data."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from kano.adapters.cli.console import console, friendly_errors
from kano.adapters.cli.row_problems import ErrorsCsvOption, RowProblem, check_rows
from kano.adapters.cli.value.commands import WorkspaceOption, value_app
from kano.domain.shared.errors import InvalidInput


@value_app.command("import-loyalty")
@friendly_errors
def import_loyalty_file(
    path: Path = typer.Argument(..., help="CSV or XLSX export, one row per loyalty event."),
    workspace: str | None = WorkspaceOption,
    member_col: str = typer.Option("member_id", "--member-col", help="Member column."),
    match_by: str = typer.Option(
        "external_id", "--match-by", help="Match members to customers by external_id or email."
    ),
    date_col: str = typer.Option("date", "--date-col", help="Date (and time) column."),
    type_col: str = typer.Option(
        "type", "--type-col", help="Event type column: purchase, earn, redeem, visit, …"
    ),
    amount_col: str = typer.Option("amount", "--amount-col", help="Purchase amount column."),
    points_col: str = typer.Option("points", "--points-col", help="Points column."),
    product_col: str | None = typer.Option(None, "--product-col", help="Product column."),
    product_name_col: str | None = typer.Option(
        None,
        "--product-name-col",
        help="Product name column (with --product-col): names the product codes the "
        "catalogue does not know yet; names already given are kept.",
    ),
    margin_col: str | None = typer.Option(None, "--margin-col", help="Purchase margin column."),
    margin_share: float | None = typer.Option(
        None,
        "--margin-share",
        min=0.0,
        max=1.0,
        help="Margin as a share of the amount, when the file has no margin column.",
    ),
    create_members: bool = typer.Option(
        False, "--create-members", help="Create a customer for each member not known yet."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check the file; store nothing."),
    errors_csv: Path | None = ErrorsCsvOption,
) -> None:
    """Import a loyalty-programme export as behaviour data.

    Purchases become orders (channel "loyalty"), other
    events (points earned or redeemed, visits…) become loyalty activity that the churn model
    counts. The whole file is checked first: one bad row and nothing is stored. Run
    `kano warehouse load` afterwards to bring the rows into the analyses."""
    from kano.adapters.cli.workspaces import chosen_workspace
    from kano.adapters.importers.loyalty import LoyaltyColumns, import_loyalty
    from kano.bootstrap import build_container

    if match_by not in ("external_id", "email"):
        raise InvalidInput("--match-by", "choose external_id or email")
    columns = LoyaltyColumns(
        member=member_col,
        occurred_at=date_col,
        kind=type_col,
        amount=amount_col,
        points=points_col,
        product=product_col,
        product_name=product_name_col,
        margin=margin_col,
        match_by=match_by,
    )
    container = build_container()
    try:
        with container.sessions() as session:
            slug, workspace_id = chosen_workspace(session, workspace)
            try:
                with console.status(f"Checking {escape(path.name)}…"):
                    report = import_loyalty(
                        session,
                        workspace_id,
                        path,
                        columns,
                        margin_share=margin_share,
                        create_members=create_members,
                        dry_run=dry_run,
                    )
            except (OSError, ValueError) as error:
                raise InvalidInput("FILE", f"cannot read {path}: {error}") from error
            if report.problems or dry_run:
                session.rollback()
            else:
                session.commit()
    finally:
        container.close()
    check_rows([RowProblem(p.row, p.column, p.reason) for p in report.problems], path,
               errors_csv)  # fmt: skip
    table = Table(title=f"{escape(path.name)} → {escape(slug)}", show_header=False)
    verb = "would be imported" if dry_run else "imported"
    table.add_row("rows in file", f"{report.rows:,}")
    table.add_row(f"purchases {verb} as orders", f"{report.purchases:,}")
    table.add_row(f"loyalty events {verb}", f"{report.events:,}")
    table.add_row("skipped, already imported", f"{report.skipped:,}")
    table.add_row(
        "new customers" if not dry_run else "new customers needed", f"{report.created_members:,}"
    )
    if product_name_col:
        table.add_row(
            "products named in the catalogue" if not dry_run else "products to be named",
            f"{report.products_named:,}",
        )
    console.print(table)
    if not dry_run and report.imported:
        console.print("Run [bold]kano warehouse load[/] to bring them into the analyses.")
