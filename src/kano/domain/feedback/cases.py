"""Cases of the closed loop: which responses open one, by when it must be answered, and
the order its statuses go in.

Rules are data, not code: a score threshold (``nps <= 6``) or a keyword in the comment.
The defaults follow common practice — detractors (NPS 0–6), dissatisfied (CSAT 1–2) and
hard-to-deal-with (CES 2.0 agreement 1–3; on our scale 7 means "very easy", so the
"CES ≥ 5" of effort scales where 7 is hardest is ``ces <= 3`` here).

Deadlines count business hours only (Monday–Friday, 09:00–17:00, in UTC until
workspaces get their own calendar): a case opened on Friday at 16:00 with a 4-hour first
response is due on Monday at 12:00.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from kano.domain.feedback.answers import Answers
from kano.domain.shared.errors import InvalidInput

WORKDAY_START = time(9, 0)
WORKDAY_END = time(17, 0)
WORKING_DAYS = frozenset(range(5))  # Monday … Friday

_COMPARISONS: dict[str, Callable[[int, int], bool]] = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
    "=": operator.eq,
}


class CaseStatus(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    LOOP_CLOSED = "loop_closed"  # the customer has been told what changed


_NEXT = {
    CaseStatus.NEW: {CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED},
    CaseStatus.IN_PROGRESS: {CaseStatus.RESOLVED},
    CaseStatus.RESOLVED: {CaseStatus.LOOP_CLOSED, CaseStatus.IN_PROGRESS},
    CaseStatus.LOOP_CLOSED: set(),
}


def check_transition(current: CaseStatus, wanted: CaseStatus) -> None:
    if wanted not in _NEXT[current]:
        allowed = ", ".join(sorted(s.value for s in _NEXT[current])) or "nothing (it is final)"
        raise InvalidInput("status", f"a {current.value} case can go to {allowed}")


@dataclass(frozen=True)
class CaseRule:
    """Opens a case when ``question`` compares to ``threshold`` (or, for ``keyword``
    rules, when the comment contains one of ``keywords``)."""

    key: str
    question: str | None = None  # nps | csat | ces | rating
    comparison: str = "<="
    threshold: int = 0
    keywords: tuple[str, ...] = ()
    priority: int = 2  # 1 = most urgent
    first_response_hours: float = 4.0
    resolution_hours: float = 24.0

    def __post_init__(self) -> None:
        if self.question is None and not self.keywords:
            raise InvalidInput("rule", f"{self.key}: give a question and threshold, or keywords")
        if self.comparison not in _COMPARISONS:
            raise InvalidInput("comparison", f"use one of {', '.join(_COMPARISONS)}")

    def matches(self, answers: Answers) -> bool:
        if self.question is not None:
            score = getattr(answers, self.question)
            if score is not None and _COMPARISONS[self.comparison](score, self.threshold):
                return True
        if self.keywords and answers.comment:
            text = answers.comment.casefold()
            return any(keyword.casefold() in text for keyword in self.keywords)
        return False


DEFAULT_RULES = (
    CaseRule("detractor", "nps", "<=", 6, priority=2, first_response_hours=4, resolution_hours=24),
    CaseRule(
        "dissatisfied", "csat", "<=", 2, priority=2, first_response_hours=4, resolution_hours=24
    ),
    CaseRule(
        "hard-to-deal-with", "ces", "<=", 3, priority=3, first_response_hours=8, resolution_hours=40
    ),
)


def first_matching_rule(rules: Sequence[CaseRule], answers: Answers) -> CaseRule | None:
    """The most urgent rule that matches (one response opens at most one case)."""
    matching = [rule for rule in rules if rule.matches(answers)]
    return min(matching, key=lambda rule: rule.priority) if matching else None


def business_deadline(start: datetime, hours: float) -> datetime:
    """``start`` plus ``hours`` of working time (Mon–Fri 09:00–17:00)."""
    if hours < 0:
        raise InvalidInput("hours", "must not be negative")
    remaining = timedelta(hours=hours)
    moment = _next_working_moment(start)
    while True:
        day_end = datetime.combine(moment.date(), WORKDAY_END)
        if moment + remaining <= day_end:
            return moment + remaining
        remaining -= day_end - moment
        moment = _next_working_moment(day_end + timedelta(microseconds=1))


def _next_working_moment(moment: datetime) -> datetime:
    """``moment`` if it is within working hours, else the start of the next working day."""
    while True:
        if moment.weekday() in WORKING_DAYS:
            opening = datetime.combine(moment.date(), WORKDAY_START)
            closing = datetime.combine(moment.date(), WORKDAY_END)
            if moment < opening:
                return opening
            if moment < closing:
                return moment
        moment = datetime.combine(moment.date() + timedelta(days=1), WORKDAY_START)
