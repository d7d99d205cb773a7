"""The worker forgets a webhook endpoint's replaced secret once its overlap is over.

A rotation keeps the secret it replaced (``previous_secret``, in clear: signing needs it)
until ``previous_secret_until``; after that the secret no longer signs anything
(:func:`kano.adapters.messaging.webhooks.signing_secrets`), but it stayed stored in clear
until the next rotation overwrote it, maybe months later. A secret that nothing uses any
more is only something to leak: this job clears it (and its end) soon after the end.

One conditional UPDATE: a rotation that runs at the same time gives the endpoint a new end
in the future, which the ``previous_secret_until < now`` condition (re-checked by
PostgreSQL after waiting for the row) leaves alone.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from kano.adapters.db.orm import WebhookEndpointRow, utcnow
from kano.bootstrap import Container

SECRET_EXPIRY_JOB = "forget-replaced-webhook-secrets"


def forget_secrets_replaced_before(container: Container, now: datetime) -> int:
    """Clear every replaced secret whose overlap ended before ``now`` (naive UTC); how many."""
    with container.sessions.begin() as session:
        cleared = session.execute(
            update(WebhookEndpointRow)
            .where(WebhookEndpointRow.previous_secret_until < now)
            .values(previous_secret=None, previous_secret_until=None)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
    return int(cleared)


def forget_replaced_secrets(container: Container) -> str:
    """The job."""
    cleared = forget_secrets_replaced_before(container, utcnow())
    return f"{cleared} replaced webhook secrets past their overlap forgotten"
