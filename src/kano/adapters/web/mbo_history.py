"""What the audit log says about an MBO sheet, for its page: who wrote the review comments
(on each objective, on the whole sheet) and when, and who moved the sheet to its status,
when. The comments themselves are the rows' ``review_comment`` columns (migration 0035);
older entries kept a comment as ``detail.comment``, newer ones as a change of
``review_comment`` (objectives) or ``comment`` (sheets), from → to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import AuditEntry, MboObjectiveRow


@dataclass(frozen=True)
class Noted:
    text: str  # the comment, or the status the sheet moved to
    actor: str
    at: datetime


def _written(detail: dict[str, Any] | None, name: str) -> tuple[bool, str | None]:
    """Whether the entry wrote a comment under ``name`` (or the old ``comment``), and what."""
    detail = detail or {}
    for field in (name, "comment"):
        value = detail.get(field)
        if isinstance(value, dict) and "to" in value:
            return True, value["to"]
        if isinstance(value, str) and value:
            return True, value
    return False, None


def review_comments(db: Session, workspace_id: int, sheet_id: int) -> dict[str, Noted]:
    """Who wrote each objective's current comment and when, by the objective's key."""
    keys = dict(db.execute(select(MboObjectiveRow.id, MboObjectiveRow.key).where(
        MboObjectiveRow.workspace_id == workspace_id, MboObjectiveRow.sheet_id == sheet_id
    )).all())
    if not keys:
        return {}
    entries = db.scalars(select(AuditEntry).where(
        AuditEntry.workspace_id == workspace_id, AuditEntry.entity == "mbo_objective",
        AuditEntry.action.in_(("create", "update")),
        AuditEntry.entity_id.in_([str(row_id) for row_id in keys]),
    ).order_by(AuditEntry.id))
    comments: dict[str, Noted] = {}
    for entry in entries:
        wrote, text = _written(entry.detail, "review_comment")
        if wrote and entry.entity_id is not None:
            key = keys[int(entry.entity_id)]
            if text:
                comments[key] = Noted(str(text), entry.actor, entry.at)
            else:
                comments.pop(key, None)
    return comments


def _sheet_entries(db: Session, workspace_id: int, sheet_id: int) -> list[AuditEntry]:
    return list(db.scalars(select(AuditEntry).where(
        AuditEntry.workspace_id == workspace_id, AuditEntry.entity == "mbo_sheet",
        AuditEntry.entity_id == str(sheet_id),
    ).order_by(AuditEntry.id.desc())))


def sheet_comment(db: Session, workspace_id: int, sheet_id: int) -> Noted | None:
    """Who wrote the sheet's current comment and when (None: never written, or cleared)."""
    for entry in _sheet_entries(db, workspace_id, sheet_id):
        wrote, text = _written(entry.detail, "comment")
        if wrote:
            return Noted(str(text), entry.actor, entry.at) if text else None
    return None


def status_change(db: Session, workspace_id: int, sheet_id: int) -> Noted | None:
    """Who moved the sheet to its current status and when (None: it was created so)."""
    for entry in _sheet_entries(db, workspace_id, sheet_id):
        status = (entry.detail or {}).get("status")
        if isinstance(status, dict) and "to" in status:
            return Noted(str(status["to"]), entry.actor, entry.at)
    return None
