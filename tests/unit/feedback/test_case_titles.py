"""A rule-opened case's title, written one way by intake, bulk intake and the demo
(``kano.domain.feedback.case_titles``), and recognised again so pages can show the
rule's words in the reader's language."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kano.domain.feedback.case_titles import NO_SURVEY, rule_case_title, title_survey_name
from kano.domain.feedback.cases import DEFAULT_RULES

RULE_KEYS = st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True)


def test_a_title_is_the_survey_and_the_rule_key_in_words() -> None:
    assert rule_case_title("Relationship NPS", "hard-to-deal-with") == (
        "Relationship NPS: hard to deal with")  # fmt: skip
    assert rule_case_title("Опрос", "detractor") == "Опрос: detractor"  # stored in English words
    assert rule_case_title(None, "dissatisfied") == f"{NO_SURVEY}: dissatisfied"
    assert rule_case_title("Опрос", "detractor", "критик") == "Опрос: критик"


def test_only_a_title_in_the_rule_form_gives_back_its_survey() -> None:
    for rule in DEFAULT_RULES:
        assert title_survey_name(rule_case_title("After delivery", rule.key), rule.key) == (
            "After delivery")  # fmt: skip
    assert title_survey_name("Refund promised by phone", "detractor") is None
    assert title_survey_name("After delivery: detractor", "dissatisfied") is None
    assert title_survey_name("After delivery: detractor", None) is None
    assert title_survey_name(": detractor", "detractor") is None


@given(survey=st.text(min_size=1, max_size=60), rule=RULE_KEYS)
def test_every_title_written_is_recognised_with_its_survey(survey: str, rule: str) -> None:
    assert title_survey_name(rule_case_title(survey, rule), rule) == survey
