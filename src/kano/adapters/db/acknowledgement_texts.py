"""A workspace's own wording of the acknowledgement e-mail, in the app DB.

Stored as ``workspace_feedback_settings.acknowledgement_texts`` (language → part → text,
only the parts the workspace wrote). Intake reads it with :func:`acknowledgement_wording`
once per response or batch (one primary-key query, with the workspace's name for
``{workspace}``); the settings page and the API read it with
:func:`acknowledgement_texts` and change it with :func:`change_acknowledgement_texts`
(checked by ``kano.domain.feedback.acknowledgement_texts``, written to the audit log).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.accounts import audit
from kano.adapters.db.orm import Workspace, WorkspaceFeedbackSettingsRow, utcnow
from kano.adapters.messaging.acknowledgement import Wording, effective_texts, wording
from kano.domain.feedback.acknowledgement_texts import (
    Overrides,
    checked_changes,
    stored_overrides,
    with_changes,
)


@dataclass(frozen=True)
class AcknowledgementTexts:
    """A workspace's overrides and the name its ``{workspace}`` placeholder reads."""

    overrides: Overrides
    workspace: str

    @property
    def effective(self) -> dict[str, dict[str, str]]:
        """Language → part → the text that holds."""
        return effective_texts(self.overrides)

    @property
    def wording(self) -> Wording:
        return wording(self.overrides, self.workspace)


def acknowledgement_texts(session: Session, workspace_id: int) -> AcknowledgementTexts:
    """One query: the workspace's name and its overrides (none when it wrote none)."""
    found = session.execute(
        select(Workspace.name, WorkspaceFeedbackSettingsRow.acknowledgement_texts)
        .outerjoin(WorkspaceFeedbackSettingsRow,
                   WorkspaceFeedbackSettingsRow.workspace_id == Workspace.id)
        .where(Workspace.id == workspace_id)
    ).first()  # fmt: skip
    if found is None:
        return AcknowledgementTexts({}, "")
    return AcknowledgementTexts(stored_overrides(found[1]), found[0])


def acknowledgement_wording(session: Session, workspace_id: int) -> Wording:
    """What intake composes this workspace's acknowledgements with."""
    return acknowledgement_texts(session, workspace_id).wording


def change_acknowledgement_texts(
    session: Session,
    workspace_id: int,
    changes: Mapping[str, object],
    *,
    actor: str,
    user_id: int | None = None,
) -> AcknowledgementTexts:
    """Apply ``changes`` (language → part → text; None for a part or a whole language:
    back to the built-in text), checked (``InvalidInput`` naming ``texts.<lang>.<part>``),
    and write the change to the audit log; the caller commits."""
    checked = checked_changes(changes)
    row = session.get(WorkspaceFeedbackSettingsRow, workspace_id)
    if row is None:
        row = WorkspaceFeedbackSettingsRow(workspace_id=workspace_id)
        session.add(row)
    before = stored_overrides(row.acknowledgement_texts)
    after = with_changes(before, checked)
    if after != before:
        row.acknowledgement_texts = after or None
        row.updated_at = utcnow()
        audit(session, workspace_id, actor, "update", "acknowledgement_texts", workspace_id,
              {"before": before, "after": after}, user_id=user_id)
    session.flush()
    return acknowledgement_texts(session, workspace_id)
