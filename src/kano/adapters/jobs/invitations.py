"""The ``kano worker`` job that queues the one reminder of unanswered invitations."""

from __future__ import annotations

from kano.adapters.db.engine import transaction
from kano.adapters.db.feedback_settings import server_policy
from kano.adapters.db.invitations import queue_due_reminders
from kano.adapters.web.survey_links import invitation_links
from kano.bootstrap import Container
from kano.domain.feedback.invitation_policy import InvitationPolicy

REMINDER_JOB = "remind-unanswered-invitations"


def policy_of(container: Container) -> InvitationPolicy:
    """The server's defaults; each workspace's own reminder delay overrides them."""
    return server_policy(container.settings)


def remind_unanswered_invitations(container: Container) -> str:
    settings = container.settings
    links = invitation_links(settings.secret_key, settings.public_url)
    total = 0
    while True:  # batches of REMINDER_BATCH, each its own transaction
        with transaction(container.sessions) as session:
            queued = queue_due_reminders(session, links, policy_of(container))
        total += queued
        if queued == 0:
            break
    return f"{total} invitation reminders queued"
