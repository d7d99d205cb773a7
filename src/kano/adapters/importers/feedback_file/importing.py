"""``kano feedback import``: one file, all or nothing, never twice.

1. read the file's header and resolve the mapping's columns (a missing column is a mapping
   error);
2. read and check the rows a batch at a time (answers on their scales, dates, e-mails,
   survey and touchpoint keys), collecting every problem of every row; with any problem,
   store nothing;
3. of each checked batch, leave out the rows an earlier import stored (their keys are
   known) and store the rest through the set-based path
   (:func:`kano.adapters.db.feedback_bulk.accept_columns`), all batches in the caller's
   one transaction, each response with its row's key in ``feedback_responses.import_key``
   (unique per workspace), so a re-import of the same file, or of a longer export of the
   same survey, skips them. On PostgreSQL each batch is stored as soon as it is checked,
   in a savepoint that a later row's problem rolls back (:func:`import_file`).

The key is a column of the response rather than a row of ``idempotency_keys`` (as until
migration 0013): that second row per response cost the server as much as the response.
Rows are checked a column at a time (:mod:`.columns`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from kano.adapters.db.bulk_writes import is_postgres, rows_where_in
from kano.adapters.db.copy_pipeline import CopyPipeline
from kano.adapters.db.feedback_bulk import KnownCustomers, accept_columns
from kano.adapters.db.orm import FeedbackResponse, Survey, Touchpoint
from kano.adapters.importers.feedback_file.columns import ColumnReader, ParsedColumns
from kano.adapters.importers.feedback_file.mapping import LoadedMapping
from kano.adapters.importers.feedback_file.readers import Table, read_table
from kano.adapters.importers.feedback_file.rows import RowError, plan_for
from kano.domain.shared.errors import InvalidInput

Progress = Callable[[str, int, int], None]  # (stage, rows done since last call, stage total)

BATCH_ROWS = 10_000  # rows read, checked and stored at a time


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
    keys_per_batch: bool | None = None
    """PostgreSQL: whether foreign keys were checked a batch at a time (the role may set
    ``session_replication_role``) or per row; None elsewhere and on a dry run."""

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
    when the report has no errors and it is not a dry run; should it commit anyway,
    nothing of a file with errors is stored).

    The file is read, checked and stored :data:`BATCH_ROWS` rows at a time, so a file
    is never held in memory whole. On PostgreSQL each checked batch is stored at once,
    inside a savepoint that is rolled back when a later row has a problem. (Storing in a
    thread of its own while the next batch is checked gained 0.2 s of 3.2 s per 100,000
    rows, and only with every batch held in memory: the store step's own Python work
    holds the GIL, and PostgreSQL's share is most of the time.) On SQLite, where
    savepoints need care with the Python driver, every row is checked before the first
    write.

    On PostgreSQL a batch's ``COPY`` runs while the next batch is checked, and the look-ups
    go to a second connection (:class:`CopyPipeline`): the file's surveys and touchpoints
    must therefore be committed before the import starts (customers need not be)."""
    started = time.perf_counter()
    plan = plan_for(table, loaded)
    surveys = set(session.scalars(select(Survey.key).where(Survey.workspace_id == workspace_id)))
    touchpoints = set(
        session.scalars(select(Touchpoint.key).where(Touchpoint.workspace_id == workspace_id))
    )
    if plan.survey is not None and plan.survey not in surveys:
        choices = ", ".join(sorted(surveys)) or "none yet"
        raise InvalidInput("--survey", f"no survey {plan.survey!r} in this workspace ({choices})")
    report = ImportReport(dry_run=options.dry_run)
    reader = ColumnReader(table, plan, touchpoints, surveys)
    at_once = is_postgres(session)
    pipeline = CopyPipeline(session) if at_once and not options.dry_run else None
    if pipeline is not None:
        report.keys_per_batch = pipeline.keys_per_batch
    store = _BatchStore(session, workspace_id, options, report, on_progress, pipeline)
    savepoint = session.begin_nested() if pipeline is not None else None
    waiting: list[ParsedColumns] = []  # SQLite: the checked batches, stored at the end
    try:
        for rows in table.batches(BATCH_ROWS):
            report.rows += len(rows)
            parsed, errors, blank = reader.read(rows)
            report.blank += blank
            report.errors.extend(errors)
            if on_progress is not None:
                on_progress("checking", len(rows), max(table.size_hint, report.rows))
            if report.errors:
                waiting.clear()
            elif at_once:
                store(parsed)
            else:
                waiting.append(parsed)
        for parsed in waiting:
            store(parsed)
        if pipeline is not None:
            pipeline.wait()
    except BaseException:
        if pipeline is not None:
            pipeline.close()  # the COPY in flight finished before the rollback
        if savepoint is not None and savepoint.is_active:
            savepoint.rollback()
        raise
    if pipeline is not None:
        pipeline.close()
    if savepoint is not None:
        if report.errors:
            savepoint.rollback()
        else:
            savepoint.commit()
    if report.errors:
        report.errors.sort()
        report.imported = report.skipped = report.customers_created = 0
        report.messages = report.cases = 0
    report.seconds = time.perf_counter() - started
    return report


class _BatchStore:
    """Stores one checked batch: leaves out the rows an earlier import stored and writes
    the rest through the set-based path (on a dry run, only counts them)."""

    def __init__(
        self,
        session: Session,
        workspace_id: int,
        options: ImportOptions,
        report: ImportReport,
        on_progress: Progress | None,
        pipeline: CopyPipeline | None,
    ) -> None:
        self.session, self.workspace_id = session, workspace_id
        self.pipeline = pipeline
        self.lookups = session if pipeline is None else pipeline.reader
        self.options, self.report, self.on_progress = options, report, on_progress
        self.known = KnownCustomers()  # the customers earlier batches found or created

    def __call__(self, parsed: ParsedColumns) -> None:
        keys = parsed.batch.import_key or []
        known = _known_keys(self.lookups, self.workspace_id, keys)
        rows, batch = parsed.rows, parsed.batch
        if known:
            fresh = [i for i, key in enumerate(keys) if key not in known]
            rows = [rows[i] for i in fresh]
            batch = batch.take(fresh)
        report = self.report
        report.skipped += len(parsed) - len(rows)
        if self.options.dry_run:
            report.imported += len(rows)
            return

        def stored(count: int) -> None:
            if self.on_progress is not None:
                self.on_progress("storing", count, max(report.rows, 1))

        accepted = accept_columns(
            self.session,
            self.workspace_id,
            batch,
            email_enabled=self.options.email_enabled,
            acknowledge=self.options.acknowledge,
            open_cases=self.options.open_cases,
            field_of=lambda index: f"row {rows[index]}",
            on_progress=stored,
            ids_wanted=False,
            known=self.known,
            pipeline=self.pipeline,
        )
        report.imported += len(batch)
        report.customers_created += accepted.customers_created
        report.messages += accepted.messages
        report.cases += accepted.cases


def _known_keys(session: Session, workspace_id: int, keys: Sequence[str]) -> set[str]:
    """The keys an earlier import stored (one array look-up on the unique index), after
    one look at whether any stored key lies between the batch's least and greatest."""
    if not keys or (is_postgres(session) and not _any_key_within(session, workspace_id, keys)):
        return set()
    key = FeedbackResponse.import_key
    in_workspace = FeedbackResponse.workspace_id == workspace_id
    return {row.import_key for row in rows_where_in(session, [key], key, keys, in_workspace)}


# The batch's least and greatest key are taken by PostgreSQL, in the column's collation
# (Python's order may differ from it). A file new to the workspace, the common case, then
# costs one index descent a batch instead of a probe per row: 0.28 s of the server's
# ~2 s per 100,000 rows (``bench/ingest_import.py``).
_ANY_KEY_WITHIN = text(
    "SELECT EXISTS (SELECT 1 FROM feedback_responses f, (SELECT min(value) AS low, "
    "max(value) AS high FROM json_array_elements_text(CAST(:keys AS json))) AS k "
    "WHERE f.workspace_id = :workspace_id AND f.import_key >= k.low "
    "AND f.import_key <= k.high)"
)


def _any_key_within(session: Session, workspace_id: int, keys: Sequence[str]) -> bool:
    """Whether the workspace has a stored import key between the least and the greatest
    of ``keys`` (PostgreSQL)."""
    found = session.execute(
        _ANY_KEY_WITHIN, {"keys": json.dumps(list(keys)), "workspace_id": workspace_id}
    ).scalar_one()
    return bool(found)

