"""``kano feedback import``: one file, all or nothing, never twice.

1. read the file and resolve the mapping's columns (a missing column is a mapping error);
2. check every row (answers on their scales, dates, e-mails, survey and touchpoint keys)
   and collect every problem; with any problem, stop and store nothing;
3. leave out the rows an earlier import stored (their keys are known);
4. store the rest in one transaction through the set-based path
   (:func:`kano.adapters.db.feedback_bulk.accept_columns`), each response with its row's
   key in ``feedback_responses.import_key`` (unique per workspace), so a re-import of the
   same file, or of a longer export of the same survey, skips them.

The key is a column of the response rather than a row of ``idempotency_keys`` (as until
migration 0013): that second row per response cost the server as much as the response.
Rows are checked a column at a time (:mod:`.columns`).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.bulk_writes import rows_where_in
from kano.adapters.db.feedback_bulk import accept_columns
from kano.adapters.db.orm import FeedbackResponse, Survey, Touchpoint
from kano.adapters.importers.feedback_file.columns import read_columns
from kano.adapters.importers.feedback_file.mapping import LoadedMapping
from kano.adapters.importers.feedback_file.readers import Table, read_table
from kano.adapters.importers.feedback_file.rows import RowError, plan_for
from kano.domain.shared.errors import InvalidInput

Progress = Callable[[str, int, int], None]  # (stage, rows done since last call, stage total)


@dataclass
class ImportReport:
    """What an import did (or, on a dry run or with errors, would do)."""

    rows: int = 0  # data rows in the file, blank ones included
    blank: int = 0
    imported: int = 0
    skipped: int = 0  # stored by an earlier import
    errors: list[RowError] = field(default_factory=list)
    customers_created: int = 0
    messages: int = 0
    cases: int = 0
    dry_run: bool = False
    seconds: float = 0.0

    @property
    def valid(self) -> int:
        return self.rows - self.blank - len({error.row for error in self.errors})

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ImportOptions:
    dry_run: bool = False
    acknowledge: bool = False
    open_cases: bool = False
    email_enabled: bool = False


def prepare(path: Path, loaded: LoadedMapping) -> Table:
    """The file read and its header checked against the mapping (raises on a bad one)."""
    table = read_table(path, loaded.mapping)
    plan_for(table, loaded)  # fails early, before any database work
    return table


def import_file(
    session: Session,
    workspace_id: int,
    table: Table,
    loaded: LoadedMapping,
    options: ImportOptions,
    on_progress: Progress | None = None,
) -> ImportReport:
    """Check and store ``table`` in the caller's transaction (the caller commits only
    when the report has no errors and it is not a dry run)."""
    started = time.perf_counter()
    plan = plan_for(table, loaded)
    surveys = set(session.scalars(select(Survey.key).where(Survey.workspace_id == workspace_id)))
    touchpoints = set(
        session.scalars(select(Touchpoint.key).where(Touchpoint.workspace_id == workspace_id))
    )
    if plan.survey is not None and plan.survey not in surveys:
        choices = ", ".join(sorted(surveys)) or "none yet"
        raise InvalidInput("--survey", f"no survey {plan.survey!r} in this workspace ({choices})")
    report = ImportReport(rows=len(table.rows), dry_run=options.dry_run)

    def checked(rows: int) -> None:
        if on_progress is not None:
            on_progress("checking", rows, len(table.rows))

    parsed, errors, report.blank = read_columns(table, plan, touchpoints, surveys, checked)
    report.errors = sorted(errors)
    if errors:
        report.seconds = time.perf_counter() - started
        return report
    keys = parsed.batch.import_key or []
    known = _known_keys(session, workspace_id, keys)
    rows, batch = parsed.rows, parsed.batch
    if known:
        fresh = [i for i, key in enumerate(keys) if key not in known]
        rows = [rows[i] for i in fresh]
        batch = batch.take(fresh)
    report.skipped = len(parsed) - len(rows)
    if options.dry_run:
        report.imported = len(rows)
        report.seconds = time.perf_counter() - started
        return report

    def stored(count: int) -> None:
        if on_progress is not None:
            on_progress("storing", count, len(rows))

    accepted = accept_columns(
        session,
        workspace_id,
        batch,
        email_enabled=options.email_enabled,
        acknowledge=options.acknowledge,
        open_cases=options.open_cases,
        field_of=lambda index: f"row {rows[index]}",
        on_progress=stored,
        ids_wanted=False,
    )
    report.imported = len(batch)
    report.customers_created = accepted.customers_created
    report.messages = accepted.messages
    report.cases = accepted.cases
    report.seconds = time.perf_counter() - started
    return report


def _known_keys(session: Session, workspace_id: int, keys: Sequence[str]) -> set[str]:
    """The keys an earlier import stored (one array look-up on the unique index)."""
    key = FeedbackResponse.import_key
    in_workspace = FeedbackResponse.workspace_id == workspace_id
    return {row.import_key for row in rows_where_in(session, [key], key, keys, in_workspace)}


def write_errors_csv(path: Path, errors: Sequence[RowError]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "column", "reason"])
        for error in errors:
            writer.writerow([error.row, error.column, error.reason])
