"""Cases of the closed loop: which responses open one, by when it must be answered, and
the order its statuses go in.

Rules are data, not code: a score threshold (``nps <= 6``), a keyword in the comment, a
VIP customer, a segment or a comment that reads negative (the workspace's stored sentiment
model); a workspace keeps its own list (none: ``DEFAULT_RULES``).
The defaults follow common practice — detractors (NPS 0–6), dissatisfied (CSAT 1–2) and
hard-to-deal-with (CES 2.0 agreement 1–3; on our scale 7 means "very easy", so the
"CES ≥ 5" of effort scales where 7 is hardest is ``ces <= 3`` here).

Deadlines count business hours only (Monday–Friday, 09:00–17:00, in UTC until
workspaces get their own calendar): a case opened on Friday at 16:00 with a 4-hour first
response is due on Monday at 12:00.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any

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


RULE_KINDS = ("score", "keyword", "vip", "segment", "sentiment")
DEFAULT_NEGATIVE_PROBABILITY = 0.8
QUESTIONS = ("nps", "csat", "ces", "rating")
_SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7), "rating": (1, 5)}


@dataclass(frozen=True)
class CustomerFacts:
    """What a rule may know about the respondent: their external id, free attributes and
    segment key (all empty for an anonymous response)."""

    external_id: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    segment: str | None = None

    @property
    def vip_attribute(self) -> bool:
        """The customer attribute ``vip: true`` (also the text "true"/"yes" or 1, as
        spreadsheets and imports write it)."""
        value = self.attributes.get("vip")
        if isinstance(value, str):
            return value.strip().casefold() in {"true", "yes", "1"}
        return value is True or value == 1


@dataclass(frozen=True)
class CaseRule:
    """When a response opens a case, how urgent it is and (optionally) who gets it.

    ``kind`` says what the rule looks at:

    - ``score``: ``question`` compared to ``threshold`` (``nps <= 6``);
    - ``keyword``: the comment contains one of ``keywords`` (case-insensitive);
    - ``vip``: the customer is a VIP — the attribute ``vip: true`` when
      ``vip_attribute``, or an external id listed in ``vip_accounts``;
    - ``segment``: the customer is in the segment ``segment``;
    - ``sentiment``: the comment reads negative — the workspace's sentiment model gives
      it a probability of negative of at least ``threshold_probability`` (no model, or no
      comment: the rule does not fire).

    On keyword, vip, segment and sentiment rules a ``question`` narrows the rule: both must hold
    ("a VIP who answers NPS 8 or less"). Without ``kind`` a rule with keywords and no
    question is a keyword rule, else a score rule (the rules written before kinds).
    """

    key: str
    question: str | None = None  # nps | csat | ces | rating
    comparison: str = "<="
    threshold: int = 0
    keywords: tuple[str, ...] = ()
    priority: int = 2  # 1 = most urgent
    first_response_hours: float = 4.0
    resolution_hours: float = 24.0
    kind: str = ""
    segment: str | None = None
    vip_attribute: bool = False
    vip_accounts: tuple[str, ...] = ()
    team: str | None = None  # route-to team key; None: the routing table decides
    enabled: bool = True
    threshold_probability: float = DEFAULT_NEGATIVE_PROBABILITY  # sentiment rules

    def __post_init__(self) -> None:
        if not self.kind:
            inferred = "keyword" if self.keywords and self.question is None else "score"
            object.__setattr__(self, "kind", inferred)
        _check_rule(self)

    def _score_holds(self, answers: Answers) -> bool:
        if self.question is None:
            return True
        score = getattr(answers, self.question)
        return score is not None and _COMPARISONS[self.comparison](score, self.threshold)

    def _keyword_found(self, answers: Answers) -> bool:
        if not self.keywords or not answers.comment:
            return False
        text = answers.comment.casefold()
        return any(keyword.casefold() in text for keyword in self.keywords)

    def matches(
        self,
        answers: Answers,
        customer: CustomerFacts | None = None,
        negative_probability: float | None = None,
    ) -> bool:
        """Whether this response (from this customer, its comment read as negative with
        this probability; None: not scored) opens a case under this rule."""
        if not self.enabled:
            return False
        if self.kind == "sentiment":
            return (
                negative_probability is not None
                and negative_probability == negative_probability  # not NaN
                and negative_probability >= self.threshold_probability
                and self._score_holds(answers)
            )
        if self.kind == "score":
            # Rules from before kinds could hold keywords as well: either opens a case.
            return (self.question is not None and self._score_holds(answers)) or (
                self._keyword_found(answers)
            )
        if self.kind == "keyword":
            return self._keyword_found(answers) and self._score_holds(answers)
        facts = customer or _NO_FACTS
        if self.kind == "vip":
            vip = (self.vip_attribute and facts.vip_attribute) or (
                facts.external_id is not None and facts.external_id in self.vip_accounts
            )
            return vip and self._score_holds(answers)
        return (
            facts.segment is not None
            and facts.segment == self.segment
            and self._score_holds(answers)
        )


_NO_FACTS = CustomerFacts()  # an anonymous respondent


def _check_rule(rule: CaseRule) -> None:
    """``InvalidInput`` naming the field of the first thing wrong with ``rule``."""
    if not rule.key or not rule.key.strip():
        raise InvalidInput("key", "give the rule a key")
    if rule.kind not in RULE_KINDS:
        raise InvalidInput("kind", f"use one of {', '.join(RULE_KINDS)}")
    if rule.question is not None:
        if rule.question not in QUESTIONS:
            raise InvalidInput("question", f"use one of {', '.join(QUESTIONS)}")
        low, high = _SCALES[rule.question]
        if not low <= rule.threshold <= high:
            raise InvalidInput(
                "threshold", f"{rule.question} runs from {low} to {high}, not {rule.threshold}"
            )
    if rule.comparison not in _COMPARISONS:
        raise InvalidInput("comparison", f"use one of {', '.join(_COMPARISONS)}")
    if rule.kind == "score" and rule.question is None and not rule.keywords:
        raise InvalidInput("question", f"{rule.key}: a score rule needs a question and threshold")
    if any(not keyword.strip() for keyword in rule.keywords):
        raise InvalidInput("keywords", "a keyword must not be blank (it would match anything)")
    if rule.kind == "keyword" and not rule.keywords:
        raise InvalidInput("keywords", "a keyword rule needs at least one keyword")
    if rule.kind == "vip" and not rule.vip_attribute and not rule.vip_accounts:
        raise InvalidInput(
            "vip_accounts", "a vip rule needs vip_attribute: true or listed account ids"
        )
    if rule.kind == "segment" and not rule.segment:
        raise InvalidInput("segment", "a segment rule needs the segment's key")
    if isinstance(rule.threshold_probability, bool) or not (
        0 < rule.threshold_probability <= 1
    ):
        raise InvalidInput(
            "threshold_probability",
            "give the probability of negative above which a case opens, above 0 and at most 1",
        )
    if not 1 <= rule.priority <= 5:
        raise InvalidInput("priority", "use 1 (most urgent) to 5")
    if not 0 < rule.first_response_hours <= 10_000:
        raise InvalidInput("first_response_hours", "give a number of hours above 0")
    if not rule.first_response_hours <= rule.resolution_hours <= 10_000:
        raise InvalidInput(
            "resolution_hours", "must be at least first_response_hours (and at most 10000)"
        )


def uses_sentiment(rules: Sequence[CaseRule]) -> bool:
    """Whether an enabled rule reads the comment's sentiment (only then is a model loaded
    and anything scored)."""
    return any(rule.enabled and rule.kind == "sentiment" for rule in rules)


def check_rules(rules: Sequence[CaseRule]) -> None:
    """A workspace's rule list: keys unique (``rules.<i>.key`` names the repeat)."""
    seen: set[str] = set()
    for index, rule in enumerate(rules):
        if rule.key in seen:
            raise InvalidInput(f"rules.{index}.key", f"the key {rule.key!r} is used twice")
        seen.add(rule.key)


DEFAULT_RULES = (
    CaseRule("detractor", "nps", "<=", 6, priority=2, first_response_hours=4, resolution_hours=24),
    CaseRule(
        "dissatisfied", "csat", "<=", 2, priority=2, first_response_hours=4, resolution_hours=24
    ),
    CaseRule(
        "hard-to-deal-with", "ces", "<=", 3, priority=3, first_response_hours=8, resolution_hours=40
    ),
)


def first_matching_rule(
    rules: Sequence[CaseRule],
    answers: Answers,
    customer: CustomerFacts | None = None,
    negative_probability: float | None = None,
) -> CaseRule | None:
    """The most urgent rule that matches, the earlier in the list on a tie (one response
    opens at most one case)."""
    matching = [rule for rule in rules if rule.matches(answers, customer, negative_probability)]
    return min(matching, key=lambda rule: rule.priority) if matching else None


@dataclass(frozen=True)
class CaseRoute:
    """A line of the routing table: cases at ``touchpoint`` and/or from customers in
    ``segment`` go to ``team`` (keys; at least one of touchpoint and segment)."""

    team: str
    touchpoint: str | None = None
    segment: str | None = None

    def __post_init__(self) -> None:
        if not self.team:
            raise InvalidInput("team", "give the team's key")
        if self.touchpoint is None and self.segment is None:
            raise InvalidInput("touchpoint", "give a touchpoint, a segment or both")

    @property
    def specificity(self) -> int:
        """Touchpoint and segment (3) beat segment alone (2), which beats touchpoint
        alone (1): a segment's team (key accounts) takes its customers' cases anywhere."""
        return (2 if self.segment is not None else 0) + (1 if self.touchpoint is not None else 0)

    def applies(self, touchpoint: str | None, segment: str | None) -> bool:
        return (self.touchpoint is None or self.touchpoint == touchpoint) and (
            self.segment is None or self.segment == segment
        )


def case_team(
    rule: CaseRule,
    routes: Sequence[CaseRoute],
    touchpoint: str | None,
    segment: str | None,
) -> str | None:
    """The team key a case goes to: the rule's team, else the most specific route that
    applies (the earlier on a tie), else None — the touchpoint's owner team."""
    if rule.team is not None:
        return rule.team
    applying = [route for route in routes if route.applies(touchpoint, segment)]
    if not applying:
        return None
    return max(applying, key=lambda route: route.specificity).team


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
