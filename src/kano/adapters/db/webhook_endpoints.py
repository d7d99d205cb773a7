"""Administering a workspace's webhook endpoints: add, list with delivery counts, enable or
disable, rotate the signing secret, delete — each audited.

``kano webhook``, the web Settings page and ``/api/v1/webhooks`` all go through here, so a
target URL is checked by one rule: :func:`kano.adapters.messaging.webhooks.check_target`
(http or https; loopback, private, link-local and reserved addresses refused unless
``KANO_WEBHOOK_ALLOW_PRIVATE``). The worker checks it again at every delivery, since a
name can resolve elsewhere later.

The ``whsec_`` secret is returned only by :func:`add_webhook_endpoint` and
:func:`rotate_webhook_secret` (show it once); lists never carry it, nor does the audit log.
The worker reads the secret when it sends, so after a rotation the next delivery — queued
before or after — is signed with the new one; for ``KANO_WEBHOOK_SECRET_OVERLAP_HOURS``
after the rotation it is signed with the replaced one too (two signatures), so a receiver
still holding the old secret keeps accepting deliveries until it is given the new one.
That end is stored at the rotation (``previous_secret_until``), from the settings of whoever
rotates (API, web page): changing the setting later moves no overlap already given, and
listing or signing needs no settings. Lists say until when the old secret signs.
Disabling an endpoint stops new messages for it; those already queued fail at their next
attempt ("removed or deactivated").
Deleting it deletes its queued and past messages with it (the outbox's foreign key
cascades).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kano.adapters.db.accounts import audit
from kano.adapters.db.orm import OutboxMessageRow, WebhookEndpointRow, utcnow
from kano.adapters.messaging.webhooks import check_target, new_secret, old_secret_signs_until
from kano.config import Settings
from kano.domain.shared.errors import InvalidInput, NotFound

URL_MAX_LENGTH = 2048  # webhook_endpoints.url is VARCHAR(2048)
ENTITY = "webhook_endpoint"


@dataclass(frozen=True)
class EndpointLine:
    """An endpoint as a list shows it, with how its messages fared (secret left out)."""

    id: int
    url: str
    enabled: bool
    created_at: datetime
    delivered: int
    failed: int
    pending: int
    old_secret_signs_until: datetime | None = None
    """While a rotation's overlap lasts: until when the replaced secret still signs."""


@dataclass(frozen=True)
class EndpointWithSecret:
    """The answer of adding an endpoint or rotating its secret: the one time it is shown."""

    endpoint: EndpointLine
    secret: str


def secret_overlap(settings: Settings) -> timedelta:
    """How long a secret replaced now keeps signing (``KANO_WEBHOOK_SECRET_OVERLAP_HOURS``
    of the caller's settings: the container's)."""
    return timedelta(hours=settings.webhook_secret_overlap_hours)


def checked_webhook_url(url: str, allow_private: bool) -> str:
    """The URL, stripped, if webhooks may go there; else InvalidInput naming ``url``."""
    url = url.strip()
    if not url:
        raise InvalidInput("url", "give the http(s) URL to POST events to")
    if len(url) > URL_MAX_LENGTH:
        raise InvalidInput("url", f"at most {URL_MAX_LENGTH} characters")
    if any(ord(character) <= 32 or ord(character) == 127 for character in url):
        raise InvalidInput("url", "must not contain spaces or control characters")
    check_target(url, allow_private)
    return url


def _lines(session: Session, workspace_id: int, endpoint_id: int | None = None
           ) -> list[EndpointLine]:
    query = select(WebhookEndpointRow).where(WebhookEndpointRow.workspace_id == workspace_id)
    if endpoint_id is not None:
        query = query.where(WebhookEndpointRow.id == endpoint_id)
    rows = session.scalars(query.order_by(WebhookEndpointRow.id)).all()
    if not rows:
        return []
    now = utcnow()
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    # By endpoint id alone: the ids are this workspace's endpoints (selected above), and
    # only webhooks carry one. Filtering on workspace_id or kind too would make PostgreSQL
    # read every counted message from the table instead of ix_outbox_webhook_endpoint_id
    # alone (an index-only scan: ~40 pages instead of ~3,000 for 33,000 messages).
    for row_id, status, count in session.execute(
        select(OutboxMessageRow.webhook_endpoint_id, OutboxMessageRow.status, func.count())
        .where(OutboxMessageRow.webhook_endpoint_id.in_([row.id for row in rows]))
        .group_by(OutboxMessageRow.webhook_endpoint_id, OutboxMessageRow.status)
    ):
        if row_id is not None:
            counts[row_id][status] = int(count)
    return [
        EndpointLine(row.id, row.url, row.active, row.created_at,
                     delivered=counts[row.id].get("sent", 0),
                     failed=counts[row.id].get("failed", 0),
                     pending=counts[row.id].get("pending", 0),
                     old_secret_signs_until=old_secret_signs_until(
                         row.previous_secret, row.previous_secret_until, now))
        for row in rows
    ]


def webhook_endpoints(session: Session, workspace_id: int) -> list[EndpointLine]:
    """The workspace's endpoints in the order they were added."""
    return _lines(session, workspace_id)


def webhook_endpoint(session: Session, workspace_id: int, endpoint_id: int) -> EndpointLine:
    found = _lines(session, workspace_id, endpoint_id)
    if not found:
        raise NotFound("webhook", endpoint_id)
    return found[0]


def _row(session: Session, workspace_id: int, endpoint_id: int) -> WebhookEndpointRow:
    """The workspace's endpoint, locked for the change; NotFound for another workspace's."""
    row = session.scalar(
        select(WebhookEndpointRow)
        .where(WebhookEndpointRow.id == endpoint_id,
               WebhookEndpointRow.workspace_id == workspace_id)
        .with_for_update()
    )
    if row is None:
        raise NotFound("webhook", endpoint_id)
    return row


def add_webhook_endpoint(
    session: Session, workspace_id: int, url: str, *, allow_private: bool, actor: str,
    user_id: int | None,
) -> EndpointWithSecret:
    url = checked_webhook_url(url, allow_private)
    secret = new_secret()
    row = WebhookEndpointRow(workspace_id=workspace_id, url=url, secret=secret, active=True)
    session.add(row)
    session.flush()
    audit(session, workspace_id, actor, "create", ENTITY, row.id, {"url": url},
          user_id=user_id)
    return EndpointWithSecret(webhook_endpoint(session, workspace_id, row.id), secret)


def change_webhook_endpoint(
    session: Session, workspace_id: int, endpoint_id: int, *, url: str | None = None,
    enabled: bool | None = None, allow_private: bool, actor: str, user_id: int | None,
) -> EndpointLine:
    """Change the URL (checked like a new one) and/or switch the endpoint on or off;
    audited with the values before and after. Nothing given: nothing changes."""
    row = _row(session, workspace_id, endpoint_id)
    changes: dict[str, dict[str, object]] = {}
    if url is not None:
        url = checked_webhook_url(url, allow_private)
        if url != row.url:
            changes["url"] = {"from": row.url, "to": url}
            row.url = url
    if enabled is not None and enabled != row.active:
        changes["enabled"] = {"from": row.active, "to": enabled}
        row.active = enabled
    if changes:
        action = ("enable" if enabled else "disable") if list(changes) == ["enabled"] \
            else "update"
        audit(session, workspace_id, actor, action, ENTITY, row.id, changes, user_id=user_id)
        session.flush()
    return webhook_endpoint(session, workspace_id, endpoint_id)


def rotate_webhook_secret(
    session: Session, workspace_id: int, endpoint_id: int, *, actor: str, user_id: int | None,
    overlap: timedelta,
) -> EndpointWithSecret:
    """A new ``whsec_`` secret signs every delivery from now on; the secret it replaces
    signs them too for ``overlap`` (the caller's ``KANO_WEBHOOK_SECRET_OVERLAP_HOURS``,
    see :func:`secret_overlap`), an end stored now and never moved by the setting later.

    Rotating again, even during an overlap, keeps only the secret just replaced: two
    secrets at most, and one replaced longer ago than its overlap is overwritten rather
    than kept in clear. No overlap (0): no replaced secret is kept at all."""
    row = _row(session, workspace_id, endpoint_id)
    if overlap > timedelta(0):
        row.previous_secret = row.secret
        row.previous_secret_until = utcnow() + overlap
    else:
        row.previous_secret = row.previous_secret_until = None
    row.secret = new_secret()
    audit(session, workspace_id, actor, "rotate_secret", ENTITY, row.id, {"url": row.url},
          user_id=user_id)
    session.flush()
    return EndpointWithSecret(webhook_endpoint(session, workspace_id, endpoint_id),
                              row.secret)


def delete_webhook_endpoint(
    session: Session, workspace_id: int, endpoint_id: int, *, actor: str, user_id: int | None
) -> None:
    """Delete the endpoint and, through the foreign key, its outbox messages."""
    row = _row(session, workspace_id, endpoint_id)
    audit(session, workspace_id, actor, "delete", ENTITY, row.id, {"url": row.url},
          user_id=user_id)
    session.delete(row)
    session.flush()
