"""Telling the customer what changed when a case's loop is closed, through the outbox.

Written in the caller's transaction with the status change, like an acknowledgement with
its response: the message exists if and only if the case was closed, and ``kano worker``
delivers it once (dedupe key per case and channel). It goes where acknowledgements go: an
e-mail to the customer (when ``KANO_SMTP_URL`` is set and the customer may be e-mailed:
an address, consent, no permanent bounce) and a signed ``case.loop_closed`` event to each
of the workspace's active webhook endpoints (a company that reaches its customers through
its own systems). The rows carry the case's response id and the purpose ``loop-closed``,
so the case page and the API can show their delivery.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from kano.adapters.db.feedback_intake import may_email
from kano.adapters.db.orm import (
    CaseRow,
    Customer,
    FeedbackResponse,
    OutboxMessageRow,
    WebhookEndpointRow,
)
from kano.adapters.messaging.loop_closed import loop_closed_email

PURPOSE = "loop-closed"


def reference_of(row: CaseRow) -> str:
    """The reference the customer knows: their response's (``R-…``, as in the
    acknowledgement), else the case's."""
    return f"R-{row.response_id}" if row.response_id is not None else f"C-{row.id}"


def loop_closed_event(
    row: CaseRow,
    customer: Customer | None,
    message: str,
    root_causes: Sequence[str],
    language: str | None,
    at: datetime,
) -> dict[str, object]:
    """The ``case.loop_closed`` webhook event (Standard Webhooks' type / timestamp / data)."""
    return {
        "type": "case.loop_closed",
        "timestamp": at.isoformat() + "Z",
        "data": {
            "case_id": row.id,
            "response_id": row.response_id,
            "reference": reference_of(row),
            "customer": None
            if customer is None
            else {"id": customer.id, "external_id": customer.external_id, "email": customer.email},
            "message": message,
            "root_causes": list(root_causes),
            "language": language,
        },
    }


@dataclass(frozen=True)
class Reach:
    """Where closing the loop would send the message now (shown before the owner sends)."""

    email: str | None  # the customer's address, when an e-mail would go out
    webhooks: int  # active endpoints of the workspace


def _customer_of(session: Session, row: CaseRow) -> Customer | None:
    if row.customer_id is None:
        return None
    return session.scalars(
        select(Customer).where(
            Customer.workspace_id == row.workspace_id, Customer.id == row.customer_id
        )
    ).first()


def _endpoints_of(session: Session, workspace_id: int) -> list[tuple[int, str]]:
    return [
        (endpoint_id, url)
        for endpoint_id, url in session.execute(
            select(WebhookEndpointRow.id, WebhookEndpointRow.url).where(
                WebhookEndpointRow.workspace_id == workspace_id,
                WebhookEndpointRow.active.is_(True),
            )
        )
    ]


def _emailed(customer: Customer | None, email_enabled: bool) -> Customer | None:
    """The customer when the message may go to them by e-mail (the acknowledgement's rule)."""
    return customer if email_enabled and customer is not None and may_email(customer) else None


def reach_of(session: Session, row: CaseRow, email_enabled: bool) -> Reach:
    emailed = _emailed(_customer_of(session, row), email_enabled)
    return Reach(emailed.email if emailed else None, len(_endpoints_of(session, row.workspace_id)))


def queue_loop_closed_messages(
    session: Session,
    row: CaseRow,
    message: str,
    root_causes: Sequence[str],
    *,
    email_enabled: bool,
    at: datetime,
) -> list[str]:
    """Write the closing message's outbox rows; the kinds queued (``email``, ``webhook``),
    empty when Kano has no way to reach the customer (the owner then told them otherwise).
    ``root_causes``: the case's tags as they are once this change is stored."""
    workspace_id = row.workspace_id
    customer = _customer_of(session, row)
    language = (
        session.scalar(
            select(FeedbackResponse.language).where(
                FeedbackResponse.workspace_id == workspace_id,
                FeedbackResponse.id == row.response_id,
            )
        )
        if row.response_id is not None
        else None
    )
    rows: list[dict[str, object]] = []
    emailed = _emailed(customer, email_enabled)
    if emailed is not None:
        text = loop_closed_email(message, language, emailed.name, reference_of(row))
        rows.append(
            {
                "kind": "email",
                "dedupe_key": f"loop-closed-{row.id}",
                "recipient": emailed.email,
                "payload": {"subject": text.subject, "body": text.body, "language": language},
                "webhook_endpoint_id": None,
            }
        )
    event = loop_closed_event(row, customer, message, root_causes, language, at)
    rows.extend(
        {
            "kind": "webhook",
            "dedupe_key": f"msg_loop-closed-{row.id}-endpoint-{endpoint_id}",
            "recipient": url,
            "payload": event,
            "webhook_endpoint_id": endpoint_id,
        }
        for endpoint_id, url in _endpoints_of(session, workspace_id)
    )
    if rows:
        session.execute(
            insert(OutboxMessageRow),
            [
                {
                    **message_row,
                    "workspace_id": workspace_id,
                    "purpose": PURPOSE,
                    "response_id": row.response_id,
                    "created_at": at,
                    "next_attempt_at": at,
                }
                for message_row in rows
            ],
        )
    return sorted({str(message_row["kind"]) for message_row in rows})
