"""Read side of the Responses page: every survey response of a workspace, filterable, with
the delivery of its acknowledgements and the case it opened.

A page of the list is four queries whatever its length: the responses (with their survey,
touchpoint and customer joined), then the acknowledgement messages and the cases of the
page's ids, one query each (no query per row), and the count. Every query and every join
is filtered by the workspace, so another tenant's row can never appear, even through a
foreign key that points at it by mistake.

The list is newest first by the moment of submission (imported history arrives after
today's answers, so the id alone would not be "newest"); the page cursor is still one
response id: the next page holds the responses submitted before that one, and, at the
same moment, those with a lower id.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Row, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import (
    CaseRow,
    Customer,
    FeedbackResponse,
    OutboxMessageRow,
    SpecialRequirementRow,
    Survey,
    Touchpoint,
)
from kano.domain.feedback.quotas import KANO_CHANNELS

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
EXPORT_BATCH = 1_000
ACKNOWLEDGEMENT = "acknowledgement"  # the outbox purpose of the "we got your answers" messages

# The score bands of the filter. "unhappy" is what the default case rules
# (kano.domain.feedback.cases.DEFAULT_RULES) call for a follow-up: an NPS detractor,
# a dissatisfied CSAT (1–2) or a hard effort (CES 2.0 agreement 1–3).
SCORE_BANDS = ("detractor", "passive", "promoter", "unhappy")


def _band_condition(band: str) -> ColumnElement[bool]:
    r = FeedbackResponse
    if band == "detractor":
        return r.nps <= 6
    if band == "passive":
        return and_(r.nps >= 7, r.nps <= 8)
    if band == "promoter":
        return r.nps >= 9
    if band == "unhappy":
        return or_(r.nps <= 6, r.csat <= 2, r.ces <= 3)
    raise ValueError(f"unknown score band {band!r}")


@dataclass(frozen=True)
class ResponseFilters:
    survey: str | None = None  # a survey's key
    channel: str | None = None
    touchpoint: str | None = None  # a touchpoint's key
    date_from: date | None = None  # submitted on or after this day (UTC)
    date_to: date | None = None  # submitted on or before this day (UTC)
    score: str | None = None  # one of SCORE_BANDS
    commented: bool = False  # only responses with a comment
    customer: str | None = None  # an external id, or part of the name


@dataclass(frozen=True)
class Delivery:
    """One acknowledgement message of a response and how far its delivery got."""

    kind: str  # email | webhook
    recipient: str
    status: str  # pending | sent | failed | bounced
    attempts: int
    sent_at: datetime | None
    error: str | None


@dataclass(frozen=True)
class CaseLink:
    id: int
    title: str
    status: str


@dataclass(frozen=True)
class ResponseListLine:
    id: int
    submitted_at: datetime
    survey_key: str | None
    survey: str | None
    channel: str
    touchpoint_key: str | None
    touchpoint: str | None
    customer_id: int | None
    customer: str | None  # name
    customer_external_id: str | None
    nps: int | None
    csat: int | None
    ces: int | None
    rating: int | None
    comment: str | None
    language: str | None
    acknowledgements: tuple[Delivery, ...]
    cases: tuple[CaseLink, ...]


@dataclass(frozen=True)
class ResponsePage:
    lines: list[ResponseListLine]
    total: int  # responses that pass the filters, on every page
    older: int | None  # the cursor of the next page; None on the last one


@dataclass(frozen=True)
class StatedRequirement:
    id: int
    kind: str
    text: str
    status: str


@dataclass(frozen=True)
class ResponseDetail:
    line: ResponseListLine
    requirements: list[StatedRequirement]


@dataclass(frozen=True)
class Choice:
    key: str
    name: str


Columns = tuple[FeedbackResponse, str, str, str, str, str, str]


def _responses_of(workspace_id: int) -> Select[*Columns]:
    r = FeedbackResponse
    return (
        select(r, Survey.key, Survey.name, Touchpoint.key, Touchpoint.name,
               Customer.name, Customer.external_id)
        .outerjoin(Survey, and_(Survey.id == r.survey_id, Survey.workspace_id == workspace_id))
        .outerjoin(Touchpoint, and_(Touchpoint.id == r.touchpoint_id,
                                    Touchpoint.workspace_id == workspace_id))
        .outerjoin(Customer, and_(Customer.id == r.customer_id,
                                  Customer.workspace_id == workspace_id))
        .where(r.workspace_id == workspace_id)
    )


def like_pattern(text: str) -> str:
    """``%text%`` with the LIKE wildcards of ``text`` taken literally (escape ``\\``)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _filtered(statement: Select[*Columns], filters: ResponseFilters) -> Select[*Columns]:
    r = FeedbackResponse
    if filters.survey:
        statement = statement.where(Survey.key == filters.survey)
    if filters.channel:
        statement = statement.where(r.channel == filters.channel)
    if filters.touchpoint:
        statement = statement.where(Touchpoint.key == filters.touchpoint)
    if filters.date_from:
        statement = statement.where(r.submitted_at >= datetime.combine(filters.date_from, time()))
    if filters.date_to:
        statement = statement.where(
            r.submitted_at < datetime.combine(filters.date_to + timedelta(days=1), time()))
    if filters.score:
        statement = statement.where(_band_condition(filters.score))
    if filters.commented:
        statement = statement.where(r.comment.is_not(None), func.trim(r.comment) != "")
    if filters.customer:
        statement = statement.where(or_(
            Customer.external_id == filters.customer,
            Customer.name.ilike(like_pattern(filters.customer), escape="\\")))
    return statement


def _before(workspace_id: int, cursor: int) -> ColumnElement[bool]:
    """Listed after response ``cursor``: submitted earlier, or at the same moment with a
    lower id (an unknown cursor leaves nothing)."""
    r = FeedbackResponse
    moment = (select(r.submitted_at)
              .where(r.workspace_id == workspace_id, r.id == cursor)
              .scalar_subquery())
    return or_(r.submitted_at < moment, and_(r.submitted_at == moment, r.id < cursor))


def _newest_first(statement: Select[*Columns]) -> Select[*Columns]:
    return statement.order_by(FeedbackResponse.submitted_at.desc(), FeedbackResponse.id.desc())


def _lines(session: Session, workspace_id: int,
           rows: Sequence[Row[*Columns]]) -> list[ResponseListLine]:
    """The rows with their acknowledgements and cases: one query each for all of them."""
    ids = [row[0].id for row in rows]
    deliveries: dict[int, list[Delivery]] = defaultdict(list)
    cases: dict[int, list[CaseLink]] = defaultdict(list)
    if ids:
        for m in session.scalars(
            select(OutboxMessageRow)
            .where(OutboxMessageRow.workspace_id == workspace_id,
                   OutboxMessageRow.response_id.in_(ids),
                   OutboxMessageRow.purpose == ACKNOWLEDGEMENT)
            .order_by(OutboxMessageRow.id)
        ):
            assert m.response_id is not None
            deliveries[m.response_id].append(
                Delivery(m.kind, m.recipient, m.status, m.attempts, m.sent_at, m.last_error))
        for case_id, response_id, title, status in session.execute(
            select(CaseRow.id, CaseRow.response_id, CaseRow.title, CaseRow.status)
            .where(CaseRow.workspace_id == workspace_id, CaseRow.response_id.in_(ids))
            .order_by(CaseRow.id)
        ):
            if response_id is not None:
                cases[response_id].append(CaseLink(case_id, title, status))
    return [
        ResponseListLine(
            id=r.id, submitted_at=r.submitted_at, survey_key=survey_key, survey=survey,
            channel=r.channel, touchpoint_key=touchpoint_key, touchpoint=touchpoint,
            customer_id=r.customer_id if customer_external_id is not None else None,
            customer=customer, customer_external_id=customer_external_id,
            nps=r.nps, csat=r.csat, ces=r.ces, rating=r.rating, comment=r.comment,
            language=r.language, acknowledgements=tuple(deliveries.get(r.id, ())),
            cases=tuple(cases.get(r.id, ())),
        )
        for r, survey_key, survey, touchpoint_key, touchpoint, customer, customer_external_id
        in rows
    ]


def response_page(session: Session, workspace_id: int, filters: ResponseFilters,
                  older_than: int | None = None, size: int = PAGE_SIZE) -> ResponsePage:
    """One page of the workspace's responses that pass ``filters``, newest first, after
    the response ``older_than`` (the previous page's cursor) when given."""
    statement = _filtered(_responses_of(workspace_id), filters)
    total = session.scalar(
        select(func.count()).select_from(statement.with_only_columns(FeedbackResponse.id)
                                         .subquery())) or 0
    if older_than is not None:
        statement = statement.where(_before(workspace_id, older_than))
    rows = session.execute(_newest_first(statement).limit(size + 1)).all()
    more = len(rows) > size
    lines = _lines(session, workspace_id, rows[:size])
    return ResponsePage(lines, total, lines[-1].id if more and lines else None)


def export_lines(session: Session, workspace_id: int, filters: ResponseFilters,
                 limit: int = EXPORT_LIMIT, batch: int = EXPORT_BATCH
                 ) -> Iterator[ResponseListLine]:
    """Every response that passes ``filters``, newest first, at most ``limit``: read in
    batches of ``batch`` (keyset, as the pages), so an export never holds them all."""
    statement = _newest_first(_filtered(_responses_of(workspace_id), filters))
    cursor: int | None = None
    left = limit
    while left > 0:
        page = statement if cursor is None else statement.where(_before(workspace_id, cursor))
        rows = session.execute(page.limit(min(batch, left))).all()
        if not rows:
            return
        yield from _lines(session, workspace_id, rows)
        left -= len(rows)
        cursor = rows[-1][0].id


def response_detail(session: Session, workspace_id: int,
                    response_id: int) -> ResponseDetail | None:
    """One response of this workspace (None when it has no such response), with the
    special requirements entered from it."""
    rows = session.execute(
        _responses_of(workspace_id).where(FeedbackResponse.id == response_id)).all()
    if not rows:
        return None
    requirements = [
        StatedRequirement(row.id, row.kind, row.text, row.status)
        for row in session.scalars(
            select(SpecialRequirementRow)
            .where(SpecialRequirementRow.workspace_id == workspace_id,
                   SpecialRequirementRow.response_id == response_id)
            .order_by(SpecialRequirementRow.id))
    ]
    return ResponseDetail(_lines(session, workspace_id, rows)[0], requirements)


def surveys_of(session: Session, workspace_id: int) -> list[Choice]:
    return [Choice(key, name) for key, name in session.execute(
        select(Survey.key, Survey.name).where(Survey.workspace_id == workspace_id)
        .order_by(Survey.name, Survey.key))]


def touchpoints_of(session: Session, workspace_id: int) -> list[Choice]:
    return [Choice(key, name) for key, name in session.execute(
        select(Touchpoint.key, Touchpoint.name).where(Touchpoint.workspace_id == workspace_id)
        .order_by(Touchpoint.name, Touchpoint.key))]


def channels_of(session: Session, workspace_id: int) -> list[str]:
    """Kano's own intake channels, those of the workspace's touchpoints and any other
    its responses carry (an import may bring its own)."""
    found = set(KANO_CHANNELS)
    found.update(session.scalars(
        select(Touchpoint.channel).where(Touchpoint.workspace_id == workspace_id).distinct()))
    found.update(session.scalars(
        select(FeedbackResponse.channel)
        .where(FeedbackResponse.workspace_id == workspace_id).distinct()))
    return sorted(found)
