"""Case rules, status order and SLA deadlines in business hours."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kano.domain.feedback.answers import Answers, checked_answers
from kano.domain.feedback.cases import (
    DEFAULT_RULES,
    WORKDAY_END,
    WORKDAY_START,
    CaseRule,
    CaseStatus,
    business_deadline,
    check_transition,
    first_matching_rule,
)
from kano.domain.shared.errors import InvalidInput


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (datetime(2026, 11, 23, 10, 0), 4, datetime(2026, 11, 23, 14, 0)),  # Monday
        (datetime(2026, 11, 27, 16, 0), 4, datetime(2026, 11, 30, 12, 0)),  # Fri → Mon
        (datetime(2026, 11, 28, 11, 0), 1, datetime(2026, 11, 30, 10, 0)),  # Saturday
        (datetime(2026, 11, 23, 7, 30), 8, datetime(2026, 11, 23, 17, 0)),  # before opening
        (datetime(2026, 11, 23, 18, 0), 24, datetime(2026, 11, 26, 17, 0)),  # 3 full days
    ],
)
def test_deadlines_count_working_hours_only(start: datetime, hours: float, due: datetime) -> None:
    assert business_deadline(start, hours) == due


def _working_hours_between(start: datetime, end: datetime) -> float:
    total, moment = timedelta(), start
    step = timedelta(minutes=15)
    while moment < end:
        if moment.weekday() < 5 and WORKDAY_START <= moment.time() < WORKDAY_END:
            total += min(step, end - moment)
        moment += step
    return total.total_seconds() / 3600


@given(
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1)).map(
        lambda d: d.replace(minute=d.minute // 15 * 15, second=0, microsecond=0)
    ),
    quarters=st.integers(min_value=0, max_value=4 * 40),
)
def test_a_deadline_is_exactly_that_much_working_time_later(start: datetime, quarters: int) -> None:
    hours = quarters / 4
    due = business_deadline(start, hours)
    assert due >= start
    assert _working_hours_between(start, due) == pytest.approx(hours)


def test_default_rules_open_cases_for_unhappy_answers_only() -> None:
    assert first_matching_rule(DEFAULT_RULES, Answers(nps=6)).key == "detractor"  # type: ignore[union-attr]
    assert first_matching_rule(DEFAULT_RULES, Answers(nps=7)) is None
    assert first_matching_rule(DEFAULT_RULES, Answers(csat=2)).key == "dissatisfied"  # type: ignore[union-attr]
    assert first_matching_rule(DEFAULT_RULES, Answers(ces=3)).key == "hard-to-deal-with"  # type: ignore[union-attr]
    assert first_matching_rule(DEFAULT_RULES, Answers(ces=6, nps=10, csat=5)) is None


def test_keyword_rules_read_the_comment_case_insensitively() -> None:
    rule = CaseRule("legal", keywords=("lawyer", "ügyvéd"), priority=1)
    assert rule.matches(Answers(nps=10, comment="My Lawyer will call"))
    assert rule.matches(Answers(comment="Az ÜGYVÉDEM keresni fogja önöket"))
    assert not rule.matches(Answers(nps=2, comment="late"))
    assert first_matching_rule((*DEFAULT_RULES, rule), Answers(nps=2, comment="lawyer")) == rule


def test_statuses_go_in_order() -> None:
    check_transition(CaseStatus.NEW, CaseStatus.IN_PROGRESS)
    check_transition(CaseStatus.RESOLVED, CaseStatus.LOOP_CLOSED)
    with pytest.raises(InvalidInput, match="status"):
        check_transition(CaseStatus.NEW, CaseStatus.LOOP_CLOSED)
    with pytest.raises(InvalidInput, match="final"):
        check_transition(CaseStatus.LOOP_CLOSED, CaseStatus.IN_PROGRESS)


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"nps": 11}, "answers.nps"),
        ({"csat": 0}, "answers.csat"),
        ({"ces": 2.5}, "answers.ces"),
        ({"nps": True}, "answers.nps"),
        ({"mood": 3}, "answers.mood"),
        ({}, "answers"),
        ({"comment": "   "}, "answers"),
    ],
)
def test_answers_off_their_scale_name_the_field(raw: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        checked_answers(raw)
    assert error.value.field == field


@given(nps=st.integers(0, 10), csat=st.integers(1, 5), ces=st.integers(1, 7))
def test_answers_on_their_scale_are_kept(nps: int, csat: int, ces: int) -> None:
    assert checked_answers({"nps": nps, "csat": csat, "ces": ces}) == Answers(nps, csat, ces)
