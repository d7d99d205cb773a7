"""The case inbox as rows for a file: every case the inbox's filters let through (not only
the page's first 200), with its SLA deadlines, whether an SLA was breached, and its root
causes. The query is the inbox's own (``filtered_cases``), so the workspace filter and the
inbox's filters are the same code."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from kano.adapters.db.orm import CaseRow
from kano.adapters.db.views.cases import CaseFilters, CaseLine, filtered_cases, inbox_line


@dataclass(frozen=True)
class CaseExportLine:
    case: CaseLine
    first_response_due_at: datetime
    resolution_due_at: datetime
    first_responded_at: datetime | None
    resolved_at: datetime | None
    breached: bool
    root_causes: tuple[str, ...]


def breached(row: CaseRow, now: datetime) -> bool:
    """Whether the case missed a deadline: its first response came (or, still awaited, is)
    after the first-response deadline, or its resolution after the resolution deadline."""
    responded = row.first_responded_at or row.resolved_at or now
    resolved = row.resolved_at or now
    return responded > row.first_response_due_at or resolved > row.resolution_due_at


def case_export(session: Session, workspace_id: int, filters: CaseFilters, now: datetime
                ) -> Iterator[CaseExportLine]:
    """The workspace's cases that pass ``filters``, newest first, as the inbox orders them."""
    statement = filtered_cases(workspace_id, filters, now).order_by(
        CaseRow.opened_at.desc(), CaseRow.id.desc())
    for found in session.execute(statement):
        row = found[0]
        yield CaseExportLine(
            inbox_line(found, now), row.first_response_due_at, row.resolution_due_at,
            row.first_responded_at, row.resolved_at, breached(row, now),
            tuple(row.root_causes or ()),
        )
