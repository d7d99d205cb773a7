"""Accepting a survey response: store it and queue its acknowledgements, in one transaction.

Every channel that takes responses in (the REST API, its bulk form, later the public link
page, the widget, staff entry and file import) goes through :func:`accept_response`. It
finds or creates the customer, stores the response and writes the acknowledgement
messages to the outbox in the caller's transaction: the response and its messages are
committed together or not at all, so an accepted response is never left unacknowledged
and a rolled-back one never acknowledged.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import (
    CaseEventRow,
    CaseRow,
    Customer,
    FeedbackResponse,
    OutboxMessageRow,
    Survey,
    Touchpoint,
    WebhookEndpointRow,
    utcnow,
)
from kano.adapters.messaging.acknowledgement import acknowledgement
from kano.domain.feedback.answers import LANGUAGES, Answers
from kano.domain.feedback.cases import DEFAULT_RULES, business_deadline, first_matching_rule
from kano.domain.shared.errors import InvalidInput


@dataclass(frozen=True)
class Submission:
    """One response as a channel received it (answers already checked)."""

    survey: str
    channel: str
    answers: Answers
    customer_email: str | None = None
    customer_external_id: str | None = None
    customer_name: str | None = None
    submitted_at: datetime | None = None
    language: str | None = None
    touchpoint: str | None = None


@dataclass(frozen=True)
class Accepted:
    response: FeedbackResponse
    survey_key: str
    messages: int
    case_id: int | None = None

    @property
    def acknowledgement(self) -> str:
        return "queued" if self.messages else "none"


def accept_response(
    session: Session,
    workspace_id: int,
    submission: Submission,
    *,
    email_enabled: bool,
    field: str = "",
    open_cases: bool = True,
) -> Accepted:
    """Store one response, its acknowledgements and, when a rule says so, a case (the
    caller commits). Imports of old responses pass ``open_cases=False``."""
    prefix = f"{field}." if field else ""
    if submission.language is not None and submission.language not in LANGUAGES:
        raise InvalidInput(f"{prefix}language", f"use one of {', '.join(LANGUAGES)}")
    survey = session.scalars(
        select(Survey).where(Survey.workspace_id == workspace_id, Survey.key == submission.survey)
    ).first()
    if survey is None:
        raise InvalidInput(f"{prefix}survey", f"no survey {submission.survey!r} in this workspace")
    touchpoint_id = survey.touchpoint_id
    if submission.touchpoint is not None:
        touchpoint_id = session.scalars(
            select(Touchpoint.id).where(
                Touchpoint.workspace_id == workspace_id, Touchpoint.key == submission.touchpoint
            )
        ).first()
        if touchpoint_id is None:
            raise InvalidInput(f"{prefix}touchpoint", f"no touchpoint {submission.touchpoint!r}")
    customer = _customer(session, workspace_id, submission)
    answers = submission.answers
    response = FeedbackResponse(
        workspace_id=workspace_id,
        survey_id=survey.id,
        customer_id=customer.id if customer else None,
        touchpoint_id=touchpoint_id,
        channel=submission.channel,
        submitted_at=submission.submitted_at or utcnow(),
        nps=answers.nps,
        csat=answers.csat,
        ces=answers.ces,
        rating=answers.rating,
        comment=answers.comment,
        language=submission.language,
    )
    session.add(response)
    session.flush()
    messages = _queue_acknowledgements(
        session, workspace_id, response, customer, answers, email_enabled
    )
    case_id = _open_case(session, workspace_id, response, survey, answers) if open_cases else None
    return Accepted(response, survey.key, messages, case_id)


def _open_case(
    session: Session,
    workspace_id: int,
    response: FeedbackResponse,
    survey: Survey,
    answers: Answers,
) -> int | None:
    """A case for an unhappy response, routed to the team that owns its touchpoint."""
    rule = first_matching_rule(DEFAULT_RULES, answers)
    if rule is None:
        return None
    owner_team_id = None
    if response.touchpoint_id is not None:
        touchpoint = session.get(Touchpoint, response.touchpoint_id)
        owner_team_id = touchpoint.owner_team_id if touchpoint is not None else None
    opened = utcnow()
    case = CaseRow(
        workspace_id=workspace_id,
        response_id=response.id,
        customer_id=response.customer_id,
        touchpoint_id=response.touchpoint_id,
        rule=rule.key,
        title=f"{survey.name}: {rule.key.replace('-', ' ')}",
        priority=rule.priority,
        status="new",
        owner_team_id=owner_team_id,
        opened_at=opened,
        first_response_due_at=business_deadline(opened, rule.first_response_hours),
        resolution_due_at=business_deadline(opened, rule.resolution_hours),
    )
    session.add(case)
    session.flush()
    session.add(
        CaseEventRow(
            workspace_id=workspace_id,
            case_id=case.id,
            at=opened,
            kind="opened",
            actor="kano",
            detail={"rule": rule.key, "response_id": response.id},
        )
    )
    return case.id


def _customer(session: Session, workspace_id: int, submission: Submission) -> Customer | None:
    """The respondent: found by external id, else by e-mail; created when unknown."""
    external_id, email = submission.customer_external_id, submission.customer_email
    if external_id is None and email is None:
        return None  # an anonymous response
    found = None
    if external_id is not None:
        found = session.scalars(
            select(Customer).where(
                Customer.workspace_id == workspace_id, Customer.external_id == external_id
            )
        ).first()
    if found is None and email is not None:
        found = session.scalars(
            select(Customer)
            .where(Customer.workspace_id == workspace_id, Customer.email == email)
            .order_by(Customer.id)
        ).first()
    if found is not None:
        if email is not None and found.email is None:
            found.email = email
        return found
    customer = Customer(
        workspace_id=workspace_id,
        external_id=external_id or f"respondent-{uuid.uuid4().hex[:16]}",
        kind="person",
        name=submission.customer_name or email or external_id or "",
        email=email,
        consent_contact=True,
    )
    session.add(customer)
    session.flush()
    return customer


def _queue_acknowledgements(
    session: Session,
    workspace_id: int,
    response: FeedbackResponse,
    customer: Customer | None,
    answers: Answers,
    email_enabled: bool,
) -> int:
    reference = f"R-{response.id}"
    queued = 0
    if email_enabled and customer is not None and customer.email and customer.consent_contact:
        text = acknowledgement(answers, response.language, customer.name, reference)
        session.add(
            OutboxMessageRow(
                workspace_id=workspace_id,
                kind="email",
                purpose="acknowledgement",
                dedupe_key=f"ack-email-{response.id}",
                recipient=customer.email,
                payload={"subject": text.subject, "body": text.body, "language": response.language},
                response_id=response.id,
            )
        )
        queued += 1
    endpoints = session.scalars(
        select(WebhookEndpointRow).where(
            WebhookEndpointRow.workspace_id == workspace_id, WebhookEndpointRow.active.is_(True)
        )
    ).all()
    for endpoint in endpoints:
        session.add(
            OutboxMessageRow(
                workspace_id=workspace_id,
                kind="webhook",
                purpose="acknowledgement",
                dedupe_key=f"msg_response-{response.id}-endpoint-{endpoint.id}",
                recipient=endpoint.url,
                webhook_endpoint_id=endpoint.id,
                payload=_event(response, customer, answers, reference),
                response_id=response.id,
            )
        )
        queued += 1
    return queued


def _event(
    response: FeedbackResponse, customer: Customer | None, answers: Answers, reference: str
) -> dict[str, object]:
    """The ``response.created`` event (Standard Webhooks' type / timestamp / data shape)."""
    return {
        "type": "response.created",
        "timestamp": response.submitted_at.isoformat() + "Z",
        "data": {
            "id": response.id,
            "reference": reference,
            "channel": response.channel,
            "customer": None
            if customer is None
            else {"id": customer.id, "external_id": customer.external_id, "email": customer.email},
            "answers": {
                "nps": answers.nps,
                "csat": answers.csat,
                "ces": answers.ces,
                "rating": answers.rating,
                "comment": answers.comment,
            },
            "language": response.language,
        },
    }
