"""Recording bounces: the one function the CLI, the Maildir job and the API all call.

A bounce is matched to the outbox message whose Message-ID it returns (``<dedupe
key.signature@kano>``, see :func:`kano.adapters.messaging.email.message_id`); that message
decides the workspace, never the caller. The API passes its token's workspace: a bounce of
another workspace's message is then as unknown as one Kano never sent. A Message-ID Kano
does not know is ignored and counted.

The signature is checked before anything is looked up: dedupe keys are guessable, so
whoever can drop a message into the bounce Maildir or pipe could otherwise forge a bounce
for any customer. A Kano Message-ID without a valid signature (forged, sent before
Message-IDs were signed, or signed with another ``KANO_SECRET_KEY``) is ``unsigned``:
ignored, counted and logged, nothing changed.

What a bounce changes, in the caller's transaction:

- every bounce is kept in ``email_bounces`` (one row per message, bounced address and
  status code: the same bounce read again adds nothing);
- a permanent one (5.x.x) marks the message ``bounced`` with the diagnostic as its error,
  and marks the customers of that workspace whose e-mail is still the address the message
  went to as undeliverable (``customers.undeliverable_email``, audit-logged): new
  acknowledgements and invitations then skip them until their address changes;
- a transient one (4.x.x) changes nothing else: the relay is still trying.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kano.adapters.db.accounts import audit
from kano.adapters.db.orm import Customer, OutboxMessageRow, utcnow
from kano.adapters.db.orm.outbox import EmailBounceRow
from kano.adapters.messaging.bounces import parse_bounce
from kano.adapters.messaging.email import dedupe_key_of, is_kano_message_id
from kano.domain.feedback.bounces import Bounce, UnreadableBounce, email_undeliverable

log = logging.getLogger("kano.bounces")

OUTCOMES = ("recorded", "transient", "repeated", "unknown", "unsigned", "unreadable")
"""recorded: a new permanent bounce; transient: a new 4.x.x one; repeated: known already;
unknown: not a message of ours (or of the caller's workspace); unsigned: a Kano
Message-ID without this server's valid signature (forged, or older than signing);
unreadable: not a bounce."""

UNSIGNED = (
    "carries no valid signature of this server (forged, sent before Kano signed its "
    "Message-IDs, or signed with another KANO_SECRET_KEY)"
)


@dataclass(frozen=True)
class BounceOutcome:
    outcome: str
    """One of :data:`OUTCOMES`."""
    detail: str
    """The message it matched, or why it matched none."""
    workspace_id: int | None = None
    message_id: int | None = None
    customers_marked: int = 0


def record_bounce(
    session: Session,
    raw: bytes,
    *,
    secret_key: str,
    workspace_id: int | None = None,
    now: datetime | None = None,
) -> BounceOutcome:
    """Read one returned message and record what it says (the caller commits).

    ``secret_key``: the server's (``KANO_SECRET_KEY``), which signed the Message-IDs.
    ``workspace_id``: only a message of this workspace may match (the API's token).
    """
    try:
        bounce = parse_bounce(raw)
    except UnreadableBounce as error:
        return BounceOutcome("unreadable", str(error))
    return record_parsed_bounce(
        session, bounce, secret_key=secret_key, workspace_id=workspace_id, now=now
    )


def record_parsed_bounce(
    session: Session,
    bounce: Bounce,
    *,
    secret_key: str,
    workspace_id: int | None = None,
    now: datetime | None = None,
) -> BounceOutcome:
    now = now or utcnow()
    message_id = bounce.original_message_id
    if message_id is None:
        return BounceOutcome("unknown", "the returned headers hold no Message-ID")
    if not is_kano_message_id(message_id):
        return BounceOutcome("unknown", f"<{message_id}> is not a Message-ID of Kano")
    key = dedupe_key_of(secret_key, message_id)
    if key is None:  # checked before any look-up: a forged bounce learns nothing
        log.warning("bounce of %r ignored: the Message-ID %s", message_id[:200], UNSIGNED)
        return BounceOutcome("unsigned", f"<{message_id}> {UNSIGNED}")
    query = select(OutboxMessageRow).where(
        OutboxMessageRow.dedupe_key == key, OutboxMessageRow.kind == "email"
    )
    if workspace_id is not None:
        query = query.where(OutboxMessageRow.workspace_id == workspace_id)
    # Locked (PostgreSQL): two readers of the same bounce record it once.
    message = session.scalars(query.with_for_update()).first()
    if message is None:
        return BounceOutcome("unknown", f"no e-mail <{message_id}> was sent")
    known = {
        (address.lower(), status)
        for address, status in session.execute(
            select(EmailBounceRow.recipient, EmailBounceRow.status_code).where(
                EmailBounceRow.outbox_id == message.id
            )
        )
    }
    new = list({  # once per address and status, even if the report repeats one
        (r.address[:320].lower(), r.status): r
        for r in bounce.recipients
        if (r.address[:320].lower(), r.status) not in known
    }.values())
    for recipient in new:
        session.add(
            EmailBounceRow(
                workspace_id=message.workspace_id,
                outbox_id=message.id,
                recipient=recipient.address[:320],
                status_code=recipient.status,
                permanent=recipient.permanent,
                diagnostic=recipient.diagnostic,
                received_at=now,
            )
        )
    permanent = [r for r in bounce.recipients if r.permanent]
    detail = f"<{message_id}> to {message.recipient}"
    if not permanent:
        return BounceOutcome(
            "transient" if new else "repeated", detail, message.workspace_id, message.id
        )
    first = permanent[0]
    changed = bool(new)
    if message.status != "bounced":
        message.status = "bounced"
        message.last_error = " ".join(filter(None, [first.status, first.diagnostic]))[:2000]
        message.claimed_until = None
        changed = True
    marked = _mark_undeliverable(session, message, first.status, first.diagnostic, now)
    outcome = "recorded" if changed or marked else "repeated"
    return BounceOutcome(outcome, detail, message.workspace_id, message.id, marked)


def _mark_undeliverable(
    session: Session,
    message: OutboxMessageRow,
    status: str,
    diagnostic: str | None,
    now: datetime,
) -> int:
    """Mark the workspace's customers still at the bounced address; how many were not yet."""
    address = message.recipient.strip().lower()
    customers = session.scalars(
        select(Customer)
        .where(
            Customer.workspace_id == message.workspace_id,
            func.lower(Customer.email) == address,
        )
        .order_by(Customer.id)
    ).all()
    marked = 0
    for customer in customers:
        if email_undeliverable(customer.email, customer.undeliverable_email):
            continue  # marked already, by an earlier bounce
        customer.undeliverable_email = customer.email
        customer.email_bounced_at = now
        marked += 1
        audit(
            session, message.workspace_id, "kano", "email-bounced", "customer",
            customer.external_id,
            {"email": customer.email, "status": status, "diagnostic": diagnostic,
             "message": message.dedupe_key},
        )
    return marked


def tally(outcomes: list[BounceOutcome]) -> Counter[str]:
    """How many of each outcome (every outcome present, zero or not)."""
    counts: Counter[str] = Counter({name: 0 for name in OUTCOMES})
    counts.update(o.outcome for o in outcomes)
    return counts
