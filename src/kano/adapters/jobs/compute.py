"""Live binding: refresh a workspace's metric-bound measures and key results.

``kano compute`` and ``kano worker``'s schedule call :func:`refresh_workspace`. For every
measure bound to a metric it computes the metric per period of the measure's frequency up
to the end of the warehouse's data, and for every key result of an open cycle the metric
over its window (``live_window``: the cycle so far, or its last complete month); it
stores each value with its n, interval and computation time.
A value that changed (or is new) is also appended to ``computed_values``, which keeps the
history of what the scorecard said when.

One binding's error (an unknown metric, a slice the metric cannot take) is recorded on the
run and the others go on; the values of one run are written in one transaction, so a
crash never leaves half a refresh.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import (
    ComputedValueRow,
    ComputeRunRow,
    KeyResultRow,
    MeasureRow,
    MeasureValueRow,
    OkrCycleRow,
    OkrObjectiveRow,
    utcnow,
)
from kano.domain.okr.live_window import live_window
from kano.domain.shared.errors import KanoError
from kano.metrics.binding import FREQUENCY_GRAINS, MetricBinding, PeriodValue, data_end
from kano.metrics.catalogue import Catalogue

RELATIVE_TOLERANCE = 1e-9
"""Values that differ by less than this are the same value (engines sum in other orders)."""
METRIC_KEY_RESULT_KINDS = ("metric", "band")
"""Milestone and yes/no key results are reported by people, not computed."""

Progress = Callable[[str], None]


@dataclass
class RefreshReport:
    workspace_id: int
    run_id: int
    status: str = "ok"
    bindings: int = 0
    values_changed: int = 0
    links_tested: int = 0
    data_end: date | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class _Subject:
    """A bound measure or key result, read before the warehouse is queried."""

    kind: str  # measure | key_result
    id: int
    key: str
    binding_id: str
    binding_slice: dict[str, Any] | None
    frequency: str | None = None
    window: tuple[date, date] | None = None  # a key result's cycle
    per: str = "cycle"


def refresh_workspace(
    sessions: sessionmaker[Session],
    backend: Any,
    workspace_id: int,
    catalogue: Catalogue,
    trigger: str,
    on_binding: Progress | None = None,
) -> RefreshReport:
    """Recompute every live binding of the workspace from ``backend`` (an Ibis warehouse)."""
    with transaction(sessions) as session:
        run = ComputeRunRow(workspace_id=workspace_id, trigger=trigger, started_at=utcnow())
        session.add(run)
        session.flush()
        report = RefreshReport(workspace_id, run.id)
        subjects = _bound_subjects(session, workspace_id)
    report.bindings = len(subjects)
    try:
        report.data_end = data_end(backend, workspace_id)
        if report.data_end is None:
            raise NoWarehouseData()
        results = _compute_all(backend, catalogue, workspace_id, subjects, report, on_binding)
        with transaction(sessions) as session:
            report.values_changed = _store(session, workspace_id, report.run_id, results)
        _test_links(sessions, backend, workspace_id, report)
    except KanoError as error:
        report.status = "failed"
        report.errors.append({"subject": "run", "key": "", "error": str(error)})
    except BaseException as error:
        report.status = "failed"
        report.errors.append({"subject": "run", "key": "", "error": _described(error)})
        _finish(sessions, report)
        raise
    else:
        if report.errors:
            report.status = "failed" if len(report.errors) == len(subjects) else "partial"
    _finish(sessions, report)
    return report


def _test_links(
    sessions: sessionmaker[Session], backend: Any, workspace_id: int, report: RefreshReport
) -> None:
    """Re-test the strategy maps' arrows on the refreshed data; a failure is recorded on
    the run without undoing the values just stored."""
    from kano.adapters.jobs.link_tests import test_workspace_links

    try:
        report.links_tested = len(test_workspace_links(sessions, backend, workspace_id))
    except KanoError as error:
        report.errors.append({"subject": "links", "key": "", "error": str(error)})


class NoWarehouseData(KanoError):
    def __init__(self) -> None:
        super().__init__(
            "the warehouse holds no facts for this workspace: run `kano warehouse load`"
        )


def _bound_subjects(session: Session, workspace_id: int) -> list[_Subject]:
    measures = session.scalars(
        select(MeasureRow)
        .where(MeasureRow.workspace_id == workspace_id, MeasureRow.metric_id.is_not(None))
        .order_by(MeasureRow.id)
    )
    subjects = [
        _Subject("measure", m.id, m.key, str(m.metric_id), m.metric_slice, frequency=m.frequency)
        for m in measures
    ]
    return subjects + _bound_key_results(session, workspace_id)


def _bound_key_results(
    session: Session, workspace_id: int, key_result_id: int | None = None
) -> list[_Subject]:
    """The workspace's live key results of open cycles (or the one ``key_result_id``)."""
    statement = (
        select(KeyResultRow, OkrCycleRow.starts_on, OkrCycleRow.ends_on)
        .join(OkrObjectiveRow, OkrObjectiveRow.id == KeyResultRow.okr_objective_id)
        .join(OkrCycleRow, OkrCycleRow.id == OkrObjectiveRow.cycle_id)
        .where(
            KeyResultRow.workspace_id == workspace_id,
            KeyResultRow.metric_id.is_not(None),
            KeyResultRow.kind.in_(METRIC_KEY_RESULT_KINDS),
            OkrCycleRow.status == "open",
        )
        .order_by(KeyResultRow.id)
    )
    if key_result_id is not None:
        statement = statement.where(KeyResultRow.id == key_result_id)
    return [
        _Subject(
            "key_result", kr.id, kr.key, str(kr.metric_id), kr.metric_slice,
            window=(start, end), per=kr.per,
        )
        for kr, start, end in session.execute(statement)
    ]


def refresh_key_result(
    session: Session, backend: Any, catalogue: Catalogue, workspace_id: int, key_result_id: int
) -> bool:
    """Recompute one key result's live value in the caller's transaction, as a refresh
    does, right after its window (``per``), metric or cycle changed: the value a user
    reads next is the new window's. Recorded in the history even when the number is the
    same, since it now covers other days; a window without data clears the old number.
    False when the key result is not live (no metric, a reported kind, a closed cycle);
    the warehouse's errors propagate, for the caller to withdraw the value instead."""
    subjects = _bound_key_results(session, workspace_id, key_result_id)
    if not subjects:
        return False
    (subject,) = subjects
    until = data_end(backend, workspace_id)
    if until is None:
        raise NoWarehouseData()
    binding = MetricBinding.of(subject.binding_id, subject.binding_slice)
    values = _values(backend, catalogue, workspace_id, subject, binding, until)
    key_result = session.get(KeyResultRow, subject.id)
    assert key_result is not None
    if values:
        _store_key_result(session, workspace_id, None, subject, key_result, values[0],
                          utcnow(), always=True)
    else:
        withdraw_live_value(key_result)
    return True


def withdraw_live_value(key_result: KeyResultRow) -> None:
    """Clear a live value that no longer covers the key result's window (its window or
    metric changed and no value for the new one could be computed): a number labelled
    with the wrong window is worse than none. ``computed_at`` stays, so the key result
    still reads as live and waits for the next refresh (a value never computed, typed
    by hand, is left alone)."""
    if key_result.computed_at is None:
        return
    key_result.current = key_result.current_n = None
    key_result.current_ci_low = key_result.current_ci_high = None


def _compute_all(
    backend: Any,
    catalogue: Catalogue,
    workspace_id: int,
    subjects: list[_Subject],
    report: RefreshReport,
    on_binding: Progress | None,
) -> list[tuple[_Subject, list[PeriodValue]]]:
    assert report.data_end is not None
    results = []
    for subject in subjects:
        if on_binding:
            on_binding(f"{subject.kind} {subject.key}")
        try:
            binding = MetricBinding.of(subject.binding_id, subject.binding_slice)
            values = _values(backend, catalogue, workspace_id, subject, binding, report.data_end)
        except Exception as error:  # one bad binding must not stop the others
            report.errors.append(
                {
                    "subject": subject.kind,
                    "key": subject.key,
                    "metric_id": subject.binding_id,
                    "error": _described(error),
                }
            )
            continue
        results.append((subject, values))
    return results


def _described(error: BaseException) -> str:
    """Our errors speak for themselves; an engine's error also says what it is."""
    return str(error) if isinstance(error, KanoError) else f"{type(error).__name__}: {error}"


def _values(
    backend: Any,
    catalogue: Catalogue,
    workspace_id: int,
    subject: _Subject,
    binding: MetricBinding,
    until: date,
) -> list[PeriodValue]:
    if subject.kind == "measure":
        grain = FREQUENCY_GRAINS[subject.frequency or "monthly"]
        return binding.series(backend, catalogue, workspace_id, grain, until)
    assert subject.window is not None
    window = live_window(subject.per, *subject.window, until)
    if window is None:
        return []  # the cycle has not started in the data yet
    found = binding.over(backend, catalogue, workspace_id, window.start, window.end)
    return [] if found is None else [found]


def _store(
    session: Session,
    workspace_id: int,
    run_id: int,
    results: list[tuple[_Subject, list[PeriodValue]]],
) -> int:
    now = utcnow()
    changed = 0
    for subject, values in results:
        if subject.kind == "measure":
            stored = {
                row.period_start: row
                for row in session.scalars(
                    select(MeasureValueRow).where(MeasureValueRow.measure_id == subject.id)
                )
            }
            for found in values:
                row = stored.get(found.start)
                if row is None:
                    row = MeasureValueRow(
                        workspace_id=workspace_id, measure_id=subject.id, period_start=found.start
                    )
                    session.add(row)
                elif _same(row.actual, row.n, row.ci_low, row.ci_high, found):
                    continue
                row.actual, row.n = found.value, found.n
                row.ci_low, row.ci_high = found.ci_low, found.ci_high
                row.source, row.computed_at = "metric", now
                session.add(_history(workspace_id, run_id, subject, found, now))
                changed += 1
        else:
            key_result = session.get(KeyResultRow, subject.id)
            if key_result is None or not values:
                continue
            changed += _store_key_result(
                session, workspace_id, run_id, subject, key_result, values[0], now
            )
    return changed


def _store_key_result(
    session: Session,
    workspace_id: int,
    run_id: int | None,
    subject: _Subject,
    key_result: KeyResultRow,
    found: PeriodValue,
    now: datetime,
    always: bool = False,
) -> int:
    """1 when the value is stored as new (with its history row), 0 when unchanged."""
    key_result.computed_at = now
    if not always and _same(
        key_result.current,
        key_result.current_n,
        key_result.current_ci_low,
        key_result.current_ci_high,
        found,
    ):
        return 0
    key_result.current, key_result.current_n = found.value, found.n
    key_result.current_ci_low, key_result.current_ci_high = found.ci_low, found.ci_high
    session.add(_history(workspace_id, run_id, subject, found, now))
    return 1


def _same(
    value: float | None,
    n: int | None,
    ci_low: float | None,
    ci_high: float | None,
    found: PeriodValue,
) -> bool:
    return (
        n == found.n
        and _close(value, found.value)
        and _close(ci_low, found.ci_low)
        and _close(ci_high, found.ci_high)
    )


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-12)


def _history(
    workspace_id: int, run_id: int | None, subject: _Subject, found: PeriodValue, now: datetime
) -> ComputedValueRow:
    return ComputedValueRow(
        workspace_id=workspace_id,
        subject=subject.kind,
        subject_id=subject.id,
        metric_id=subject.binding_id,
        metric_slice=subject.binding_slice,
        period_start=found.start,
        period_end=found.end,
        value=found.value,
        n=found.n,
        ci_low=found.ci_low,
        ci_high=found.ci_high,
        computed_at=now,
        run_id=run_id,
    )


def _finish(sessions: sessionmaker[Session], report: RefreshReport) -> None:
    with transaction(sessions) as session:
        run = session.get(ComputeRunRow, report.run_id)
        assert run is not None
        run.finished_at = utcnow()
        run.status = report.status
        run.bindings = report.bindings
        run.values_changed = report.values_changed
        run.errors = report.errors or None
        run.message = f"data up to {report.data_end.isoformat()}" if report.data_end else None


@contextmanager
def warehouse_backend(url: str) -> Iterator[Any]:
    """The warehouse, opened read-only for one refresh and closed straight after, so a
    DuckDB file is never held longer than a refresh (``kano warehouse load`` needs it)."""
    from kano.adapters.warehouse import connect

    backend = connect(url, read_only=True)
    try:
        yield backend
    finally:
        backend.disconnect()
