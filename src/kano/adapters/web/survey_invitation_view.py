"""What the "Invitations" section of the survey builder shows: the survey's invitations
(newest first) with how many are sent, reminded and answered, the workspace's fatigue
window and reminder delay, and the report of an invitation run grouped by why contacts
were skipped. Read only; the forms are ``routes/survey_invitations.py``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from kano.adapters.db.feedback_settings import FeedbackSettings, ServerDefaults, feedback_settings
from kano.adapters.db.invitations import InvitationLine, InviteReport, invitations_of
from kano.adapters.web.routes.navigation import N_

SHOWN = 50  # the newest invitations listed; the counts cover up to COUNTED
COUNTED = 5_000

STATUS_LABELS = {
    "queued": N_("Queued"),
    "sent": N_("Sent"),
    "reminded": N_("Reminded"),
    "answered": N_("Answered"),
    "bounced": N_("Bounced"),
    "failed": N_("Failed"),
}
SKIP_LABELS = {  # ``invitations.invite``'s reasons, by their start
    "opted out": N_("Opted out of contact"),
    "no e-mail": N_("No e-mail address"),
    "e-mail bounced": N_("E-mail bounced"),
    "quota full": N_("A full quota"),
    "invited on": N_("Invited within the fatigue window"),
    "same e-mail": N_("Same e-mail as another contact"),
    "unknown customer": N_("Unknown customer"),
}


def skip_label(reason: str) -> str:
    """The translatable label of one of ``invite``'s skip reasons."""
    for start, label in SKIP_LABELS.items():
        if reason.startswith(start):
            return label
    return reason


@dataclass(frozen=True)
class InvitationSection:
    lines: list[InvitationLine]
    counts: dict[str, int]  # status → invitations (every status, 0 when none)
    total: int
    settings: FeedbackSettings


def invitation_section(session: Session, workspace_id: int, survey_key: str,
                       defaults: ServerDefaults) -> InvitationSection:
    lines = invitations_of(session, workspace_id, survey=survey_key, limit=COUNTED)
    counted = Counter(line.status for line in lines)
    return InvitationSection(
        lines=lines[:SHOWN], counts={status: counted.get(status, 0) for status in STATUS_LABELS},
        total=len(lines), settings=feedback_settings(session, workspace_id, defaults))


def report_view(report: InviteReport) -> dict[str, Any]:
    """An invitation run for the page: how many invited and skipped, the skips counted by
    reason (translatable labels, most frequent first) and each skipped contact."""
    reasons = Counter(skip_label(skip.reason) for skip in report.skipped)
    return {
        "dry_run": report.dry_run,
        "invited": len(report.invited),
        "skipped": len(report.skipped),
        "reasons": reasons.most_common(),
        "skips": [(skip.contact, skip_label(skip.reason), skip.reason)
                  for skip in report.skipped[:SHOWN]],
    }
