"""A workspace's own survey fatigue window and reminder delay (SPEC §2.4).

The server's ``KANO_SURVEY_FATIGUE_DAYS`` and ``KANO_SURVEY_REMINDER_DAYS`` are the
defaults; a workspace may set either one for itself (``workspace_feedback_settings``, a
NULL column meaning "the server default"). Everything that invites or reminds asks
:func:`invitation_policy` (one workspace) or :func:`reminder_days_by_workspace` (the
reminder job, all workspaces at once), so the rule is decided in one place; the web
settings page, the API and the CLI change the values through
:func:`change_feedback_settings` (range checks, audit log).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.accounts import audit
from kano.adapters.db.orm import WorkspaceFeedbackSettingsRow, utcnow
from kano.domain.feedback.invitation_policy import SETTINGS, InvitationPolicy, checked_days


class ServerDefaults(Protocol):
    """What the defaults come from (``kano.config.Settings``)."""

    @property
    def survey_fatigue_days(self) -> int: ...

    @property
    def survey_reminder_days(self) -> int: ...


@dataclass(frozen=True)
class FeedbackSettings:
    """A workspace's own values (None: the server default) and the defaults."""

    survey_fatigue_days: int | None
    survey_reminder_days: int | None
    default_fatigue_days: int
    default_reminder_days: int

    @property
    def policy(self) -> InvitationPolicy:
        """The effective policy: the workspace's value where it set one."""
        return InvitationPolicy(
            self.default_fatigue_days if self.survey_fatigue_days is None
            else self.survey_fatigue_days,
            self.default_reminder_days if self.survey_reminder_days is None
            else self.survey_reminder_days,
        )


def server_policy(defaults: ServerDefaults) -> InvitationPolicy:
    return InvitationPolicy(defaults.survey_fatigue_days, defaults.survey_reminder_days)


def feedback_settings(
    session: Session, workspace_id: int, defaults: ServerDefaults
) -> FeedbackSettings:
    row = session.get(WorkspaceFeedbackSettingsRow, workspace_id)
    return FeedbackSettings(
        row.survey_fatigue_days if row else None,
        row.survey_reminder_days if row else None,
        defaults.survey_fatigue_days,
        defaults.survey_reminder_days,
    )


def invitation_policy(
    session: Session, workspace_id: int, defaults: ServerDefaults
) -> InvitationPolicy:
    """The fatigue window and reminder delay that hold in this workspace."""
    return feedback_settings(session, workspace_id, defaults).policy


def reminder_days_by_workspace(session: Session) -> dict[int, int]:
    """The workspaces that set their own reminder delay, and that delay."""
    return {
        workspace_id: days
        for workspace_id, days in session.execute(
            select(WorkspaceFeedbackSettingsRow.workspace_id,
                   WorkspaceFeedbackSettingsRow.survey_reminder_days)
            .where(WorkspaceFeedbackSettingsRow.survey_reminder_days.is_not(None))
        )
        if days is not None
    }


def change_feedback_settings(
    session: Session,
    workspace_id: int,
    defaults: ServerDefaults,
    changes: dict[str, int | None],
    *,
    actor: str,
    user_id: int | None = None,
) -> FeedbackSettings:
    """Set the named settings (a None value: back to the server default; settings not
    named stay as they are) and write the change to the audit log; the caller commits."""
    checked = {name: checked_days(name, value) for name, value in changes.items()}
    row = session.get(WorkspaceFeedbackSettingsRow, workspace_id)
    if row is None:
        row = WorkspaceFeedbackSettingsRow(workspace_id=workspace_id)
        session.add(row)
    before = {name: getattr(row, name, None) for name in SETTINGS}
    for name, value in checked.items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    after = {name: getattr(row, name) for name in SETTINGS}
    if after != before:
        audit(session, workspace_id, actor, "update", "feedback_settings", workspace_id,
              {"before": before, "after": after}, user_id=user_id)
    session.flush()
    return feedback_settings(session, workspace_id, defaults)
