"""Read side of the closed loop: the case inbox with its SLA countdowns, and one case with
the response that opened it, the customer's history and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, func, not_, or_, select
from sqlalchemy.orm import Session

from kano.adapters.db.case_actions import RootCauseUse, may_work_cases, root_causes_in_use
from kano.adapters.db.loop_closing import PURPOSE as LOOP_CLOSED_PURPOSE
from kano.adapters.db.orm import (
    CaseEventRow,
    CaseRow,
    Customer,
    FeedbackResponse,
    Membership,
    OutboxMessageRow,
    Team,
    User,
)

OPEN_STATUSES = ("new", "in_progress")
OPEN = "open"  # the status filter's value for "new or in progress"
INBOX_LIMIT = 200
HISTORY_LIMIT = 10
SUGGESTED_TAGS = 200
REPORTED_TAGS = 20


@dataclass(frozen=True)
class Countdown:
    """Time left to the SLA deadline that counts now (or past it, when ``overdue``)."""

    due: str  # first_response | resolution
    overdue: bool
    amount: int
    unit: str  # minutes | hours | days


def countdown(row: CaseRow, now: datetime) -> Countdown | None:
    """The first response's deadline while nobody has responded, then the resolution's;
    None once the case is resolved."""
    if row.status not in OPEN_STATUSES:
        return None
    if row.first_responded_at is None:
        due, deadline = "first_response", row.first_response_due_at
    else:
        due, deadline = "resolution", row.resolution_due_at
    seconds = abs((deadline - now).total_seconds())
    minutes = max(1, int(seconds // 60))
    if minutes < 60:
        amount, unit = minutes, "minutes"
    elif minutes < 48 * 60:
        amount, unit = minutes // 60, "hours"
    else:
        amount, unit = minutes // (24 * 60), "days"
    return Countdown(due, deadline < now, amount, unit)


def overdue_condition(now: datetime) -> ColumnElement[bool]:
    """SQL for ``countdown(...).overdue``."""
    return and_(
        CaseRow.status.in_(OPEN_STATUSES),
        or_(
            and_(CaseRow.first_responded_at.is_(None), CaseRow.first_response_due_at < now),
            and_(CaseRow.first_responded_at.is_not(None), CaseRow.resolution_due_at < now),
        ),
    )


def due_today_condition(now: datetime) -> ColumnElement[bool]:
    """SQL for: not overdue now, but overdue by the end of today (midnight UTC)."""
    midnight = datetime.combine(now.date() + timedelta(days=1), time())
    return and_(overdue_condition(midnight), not_(overdue_condition(now)))


@dataclass(frozen=True)
class CaseLine:
    id: int
    title: str
    rule: str
    customer: str | None
    customer_id: int | None
    team: str | None
    team_key: str | None
    status: str
    priority: int
    opened_at: datetime
    escalation_level: int
    countdown: Countdown | None
    owner: str | None = None  # the owner's name
    owner_email: str | None = None


@dataclass(frozen=True)
class CaseFilters:
    status: str | None = None
    team: str | None = None  # a team's key; "-" for cases routed to no team
    rule: str | None = None
    overdue: bool = False
    owner: str | None = None  # the owner's e-mail; "-" for cases nobody owns
    due_today: bool = False


@dataclass(frozen=True)
class CaseInbox:
    lines: list[CaseLine]
    total: int  # matching cases; ``lines`` holds at most INBOX_LIMIT of them
    limit: int


@dataclass(frozen=True)
class TeamChoice:
    key: str
    name: str


@dataclass(frozen=True)
class OwnerChoice:
    """A member who may own a case (``case_actions.case_worker`` accepts them)."""

    email: str
    name: str


def _lines_of(workspace_id: int) -> Select[CaseRow, str, str, str, str, str]:
    """Each case with its customer's name, its team's key and name and its owner's name
    and e-mail (users are not workspace-scoped: the owner is whoever ``owner_user_id``
    names, set only through ``case_actions.assign_owner``, which checks membership)."""
    return (
        select(CaseRow, Customer.name, Team.key, Team.name, User.name, User.email)
        .outerjoin(Customer, and_(Customer.id == CaseRow.customer_id,
                                  Customer.workspace_id == CaseRow.workspace_id))
        .outerjoin(Team, and_(Team.id == CaseRow.owner_team_id,
                              Team.workspace_id == CaseRow.workspace_id))
        .outerjoin(User, User.id == CaseRow.owner_user_id)
        .where(CaseRow.workspace_id == workspace_id)
    )


def inbox_line(found: Row[CaseRow, str, str, str, str, str], now: datetime) -> CaseLine:
    """A case as the inbox shows it (the outer joins leave customer, team and owner None
    when the case has none)."""
    row, customer, team_key, team, owner, owner_email = found
    return CaseLine(row.id, row.title, row.rule, customer, row.customer_id, team, team_key,
                    row.status, row.priority, row.opened_at, row.escalation_level,
                    countdown(row, now), owner, owner_email)


def case_inbox(session: Session, workspace_id: int, filters: CaseFilters, now: datetime,
               limit: int = INBOX_LIMIT) -> CaseInbox:
    """The workspace's cases that pass ``filters``, newest first.

    The newest ``limit`` ids are chosen first, from the cases alone (narrow rows: with
    5·10⁴ cases PostgreSQL sorted every joined line, title and all, to keep 200 — 263 ms
    against 92 ms, bench/pages_at_scale.py), then only those lines are read whole."""
    statement = filtered_cases(workspace_id, filters, now)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    newest = (statement.with_only_columns(CaseRow.id)
              .order_by(CaseRow.opened_at.desc(), CaseRow.id.desc()).limit(limit).subquery())
    rows = session.execute(
        _lines_of(workspace_id).where(CaseRow.id.in_(select(newest.c.id)))
        .order_by(CaseRow.opened_at.desc(), CaseRow.id.desc())
    ).all()
    return CaseInbox([inbox_line(row, now) for row in rows], total, limit)


def filtered_cases(workspace_id: int, filters: CaseFilters, now: datetime
                   ) -> Select[CaseRow, str, str, str, str, str]:
    """The query of the inbox's lines (one workspace's cases) narrowed by ``filters``."""
    statement = _lines_of(workspace_id)
    if filters.status == OPEN:
        statement = statement.where(CaseRow.status.in_(OPEN_STATUSES))
    elif filters.status:
        statement = statement.where(CaseRow.status == filters.status)
    if filters.team == "-":
        statement = statement.where(CaseRow.owner_team_id.is_(None))
    elif filters.team:
        statement = statement.where(Team.key == filters.team)
    if filters.rule:
        statement = statement.where(CaseRow.rule == filters.rule)
    if filters.owner == "-":
        statement = statement.where(CaseRow.owner_user_id.is_(None))
    elif filters.owner:
        statement = statement.where(func.lower(User.email) == filters.owner.strip().lower())
    if filters.overdue:
        statement = statement.where(overdue_condition(now))
    if filters.due_today:
        statement = statement.where(due_today_condition(now))
    return statement


def teams_of(session: Session, workspace_id: int) -> list[TeamChoice]:
    rows = session.execute(select(Team.key, Team.name).where(Team.workspace_id == workspace_id)
                           .order_by(Team.name, Team.key))
    return [TeamChoice(key, name) for key, name in rows]


def case_workers(session: Session, workspace_id: int) -> list[OwnerChoice]:
    """The members who may own a case here (managers and up, who can sign in), by name."""
    rows = session.execute(
        select(User.email, User.name, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == workspace_id, User.is_active.is_(True))
        .order_by(User.name, User.email)
    )
    return [OwnerChoice(email, name) for email, name, role in rows if may_work_cases(role)]


def rules_of(session: Session, workspace_id: int) -> list[str]:
    return list(session.scalars(select(CaseRow.rule).where(CaseRow.workspace_id == workspace_id)
                                .distinct().order_by(CaseRow.rule)))


def root_cause_suggestions(session: Session, workspace_id: int) -> list[str]:
    """The root-cause tags the workspace's cases carry, the most used first (then in
    alphabetical order), each once in the workspace's spelling (``root_causes_in_use``):
    the case page offers them so people reuse a tag rather than spell a new one."""
    return [use.tag for use in root_causes_in_use(session, workspace_id)[:SUGGESTED_TAGS]]


def root_cause_report(session: Session, workspace_id: int) -> list[RootCauseUse]:
    """The workspace's root causes by how many cases carry them, the most used first (at
    most ``REPORTED_TAGS``), each tag once whatever its spelling: the processes that let
    customers down most often (the inbox shows it under the cases)."""
    return root_causes_in_use(session, workspace_id)[:REPORTED_TAGS]


@dataclass(frozen=True)
class ResponseLine:
    id: int
    submitted_at: datetime
    channel: str
    nps: int | None
    csat: int | None
    ces: int | None
    rating: int | None
    comment: str | None


@dataclass(frozen=True)
class EventLine:
    at: datetime
    kind: str
    actor: str
    detail: dict[str, Any] | None
    note: str | None


@dataclass(frozen=True)
class EmailDelivery:
    """The acknowledgement e-mail of a response: pending, sent, failed or bounced."""

    status: str
    error: str | None


@dataclass(frozen=True)
class MessageDelivery:
    """One outbox message of a response: its channel and how far its delivery got."""

    kind: str  # email | webhook
    recipient: str
    status: str  # pending | sent | failed | bounced
    attempts: int
    sent_at: datetime | None
    error: str | None


@dataclass(frozen=True)
class ClosingMessage:
    """What the customer was told when the loop was closed, and where it went."""

    at: datetime
    actor: str
    text: str
    told: list[str]  # the channels queued when the loop was closed (email, webhook)
    deliveries: list[MessageDelivery]  # empty once KANO_OUTBOX_RETENTION_DAYS removed them


@dataclass(frozen=True)
class CaseView:
    line: CaseLine
    row: CaseRow
    response: ResponseLine | None
    other_responses: list[ResponseLine]
    other_cases: list[CaseLine]
    events: list[EventLine]
    acknowledgement: EmailDelivery | None = None
    closing: ClosingMessage | None = None


def _response_line(r: FeedbackResponse) -> ResponseLine:
    return ResponseLine(r.id, r.submitted_at, r.channel, r.nps, r.csat, r.ces, r.rating,
                        r.comment)


def case_view(session: Session, workspace_id: int, case_id: int, now: datetime) -> CaseView | None:
    """One case of this workspace (None when it has no such case)."""
    found = session.execute(_lines_of(workspace_id).where(CaseRow.id == case_id)).first()
    if found is None:
        return None
    row: CaseRow = found[0]
    line = inbox_line(found, now)
    response = None
    acknowledgement = None
    if row.response_id is not None:
        opened_by = session.scalars(select(FeedbackResponse).where(
            FeedbackResponse.workspace_id == workspace_id,
            FeedbackResponse.id == row.response_id)).first()
        response = _response_line(opened_by) if opened_by else None
        acknowledgement = _email_delivery(session, workspace_id, row.response_id)
    other_responses: list[ResponseLine] = []
    other_cases: list[CaseLine] = []
    if row.customer_id is not None:
        other_responses = [_response_line(r) for r in session.scalars(
            select(FeedbackResponse)
            .where(FeedbackResponse.workspace_id == workspace_id,
                   FeedbackResponse.customer_id == row.customer_id,
                   FeedbackResponse.id != (row.response_id or 0))
            .order_by(FeedbackResponse.submitted_at.desc(), FeedbackResponse.id.desc())
            .limit(HISTORY_LIMIT))]
        other_cases = [inbox_line(other, now) for other in session.execute(
            _lines_of(workspace_id)
            .where(CaseRow.customer_id == row.customer_id, CaseRow.id != row.id)
            .order_by(CaseRow.opened_at.desc(), CaseRow.id.desc())
            .limit(HISTORY_LIMIT))]
    events = [EventLine(e.at, e.kind, e.actor, e.detail, e.note) for e in session.scalars(
        select(CaseEventRow)
        .where(CaseEventRow.workspace_id == workspace_id, CaseEventRow.case_id == case_id)
        .order_by(CaseEventRow.at.desc(), CaseEventRow.id.desc()))]
    return CaseView(line, row, response, other_responses, other_cases, events, acknowledgement,
                    closing_message(session, row))


def closing_message(session: Session, row: CaseRow) -> ClosingMessage | None:
    """The message of the event that closed the loop, with the delivery of its outbox
    rows (``loop_closing``: the case's response id, purpose ``loop-closed``); None while
    the loop is open, or for a loop closed before Kano sent closing messages."""
    if row.status != "loop_closed":
        return None
    closed = next((event for event in session.scalars(
        select(CaseEventRow)
        .where(CaseEventRow.workspace_id == row.workspace_id, CaseEventRow.case_id == row.id,
               CaseEventRow.kind == "status")
        .order_by(CaseEventRow.at.desc(), CaseEventRow.id.desc()))
        if (event.detail or {}).get("to") == "loop_closed"), None)
    if closed is None or not (closed.detail or {}).get("message"):
        return None
    deliveries = [] if row.response_id is None else [
        MessageDelivery(m.kind, m.recipient, m.status, m.attempts, m.sent_at, m.last_error)
        for m in session.scalars(
            select(OutboxMessageRow)
            .where(OutboxMessageRow.workspace_id == row.workspace_id,
                   OutboxMessageRow.response_id == row.response_id,
                   OutboxMessageRow.purpose == LOOP_CLOSED_PURPOSE)
            .order_by(OutboxMessageRow.id))
    ]
    detail = closed.detail or {}
    return ClosingMessage(closed.at, closed.actor, str(detail["message"]),
                          [str(kind) for kind in detail.get("told") or []], deliveries)


def _email_delivery(session: Session, workspace_id: int, response_id: int) -> EmailDelivery | None:
    found = session.execute(
        select(OutboxMessageRow.status, OutboxMessageRow.last_error).where(
            OutboxMessageRow.workspace_id == workspace_id,
            OutboxMessageRow.response_id == response_id,
            OutboxMessageRow.purpose == "acknowledgement",
            OutboxMessageRow.kind == "email",
        ).limit(1)
    ).first()
    return EmailDelivery(found.status, found.last_error) if found else None
