"""Reading and changing a workspace's currency (``workspaces.currency``).

The web settings page and ``PATCH /api/v1/workspace/settings`` both change it through
:func:`change_workspace_currency`, so the check (an ISO 4217 code, the field named when it
is not) and the audit entry are the same whichever way it came.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.accounts import audit
from kano.adapters.db.orm import Workspace
from kano.domain.shared.currency import DEFAULT_CURRENCY, checked_currency


def workspace_currency(session: Session, workspace_id: int) -> str:
    """The workspace's ISO 4217 code (EUR for a workspace that does not exist)."""
    found = session.scalar(select(Workspace.currency).where(Workspace.id == workspace_id))
    return found or DEFAULT_CURRENCY


def change_workspace_currency(
    session: Session, workspace_id: int, code: object, *, actor: str,
    user_id: int | None = None,
) -> str:
    """Set the currency (InvalidInput naming ``currency`` for an unknown code) and write the
    change to the audit log; the caller commits. Returns the code as stored."""
    currency = checked_currency(code)
    workspace = session.get(Workspace, workspace_id)
    assert workspace is not None, "the caller's workspace exists"
    before = workspace.currency
    if currency != before:
        workspace.currency = currency
        audit(session, workspace_id, actor, "update", "workspace", workspace_id,
              {"before": {"currency": before}, "after": {"currency": currency}},
              user_id=user_id)
        session.flush()
    return currency
