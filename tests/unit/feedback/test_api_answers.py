"""API answers against a survey's questions (``api_answers``), and the quick check of
score-only answers (``checked_scores_fit``) that must decide exactly as it does."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kano.demo.survey_definitions import DEMO_SURVEY_DEFINITIONS
from kano.domain.feedback.answers import SCALES, Answers
from kano.domain.feedback.surveys import (
    KanoCategory,
    SurveyAnswers,
    SurveyDefinition,
    api_answers,
    checked_definition,
    checked_scores_fit,
)
from kano.domain.shared.errors import InvalidInput


def _q(key: str, kind: str, required: bool = False, **more: Any) -> dict[str, Any]:
    return {"key": key, "type": kind, "text": {"en": key}, "required": required, **more}


CHOICES = [{"key": k, "label": {"en": k}} for k in ("price", "speed", "quality")]
MIXED = checked_definition({"questions": [
    _q("nps", "nps", required=True), _q("reason", "single", choices=CHOICES),
    _q("uses", "multi", choices=CHOICES), _q("comment", "text"), _q("other", "text"),
    _q("dark", "kano", dysfunctional={"en": "without"}),
]})
RENAMED = checked_definition({"questions": [
    _q("recommend", "nps", required=True), _q("why", "text"), _q("csat", "text"),
]})
DEFINITIONS = [
    None,
    SurveyDefinition(()),
    MIXED,
    RENAMED,
    *(checked_definition(document) for document in DEMO_SURVEY_DEFINITIONS.values()),
]


def _outcome(check: Any) -> SurveyAnswers | tuple[str, str]:
    try:
        result: SurveyAnswers = check()
        return result
    except InvalidInput as error:
        return error.field, error.message


score = {name: st.none() | st.integers(low, high) for name, (low, high) in SCALES.items()}


@given(
    definition=st.sampled_from(DEFINITIONS),
    scores=st.fixed_dictionaries(score),
    comment=st.none() | st.sampled_from(["late", "  fine  "]),
)
def test_the_quick_check_decides_as_the_full_one(
    definition: SurveyDefinition | None, scores: dict[str, int | None], comment: str | None
) -> None:
    if all(value is None for value in scores.values()) and comment is None:
        return  # checked_answers refuses these before either is asked
    stripped = comment.strip() if comment else None
    answers = Answers(**scores, comment=stripped)
    raw = {k: v for k, v in {**scores, "comment": stripped}.items() if v is not None}
    assert _outcome(lambda: checked_scores_fit(definition, answers)) == _outcome(
        lambda: api_answers(definition, raw)
    )


def test_choices_texts_and_kano_pairs_become_extra_answers() -> None:
    answers = api_answers(MIXED, {
        "nps": 2, "reason": "speed", "uses": ["quality", "price"], "comment": "slow",
        "other": "more", "dark": "must-be", "dark.dysfunctional": "dislike",
    })
    assert answers.scores == Answers(nps=2, comment="slow")
    assert [(e.question, e.value, e.kano_category) for e in answers.extra] == [
        ("reason", "speed", None), ("uses", "price,quality", None), ("other", "more", None),
        ("dark", "must-be/dislike", KanoCategory.MUST_BE),
    ]


@pytest.mark.parametrize(("raw", "field"), [
    ({"nps": "9"}, "answers.nps"),  # a score is a JSON number …
    ({"nps": True}, "answers.nps"),
    ({"nps": 9, "reason": 3}, "answers.reason"),  # … a choice a text …
    ({"nps": 9, "reason": ["price"]}, "answers.reason"),
    ({"nps": 9, "uses": "price"}, "answers.uses"),  # … a multi choice a list
    ({"nps": 9, "uses": ["price", 2]}, "answers.uses"),
    ({"nps": 9, "other": ["a"]}, "answers.other"),
    ({"nps": 9, "dark": "like", "dark.dysfunctional": 1}, "answers.dark.dysfunctional"),
    ({"nps": 9, "dark": "like"}, "answers.dark.dysfunctional"),
    ({"nps": 9, "reason.dysfunctional": "like"}, "answers.reason.dysfunctional"),
    ({"nps": 9, "uses": ["price", "weather"]}, "answers.uses"),
    ({"uses": ["price"]}, "answers.nps"),
])
def test_answers_of_the_wrong_kind_are_refused_naming_the_key(
    raw: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        api_answers(MIXED, raw)
    assert refused.value.field == field


def test_score_keys_mean_the_question_of_that_type_unless_a_question_has_the_key() -> None:
    answers = api_answers(RENAMED, {"nps": 7, "comment": "ok"})
    assert answers.scores == Answers(nps=7, comment="ok")
    assert api_answers(RENAMED, {"nps": 7, "csat": "a text"}).extra[0].question == "csat"
    with pytest.raises(InvalidInput) as twice:
        api_answers(RENAMED, {"nps": 7, "recommend": 8})
    assert twice.value.field == "answers.nps"
    with pytest.raises(InvalidInput) as missing:
        api_answers(RENAMED, {"rating": 3})
    assert missing.value.field == "answers.rating"


def test_null_answers_count_as_not_given() -> None:
    assert api_answers(MIXED, {"nps": 5, "reason": None}).extra == ()
    assert api_answers(None, {"nps": 5, "csat": None}).scores == Answers(nps=5)
