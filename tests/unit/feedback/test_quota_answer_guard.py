"""A quota by answer stays meaningful only while the survey asks its question and option:
``answer_asked`` tells, and ``QuotasLoseAnswer`` names the quotas a change would orphan."""

from __future__ import annotations

from kano.domain.feedback.quotas import QuotasLoseAnswer, answer_asked
from kano.domain.feedback.surveys import checked_definition

PLAN = {"key": "plan", "type": "single", "text": {"en": "Your plan?"},
        "choices": [{"key": "basic", "label": {"en": "Basic"}},
                    {"key": "enterprise", "label": {"en": "Enterprise"}}]}
DEFINITION = checked_definition({"questions": [
    {"key": "nps", "type": "nps", "text": {"en": "Recommend us?"}}, PLAN,
    {"key": "why", "type": "text", "text": {"en": "Why?"}}]})


def test_an_answer_is_asked_while_its_choice_question_has_the_option() -> None:
    assert answer_asked(DEFINITION, "plan", "enterprise")
    assert answer_asked(DEFINITION, None, None)  # a quota on no answer
    assert not answer_asked(DEFINITION, "plan", "gold")
    assert not answer_asked(DEFINITION, "seats", "enterprise")
    assert not answer_asked(DEFINITION, "why", "enterprise")  # not a choice question


def test_the_refusal_names_each_quota_and_a_program_gets_them_as_a_list() -> None:
    one = QuotasLoseAnswer(["Plan = Enterprise"])
    two = QuotasLoseAnswer(["Plan = Enterprise", "Plan = Basic"])
    assert one.field == "questions" and one.code == "quota_answer_removed"
    assert one.message.startswith("the quota 'Plan = Enterprise' counts an answer")
    assert two.message.startswith("the quotas 'Plan = Enterprise', 'Plan = Basic' count")
    assert two.details() == {"quotas": ["Plan = Enterprise", "Plan = Basic"]}
