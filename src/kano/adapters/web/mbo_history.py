"""What the audit log says about an MBO sheet, for its page: the latest review comment on
each objective and who moved the sheet to its status, when. The store writes both into
the audit entries (``mbo_store``); the sheet's rows keep no copy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import AuditEntry, MboObjectiveRow


@dataclass(frozen=True)
class Noted:
    text: str  # the comment, or the status the sheet moved to
    actor: str
    at: datetime


def review_comments(db: Session, workspace_id: int, sheet_id: int) -> dict[str, Noted]:
    """The latest comment on each objective of the sheet, by the objective's key."""
    keys = dict(db.execute(select(MboObjectiveRow.id, MboObjectiveRow.key).where(
        MboObjectiveRow.workspace_id == workspace_id, MboObjectiveRow.sheet_id == sheet_id
    )).tuples().all())
    if not keys:
        return {}
    entries = db.scalars(select(AuditEntry).where(
        AuditEntry.workspace_id == workspace_id, AuditEntry.entity == "mbo_objective",
        AuditEntry.action == "update",
        AuditEntry.entity_id.in_([str(row_id) for row_id in keys]),
    ).order_by(AuditEntry.id))
    comments: dict[str, Noted] = {}
    for entry in entries:
        comment = (entry.detail or {}).get("comment")
        if comment and entry.entity_id is not None:
            comments[keys[int(entry.entity_id)]] = Noted(str(comment), entry.actor, entry.at)
    return comments


def status_change(db: Session, workspace_id: int, sheet_id: int) -> Noted | None:
    """Who moved the sheet to its current status and when (None: it was created so)."""
    entries = db.scalars(select(AuditEntry).where(
        AuditEntry.workspace_id == workspace_id, AuditEntry.entity == "mbo_sheet",
        AuditEntry.entity_id == str(sheet_id),
    ).order_by(AuditEntry.id.desc()))
    for entry in entries:
        status = (entry.detail or {}).get("status")
        if isinstance(status, dict) and "to" in status:
            return Noted(str(status["to"]), entry.actor, entry.at)
    return None
