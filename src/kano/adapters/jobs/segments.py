"""The segments job: every workspace's segments recomputed daily and after each warehouse
load, so "members now" and the customers' segment history follow the data.

RFM and client-matrix segments read the warehouse; while it is not loaded (or a load
holds it) they are reported skipped and keep their members, and the rule, manual and
value-tier segments are refreshed all the same.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from kano.adapters.db.orm import Workspace, utcnow
from kano.adapters.db.segment_refresh import RefreshReport, SegmentRefresh, refresh_segments

if TYPE_CHECKING:
    from collections.abc import Callable

    from kano.bootstrap import Container

SEGMENT_JOB = "segments"
log = logging.getLogger(__name__)


@contextmanager
def warehouse_if_loaded(url: str) -> Iterator[Any]:
    """The warehouse opened read-only, or None when it cannot be opened now."""
    from kano.adapters.warehouse import connect

    try:
        backend = connect(url, read_only=True)
    except Exception as error:  # absent, busy or not loaded: computed segments wait
        log.info("segments: warehouse not available (%s)", error)
        yield None
        return
    try:
        yield backend
    finally:
        backend.disconnect()


def refresh_workspace_segments(
    container: Container, workspace_id: int, as_of: date | datetime | None = None, *,
    warehouse: Any = None, keys: list[str] | None = None,
    progress: Callable[[SegmentRefresh], None] | None = None,
) -> RefreshReport:  # fmt: skip
    """One workspace's segments recomputed and committed as one transaction."""
    with container.sessions() as session:
        report = refresh_segments(session, workspace_id, as_of or utcnow(),
                                  warehouse=warehouse, keys=keys, progress=progress)  # fmt: skip
        session.commit()
    return report


def refresh_segments_of(container: Container, workspaces: list[int], warehouse: Any) -> list[str]:
    """Every workspace's segments on ``warehouse`` (None: without RFM and matrix); one
    workspace's failure does not stop the others."""
    outcomes = []
    for workspace_id in workspaces:
        try:
            report = refresh_workspace_segments(container, workspace_id, warehouse=warehouse)
        except Exception as error:
            log.exception("segments of workspace %s", workspace_id)
            outcomes.append(f"workspace {workspace_id}: segments failed, {error}")
            continue
        skipped = sum(1 for s in report.segments if s.skipped)
        outcomes.append(
            f"workspace {workspace_id}: {len(report.segments)} segments, "
            f"{report.changed} memberships changed" + (f", {skipped} skipped" if skipped else "")
        )
    return outcomes


def refresh_all_segments(container: Container) -> str:
    """The daily job."""
    with container.sessions() as session:
        workspaces = list(session.scalars(select(Workspace.id).order_by(Workspace.id)))
    with warehouse_if_loaded(container.settings.resolved_warehouse_url()) as backend:
        return "; ".join(refresh_segments_of(container, workspaces, backend)) or "no workspace"
