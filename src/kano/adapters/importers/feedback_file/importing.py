"""``kano feedback import``: one file, all or nothing, never twice.

1. read the file and resolve the mapping's columns (a missing column is a mapping error);
2. check every row (answers on their scales, dates, e-mails, survey and touchpoint keys)
   and collect every problem; with any problem, stop and store nothing;
3. leave out the rows an earlier import stored (their idempotency keys are known);
4. store the rest in one transaction through the set-based path
   (:func:`kano.adapters.db.feedback_bulk.accept_responses`), with one idempotency key per
   row in ``idempotency_keys`` (the table the API's ``Idempotency-Key`` uses), so a
   re-import of the same file, or of a longer export of the same survey, skips them.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.bulk_writes import JsonText, copy_rows, rows_where_in
from kano.adapters.db.feedback_bulk import accept_responses
from kano.adapters.db.orm import IdempotencyKeyRow, Survey, Touchpoint, utcnow
from kano.adapters.importers.feedback_file.mapping import LoadedMapping
from kano.adapters.importers.feedback_file.readers import Table, read_table
from kano.adapters.importers.feedback_file.rows import ParsedRow, RowError, parse_rows, plan_for
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

    parsed, errors, report.blank = parse_rows(table, plan, touchpoints, surveys, checked)
    report.errors = sorted(errors)
    if errors:
        report.seconds = time.perf_counter() - started
        return report
    known = _known_keys(session, workspace_id, [row.key for row in parsed])
    fresh = [row for row in parsed if row.key not in known]
    report.skipped = len(parsed) - len(fresh)
    if options.dry_run:
        report.imported = len(fresh)
        report.seconds = time.perf_counter() - started
        return report

    def stored(rows: int) -> None:
        if on_progress is not None:
            on_progress("storing", rows, len(fresh))

    accepted = accept_responses(
        session,
        workspace_id,
        [row.submission for row in fresh],
        email_enabled=options.email_enabled,
        acknowledge=options.acknowledge,
        open_cases=options.open_cases,
        field_of=lambda index: f"row {fresh[index].row}",
        on_progress=stored,
    )
    _remember(session, workspace_id, fresh, accepted.ids)
    report.imported = len(accepted.ids)
    report.customers_created = accepted.customers_created
    report.messages = accepted.messages
    report.cases = accepted.cases
    report.seconds = time.perf_counter() - started
    return report


def _known_keys(session: Session, workspace_id: int, keys: Sequence[str]) -> set[str]:
    in_workspace = IdempotencyKeyRow.workspace_id == workspace_id
    known = {
        row.key
        for row in rows_where_in(
            session, [IdempotencyKeyRow.key], IdempotencyKeyRow.key, keys, in_workspace
        )
    }
    return known


class _KeyRow(NamedTuple):
    """An ``idempotency_keys`` row to write (field names are the column names)."""

    workspace_id: int
    key: str
    request_hash: str
    status_code: int
    body: JsonText
    response_id: int
    created_at: datetime


def _remember(
    session: Session, workspace_id: int, rows: Sequence[ParsedRow], ids: Sequence[int]
) -> None:
    """One idempotency key per stored row, pointing at its response."""
    now = utcnow()
    entries = [
        _KeyRow(
            workspace_id,
            row.key,
            row.digest,
            201,
            JsonText(f'{{"id": {response_id}, "row": {row.row}}}'),
            response_id,
            now,
        )
        for row, response_id in zip(rows, ids, strict=True)
    ]
    copy_rows(session, IdempotencyKeyRow, entries)


def write_errors_csv(path: Path, errors: Sequence[RowError]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "column", "reason"])
        for error in errors:
            writer.writerow([error.row, error.column, error.reason])
