"""Quotas by answer, the pure rules: which (question, option) pairs a response chose, when
an answer quota matches, that it never stops invitations, and the input check."""

from __future__ import annotations

import pytest

from kano.domain.feedback.quotas import (
    Quota,
    QuotaCondition,
    ResponseFacts,
    checked_answer,
    chosen,
    counts_of,
    first_full,
)
from kano.domain.feedback.surveys import ExtraAnswer, KanoCategory, checked_definition
from kano.domain.shared.errors import InvalidInput

DEFINITION = checked_definition({"questions": [
    {"key": "plan", "type": "single", "text": {"en": "Plan?"},
     "choices": [{"key": "basic", "label": {"en": "Basic"}},
                 {"key": "enterprise", "label": {"en": "Enterprise"}}]},
    {"key": "uses", "type": "multi", "text": {"en": "Uses?"},
     "choices": [{"key": "chat", "label": {"en": "Chat"}},
                 {"key": "api", "label": {"en": "API"}}]},
    {"key": "why", "type": "text", "text": {"en": "Why?"}},
]})
ENTERPRISE = QuotaCondition(question="plan", option="enterprise")


def test_a_response_chose_its_single_and_each_of_its_multi_options_not_a_kano_pair() -> None:
    picked = chosen((ExtraAnswer("plan", "enterprise"), ExtraAnswer("uses", "api,chat"),
                     ExtraAnswer("dark", "like/dislike", KanoCategory.ONE_DIMENSIONAL)))
    assert picked == {("plan", "enterprise"), ("uses", "api"), ("uses", "chat")}


def test_an_answer_quota_counts_only_the_responses_with_that_answer() -> None:
    with_it = ResponseFacts("link", choices=chosen((ExtraAnswer("plan", "enterprise"),)))
    other = ResponseFacts("link", choices=chosen((ExtraAnswer("plan", "basic"),)))
    unanswered = ResponseFacts("link")
    api = QuotaCondition(question="uses", option="api")
    multi = ResponseFacts("api", choices=chosen((ExtraAnswer("uses", "chat,api"),)))
    assert [ENTERPRISE.matches(r) for r in (with_it, other, unanswered)] == [True, False, False]
    assert api.matches(multi) and not api.matches(with_it)
    full = Quota(1, "Enterprise", 1, 1, ENTERPRISE)
    assert first_full([full], with_it) == full and first_full([full], other) is None
    assert counts_of([full], [with_it, other, with_it]) == {1: 2}


def test_an_answer_quota_never_stops_invitations() -> None:
    assert not Quota(1, "Enterprise", 1, 1, ENTERPRISE).stops_invitations
    assert Quota(2, "All", 1, 1, QuotaCondition()).stops_invitations


@pytest.mark.parametrize(("question", "option", "field"), [
    ("colour", "red", "question"), ("why", "x", "question"), (None, "basic", "question"),
    ("plan", "gold", "option"), ("plan", None, "option"), ("plan", "chat", "option"),
])
def test_an_answer_the_survey_does_not_have_names_the_field(
    question: str | None, option: str | None, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        checked_answer(DEFINITION, question, option)
    assert refused.value.field == field


def test_a_valid_answer_or_none() -> None:
    assert checked_answer(DEFINITION, " plan ", "enterprise") == ("plan", "enterprise")
    assert checked_answer(DEFINITION, "", None) is None
