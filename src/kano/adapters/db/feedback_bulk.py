"""Accepting many responses at once: set-based, in the caller's transaction.

The same outcome as calling :func:`kano.adapters.db.feedback_intake.accept_response` once
per response (customers found by external id, else e-mail, created when unknown; the
acknowledgements in the outbox; a case where a rule says so), with a handful of
statements per batch instead of a dozen per response:

- surveys and touchpoints: one query each for every key in the batch;
- customers: one look-up by external id and one by e-mail for the whole batch, the
  unknown ones created together;
- responses, their answers beyond the score columns, customers, outbox messages, cases
  and case events: written as sets, never one ORM object per row — on PostgreSQL ids
  reserved from the sequence in one round trip and rows sent with ``COPY``; on SQLite
  Core ``insert()`` with many parameter sets (``RETURNING`` the ids in order). See
  :mod:`kano.adapters.db.bulk_writes`.

All or nothing like the single path: the first invalid response raises
:class:`InvalidInput` naming it (``responses.7.survey``, the dotted form of every 422)
before anything is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kano.adapters import json_codec
from kano.adapters.db.acknowledgement_texts import acknowledgement_wording
from kano.adapters.db.batch_keys import BatchKeys, keys_per_batch_allowed
from kano.adapters.db.bulk_writes import (
    Columns,
    copy_columns,
    copy_rows,
    inserted_column_ids,
    is_postgres,
    rows_where_in,
)
from kano.adapters.db.case_rules import Candidate, CaseDecision, decide_cases
from kano.adapters.db.copy_pipeline import CopyPipeline
from kano.adapters.db.feedback_intake import (
    Submission,
    answer_rows,
    may_email,
    response_created_event,
)
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
from kano.adapters.db.quotas import add_counts, quota_count_of, quotas_of, segments_of
from kano.adapters.db.stated_requirements import enter_stated_requirements
from kano.adapters.messaging.acknowledgement import Wording
from kano.domain.feedback.answers import LANGUAGES, Answers
from kano.domain.feedback.case_titles import rule_case_title
from kano.domain.feedback.cases import business_deadline
from kano.domain.feedback.quotas import ResponseFacts, chosen, counts_of
from kano.domain.feedback.survey_status import SurveyClosed, SurveyStatus
from kano.domain.feedback.surveys import ExtraAnswer
from kano.domain.shared.errors import InvalidInput

# Core tables, not the mapped classes: an ORM bulk insert splits the rows into runs with
# the same None columns (thousands of statements). How rows are written on each engine:
# bulk_writes.
RESPONSES = cast(Table, FeedbackResponse.__table__)
CUSTOMERS = cast(Table, Customer.__table__)
OUTBOX = cast(Table, OutboxMessageRow.__table__)
CASES = cast(Table, CaseRow.__table__)
CASE_EVENTS = cast(Table, CaseEventRow.__table__)
ANSWERS = cast(Table, ResponseAnswerRow.__table__)

Copy = Callable[[Session, Any, Columns], None]  # copy_columns, or with keys per batch

INSERT_CHUNK = 10_000  # responses per write, so progress can be reported between them
# From this many responses a batch's foreign keys are checked per batch (batch_keys): its
# few extra round trips (a catalog look-up, a lock per key, two SETs per COPY) would cost a
# batch of single responses (fast intake, ~16) more than the per-row checks they save.
KEYS_PER_BATCH_FROM = 200


@dataclass(frozen=True)
class BulkAccepted:
    """What :func:`accept_responses` stored: response ids in submission order."""

    ids: list[int]
    customer_ids: list[int | None]
    customers_created: int
    messages: int
    cases: int
    acknowledged: frozenset[int] = frozenset()
    """The responses with at least one acknowledgement queued (the route's "queued")."""


@dataclass
class ResponseColumns:
    """Responses as columns, one list per field, all as long (answers already checked).

    What a file import builds: one list per field costs a fraction of one
    :class:`Submission` and one :class:`Answers` per row (100,000 rows: 0.3 s of client
    CPU saved), and the rows are written from the columns (``copy_columns``).
    ``import_key`` (optional) is stored in the response's unique ``import_key`` column.
    """

    survey: list[str]
    channel: list[str]
    nps: list[int | None]
    csat: list[int | None]
    ces: list[int | None]
    rating: list[int | None]
    comment: list[str | None]
    customer_email: list[str | None]
    customer_external_id: list[str | None]
    customer_name: list[str | None]
    submitted_at: list[datetime | None]
    language: list[str | None]
    touchpoint: list[str | None]
    import_key: list[str] | None = None
    extra: list[tuple[ExtraAnswer, ...]] | None = None
    """Each response's answers with no score column (None: no response has any)."""

    def __len__(self) -> int:
        return len(self.survey)

    @classmethod
    def of(cls, submissions: Sequence[Submission]) -> ResponseColumns:
        answers = [s.answers for s in submissions]
        return cls(
            survey=[s.survey for s in submissions],
            channel=[s.channel for s in submissions],
            nps=[a.nps for a in answers],
            csat=[a.csat for a in answers],
            ces=[a.ces for a in answers],
            rating=[a.rating for a in answers],
            comment=[a.comment for a in answers],
            customer_email=[s.customer_email for s in submissions],
            customer_external_id=[s.customer_external_id for s in submissions],
            customer_name=[s.customer_name for s in submissions],
            submitted_at=[s.submitted_at for s in submissions],
            language=[s.language for s in submissions],
            touchpoint=[s.touchpoint for s in submissions],
            extra=[s.extra for s in submissions] if any(s.extra for s in submissions) else None,
        )

    def answers(self) -> list[Answers]:
        return [
            Answers(nps=n, csat=c, ces=e, rating=r, comment=t)
            for n, c, e, r, t in zip(
                self.nps, self.csat, self.ces, self.rating, self.comment, strict=True
            )
        ]

    def take(self, indexes: Sequence[int]) -> ResponseColumns:
        """The responses at ``indexes``, in that order."""
        return ResponseColumns(
            **{
                name: None if values is None else [values[i] for i in indexes]
                for name, values in vars(self).items()
            }
        )


@dataclass(frozen=True)
class _SurveyInfo:
    id: int
    key: str
    name: str
    touchpoint_id: int | None
    quotas: bool = False


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
    undeliverable_email: str | None = None
    """The address that bounced permanently (no acknowledgement while it is ``email``)."""


def _field(field_of: Callable[[int], str], index: int, name: str) -> str:
    prefix = field_of(index)
    return f"{prefix}.{name}" if prefix else name


def accept_responses(
    session: Session,
    workspace_id: int,
    submissions: Sequence[Submission],
    *,
    email_enabled: bool,
    acknowledge: bool = True,
    open_cases: bool = True,
    field_of: Callable[[int], str] = lambda index: f"responses.{index}",
    on_progress: Callable[[int], None] | None = None,
) -> BulkAccepted:
    """Store every submission (the caller commits), or none: see the module docstring.

    ``acknowledge=False`` queues no messages (an import of old responses);
    ``open_cases=False`` opens no cases. ``on_progress`` gets the number of responses
    stored after each insert chunk.
    """
    return accept_columns(
        session,
        workspace_id,
        ResponseColumns.of(submissions),
        email_enabled=email_enabled,
        acknowledge=acknowledge,
        open_cases=open_cases,
        field_of=field_of,
        on_progress=on_progress,
        answers=[s.answers for s in submissions],
    )


def accept_columns(
    session: Session,
    workspace_id: int,
    batch: ResponseColumns,
    *,
    email_enabled: bool,
    acknowledge: bool = True,
    open_cases: bool = True,
    field_of: Callable[[int], str] = lambda index: f"responses.{index}",
    on_progress: Callable[[int], None] | None = None,
    answers: Sequence[Answers] | None = None,
    ids_wanted: bool = True,
    known: KnownCustomers | None = None,
    pipeline: CopyPipeline | None = None,
) -> BulkAccepted:
    """:func:`accept_responses` for responses given as columns (``answers``, when the
    caller has them already, saves building them for acknowledgements and cases).

    ``ids_wanted=False`` (an import that neither acknowledges nor opens cases) returns no
    response ids: the rows are numbered by the column default instead. ``known`` carries
    the customers found or created from one batch to the next of a transaction.

    With a ``pipeline`` (a file import on PostgreSQL), the look-ups go to its reader and
    the responses' ``COPY`` runs while the caller goes on with the next batch, unless
    their ids are needed here; everything else written waits for the ``COPY`` before."""
    size = len(batch)
    if not size:
        return BulkAccepted([], [], 0, 0, 0)
    lookups = session if pipeline is None else pipeline.reader
    surveys = _surveys(lookups, workspace_id, batch.survey, field_of)
    touchpoints = _touchpoints(lookups, workspace_id, batch.touchpoint, field_of)
    unknown = set(batch.language) - set(LANGUAGES) - {None}
    if unknown:
        index = next(i for i, language in enumerate(batch.language) if language in unknown)
        raise InvalidInput(
            _field(field_of, index, "language"), f"use one of {', '.join(LANGUAGES)}"
        )
    respondents = _respondents(lookups, workspace_id, batch, known or KnownCustomers())
    changed = any(r is not None and (r.new or r.email_added) for r in respondents)
    if pipeline is not None and changed:
        pipeline.wait()
    created = _store_customers(session, workspace_id, respondents)
    now = utcnow()
    survey_of = {key: info.id for key, info in surveys.items()}
    default_touchpoint = {key: info.touchpoint_id for key, info in surveys.items()}
    columns: dict[str, list[Any]] = {
        "workspace_id": [workspace_id] * size,
        "survey_id": [survey_of[key] for key in batch.survey],
        "customer_id": [r.id if r is not None else None for r in respondents],
        "touchpoint_id": [
            default_touchpoint[survey] if touchpoint is None else touchpoints[touchpoint]
            for survey, touchpoint in zip(batch.survey, batch.touchpoint, strict=True)
        ],
        "channel": batch.channel,
        "submitted_at": [now if at is None else at for at in batch.submitted_at],
        "nps": batch.nps,
        "csat": batch.csat,
        "ces": batch.ces,
        "rating": batch.rating,
        "comment": batch.comment,
        "language": batch.language,
        "created_at": [now] * size,
    }
    if batch.import_key is not None:
        columns["import_key"] = batch.import_key
    ids: list[int] = []
    keys_per_batch = size >= KEYS_PER_BATCH_FROM and keys_per_batch_allowed(session)
    # Per batch: each referenced row locked once for all the tables written (batch_keys).
    copy: Copy = BatchKeys().copy if keys_per_batch else copy_columns
    ids_wanted = ids_wanted or acknowledge or open_cases or batch.extra is not None
    quotas = any(info.quotas for info in surveys.values())
    if pipeline is not None and (ids_wanted or quotas):
        pipeline.wait()
        pipeline = None  # written in line from here on
    for start in range(0, size, INSERT_CHUNK):
        stop = min(size, start + INSERT_CHUNK)
        chunk = {name: values[start:stop] for name, values in columns.items()}
        if pipeline is not None:
            pipeline.submit(RESPONSES, chunk)
        else:
            ids.extend(
                inserted_column_ids(session, RESPONSES, chunk, ids_wanted=ids_wanted, copy=copy)
            )
        if on_progress is not None:
            on_progress(stop - start)
    if batch.extra is not None:
        copy_rows(session, ANSWERS, answer_rows(workspace_id, ids, batch.extra))
        enter_stated_requirements(
            session, workspace_id, ids, columns["customer_id"], columns["touchpoint_id"],
            batch.extra,
        )  # fmt: skip
    if quotas:
        _count_against_quotas(session, workspace_id, surveys, columns, batch.extra)
    if (acknowledge or open_cases) and answers is None:
        answers = batch.answers()
    stored = _Stored(ids, columns, answers or [], respondents, batch.extra)
    # Cases are decided first: an acknowledgement promises contact only when a case will
    # bring it (as one-by-one intake does).
    decisions = _case_decisions(session, workspace_id, stored) if open_cases else None
    acknowledged = (
        _queue_acknowledgements(session, workspace_id, stored, email_enabled, copy, decisions)
        if acknowledge
        else []
    )
    cases = (
        _open_cases(session, workspace_id, stored, batch.survey, surveys, copy, decisions)
        if decisions is not None
        else 0
    )
    return BulkAccepted(
        ids=ids,
        customer_ids=columns["customer_id"],
        customers_created=created,
        messages=len(acknowledged),
        cases=cases,
        acknowledged=frozenset(acknowledged),
    )


def _count_against_quotas(
    session: Session,
    workspace_id: int,
    surveys: dict[str, _SurveyInfo],
    columns: dict[str, list[Any]],
    extras: Sequence[tuple[ExtraAnswer, ...]] | None,
) -> None:
    """Add the batch's responses to the quotas they match: set-based, one UPDATE per quota
    per batch (never refused: bulk, fast-path and import responses record feedback the
    customer already gave; see ``kano.domain.feedback.quotas``). Read only when a survey
    of the batch has quotas; the customers' segments only when a quota asks for one; an
    answer quota matches on the batch's extra answers in hand (no query)."""
    with_quotas = quotas_of(
        session, workspace_id, [info.id for info in surveys.values() if info.quotas]
    )
    if not with_quotas:
        return
    segment_of: dict[int, int] = {}
    if any(q.condition.needs_segment for quotas in with_quotas.values() for q in quotas):
        segment_of = segments_of(session, workspace_id, columns["customer_id"])
    answers = extras if extras is not None else [()] * len(columns["survey_id"])
    counts: dict[int, int] = {}
    for survey_id, quotas in with_quotas.items():
        by_answer = any(q.condition.question is not None for q in quotas)
        facts = (
            ResponseFacts(
                channel,
                language,
                None if customer_id is None else segment_of.get(customer_id),
                touchpoint_id,
                chosen(extra) if by_answer else frozenset(),
            )
            for row_survey, channel, language, customer_id, touchpoint_id, extra in zip(
                columns["survey_id"],
                columns["channel"],
                columns["language"],
                columns["customer_id"],
                columns["touchpoint_id"],
                answers,
                strict=True,
            )
            if row_survey == survey_id
        )
        counts.update(counts_of(quotas, facts))
    add_counts(session, counts)


@dataclass(frozen=True)
class _Stored:
    """The written responses: ids, the columns written, answers and respondents."""

    ids: list[int]
    columns: dict[str, list[Any]]
    answers: Sequence[Answers]
    respondents: Sequence[_Respondent | None]
    extras: Sequence[tuple[ExtraAnswer, ...]] | None = None


def _surveys(
    session: Session,
    workspace_id: int,
    survey_keys: Sequence[str],
    field_of: Callable[[int], str],
) -> dict[str, _SurveyInfo]:
    keys = sorted(set(survey_keys))
    rows = session.execute(
        select(
            Survey.id,
            Survey.key,
            Survey.name,
            Survey.touchpoint_id,
            quota_count_of(Survey.id).label("quotas"),
            Survey.status,
        ).where(Survey.workspace_id == workspace_id, Survey.key.in_(keys))
    ).all()
    found = {
        row.key: _SurveyInfo(row.id, row.key, row.name, row.touchpoint_id, bool(row.quotas))
        for row in rows
    }
    if len(found) < len(keys):
        index, key = next((i, key) for i, key in enumerate(survey_keys) if key not in found)
        raise InvalidInput(
            _field(field_of, index, "survey"), f"no survey {key!r} in this workspace"
        )
    closed = {row.key for row in rows if row.status == SurveyStatus.CLOSED}
    if closed:  # a closed survey takes no answers (survey_status.py)
        index, key = next((i, key) for i, key in enumerate(survey_keys) if key in closed)
        raise SurveyClosed(_field(field_of, index, "survey"), key)
    return found


def _touchpoints(
    session: Session,
    workspace_id: int,
    touchpoint_keys: Sequence[str | None],
    field_of: Callable[[int], str],
) -> dict[str, int]:
    keys = sorted(set(touchpoint_keys) - {None})  # type: ignore[type-var]
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
    if len(found) < len(keys):
        index, key = next(
            (i, key)
            for i, key in enumerate(touchpoint_keys)
            if key is not None and key not in found
        )
        raise InvalidInput(_field(field_of, index, "touchpoint"), f"no touchpoint {key!r}")
    return found


@dataclass
class KnownCustomers:
    """The customers a transaction's earlier batches looked up or created, by external id
    and by e-mail, and the keys already asked for: a file imported in batches asks the
    database about each customer once, not once per batch it appears in (100,000 rows from
    20,000 customers in 10 batches: 20,000 look-ups, not about 100,000). What a batch
    decides holds for the next: every change to these customers goes through here."""

    by_external: dict[str, _Respondent] = field(default_factory=dict)
    by_email: dict[str, _Respondent] = field(default_factory=dict)
    external_ids_asked: set[str] = field(default_factory=set)
    emails_asked: set[str] = field(default_factory=set)
    decided: dict[tuple[str | None, str | None, str | None], _Respondent | None] = field(
        default_factory=dict
    )


_CUSTOMER_COLUMNS = (
    Customer.id,
    Customer.external_id,
    Customer.name,
    Customer.email,
    Customer.consent_contact,
    Customer.undeliverable_email,
)


def _respondents(
    session: Session, workspace_id: int, batch: ResponseColumns, seen: KnownCustomers
) -> list[_Respondent | None]:
    """The customer of each response, decided exactly as one-by-one intake would:
    by external id, else by e-mail (the oldest customer with it), else a new one that
    later responses of the batch then find.

    Decided once per distinct (external id, e-mail, name) where a repeat must find what
    the first found (an import of 100,000 rows from 20,000 customers decides 20,000
    times); not when an external id unknown so far was matched by e-mail, as a later
    response may still create a customer with that external id."""
    external_ids = sorted(
        {key for key in batch.customer_external_id if key is not None} - seen.external_ids_asked
    )
    seen.external_ids_asked.update(external_ids)
    by_external, by_email = seen.by_external, seen.by_email
    in_workspace = Customer.workspace_id == workspace_id
    for row in rows_where_in(
        session, _CUSTOMER_COLUMNS, Customer.external_id, external_ids, in_workspace
    ):
        by_external[row.external_id] = _Respondent(
            row.id, row.external_id, row.name, row.email, row.consent_contact,
            undeliverable_email=row.undeliverable_email,
        )
    # An e-mail decides only where the external id is missing or names nobody yet: a
    # batch whose customers all come with known external ids (an integration's usual
    # case) asks no e-mail at all. That query and its rows were ~15 % of PostgreSQL's and
    # ~5 % of the server's CPU of a bulk request (bench/ingest_bulk.py, py-spy).
    emails = sorted(
        {
            email
            for external_id, email in zip(
                batch.customer_external_id, batch.customer_email, strict=True
            )
            if email is not None and (external_id is None or external_id not in by_external)
        }
        - seen.emails_asked
    )
    seen.emails_asked.update(emails)
    found_by_email = sorted(
        rows_where_in(session, _CUSTOMER_COLUMNS, Customer.email, emails, in_workspace),
        key=lambda row: -row.id,  # the oldest id written last wins
    )
    for row in found_by_email:
        known = by_external.get(row.external_id)
        by_email[row.email] = known or _Respondent(
            row.id, row.external_id, row.name, row.email, row.consent_contact,
            undeliverable_email=row.undeliverable_email,
        )
    decided = seen.decided

    def decide(external_id: str | None, email: str | None, name: str | None) -> _Respondent | None:
        if external_id is None and email is None:
            return None  # an anonymous response
        found = by_external.get(external_id) if external_id is not None else None
        if found is None and email is not None:
            found = by_email.get(email)
            stable = external_id is None
        else:
            stable = True
        if found is not None:
            if email is not None and found.email is None:
                found.email, found.email_added = email, True
                by_email.setdefault(email, found)
            if stable:
                decided[(external_id, email, name)] = found
            return found
        new = _Respondent(
            id=None,
            external_id=external_id or f"respondent-{uuid.uuid4().hex[:16]}",
            name=name or email or external_id or "",
            email=email,
            consent_contact=True,
            new=True,
        )
        by_external[new.external_id] = new
        if email is not None:
            by_email.setdefault(email, new)
        decided[(external_id, email, name)] = new
        return new

    result: list[_Respondent | None] = []
    undecided = _Respondent(None, "", "", None, False)  # a marker: not decided yet
    for who in zip(
        batch.customer_external_id, batch.customer_email, batch.customer_name, strict=True
    ):
        # .get, not try/except KeyError: most respondents of a batch are new to it, and
        # raising an exception for each cost more than the look-up (py-spy, bulk route).
        known = decided.get(who, undecided)
        result.append(decide(*who) if known is undecided else known)
    return result


def _store_customers(
    session: Session, workspace_id: int, respondents: Sequence[_Respondent | None]
) -> int:
    """Insert the new respondents (ids filled in) and add e-mails found missing; the
    number of customers created."""
    unique = list({id(r): r for r in respondents if r is not None}.values())
    new = [r for r in unique if r.new]
    now = utcnow()
    created = _insert_customers_or_find(session, workspace_id, new, now) if new else 0
    emailed = [r for r in unique if r.email_added and not r.new]
    for respondent in emailed:
        session.execute(
            update(Customer)
            .where(Customer.id == respondent.id, Customer.email.is_(None))
            .values(email=respondent.email)
        )
    for respondent in unique:  # stored: a later batch of the transaction finds them so
        respondent.new = respondent.email_added = False
    return created


_INSERT_CUSTOMERS = text(
    "INSERT INTO customers (workspace_id, external_id, kind, name, email, consent_contact, "
    "created_at) SELECT :workspace_id, x.external_id, 'person', x.name, x.email, true, "
    ":now FROM json_to_recordset(CAST(:rows AS json)) AS x(external_id text, name text, "
    "email text) ON CONFLICT (workspace_id, external_id) DO NOTHING RETURNING id, external_id"
)


def _insert_customers_or_find(
    session: Session, workspace_id: int, new: list[_Respondent], now: datetime
) -> int:
    """Insert the new customers, and find those a concurrent batch created first
    (``ON CONFLICT DO NOTHING``; PostgreSQL waits for that batch's commit). Before, both
    batches wrote them (``COPY``): the loser failed on the unique key and redid its whole
    batch, and a second such race in the retry was a 500 (one in ~70 batches of
    ``bench/ingest_bulk.py``). Keys in one order, so two batches cannot deadlock."""
    ordered = sorted(new, key=lambda r: r.external_id)
    values = [{"external_id": r.external_id, "name": r.name, "email": r.email} for r in ordered]
    if is_postgres(session):
        found = session.execute(
            _INSERT_CUSTOMERS,
            {"workspace_id": workspace_id, "rows": json_codec.dumps(values), "now": now},
        ).all()
    else:  # SQLite: one writer at a time, but its snapshot may predate the other's commit
        statement = (
            sqlite_insert(CUSTOMERS)
            .on_conflict_do_nothing(index_elements=["workspace_id", "external_id"])
            .returning(CUSTOMERS.c.id, CUSTOMERS.c.external_id)
        )
        extra = {"workspace_id": workspace_id, "kind": "person", "consent_contact": True}
        found = []
        for start in range(0, len(values), INSERT_CHUNK):
            page = [
                {**row, **extra, "created_at": now} for row in values[start : start + INSERT_CHUNK]
            ]
            found.extend(session.execute(statement, page).all())
    inserted = {external_id: new_id for new_id, external_id in found}
    for respondent in ordered:
        respondent.id = inserted.get(respondent.external_id)
    missing = [r for r in ordered if r.id is None]
    if missing:
        by_external_id = {r.external_id: r for r in missing}
        for row in rows_where_in(
            session,
            _CUSTOMER_COLUMNS,
            Customer.external_id,
            list(by_external_id),
            Customer.workspace_id == workspace_id,
        ):
            known = by_external_id[row.external_id]
            known.id, known.name, known.consent_contact = row.id, row.name, row.consent_contact
            known.undeliverable_email = row.undeliverable_email
            if row.email is not None or known.email is None:
                known.email = row.email
            else:  # this batch brings the e-mail the other one lacked
                known.new, known.email_added = False, True
    return len(inserted)


def _queue_acknowledgements(
    session: Session,
    workspace_id: int,
    stored: _Stored,
    email_enabled: bool,
    copy: Copy,
    decisions: Sequence[CaseDecision | None] | None,
) -> list[int]:
    """The outbox rows one-by-one intake would write (same dedupe keys and payloads);
    the response of each message written."""
    contact_within = (
        [None if d is None else d.rule.first_response_hours for d in decisions]
        if decisions is not None
        else [None] * len(stored.ids)
    )
    endpoints = session.execute(
        select(WebhookEndpointRow.id, WebhookEndpointRow.url).where(
            WebhookEndpointRow.workspace_id == workspace_id,
            WebhookEndpointRow.active.is_(True),
        )
    ).all()
    response_ids: list[int] = []
    kinds: list[str] = []
    dedupe_keys: list[str] = []
    recipients: list[str] = []
    endpoint_ids: list[int | None] = []
    payloads: list[dict[str, Any]] = []
    columns = stored.columns
    extras = stored.extras or [()] * len(stored.ids)
    # The workspace's wording: read once for the batch (one primary-key query), at the
    # first e-mail to write.
    texts: Wording | None = None
    for response_id, answers, customer, language, channel, submitted_at, extra, within in zip(
        stored.ids,
        stored.answers,
        stored.respondents,
        columns["language"],
        columns["channel"],
        columns["submitted_at"],
        extras,
        contact_within,
        strict=True,
    ):
        if email_enabled and customer is not None and may_email(customer):
            if texts is None:
                texts = acknowledgement_wording(session, workspace_id)
            text = texts.compose(answers, language, customer.name, f"R-{response_id}", within)
            response_ids.append(response_id)
            kinds.append("email")
            dedupe_keys.append(f"ack-email-{response_id}")
            recipients.append(customer.email)
            endpoint_ids.append(None)
            payloads.append({"subject": text.subject, "body": text.body, "language": language})
        if endpoints:
            event = response_created_event(
                response_id, channel, submitted_at, customer, answers, language, extra
            )
            for endpoint_id, url in endpoints:
                response_ids.append(response_id)
                kinds.append("webhook")
                dedupe_keys.append(f"msg_response-{response_id}-endpoint-{endpoint_id}")
                recipients.append(url)
                endpoint_ids.append(endpoint_id)
                payloads.append(event)
    now, count = utcnow(), len(response_ids)
    # As columns: one dict per message and psycopg's write_row per row cost about a
    # fifth of a bulk request's time in the server.
    copy(
        session,
        OUTBOX,
        {
            "workspace_id": [workspace_id] * count,
            "purpose": ["acknowledgement"] * count,
            "response_id": response_ids,
            "status": ["pending"] * count,
            "attempts": [0] * count,
            "next_attempt_at": [now] * count,
            "created_at": [now] * count,
            "kind": kinds,
            "dedupe_key": dedupe_keys,
            "recipient": recipients,
            "webhook_endpoint_id": endpoint_ids,
            "payload": payloads,
        },
    )
    return response_ids


def _case_decisions(
    session: Session, workspace_id: int, stored: _Stored
) -> list[CaseDecision | None]:
    """The case each response opens, if any: ``decide_cases``, as one-by-one intake, so
    both route alike."""
    return decide_cases(
        session,
        workspace_id,
        [
            Candidate(answers, customer_id, touchpoint_id)
            for answers, customer_id, touchpoint_id in zip(
                stored.answers,
                stored.columns["customer_id"],
                stored.columns["touchpoint_id"],
                strict=True,
            )
        ],
    )


def _open_cases(
    session: Session,
    workspace_id: int,
    stored: _Stored,
    survey_keys: Sequence[str],
    surveys: dict[str, _SurveyInfo],
    copy: Copy,
    decisions: Sequence[CaseDecision | None],
) -> int:
    """A case (and its "opened" event) for each response a rule matched."""
    customers, touchpoints = stored.columns["customer_id"], stored.columns["touchpoint_id"]
    matched = [
        (stored.ids[i], customers[i], touchpoints[i], survey_keys[i], d.rule, d.team_id)
        for i, d in enumerate(decisions)
        if d is not None
    ]
    if not matched:
        return 0
    touchpoint_ids = sorted({t for _, _, t, _, _, _ in matched if t is not None})
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
    deadlines: dict[float, datetime] = {}  # every case of the batch opens at one moment

    def due(hours: float) -> datetime:
        if hours not in deadlines:
            deadlines[hours] = business_deadline(opened, hours)
        return deadlines[hours]

    count = len(matched)
    rules = [rule for _, _, _, _, rule, _ in matched]
    response_ids = [response_id for response_id, _, _, _, _, _ in matched]
    # As columns, like the responses (one dict and one write_row per case before).
    case_ids = inserted_column_ids(
        session,
        CASES,
        {
            "workspace_id": [workspace_id] * count,
            "response_id": response_ids,
            "customer_id": [customer_id for _, customer_id, _, _, _, _ in matched],
            "touchpoint_id": [touchpoint_id for _, _, touchpoint_id, _, _, _ in matched],
            "rule": [rule.key for rule in rules],
            "title": [
                rule_case_title(surveys[survey].name, rule.key)
                for _, _, _, survey, rule, _ in matched
            ],
            "priority": [rule.priority for rule in rules],
            "status": ["new"] * count,
            "owner_team_id": [
                owners.get(touchpoint_id) if team_id is None else team_id
                for _, _, touchpoint_id, _, _, team_id in matched
            ],
            "opened_at": [opened] * count,
            "first_response_due_at": [due(rule.first_response_hours) for rule in rules],
            "resolution_due_at": [due(rule.resolution_hours) for rule in rules],
            "escalation_level": [0] * count,
        },
        copy=copy,
    )
    copy(
        session,
        CASE_EVENTS,
        {
            "workspace_id": [workspace_id] * count,
            "case_id": case_ids,
            "at": [opened] * count,
            "kind": ["opened"] * count,
            "actor": ["kano"] * count,
            "detail": [
                {"rule": rule.key, "response_id": response_id}
                for rule, response_id in zip(rules, response_ids, strict=True)
            ],
        },
    )
    return count
