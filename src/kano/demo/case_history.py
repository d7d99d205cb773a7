"""How a demo case was worked: who worked it, what they wrote, and its moves by its age.

``kano.demo.case_inbox`` opens the demo's cases; this module plays out each one's history
through ``update_case`` at the time each move happened (the module docstring there tells
the whole story):

- older cases were mostly answered, resolved with root causes that point at the demo's
  OX processes (``case_stories``) and closed with a message to the customer in their
  language; recent ones are still in progress or new;
- a deadline that passed before the case moved on escalated it at that moment, as
  ``kano worker`` does (level 1: first response overdue; level 2: resolution overdue);
- the randomness is seeded per response (its time and answers), so a case brought
  forward is played out again with the same draws (``History.draws``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from kano.adapters.db.case_actions import update_case
from kano.adapters.db.orm import CaseEventRow, CaseRow
from kano.demo.case_notes import note_in
from kano.demo.case_owners import CX_LEAD, DELIVERY_MANAGER, SERVICE_MANAGER
from kano.demo.case_stories import (
    FIRST_CONTACT_NOTES,
    PROCESS_WEIGHTS,
    STAGE_FALLBACK,
    STAGE_PROCESS,
    STORIES,
    CaseStory,
    comment_topic,
    process_of_topic,
)
from kano.domain.feedback.answers import Answers
from kano.domain.feedback.cases import CaseRule, CaseStatus, business_deadline

# Who works a case: the manager of its touchpoint's process, else (relationship and
# purchase feedback) the head of customer experience (the demo's people,
# ``kano.demo.strategy.DEMO_PEOPLE``).
WORKER_OF_PROCESS = {
    "delivery": DELIVERY_MANAGER,
    "support": SERVICE_MANAGER,
    "onboarding": CX_LEAD,
}

STATUS_ORDER = (CaseStatus.NEW, CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED, CaseStatus.LOOP_CLOSED)
# The status a case is meant to reach by its age in days (older first): from the minimum
# age, the chances of new, in progress, resolved, loop closed. Whether it got there also
# depends on whether its moves fall before the data's "now".
# A team that mostly keeps its SLA: a case left new for days or in progress for weeks is
# the exception (a few long-breached ones remain, as in any real inbox).
_TARGETS: tuple[tuple[float, tuple[float, float, float, float]], ...] = (
    (35, (0, 0, 0.1, 0.9)),
    (14, (0, 0.03, 0.27, 0.7)),
    (7, (0, 0.2, 0.45, 0.35)),
    (3, (0.05, 0.35, 0.45, 0.15)),
    (1, (0.2, 0.6, 0.2, 0)),
    (0, (0.8, 0.2, 0, 0)),
)
# How many of the moves (first response, its note, resolved, loop closed) reach a status.
_MOVES_TO = {CaseStatus.NEW: 0, CaseStatus.IN_PROGRESS: 2, CaseStatus.RESOLVED: 3,
             CaseStatus.LOOP_CLOSED: 4}


@dataclass(frozen=True)
class SourceResponse:
    """The response a demo case is opened from: what its history is drawn from."""

    id: int
    submitted_at: datetime
    answers: Answers
    language: str | None
    customer_id: int | None
    touchpoint_id: int | None
    survey_name: str | None
    stage: str | None
    owner_team_id: int | None


@dataclass(frozen=True)
class Step:
    """One move of a case's planned history, at the moment it happened."""

    at: datetime
    kind: str  # status | note | escalated
    status: CaseStatus | None = None
    level: int = 0


def case_event(
    row: CaseRow, at: datetime, kind: str, actor: str, detail: dict[str, object]
) -> CaseEventRow:
    return CaseEventRow(workspace_id=row.workspace_id, case_id=row.id, at=at, kind=kind,
                        actor=actor, detail=detail)


def _story(rng: random.Random, response: SourceResponse) -> CaseStory:
    """The process behind the complaint (the touchpoint's stage, else what the comment is
    about, else the stage's usual suspect or a likely one) and a story of it, matching the
    comment's topic if it has one."""
    topic = comment_topic(response.answers.comment)
    process = (
        STAGE_PROCESS.get(response.stage or "")
        or process_of_topic(topic)
        or STAGE_FALLBACK.get(response.stage or "")
        or rng.choices(list(PROCESS_WEIGHTS), weights=list(PROCESS_WEIGHTS.values()))[0]
    )
    stories = [s for s in STORIES if s.process == process]
    on_topic = [s for s in stories if topic in s.topics]
    return rng.choice(on_topic or stories)


def _target(rng: random.Random, age_days: float) -> CaseStatus:
    for minimum, weights in _TARGETS:
        if age_days >= minimum:
            return rng.choices(STATUS_ORDER, weights=weights)[0]
    return CaseStatus.NEW


def planned_steps(
    rng: random.Random, row: CaseRow, rule: CaseRule, as_of: datetime
) -> list[Step]:
    """The case's moves up to ``as_of``, in time order: first response (with a note),
    resolution, loop closed — as far as its target status — and the escalations the
    worker would have made on the way."""
    opened = row.opened_at
    target = _target(rng, (as_of - opened).total_seconds() / 86_400)
    late_first = rng.random() < 0.25
    answered = business_deadline(
        opened,
        rule.first_response_hours * (rng.uniform(1.2, 4) if late_first else rng.uniform(0.1, 0.9)),
    )
    noted = answered + timedelta(minutes=rng.randint(5, 40))
    late_resolution = rng.random() < 0.3
    resolved = max(
        business_deadline(
            opened,
            rule.resolution_hours
            * (rng.uniform(1.1, 2.5) if late_resolution else rng.uniform(0.4, 0.95)),
        ),
        business_deadline(noted, 0.5),
    )
    closed = business_deadline(resolved, rng.uniform(1, 16))
    moves = (  # in time order, each later than the one before
        Step(answered, "status", CaseStatus.IN_PROGRESS),
        Step(noted, "note"),
        Step(resolved, "status", CaseStatus.RESOLVED),
        Step(closed, "status", CaseStatus.LOOP_CLOSED),
    )
    steps = [move for move in moves[: _MOVES_TO[target]] if move.at <= as_of]
    done = {step.status: step.at for step in steps if step.status is not None}
    first_due, resolution_due = row.first_response_due_at, row.resolution_due_at
    if first_due <= as_of and done.get(CaseStatus.IN_PROGRESS, datetime.max) > first_due:
        steps.append(Step(first_due, "escalated", level=1))
    if resolution_due <= as_of and done.get(CaseStatus.RESOLVED, datetime.max) > resolution_due:
        steps.append(Step(resolution_due, "escalated", level=2))
    return sorted(steps, key=lambda step: step.at)


def stays_open(steps: list[Step]) -> bool:
    return not any(step.status is CaseStatus.RESOLVED for step in steps)


@dataclass(frozen=True)
class History:
    """Who works a case and what they write, and the random state its plan starts from
    (so a case brought forward is played out again with the same draws)."""

    story: CaseStory
    actor: str
    first_note: str
    language: str
    state: tuple[object, ...]

    @classmethod
    def of(cls, response: SourceResponse) -> History:
        answers = response.answers
        rng = random.Random(
            f"kano-demo-case|{response.submitted_at.isoformat()}|{answers.nps}|"
            f"{answers.csat}|{answers.ces}|{answers.rating}"
        )
        story = _story(rng, response)
        own_process = STAGE_PROCESS.get(response.stage or "") == story.process
        actor = WORKER_OF_PROCESS[story.process] if own_process else CX_LEAD
        first_note = rng.choice(FIRST_CONTACT_NOTES)
        language = response.language if response.language in story.messages else "en"
        return cls(story, actor, first_note, language or "en", rng.getstate())

    def draws(self) -> random.Random:
        rng = random.Random()
        rng.setstate(self.state)
        return rng


def work_case(
    session: Session,
    row: CaseRow,
    history: History,
    steps: list[Step],
    *,
    may_close: bool,
    language: str = "en",
) -> None:
    """Write the case's moves and escalations (the notes in ``language``, the closing
    message in the customer's)."""
    story, actor = history.story, history.actor
    for step in steps:
        if step.kind == "escalated":
            _escalate(session, row, step)
        elif step.kind == "note":
            update_case(session, row, actor, note=note_in(history.first_note, language),
                        at=step.at)
        elif step.status is CaseStatus.RESOLVED:
            update_case(session, row, actor, status=step.status.value,
                        root_causes=list(story.root_causes),
                        note=note_in(story.note, language), at=step.at)
        elif step.status is CaseStatus.LOOP_CLOSED:
            if may_close:
                update_case(session, row, actor, status=step.status.value,
                            message=story.messages[history.language], at=step.at)
        elif step.status is not None:
            update_case(session, row, actor, status=step.status.value, at=step.at)


def _escalate(session: Session, row: CaseRow, step: Step) -> None:
    """What ``kano.adapters.jobs.cases.escalate_overdue_cases`` records, at the deadline."""
    if step.level <= row.escalation_level:
        return
    reason = "resolution overdue" if step.level == 2 else "first response overdue"
    row.escalation_level, row.escalated_at = step.level, step.at
    session.add(case_event(row, step.at, "escalated", "kano",
                           {"level": step.level, "reason": reason}))
