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
   same survey, skips them. On PostgreSQL a batch is stored while the next is checked
   (:func:`import_file`).

The key is a column of the response rather than a row of ``idempotency_keys`` (as until
migration 0013): that second row per response cost the server as much as the response.
Rows are checked a column at a time (:mod:`.columns`).
"""

from __future__ import annotations

import csv
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.bulk_writes import is_postgres, rows_where_in
from kano.adapters.db.feedback_bulk import KnownCustomers, accept_columns
from kano.adapters.db.orm import FeedbackResponse, Survey, Touchpoint
from kano.adapters.importers.feedback_file.columns import ColumnReader, ParsedColumns
from kano.adapters.importers.feedback_file.mapping import LoadedMapping
from kano.adapters.importers.feedback_file.readers import Table, read_table
from kano.adapters.importers.feedback_file.rows import RowError, plan_for
from kano.domain.shared.errors import InvalidInput

Progress = Callable[[str, int, int], None]  # (stage, rows done since last call, stage total)

BATCH_ROWS = 10_000  # rows read, checked and stored at a time
BATCHES_AHEAD = 2  # checked batches that may wait for the writer (memory stays bounded)
PROMPT_SWITCH = 0.0005  # seconds: the GIL switch interval while a writer thread runs


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
    when the report has no errors and it is not a dry run; should it commit anyway,
    nothing of a file with errors is stored).

    The file is read, checked and stored :data:`BATCH_ROWS` rows at a time. On
    PostgreSQL each checked batch is stored by a thread of its own while the next one is
    read and checked, inside a savepoint that is rolled back when any row has a problem:
    the server writes (one core) while this process reads and checks (the other), which
    cut a 100,000-row import from 3.0 to ~2 s (``bench/ingest_import.py``). On SQLite the
    writes are this process's own work, so every row is checked before the first write."""
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
    store = _BatchStore(session, workspace_id, options, report, on_progress)
    overlapped = is_postgres(session)
    savepoint = session.begin_nested() if overlapped and not options.dry_run else None
    writer = _Writer(overlapped)
    try:
        for rows in table.batches(BATCH_ROWS):
            report.rows += len(rows)
            parsed, errors, blank = reader.read(rows)
            report.blank += blank
            report.errors.extend(errors)
            if on_progress is not None:
                on_progress("checking", len(rows), max(table.size_hint, report.rows))
            if not report.errors:
                writer.submit(partial(store, parsed))
        writer.finish(run_deferred=not report.errors)
    except BaseException:
        writer.close()
        if savepoint is not None and savepoint.is_active:
            savepoint.rollback()
        raise
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
    ) -> None:
        self.session, self.workspace_id = session, workspace_id
        self.options, self.report, self.on_progress = options, report, on_progress
        self.known = KnownCustomers()  # the customers earlier batches found or created

    def __call__(self, parsed: ParsedColumns) -> None:
        keys = parsed.batch.import_key or []
        known = _known_keys(self.session, self.workspace_id, keys)
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
        )
        report.imported += len(batch)
        report.customers_created += accepted.customers_created
        report.messages += accepted.messages
        report.cases += accepted.cases


class _Writer:
    """Runs the batches' store steps in order: in a thread of its own (``overlapped``),
    at most :data:`BATCHES_AHEAD` batches ahead of it waiting, its first failure raised
    in the caller; else deferred until every batch is checked (:meth:`finish`).

    While the thread runs, the interpreter's switch interval is :data:`PROMPT_SWITCH`:
    when the server answers, the thread must get the GIL back from the checking thread at
    once to send the next statement; with the default 5 ms the server sat idle up to 5 ms
    per statement (100,000 rows, loaded machine: 4.7 and 3.8 s against 5.5 and 6.0 s)."""

    def __init__(self, overlapped: bool) -> None:
        self._pool = ThreadPoolExecutor(1, "kano-import") if overlapped else None
        self._pending: deque[Future[None]] = deque()
        self._deferred: list[Callable[[], None]] = []
        self._switch = sys.getswitchinterval()
        if overlapped:
            sys.setswitchinterval(PROMPT_SWITCH)

    def submit(self, work: Callable[[], None]) -> None:
        if self._pool is None:
            self._deferred.append(work)
            return
        self._pending.append(self._pool.submit(work))
        while self._pending and (len(self._pending) > BATCHES_AHEAD or self._pending[0].done()):
            self._pending.popleft().result()

    def finish(self, *, run_deferred: bool) -> None:
        """Wait for the thread's batches; run the deferred ones when ``run_deferred``."""
        while self._pending:
            self._pending.popleft().result()
        self._stop(cancel=False)
        if run_deferred:
            for work in self._deferred:
                work()

    def close(self) -> None:
        """Stop: batches not started are dropped, the running one is waited for (it holds
        the caller's session)."""
        self._stop(cancel=True)

    def _stop(self, *, cancel: bool) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=cancel)
            sys.setswitchinterval(self._switch)


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
