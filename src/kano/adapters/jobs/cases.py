"""Escalating cases whose SLA has passed (a scheduled job of ``kano worker``).

Level 1: the first response is overdue; level 2: the resolution is. Each escalation is an
event on the case (its audit trail) and shows in the inbox and the API.
"""

from __future__ import annotations

from sqlalchemy import select

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import CaseEventRow, CaseRow, utcnow
from kano.bootstrap import Container

OPEN_STATUSES = ("new", "in_progress")


def escalate_overdue_cases(container: Container) -> str:
    now = utcnow()
    escalated = 0
    with transaction(container.sessions) as session:
        overdue = session.scalars(
            select(CaseRow)
            .where(
                CaseRow.status.in_(OPEN_STATUSES),
                CaseRow.escalation_level < 2,
                CaseRow.first_response_due_at < now,
            )
            .with_for_update(skip_locked=True)
        ).all()
        for case in overdue:
            level, reason = case.escalation_level, None
            if case.resolution_due_at < now and case.resolved_at is None:
                level, reason = 2, "resolution overdue"
            elif case.first_responded_at is None and level < 1:
                level, reason = 1, "first response overdue"
            if reason is None or level <= case.escalation_level:
                continue
            case.escalation_level, case.escalated_at = level, now
            session.add(
                CaseEventRow(
                    workspace_id=case.workspace_id,
                    case_id=case.id,
                    at=now,
                    kind="escalated",
                    actor="kano",
                    detail={"level": level, "reason": reason},
                )
            )
            escalated += 1
    return f"{escalated} cases escalated"
