"""Accepting many responses at once: set-based, in the caller's transaction.

The same outcome as calling :func:`kano.adapters.db.feedback_intake.accept_response` once
per response (customers found by external id, else e-mail, created when unknown; the
acknowledgements in the outbox; a case where a rule says so), with a handful of
statements per batch instead of a dozen per response:

- surveys and touchpoints: one query each for every key in the batch;
- customers: one look-up by external id and one by e-mail for the whole batch, the
  unknown ones created together;
- responses, customers, outbox messages, cases and case events: written as sets, never
  one ORM object per row — on PostgreSQL ids reserved from the sequence in one round trip
  and rows sent with ``COPY``; on SQLite Core ``insert()`` with many parameter sets
  (``RETURNING`` the ids in order). See :mod:`kano.adapters.db.bulk_writes`.

All or nothing like the single path: the first invalid response raises
:class:`InvalidInput` naming it (``responses[7].survey``) before anything is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from kano.adapters.db.bulk_writes import copy_rows, inserted_ids, rows_where_in
from kano.adapters.db.case_rules import Candidate, decide_cases
from kano.adapters.db.feedback_intake import Submission
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
from kano.domain.feedback.cases import business_deadline
from kano.domain.shared.errors import InvalidInput

# Core tables, not the mapped classes: an ORM bulk insert splits the rows into runs with
# the same None columns (thousands of statements). How rows are written on each engine:
# bulk_writes.
RESPONSES = cast(Table, FeedbackResponse.__table__)
CUSTOMERS = cast(Table, Customer.__table__)
OUTBOX = cast(Table, OutboxMessageRow.__table__)
CASES = cast(Table, CaseRow.__table__)
CASE_EVENTS = cast(Table, CaseEventRow.__table__)

INSERT_CHUNK = 10_000  # responses per write, so progress can be reported between them


@dataclass(frozen=True)
class BulkAccepted:
    """What :func:`accept_responses` stored: response ids in submission order."""

    ids: list[int]
    customer_ids: list[int | None]
    customers_created: int
    messages: int
    cases: int


class _ResponseRow(NamedTuple):
    """A ``feedback_responses`` row to write (field names are the column names)."""

    workspace_id: int
    survey_id: int
    customer_id: int | None
    touchpoint_id: int | None
    channel: str
    submitted_at: datetime
    nps: int | None
    csat: int | None
    ces: int | None
    rating: int | None
    comment: str | None
    language: str | None
    created_at: datetime


@dataclass(frozen=True)
class _SurveyInfo:
    id: int
    key: str
    name: str
    touchpoint_id: int | None


@dataclass
class _Respondent:
    """A customer as the batch sees it: an existing row or one to create."""

    id: int | None
    external_id: str
    name: str
    email: str | None
    consent_contact: bool
    new: bool = False
    email_added: bool = False


def _field(field_of: Callable[[int], str], index: int, name: str) -> str:
    prefix = field_of(index)
    return f"{prefix}.{name}" if prefix else name


def _chunks(values: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def accept_responses(
    session: Session,
    workspace_id: int,
    submissions: Sequence[Submission],
    *,
    email_enabled: bool,
    acknowledge: bool = True,
    open_cases: bool = True,
    field_of: Callable[[int], str] = lambda index: f"responses[{index}]",
    on_progress: Callable[[int], None] | None = None,
) -> BulkAccepted:
    """Store every submission (the caller commits), or none: see the module docstring.

    ``acknowledge=False`` queues no messages (an import of old responses);
    ``open_cases=False`` opens no cases. ``on_progress`` gets the number of responses
    stored after each insert chunk.
    """
    if not submissions:
        return BulkAccepted([], [], 0, 0, 0)
    surveys = _surveys(session, workspace_id, submissions, field_of)
    touchpoints = _touchpoints(session, workspace_id, submissions, field_of)
    for index, submission in enumerate(submissions):
        if submission.language is not None and submission.language not in LANGUAGES:
            raise InvalidInput(
                _field(field_of, index, "language"), f"use one of {', '.join(LANGUAGES)}"
            )
    respondents = _respondents(session, workspace_id, submissions)
    created = _store_customers(session, workspace_id, respondents)
    now = utcnow()
    rows: list[_ResponseRow] = []
    for submission, respondent in zip(submissions, respondents, strict=True):
        survey = surveys[submission.survey]
        answers = submission.answers
        rows.append(
            _ResponseRow(
                workspace_id,
                survey.id,
                respondent.id if respondent is not None else None,
                survey.touchpoint_id
                if submission.touchpoint is None
                else touchpoints[submission.touchpoint],
                submission.channel,
                submission.submitted_at or now,
                answers.nps,
                answers.csat,
                answers.ces,
                answers.rating,
                answers.comment,
                submission.language,
                now,
            )
        )
    ids: list[int] = []
    for chunk in _chunks(rows, INSERT_CHUNK):
        ids.extend(inserted_ids(session, RESPONSES, chunk))
        if on_progress is not None:
            on_progress(len(chunk))
    messages = (
        _queue_acknowledgements(
            session, workspace_id, ids, rows, submissions, respondents, email_enabled
        )
        if acknowledge
        else 0
    )
    cases = _open_cases(session, workspace_id, ids, rows, submissions, surveys) if open_cases else 0
    return BulkAccepted(
        ids=ids,
        customer_ids=[row.customer_id for row in rows],
        customers_created=created,
        messages=messages,
        cases=cases,
    )


def _surveys(
    session: Session,
    workspace_id: int,
    submissions: Sequence[Submission],
    field_of: Callable[[int], str],
) -> dict[str, _SurveyInfo]:
    keys = sorted({s.survey for s in submissions})
    found = {
        row.key: _SurveyInfo(row.id, row.key, row.name, row.touchpoint_id)
        for row in session.execute(
            select(Survey.id, Survey.key, Survey.name, Survey.touchpoint_id).where(
                Survey.workspace_id == workspace_id, Survey.key.in_(keys)
            )
        )
    }
    for index, submission in enumerate(submissions):
        if submission.survey not in found:
            raise InvalidInput(
                _field(field_of, index, "survey"),
                f"no survey {submission.survey!r} in this workspace",
            )
    return found


def _touchpoints(
    session: Session,
    workspace_id: int,
    submissions: Sequence[Submission],
    field_of: Callable[[int], str],
) -> dict[str, int]:
    keys = sorted({s.touchpoint for s in submissions if s.touchpoint is not None})
    if not keys:
        return {}
    found: dict[str, int] = {
        key: touchpoint_id
        for key, touchpoint_id in session.execute(
            select(Touchpoint.key, Touchpoint.id).where(
                Touchpoint.workspace_id == workspace_id, Touchpoint.key.in_(keys)
            )
        )
    }
    for index, submission in enumerate(submissions):
        if submission.touchpoint is not None and submission.touchpoint not in found:
            raise InvalidInput(
                _field(field_of, index, "touchpoint"), f"no touchpoint {submission.touchpoint!r}"
            )
    return found


_CUSTOMER_COLUMNS = (
    Customer.id,
    Customer.external_id,
    Customer.name,
    Customer.email,
    Customer.consent_contact,
)


def _respondents(
    session: Session, workspace_id: int, submissions: Sequence[Submission]
) -> list[_Respondent | None]:
    """The customer of each submission, decided exactly as one-by-one intake would:
    by external id, else by e-mail (the oldest customer with it), else a new one that
    later submissions of the batch then find."""
    external_ids = sorted(
        {s.customer_external_id for s in submissions if s.customer_external_id is not None}
    )
    emails = sorted({s.customer_email for s in submissions if s.customer_email is not None})
    by_external: dict[str, _Respondent] = {}
    by_email: dict[str, _Respondent] = {}
    in_workspace = Customer.workspace_id == workspace_id
    for row in rows_where_in(
        session, _CUSTOMER_COLUMNS, Customer.external_id, external_ids, in_workspace
    ):
        by_external[row.external_id] = _Respondent(
            row.id, row.external_id, row.name, row.email, row.consent_contact
        )
    found_by_email = sorted(
        rows_where_in(session, _CUSTOMER_COLUMNS, Customer.email, emails, in_workspace),
        key=lambda row: -row.id,  # the oldest id written last wins
    )
    for row in found_by_email:
        known = by_external.get(row.external_id)
        by_email[row.email] = known or _Respondent(
            row.id, row.external_id, row.name, row.email, row.consent_contact
        )
    result: list[_Respondent | None] = []
    for submission in submissions:
        external_id, email = submission.customer_external_id, submission.customer_email
        if external_id is None and email is None:
            result.append(None)  # an anonymous response
            continue
        found = by_external.get(external_id) if external_id is not None else None
        if found is None and email is not None:
            found = by_email.get(email)
        if found is not None:
            if email is not None and found.email is None:
                found.email, found.email_added = email, True
                by_email.setdefault(email, found)
            result.append(found)
            continue
        new = _Respondent(
            id=None,
            external_id=external_id or f"respondent-{uuid.uuid4().hex[:16]}",
            name=submission.customer_name or email or external_id or "",
            email=email,
            consent_contact=True,
            new=True,
        )
        by_external[new.external_id] = new
        if email is not None:
            by_email.setdefault(email, new)
        result.append(new)
    return result


def _store_customers(
    session: Session, workspace_id: int, respondents: Sequence[_Respondent | None]
) -> int:
    """Insert the new respondents (ids filled in) and add e-mails found missing."""
    unique = list({id(r): r for r in respondents if r is not None}.values())
    new = [r for r in unique if r.new]
    now = utcnow()
    ids = inserted_ids(
        session,
        CUSTOMERS,
        [
            {
                "workspace_id": workspace_id,
                "external_id": r.external_id,
                "kind": "person",
                "name": r.name,
                "email": r.email,
                "consent_contact": True,
                "created_at": now,
            }
            for r in new
        ],
    )
    for respondent, new_id in zip(new, ids, strict=True):
        respondent.id = new_id
    emailed = [r for r in unique if r.email_added and not r.new]
    for respondent in emailed:
        session.execute(
            update(Customer)
            .where(Customer.id == respondent.id, Customer.email.is_(None))
            .values(email=respondent.email)
        )
    return len(new)


def _queue_acknowledgements(
    session: Session,
    workspace_id: int,
    ids: Sequence[int],
    rows: Sequence[_ResponseRow],
    submissions: Sequence[Submission],
    respondents: Sequence[_Respondent | None],
    email_enabled: bool,
) -> int:
    """The outbox rows one-by-one intake would write (same dedupe keys and payloads)."""
    endpoints = session.execute(
        select(WebhookEndpointRow.id, WebhookEndpointRow.url).where(
            WebhookEndpointRow.workspace_id == workspace_id,
            WebhookEndpointRow.active.is_(True),
        )
    ).all()
    now = utcnow()
    messages: list[dict[str, Any]] = []
    for response_id, row, submission, customer in zip(
        ids, rows, submissions, respondents, strict=True
    ):
        reference = f"R-{response_id}"
        answers, language = submission.answers, row.language
        common = {
            "workspace_id": workspace_id,
            "purpose": "acknowledgement",
            "response_id": response_id,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        if email_enabled and customer is not None and customer.email and customer.consent_contact:
            text = acknowledgement(answers, language, customer.name, reference)
            messages.append(
                {
                    **common,
                    "kind": "email",
                    "dedupe_key": f"ack-email-{response_id}",
                    "recipient": customer.email,
                    "webhook_endpoint_id": None,
                    "payload": {"subject": text.subject, "body": text.body, "language": language},
                }
            )
        if endpoints:
            event = response_event(
                response_id, row.channel, row.submitted_at, customer, answers, language
            )
            for endpoint_id, url in endpoints:
                messages.append(
                    {
                        **common,
                        "kind": "webhook",
                        "dedupe_key": f"msg_response-{response_id}-endpoint-{endpoint_id}",
                        "recipient": url,
                        "webhook_endpoint_id": endpoint_id,
                        "payload": event,
                    }
                )
    copy_rows(session, OUTBOX, messages)
    return len(messages)


def response_event(
    response_id: int,
    channel: str,
    submitted_at: datetime,
    customer: _Respondent | None,
    answers: Answers,
    language: str | None,
) -> dict[str, Any]:
    """The ``response.created`` event, the same shape as one-by-one intake's."""
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
            "language": language,
        },
    }


def _open_cases(
    session: Session,
    workspace_id: int,
    ids: Sequence[int],
    rows: Sequence[_ResponseRow],
    submissions: Sequence[Submission],
    surveys: dict[str, _SurveyInfo],
) -> int:
    """A case (and its "opened" event) for each response one of the workspace's rules
    matches: ``decide_cases``, as one-by-one intake, so both route alike."""
    decisions = decide_cases(
        session,
        workspace_id,
        [
            Candidate(submission.answers, row.customer_id, row.touchpoint_id)
            for row, submission in zip(rows, submissions, strict=True)
        ],
    )
    matched = [
        (response_id, row, submission, decision.rule, decision.team_id)
        for response_id, row, submission, decision in zip(
            ids, rows, submissions, decisions, strict=True
        )
        if decision is not None
    ]
    if not matched:
        return 0
    touchpoint_ids = sorted(
        {row.touchpoint_id for _, row, _, _, _ in matched if row.touchpoint_id is not None}
    )
    owners: dict[int | None, int | None] = {}
    if touchpoint_ids:
        owners = {
            touchpoint_id: team_id
            for touchpoint_id, team_id in session.execute(
                select(Touchpoint.id, Touchpoint.owner_team_id).where(
                    Touchpoint.id.in_(touchpoint_ids)
                )
            )
        }
    opened = utcnow()
    case_rows = [
        {
            "workspace_id": workspace_id,
            "response_id": response_id,
            "customer_id": row.customer_id,
            "touchpoint_id": row.touchpoint_id,
            "rule": rule.key,
            "title": f"{surveys[submission.survey].name}: {rule.key.replace('-', ' ')}",
            "priority": rule.priority,
            "status": "new",
            "owner_team_id": owners.get(row.touchpoint_id) if team_id is None else team_id,
            "opened_at": opened,
            "first_response_due_at": business_deadline(opened, rule.first_response_hours),
            "resolution_due_at": business_deadline(opened, rule.resolution_hours),
            "escalation_level": 0,
        }
        for response_id, row, submission, rule, team_id in matched
    ]
    case_ids = inserted_ids(session, CASES, case_rows)
    copy_rows(
        session,
        CASE_EVENTS,
        [
            {
                "workspace_id": workspace_id,
                "case_id": case_id,
                "at": opened,
                "kind": "opened",
                "actor": "kano",
                "detail": {"rule": case["rule"], "response_id": case["response_id"]},
            }
            for case_id, case in zip(case_ids, case_rows, strict=True)
        ],
    )
    return len(case_rows)
