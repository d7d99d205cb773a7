"""``kano feedback import``: CSV/XLSX exports of survey tools into the response store;
``kano feedback invite`` and ``kano feedback settings`` (fatigue window, reminder delay)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.exc import IntegrityError

from kano.adapters.cli.console import console, error_console, friendly_errors
from kano.adapters.cli.row_problems import (
    PROBLEMS_SHOWN,
    ErrorsCsvOption,
    RowProblem,
    check_rows,
)
from kano.adapters.cli.workspaces import chosen_workspace
from kano.domain.shared.errors import InvalidInput

if TYPE_CHECKING:  # imported lazily at run time: `kano --help` stays quick
    from sqlalchemy.orm import Session

    from kano.adapters.importers.feedback_file import ImportOptions, ImportReport, LoadedMapping
    from kano.adapters.importers.feedback_file.readers import Table as FileTable

feedback_app = typer.Typer(
    help="Feedback: import survey responses from files (Qualtrics, SurveyMonkey, Google Forms, "
    "LimeSurvey, Formbricks or any CSV/XLSX with a column mapping).",
    no_args_is_help=True,
)


def _print_report(report: object, path: Path, slug: str) -> None:
    from kano.adapters.importers.feedback_file import ImportReport

    assert isinstance(report, ImportReport)
    table = Table(title=f"{escape(path.name)} → {escape(slug)}", show_header=False)
    verb = "would be imported" if report.dry_run else "imported"
    table.add_row("rows in file", f"{report.rows:,}")
    if report.blank:
        table.add_row("blank rows (ignored)", f"{report.blank:,}")
    if report.errors:
        table.add_row("rows with errors", f"{len({e.row for e in report.errors}):,}")
        table.add_row("imported", "0 (nothing is imported from a file with errors)")
    else:
        table.add_row(verb, f"{report.imported:,}")
        table.add_row("skipped, already imported", f"{report.skipped:,}")
        if not report.dry_run:
            table.add_row("new customers", f"{report.customers_created:,}")
            table.add_row("acknowledgements queued", f"{report.messages:,}")
            table.add_row("cases opened", f"{report.cases:,}")
            if report.seconds > 0 and report.imported:
                rate = report.imported / report.seconds
                table.add_row("time", f"{report.seconds:.2f} s ({rate:,.0f} rows/s)")
    console.print(table)
    if report.keys_per_batch is False and report.imported:
        console.print(
            "[dim]Tip: PostgreSQL checked each row's foreign keys one by one. "
            "GRANT SET ON PARAMETER session_replication_role TO <Kano's role> lets the "
            "import check them a batch at a time, about twice as fast on the server "
            "(docs/feedback-import.md, Speed).[/]"
        )


FOREIGN_KEY_VIOLATION = "23503"  # PostgreSQL's SQLSTATE

IMPORT_HELP = (
    "Import a file of survey responses: all rows or, if any row is wrong, none.\n\n"
    "Every row is checked first (scores on their scales, dates, e-mails, survey and "
    "touchpoint keys); problems are listed with the row number and column as the file "
    "shows them, and the exit code is 1. Rows imported before (the same response id, or the "
    "same row of an export without ids) are skipped: importing a file twice stores it once.\n\n"
    "Example: kano feedback import export.csv --preset qualtrics --question nps=Q1 "
    "--question comment=Q2 --survey relationship-nps"
)


def _run_import(
    session: Session,
    workspace_id: int,
    table: FileTable,
    loaded: LoadedMapping,
    options: ImportOptions,
) -> ImportReport:
    """``import_file`` with a progress bar for checking rows and one for storing them."""
    from kano.adapters.importers.feedback_file import import_file

    with Progress(
        TextColumn("[bold blue]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        tasks = {
            "checking": progress.add_task("Checking rows", total=table.size_hint),
            "storing": progress.add_task("Storing", total=None, visible=False),
        }

        def advance(stage: str, rows: int, total: int) -> None:
            progress.update(tasks[stage], advance=rows, total=total, visible=True)

        return import_file(session, workspace_id, table, loaded, options, advance)


@feedback_app.command("import", help=IMPORT_HELP)
@friendly_errors
def import_command(
    file: Path = typer.Argument(
        ..., help="A CSV or XLSX export.", exists=True, dir_okay=False, readable=True
    ),
    mapping: Path | None = typer.Option(
        None,
        "--mapping",
        help="A mapping YAML: columns, questions, value maps, header rows, date formats "
        "(docs/feedback-import.md). It may name a preset to start from.",
        exists=True,
        dir_okay=False,
    ),
    preset: str | None = typer.Option(
        None,
        "--preset",
        help="A shipped layout: qualtrics, surveymonkey, google_forms, limesurvey, formbricks.",
    ),
    questions: list[str] = typer.Option(
        [],
        "--question",
        help="QUESTION=COLUMN, e.g. nps=Q1 or comment='Why?'; QUESTION is nps, csat, ces, "
        "rating or comment. Repeat for more.",
    ),
    workspace: str | None = typer.Option(
        None, "--workspace", help="Workspace slug (default: the only one, or demo)."
    ),
    survey: str | None = typer.Option(
        None, "--survey", help="The survey key the responses answer (overrides the mapping's)."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Check every row and report the counts; store nothing."
    ),
    acknowledge: bool = typer.Option(
        False,
        "--acknowledge/--no-acknowledge",
        help="Queue acknowledgements (e-mail, webhooks) as for new responses. Off by "
        "default: customers of old responses were acknowledged by the tool they used.",
    ),
    open_cases: bool = typer.Option(
        False,
        "--open-cases/--no-open-cases",
        help="Open cases for unhappy responses by the case rules (off by default).",
    ),
    errors_csv: Path | None = ErrorsCsvOption,
) -> None:
    """Import a file of survey responses: all rows or, if any row is wrong, none."""
    from kano.adapters.importers.feedback_file import ImportOptions, load_mapping, prepare
    from kano.bootstrap import build_container

    loaded = load_mapping(mapping, preset, questions, survey)
    with console.status(f"Reading {escape(file.name)} …"):
        table = prepare(file, loaded)
    container = build_container()
    try:
        options = ImportOptions(
            dry_run=dry_run,
            acknowledge=acknowledge,
            open_cases=open_cases,
            email_enabled=bool(container.settings.smtp_url),
        )
        with container.sessions() as session:
            slug, workspace_id = chosen_workspace(session, workspace)
            try:
                report = _run_import(session, workspace_id, table, loaded, options)
                if report.ok and not dry_run:
                    session.commit()
                else:
                    session.rollback()
            except IntegrityError as error:
                session.rollback()
                if getattr(error.orig, "sqlstate", None) == FOREIGN_KEY_VIOLATION:
                    reason = (
                        "a customer or survey these rows refer to was deleted while they "
                        "were stored; nothing of this run was stored: run it again"
                    )
                else:
                    reason = (
                        "another import stored some of these rows at the same time; nothing "
                        "of this run was stored: run it again to import the rest"
                    )
                raise InvalidInput(str(file), reason) from error
    finally:
        container.close()
    _print_report(report, file, slug)
    check_rows([RowProblem(e.row, e.column, e.reason) for e in report.errors], file, errors_csv)


def _identifiers(path: Path) -> list[str]:
    """External ids or e-mail addresses, one a line (a CSV's first column; a header row
    named external_id / email / customer is skipped)."""
    import csv

    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [row[0].strip() for row in csv.reader(handle) if row and row[0].strip()]
    if rows and rows[0].lower() in {"external_id", "email", "e-mail", "customer"}:
        rows = rows[1:]
    return rows


@feedback_app.command("invite")
@friendly_errors
def invite_command(
    survey: str = typer.Option(..., "--survey", help="The survey key to invite to."),
    segment: str | None = typer.Option(
        None, "--segment", help="Invite the customers of this segment."
    ),
    customers: Path | None = typer.Option(
        None,
        "--customers",
        help="A file of customers to invite: external ids or e-mail addresses, one a line.",
        exists=True,
        dir_okay=False,
    ),
    workspace: str | None = typer.Option(
        None, "--workspace", help="Workspace slug (default: the only one, or demo)."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Report who would be invited and who skipped; send nothing."
    ),
) -> None:
    """E-mail survey invitations, each with its own single-use link.

    Contacts who opted out, have no e-mail address or were invited to any survey within
    the workspace's fatigue window (`kano feedback settings`; default
    KANO_SURVEY_FATIGUE_DAYS) are skipped and listed with the reason. Without --segment or
    --customers every customer of the workspace is considered. The e-mails go through the
    outbox (`kano worker` sends them, and one reminder after the workspace's reminder
    delay, default KANO_SURVEY_REMINDER_DAYS).
    """
    from kano.adapters.db.feedback_settings import invitation_policy
    from kano.adapters.db.invitations import invite
    from kano.adapters.web.survey_links import invitation_links
    from kano.bootstrap import build_container

    if segment is not None and customers is not None:
        raise InvalidInput("--segment", "choose --segment or --customers, not both")
    identifiers = _identifiers(customers) if customers is not None else None
    container = build_container()
    try:
        settings = container.settings
        if not settings.smtp_url and not dry_run:
            error_console.print(
                "[yellow]KANO_SMTP_URL is not set: the invitations are queued and will fail "
                "to send until it is.[/yellow]"
            )
        with container.sessions() as session:
            slug, workspace_id = chosen_workspace(session, workspace)
            policy = invitation_policy(session, workspace_id, settings)
            link_for = invitation_links(settings.secret_key, settings.public_url)(
                workspace_id, survey
            )
            report = invite(session, workspace_id, survey, link_for, policy, segment=segment,
                            customers=identifiers, dry_run=dry_run, actor="cli")
            if dry_run:
                session.rollback()
            else:
                session.commit()
    finally:
        container.close()
    verb = "would be invited" if dry_run else "invited"
    console.print(f"{escape(slug)} / {escape(survey)}: {len(report.invited):,} {verb}, "
                  f"{len(report.skipped):,} skipped")
    if report.skipped:
        table = Table(title="skipped")
        table.add_column("customer")
        table.add_column("reason")
        for skip in report.skipped[:PROBLEMS_SHOWN]:
            table.add_row(escape(skip.contact), escape(skip.reason))
        console.print(table)
        if len(report.skipped) > PROBLEMS_SHOWN:
            console.print(f"… and {len(report.skipped) - PROBLEMS_SHOWN:,} more.")


def _days_option(name: str, given: str | None) -> dict[str, int | None]:
    """``--fatigue-days 14`` → 14, ``default`` → None (the server default), absent → {}."""
    if given is None:
        return {}
    if given.strip().lower() == "default":
        return {name: None}
    try:
        return {name: int(given)}
    except ValueError:
        raise InvalidInput(name, "give a whole number of days, or 'default'") from None


@feedback_app.command("settings")
@friendly_errors
def survey_settings(
    fatigue_days: str | None = typer.Option(
        None, "--fatigue-days",
        help="Do not invite a contact again within this many days (0–3650), or 'default'.",
    ),
    reminder_days: str | None = typer.Option(
        None, "--reminder-days",
        help="Remind an unanswered invitation after this many days (1–365), or 'default'.",
    ),
    workspace: str | None = typer.Option(
        None, "--workspace", help="Workspace slug (default: the only one, or demo)."
    ),
) -> None:
    """Show, or change, the workspace's survey fatigue window and reminder delay.

    Without options it shows them; 'default' returns a setting to the server's
    KANO_SURVEY_FATIGUE_DAYS / KANO_SURVEY_REMINDER_DAYS. Changes are audit-logged.
    """
    from kano.adapters.db.feedback_settings import change_feedback_settings, feedback_settings
    from kano.bootstrap import build_container

    changes = (_days_option("survey_fatigue_days", fatigue_days)
               | _days_option("survey_reminder_days", reminder_days))
    container = build_container()
    try:
        with container.sessions() as session:
            slug, workspace_id = chosen_workspace(session, workspace)
            if changes:
                found = change_feedback_settings(session, workspace_id, container.settings,
                                                 changes, actor="cli")
                session.commit()
            else:
                found = feedback_settings(session, workspace_id, container.settings)
    finally:
        container.close()
    policy = found.policy
    table = Table(title=f"{escape(slug)}: survey settings")
    for column in ("setting", "in effect", "workspace's own", "server default"):
        table.add_column(column)
    for label, effective, own, default in (
        ("fatigue days", policy.fatigue_days, found.survey_fatigue_days,
         found.default_fatigue_days),
        ("reminder days", policy.reminder_days, found.survey_reminder_days,
         found.default_reminder_days),
    ):
        table.add_row(label, str(effective), "–" if own is None else str(own), str(default))
    console.print(table)
