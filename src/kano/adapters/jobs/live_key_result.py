"""A live key result's value, fresh in the request that changes what it covers.

A key result bound to a metric shows the metric over its window (``live_window``). When
a user changes what that window or number is — ``per``, the metric or its slice, the kind,
the objective (and so the cycle) — the API, the OKR page and ``kano strategy apply``
recompute it at once with the worker's own :func:`~kano.adapters.jobs.compute.refresh_key_result`,
so the number never contradicts its label until the next refresh. When the warehouse
cannot answer (not loaded, being loaded, an engine error) the old window's number is
withdrawn instead and the key result reads as awaiting a refresh.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kano.adapters.db.metric_catalogue import workspace_catalogue
from kano.adapters.db.orm import KeyResultRow
from kano.adapters.warehouse.reading import read_only_warehouse
from kano.domain.okr.model import KeyResultKind

# The app imports this module when it is built; ``compute`` (Ibis) waits for a change.
LIVE_KINDS = (KeyResultKind.METRIC.value, KeyResultKind.BAND.value)
"""The kinds a refresh computes (``compute.METRIC_KEY_RESULT_KINDS``)."""

WINDOW_COLUMNS = frozenset({"per", "metric_id", "metric_slice", "kind", "okr_objective_id"})
"""The columns whose change makes the stored live value cover other days or another metric."""


class LiveFields(Protocol):
    """A key result row or the OKR page's line of one."""

    @property
    def computed_at(self) -> datetime | None: ...
    @property
    def current(self) -> float | None: ...
    @property
    def metric_id(self) -> str | None: ...
    @property
    def kind(self) -> str: ...


def changes_window(columns: Iterable[str]) -> bool:
    return not WINDOW_COLUMNS.isdisjoint(columns)


def awaiting_refresh(kr: LiveFields) -> bool:
    """Whether a live key result has no value for its window yet (withdrawn after a
    change the warehouse could not recompute, or a window without data)."""
    return (kr.computed_at is not None and kr.current is None and kr.metric_id is not None
            and kr.kind in LIVE_KINDS)


def refresh_after_change(
    session: Session, warehouse_url: str, workspace_id: int, key_result_id: int
) -> bool:
    """Recompute the key result in the caller's transaction after a change of its window;
    False when the warehouse could not answer and its value was withdrawn instead. A key
    result that no longer follows a metric keeps its last value, as a number reported by
    hand from now on."""
    from kano.adapters.jobs.compute import refresh_key_result, withdraw_live_value

    session.flush()
    row = session.get(KeyResultRow, key_result_id)
    if row is None or row.workspace_id != workspace_id:
        return True
    catalogue = workspace_catalogue(session, workspace_id)
    try:
        with read_only_warehouse(warehouse_url) as backend:
            live = refresh_key_result(session, backend, catalogue, workspace_id, row.id)
    except SQLAlchemyError:
        raise
    except Exception:  # the warehouse or the engine: the request still saves the change
        withdraw_live_value(row)
        return False
    if not live and (row.metric_id is None or row.kind not in LIVE_KINDS):
        row.computed_at = None  # a closed cycle's live value stays as it was graded
    return True


Windows = dict[int, tuple[object, ...]]


def live_windows(session: Session, workspace_id: int) -> Windows:
    """What each computed key result of the workspace covers (``WINDOW_COLUMNS``), to
    compare after a bulk change such as ``kano strategy apply``."""
    columns = [getattr(KeyResultRow, name) for name in sorted(WINDOW_COLUMNS)]
    rows = session.execute(
        select(KeyResultRow.id, *columns)
        .where(KeyResultRow.workspace_id == workspace_id, KeyResultRow.computed_at.is_not(None))
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def withdraw_moved_windows(session: Session, workspace_id: int, before: Windows) -> int:
    """After a bulk change that cannot reach the warehouse (a strategy file), withdraw
    the values whose window or metric changed, so none is shown under the wrong label
    until the next refresh; how many."""
    from kano.adapters.jobs.compute import withdraw_live_value

    session.flush()
    moved = [kr_id for kr_id, window in live_windows(session, workspace_id).items()
             if kr_id in before and before[kr_id] != window]
    for kr_id in moved:
        row = session.get(KeyResultRow, kr_id)
        assert row is not None
        if row.metric_id is None or row.kind not in LIVE_KINDS:
            row.computed_at = None  # reported by hand from now on, from its last value
        else:
            withdraw_live_value(row)
    return len(moved)
