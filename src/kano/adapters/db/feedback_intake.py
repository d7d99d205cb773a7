"""Accepting a survey response: store it and queue its acknowledgements, in one transaction.

Every channel that takes responses in (the REST API, its bulk form, later the public link
page, the widget, staff entry and file import) goes through :func:`accept_response`. It
finds or creates the customer, stores the response and writes the acknowledgement
messages to the outbox in the caller's transaction: the response and its messages are
committed together or not at all, so an accepted response is never left unacknowledged
and a rolled-back one never acknowledged.

It is the hot path of the single-response API, so it counts round trips: one query finds
the survey with its touchpoint's owner team and whether the workspace has webhook
endpoints, one finds the customer (by external id, else e-mail), then the inserts; the
outbox rows, the case and its first event go in as Core inserts, not ORM objects. Five
statements for a known customer, eight for a detractor (the workspace's case rules are one
query, its routing table one more when a case opens; a route or a rule's team adds the
touchpoint's key and the team's id, a VIP or segment rule the customer's facts); a whole
API request adds the token, the idempotency key look-up and insert, and the commit.

Quotas (SPEC 2.4, ``kano.domain.feedback.quotas``): the survey query also says whether the
survey has quotas, so a survey without any costs no statement more; one with quotas adds
a read of them and an UPDATE of the counters the response matches. Only the
respondent-facing channels (link page, widget, invitation links) are refused by a full
quota; the API, staff entry and imports record feedback the customer already gave, so
refusing it would lose data: they are counted, not refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import and_, case, func, insert, or_, select
from sqlalchemy.orm import Session

from kano.adapters.db.acknowledgement_texts import acknowledgement_wording
from kano.adapters.db.case_rules import Candidate, CaseDecision, decide_cases
from kano.adapters.db.orm import (
    CaseEventRow,
    CaseRow,
    Customer,
    FeedbackResponse,
    OutboxMessageRow,
    ResponseAnswerRow,
    Survey,
    Touchpoint,
    WebhookEndpointRow,
    utcnow,
)
from kano.adapters.db.quotas import quota_count_of, quotas_of, take_places
from kano.adapters.db.stated_requirements import enter_stated_requirements
from kano.domain.feedback.answers import LANGUAGES, Answers
from kano.domain.feedback.bounces import email_undeliverable
from kano.domain.feedback.case_titles import rule_case_title
from kano.domain.feedback.cases import business_deadline
from kano.domain.feedback.quotas import ResponseFacts, chosen
from kano.domain.feedback.survey_status import SurveyClosed, SurveyStatus
from kano.domain.feedback.surveys import ExtraAnswer
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
    extra: tuple[ExtraAnswer, ...] = ()
    """The answers with no score column (choices, further texts, Kano pairs)."""


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
    refuse_when_full: bool = False,
) -> Accepted:
    """Store one response, its acknowledgements and, when a rule says so, a case (the
    caller commits). Imports of old responses pass ``open_cases=False``.

    The response counts against its survey's quotas (``kano.adapters.db.quotas``). The
    respondent-facing collection channels (link page, widget, invitation links) pass
    ``refuse_when_full=True``: a full quota then raises ``QuotaFull`` and the caller rolls
    back, storing nothing. Channels that record feedback given elsewhere (REST API, staff
    entry) are counted but never refused: refusing would lose what the customer said."""
    prefix = f"{field}." if field else ""
    if submission.language is not None and submission.language not in LANGUAGES:
        raise InvalidInput(f"{prefix}language", f"use one of {', '.join(LANGUAGES)}")
    target = _target(session, workspace_id, submission, prefix)
    customer = _customer(session, workspace_id, submission)
    if target.quotas:
        quotas = quotas_of(session, workspace_id, [target.survey_id]).get(target.survey_id, [])
        facts = ResponseFacts(submission.channel, submission.language,
                              customer.segment_id if customer else None, target.touchpoint_id,
                              chosen(submission.extra))
        take_places(session, quotas, facts, refuse_when_full=refuse_when_full)
    answers = submission.answers
    response = FeedbackResponse(
        workspace_id=workspace_id,
        survey_id=target.survey_id,
        customer_id=customer.id if customer else None,
        touchpoint_id=target.touchpoint_id,
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
    if submission.extra:
        session.execute(insert(ResponseAnswerRow), answer_rows(
            workspace_id, [response.id], [submission.extra]))
        enter_stated_requirements(
            session, workspace_id, [response.id], [customer.id if customer else None],
            [target.touchpoint_id], [submission.extra],
        )  # fmt: skip
    # The case is decided first: the acknowledgement promises contact only when a case
    # will bring it, within the rule's first-response time.
    candidate = Candidate(answers, response.customer_id, response.touchpoint_id)
    decision = decide_cases(session, workspace_id, [candidate])[0] if open_cases else None
    messages = _queue_acknowledgements(
        session, workspace_id, response, customer, answers, email_enabled, target.webhooks,
        submission.extra,
        contact_within_hours=None if decision is None else decision.rule.first_response_hours,
    )
    case_id = (
        _open_case(session, workspace_id, response, target, decision)
        if decision is not None
        else None
    )
    return Accepted(response, target.survey_key, messages, case_id)


def answer_rows(
    workspace_id: int, response_ids: Sequence[int], extras: Sequence[Sequence[ExtraAnswer]]
) -> list[dict[str, object]]:
    """The ``response_answers`` rows of responses and their extra answers."""
    return [
        {
            "workspace_id": workspace_id,
            "response_id": response_id,
            "question": answer.question,
            "value": answer.value,
            "kano_category": None if answer.kano_category is None else answer.kano_category.value,
        }
        for response_id, extra in zip(response_ids, extras, strict=True)
        for answer in extra
    ]


@dataclass(frozen=True)
class _Target:
    """Where a response lands: its survey, touchpoint and the team that owns it."""

    survey_id: int
    survey_key: str
    survey_name: str
    touchpoint_id: int | None
    owner_team_id: int | None
    webhooks: bool
    """Whether the workspace has an active webhook endpoint (most have none)."""
    quotas: bool = False
    """Whether the survey has quotas (most have none)."""


def _target(session: Session, workspace_id: int, submission: Submission, prefix: str) -> _Target:
    """The survey, the touchpoint (the submission's, else the survey's) with its owner
    team, whether any webhook endpoint is active and whether the survey has quotas: one
    query."""
    if submission.touchpoint is not None:
        touchpoint_join = Touchpoint.key == submission.touchpoint
    else:
        touchpoint_join = Touchpoint.id == Survey.touchpoint_id
    webhooks = (
        select(func.count(WebhookEndpointRow.id))
        .where(
            WebhookEndpointRow.workspace_id == workspace_id, WebhookEndpointRow.active.is_(True)
        )
        .scalar_subquery()
    )
    row = session.execute(
        select(
            Survey.id,
            Survey.key,
            Survey.name,
            Survey.touchpoint_id,
            Survey.status,
            Touchpoint.id.label("touchpoint_found"),
            Touchpoint.owner_team_id,
            webhooks.label("webhooks"),
            quota_count_of(Survey.id).label("quotas"),
        )
        .outerjoin(Touchpoint, and_(touchpoint_join, Touchpoint.workspace_id == workspace_id))
        .where(Survey.workspace_id == workspace_id, Survey.key == submission.survey)
        .limit(1)
    ).first()
    if row is None:
        raise InvalidInput(f"{prefix}survey", f"no survey {submission.survey!r} in this workspace")
    if row.status == SurveyStatus.CLOSED:
        raise SurveyClosed(f"{prefix}survey", row.key)
    touchpoint_id = row.touchpoint_id
    if submission.touchpoint is not None:
        if row.touchpoint_found is None:
            raise InvalidInput(f"{prefix}touchpoint", f"no touchpoint {submission.touchpoint!r}")
        touchpoint_id = row.touchpoint_found
    return _Target(
        survey_id=row.id,
        survey_key=row.key,
        survey_name=row.name,
        touchpoint_id=touchpoint_id,
        owner_team_id=row.owner_team_id if row.touchpoint_found is not None else None,
        webhooks=bool(row.webhooks),
        quotas=bool(row.quotas),
    )


def _open_case(
    session: Session,
    workspace_id: int,
    response: FeedbackResponse,
    target: _Target,
    decision: CaseDecision,
) -> int:
    """The case a rule decided on (``decide_cases``, shared with the bulk path), routed to
    the rule's or the routing table's team, else to the team that owns the touchpoint."""
    rule = decision.rule
    owner_team_id = target.owner_team_id if decision.team_id is None else decision.team_id
    opened = utcnow()
    case_id: int = session.execute(
        insert(CaseRow)
        .values(
            workspace_id=workspace_id,
            response_id=response.id,
            customer_id=response.customer_id,
            touchpoint_id=response.touchpoint_id,
            rule=rule.key,
            title=rule_case_title(target.survey_name, rule.key),
            priority=rule.priority,
            status="new",
            owner_team_id=owner_team_id,
            opened_at=opened,
            first_response_due_at=business_deadline(opened, rule.first_response_hours),
            resolution_due_at=business_deadline(opened, rule.resolution_hours),
        )
        .returning(CaseRow.id)
    ).scalar_one()
    session.execute(
        insert(CaseEventRow).values(
            workspace_id=workspace_id,
            case_id=case_id,
            at=opened,
            kind="opened",
            actor="kano",
            detail={"rule": rule.key, "response_id": response.id},
        )
    )
    return case_id


def _customer(session: Session, workspace_id: int, submission: Submission) -> Customer | None:
    """The respondent: found by external id, else by e-mail; created when unknown."""
    external_id, email = submission.customer_external_id, submission.customer_email
    if external_id is None and email is None:
        return None  # an anonymous response
    # One query: the customer with this external id, else the oldest with this e-mail.
    matches = []
    if external_id is not None:
        matches.append(Customer.external_id == external_id)
    if email is not None:
        matches.append(Customer.email == email)
    by_external_id_first = (
        case((Customer.external_id == external_id, 0), else_=1)
        if external_id is not None
        else Customer.id
    )
    found = session.scalars(
        select(Customer)
        .where(Customer.workspace_id == workspace_id, or_(*matches))
        .order_by(by_external_id_first, Customer.id)
        .limit(1)
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
    webhooks: bool = True,
    extra: Sequence[ExtraAnswer] = (),
    *,
    contact_within_hours: float | None = None,
) -> int:
    """Write the response's acknowledgements to the outbox; how many. The e-mail promises
    contact ``contact_within_hours`` (the case's first-response time) when a case opens."""
    reference = f"R-{response.id}"
    rows: list[dict[str, object]] = []
    if email_enabled and customer is not None and may_email(customer):
        # In the workspace's own words where it wrote them (one primary-key query).
        text = acknowledgement_wording(session, workspace_id).compose(
            answers, response.language, customer.name, reference, contact_within_hours
        )
        rows.append(
            {
                "kind": "email",
                "dedupe_key": f"ack-email-{response.id}",
                "recipient": customer.email,
                "payload": {
                    "subject": text.subject,
                    "body": text.body,
                    "language": response.language,
                },
                "webhook_endpoint_id": None,
            }
        )
    endpoints = (
        session.execute(
            select(WebhookEndpointRow.id, WebhookEndpointRow.url).where(
                WebhookEndpointRow.workspace_id == workspace_id,
                WebhookEndpointRow.active.is_(True),
            )
        ).all()
        if webhooks
        else []
    )
    rows.extend(
        {
            "kind": "webhook",
            "dedupe_key": f"msg_response-{response.id}-endpoint-{endpoint.id}",
            "recipient": endpoint.url,
            "payload": response_created_event(
                response.id, response.channel, response.submitted_at, customer, answers,
                response.language, extra,
            ),
            "webhook_endpoint_id": endpoint.id,
        }
        for endpoint in endpoints
    )
    if rows:
        session.execute(
            insert(OutboxMessageRow),
            [
                {
                    **row,
                    "workspace_id": workspace_id,
                    "purpose": "acknowledgement",
                    "response_id": response.id,
                }
                for row in rows
            ],
        )
    return len(rows)


class Emailable(Protocol):
    """What decides whether a customer may get an acknowledgement e-mail."""

    @property
    def email(self) -> str | None: ...
    @property
    def consent_contact(self) -> bool: ...
    @property
    def undeliverable_email(self) -> str | None: ...


def may_email(customer: Emailable) -> bool:
    """An address, consent to contact, and no permanent bounce from that address: the one
    rule of the single and the bulk path."""
    return bool(
        customer.email
        and customer.consent_contact
        and not email_undeliverable(customer.email, customer.undeliverable_email)
    )


class CustomerRef(Protocol):
    """What an event says about the customer (an ORM row or a bulk respondent)."""

    @property
    def id(self) -> int | None: ...
    @property
    def external_id(self) -> str: ...
    @property
    def email(self) -> str | None: ...


def response_created_event(
    response_id: int,
    channel: str,
    submitted_at: datetime,
    customer: CustomerRef | None,
    answers: Answers,
    language: str | None,
    extra: Sequence[ExtraAnswer] = (),
) -> dict[str, object]:
    """The ``response.created`` event (Standard Webhooks' type / timestamp / data shape),
    one shape for every intake path: the scores and the answers beyond them (choices,
    further texts, Kano pairs, as ``GET /responses/{id}`` shows them)."""
    return {
        "type": "response.created",
        "timestamp": submitted_at.isoformat() + "Z",
        "data": {
            "id": response_id,
            "reference": f"R-{response_id}",
            "channel": channel,
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
            "questions": [
                {
                    "question": answer.question,
                    "value": answer.value,
                    "kano_category": answer.kano_category.value if answer.kano_category else None,
                }
                for answer in extra
            ],
            "language": language,
        },
    }
