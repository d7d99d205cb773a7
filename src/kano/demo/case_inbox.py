"""The demo company's case inbox, as Kano would have opened and worked it.

The generated company arrives as a file load, which opens no cases; without this the Case
inbox (/cases), the closed loop's showcase, would be empty on the demo. So after the load
the workspace's own case rules are run over its latest responses (``decide_cases``: the
same rules and routing as intake, titles, priorities and SLA deadlines as intake builds
them) and each case gets a history by its age (``case_history``), written through
``update_case`` with the time it happened:

- each case's history is first played out up to the latest response (the data's "now":
  the generated company ends on 31 Oct 2026); the cases it leaves resolved or with the
  loop closed keep those historical dates;
- the cases still open are the inbox's live work, and their SLA clocks run against
  today: left at the data's end, a demo built in December showed every open case
  "overdue by 36+ days". So the open cases are brought forward together by whole days
  (``brought_forward``), as far as puts the newest of them within the day before the
  seeding moment: each is opened that much later, its deadlines are taken again from
  the new opening time (working hours), and its history is played out again, with the
  same draws, up to the newest one's new opening (``played_to``, never after the
  seeding moment). Its response keeps its date (the survey data are not rewritten); the
  case then reads as opened late, which ``describe`` says. Whatever happens after
  ``played_to`` is ``kano worker``'s (escalations) and the user's;
- older cases were mostly answered, resolved with root causes that point at the demo's
  OX processes (``case_stories``) and closed with a message to the customer in their
  language; recent ones are still in progress or new;
- a deadline that passed before the case moved on escalated it at that moment, as
  ``kano worker`` does (level 1: first response overdue; level 2: resolution overdue);
- each case is routed to an owner as it opens (an ``owner`` event by ``kano`` at its
  opening), by the function of the team the routing rules gave it (``case_owners``: a
  delivery team's case to the delivery manager, a support hub's to the customer service
  manager, any other to the head of customer experience), but for the two newest open
  cases, left for triage. Owners are the demo's people when they are members who may
  work cases (``kano demo`` makes them members with the demo strategy); otherwise no case
  gets one;
- the randomness is seeded per response (its time and answers), so reloading the demo
  on the same day gives the same inbox (a day later, the open cases move a day on).

Nothing is sent: the demo has no mail server, and the closing messages of this history
are records (``told`` is empty). A workspace with an active webhook endpoint would be
sent ``case.loop_closed`` events for closes written here, so there the history stops at
resolved.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.case_actions import assign_owner
from kano.adapters.db.case_rules import Candidate, CaseDecision, decide_cases
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import (
    CaseRow,
    FeedbackResponse,
    JourneyStage,
    Survey,
    Touchpoint,
    WebhookEndpointRow,
    utcnow,
)
from kano.adapters.db.views.cases import OPEN_STATUSES
from kano.demo.case_history import (
    STATUS_ORDER,
    History,
    SourceResponse,
    case_event,
    planned_steps,
    stays_open,
    work_case,
)
from kano.demo.case_owners import left_for_triage, owners_by_team
from kano.domain.feedback.answers import Answers
from kano.domain.feedback.case_titles import rule_case_title
from kano.domain.feedback.cases import CaseRule, CaseStatus, business_deadline

WINDOW = timedelta(weeks=16)
"""How far back from the latest response cases are opened. At the demo's size (S) eight
weeks hold about 30 unhappy responses, sixteen about 60: enough for every status and age."""
MAX_CASES = 90
"""At most this many cases, the most recent (a larger company would flood the inbox)."""
BATCH = 2_000


@dataclass(frozen=True)
class InboxReport:
    cases: int
    statuses: dict[str, int]
    escalated: int
    as_of: datetime | None
    closes_held_back: bool = False
    """True when the workspace has active webhooks, so no loop was closed (see above)."""
    brought_forward: timedelta = timedelta(0)
    """How far the open cases were moved forward to the seeding day (whole days)."""
    moved: int = 0
    """How many cases were brought forward."""
    played_to: datetime | None = None
    """The moment the moved cases' histories run to (the newest one's opening)."""
    owned: int = 0
    """How many cases were routed to an owner."""
    unowned_open: int = 0
    """How many open cases were left without an owner."""


def seed_case_inbox(
    session: Session, workspace_id: int, *, now: datetime | None = None, language: str = "en"
) -> InboxReport:
    """Open and work the workspace's cases from its latest responses (the caller
    commits). Responses that already have a case are left alone. ``now`` (naive UTC,
    default: this moment) is the seeding moment the open cases are brought forward to;
    the owners' notes are written in ``language``, the demo's (``case_notes``)."""
    as_of = session.scalar(
        select(FeedbackResponse.submitted_at)
        .where(FeedbackResponse.workspace_id == workspace_id)
        .order_by(FeedbackResponse.submitted_at.desc())
        .limit(1)
    )
    if as_of is None:
        return InboxReport(0, {}, 0, None)
    matched = _matching_responses(session, workspace_id, as_of)
    closes_held_back = _has_active_webhooks(session, workspace_id)
    rows = [_case_row(workspace_id, response, decision) for response, decision in matched]
    histories = [History.of(response) for response, _ in matched]
    plans = [
        planned_steps(history.draws(), row, decision.rule, as_of)
        for row, history, (_, decision) in zip(rows, histories, matched, strict=True)
    ]
    still_open = [index for index, steps in enumerate(plans) if stays_open(steps)]
    newest = max((rows[index].opened_at for index in still_open), default=None)
    shift = brought_forward(newest, now or utcnow()) if newest else timedelta(0)
    played_to = newest + shift if newest and shift else None
    if played_to is not None:
        for index in still_open:
            row, rule = rows[index], matched[index][1].rule
            _open_at(row, rule, row.opened_at + shift)
            plans[index] = planned_steps(histories[index].draws(), row, rule, played_to)
    session.add_all(rows)
    session.flush()  # ids for the events
    owners = owners_by_team(session, workspace_id)
    triage = left_for_triage(
        [row.opened_at for row in rows],
        [any(step.status is not None for step in steps) for steps in plans],
        still_open,
    )
    statuses: Counter[str] = Counter()
    escalated = owned = 0
    for index, (row, history, steps, (response, decision)) in enumerate(zip(
        rows, histories, plans, matched, strict=True
    )):
        session.add(case_event(row, row.opened_at, "opened", "kano",
                           {"rule": decision.rule.key, "response_id": response.id}))
        team = row.owner_team_id
        owner = None if index in triage or team is None else owners.get(team)
        if owner is not None:
            owned += assign_owner(session, workspace_id, [row.id], owner, "kano",
                                  at=row.opened_at)
        work_case(session, row, history, steps, may_close=not closes_held_back, language=language)
        statuses[row.status] += 1
        escalated += row.escalation_level > 0
    session.flush()
    return InboxReport(len(rows), dict(statuses), escalated, as_of, closes_held_back,
                       shift if played_to else timedelta(0),
                       len(still_open) if played_to else 0, played_to, owned,
                       sum(row.owner_user_id is None for row in rows
                           if row.status in OPEN_STATUSES))


def brought_forward(newest: datetime, now: datetime) -> timedelta:
    """The whole days from the newest open case's opening to ``now`` (none when ``now``
    is not later): whole days keep a reload on the same day identical, and the newest
    case lands within the day before ``now``."""
    return timedelta(days=max(0, (now - newest).days))


def _matching_responses(
    session: Session, workspace_id: int, as_of: datetime
) -> list[tuple[SourceResponse, CaseDecision]]:
    """The newest responses of the window that a rule matches, oldest first, at most
    ``MAX_CASES``; read newest first in batches so a large company stops early."""
    has_case = select(CaseRow.response_id).where(
        CaseRow.workspace_id == workspace_id, CaseRow.response_id.is_not(None)
    )
    query = (
        select(
            FeedbackResponse.id, FeedbackResponse.submitted_at, FeedbackResponse.nps,
            FeedbackResponse.csat, FeedbackResponse.ces, FeedbackResponse.rating,
            FeedbackResponse.comment, FeedbackResponse.language, FeedbackResponse.customer_id,
            FeedbackResponse.touchpoint_id, Survey.name, JourneyStage.key,
            Touchpoint.owner_team_id,
        )
        .outerjoin(Survey, Survey.id == FeedbackResponse.survey_id)
        .outerjoin(Touchpoint, Touchpoint.id == FeedbackResponse.touchpoint_id)
        .outerjoin(JourneyStage, JourneyStage.id == Touchpoint.stage_id)
        .where(
            FeedbackResponse.workspace_id == workspace_id,
            FeedbackResponse.submitted_at > as_of - WINDOW,
            FeedbackResponse.id.not_in(has_case),
        )
        .order_by(FeedbackResponse.submitted_at.desc(), FeedbackResponse.id.desc())
    )
    found: list[tuple[SourceResponse, CaseDecision]] = []
    result = session.execute(query.execution_options(yield_per=BATCH))
    for batch in result.partitions():
        responses = [
            SourceResponse(id_, at, Answers(nps, csat, ces, rating, comment), language, customer,
                      touchpoint, survey, stage, owner)
            for (id_, at, nps, csat, ces, rating, comment, language, customer, touchpoint,
                 survey, stage, owner) in batch
        ]  # fmt: skip
        decisions = decide_cases(
            session,
            workspace_id,
            [Candidate(r.answers, r.customer_id, r.touchpoint_id) for r in responses],
        )
        found += [(r, d) for r, d in zip(responses, decisions, strict=True) if d is not None]
        if len(found) >= MAX_CASES:
            break
    result.close()
    return found[:MAX_CASES][::-1]


def _has_active_webhooks(session: Session, workspace_id: int) -> bool:
    return (
        session.scalar(
            select(WebhookEndpointRow.id)
            .where(
                WebhookEndpointRow.workspace_id == workspace_id,
                WebhookEndpointRow.active.is_(True),
            )
            .limit(1)
        )
        is not None
    )


def _case_row(workspace_id: int, response: SourceResponse, decision: CaseDecision) -> CaseRow:
    """The case intake would have opened a minute after the response arrived, titled as
    intake titles it (pages show the rule's words in the reader's language)."""
    rule = decision.rule
    opened = response.submitted_at + timedelta(minutes=1)
    row = CaseRow(
        workspace_id=workspace_id,
        response_id=response.id,
        customer_id=response.customer_id,
        touchpoint_id=response.touchpoint_id,
        rule=rule.key,
        title=rule_case_title(response.survey_name, rule.key),
        priority=rule.priority,
        status=CaseStatus.NEW.value,
        owner_team_id=response.owner_team_id if decision.team_id is None else decision.team_id,
        escalation_level=0,
    )
    _open_at(row, rule, opened)
    return row


def _open_at(row: CaseRow, rule: CaseRule, opened: datetime) -> None:
    """The opening time and the SLA deadlines intake derives from it."""
    row.opened_at = opened
    row.first_response_due_at = business_deadline(opened, rule.first_response_hours)
    row.resolution_due_at = business_deadline(opened, rule.resolution_hours)


def seed_demo_case_inbox(
    sessions: sessionmaker[Session], workspace: str, language: str = "en"
) -> InboxReport:
    """``seed_case_inbox`` for the workspace with this slug, in its own transaction."""
    with transaction(sessions) as session:
        workspace_id = accounts.get_workspace(session, workspace).id
        return seed_case_inbox(session, workspace_id, language=language)


def load_demo_case_inbox(workspace: str, language: str = "en") -> InboxReport:
    """``seed_demo_case_inbox`` on the configured database (what ``kano demo`` calls)."""
    from kano.bootstrap import build_container

    container = build_container()
    try:
        return seed_demo_case_inbox(container.sessions, workspace, language)
    finally:
        container.close()


def describe(report: InboxReport) -> str:
    """One line for the command's output."""
    order: Sequence[str] = [status.value for status in STATUS_ORDER]
    parts = ", ".join(
        f"{report.statuses[s]} {s.replace('_', ' ')}" for s in order if report.statuses.get(s)
    )
    held = " (loops left open: the workspace has webhooks)" if report.closes_held_back else ""
    owned = (
        f" {report.owned} routed to their owners, {report.unowned_open} open left for "
        "triage."
        if report.owned else ""
    )
    moved = (
        f" The {report.moved} cases open at the data's end ({report.as_of:%d %b %Y}) were "
        f"brought forward {report.brought_forward.days} days, so their SLA clocks run "
        "against today (their responses keep their dates)."
        if report.moved and report.as_of else ""
    )
    return (f"Opened {report.cases} demo cases ({parts}; {report.escalated} escalated)"
            f"{held}.{owned}{moved}")
