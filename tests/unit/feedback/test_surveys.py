"""Survey definitions (validation naming the field), the Kano evaluation table and the
answers checked against a definition."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kano.demo.survey_definitions import DEMO_SURVEY_DEFINITIONS
from kano.domain.feedback.surveys import (
    KanoAnswer,
    KanoCategory,
    QuestionType,
    answers_to,
    checked_definition,
    kano_category,
    kano_summary,
    text_in,
)
from kano.domain.shared.errors import InvalidInput

EN = {"en": "Question?"}


def _q(key: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"key": key, "type": kind, "text": {"en": f"{key}?"}, **extra}


CHOICES = [{"key": "fast", "label": {"en": "Fast", "ru": "Быстро", "hu": "Gyors"}},
           {"key": "cheap", "label": {"en": "Cheap"}},
           {"key": "good", "label": {"en": "Good"}}]

FULL = checked_definition({"questions": [
    _q("nps", "nps", required=True), _q("csat", "csat"), _q("ces", "ces"), _q("rating", "rating"),
    _q("why", "single", choices=CHOICES), _q("what", "multi", choices=CHOICES),
    _q("comment", "text"), _q("more", "text"),
    _q("tracking", "kano", dysfunctional={"en": "Without tracking?"}),
]})


@pytest.mark.parametrize(("functional", "dysfunctional", "category"), [
    ("like", "dislike", KanoCategory.ONE_DIMENSIONAL),
    ("like", "neutral", KanoCategory.ATTRACTIVE),
    ("like", "must-be", KanoCategory.ATTRACTIVE),
    ("like", "live-with", KanoCategory.ATTRACTIVE),
    ("neutral", "dislike", KanoCategory.MUST_BE),
    ("must-be", "dislike", KanoCategory.MUST_BE),
    ("live-with", "dislike", KanoCategory.MUST_BE),
    ("neutral", "neutral", KanoCategory.INDIFFERENT),
    ("live-with", "must-be", KanoCategory.INDIFFERENT),
    ("dislike", "like", KanoCategory.REVERSE),
    ("neutral", "like", KanoCategory.REVERSE),
    ("dislike", "neutral", KanoCategory.REVERSE),
    ("like", "like", KanoCategory.QUESTIONABLE),
    ("dislike", "dislike", KanoCategory.QUESTIONABLE),
])
def test_kano_evaluation_table(functional: str, dysfunctional: str,
                               category: KanoCategory) -> None:
    assert kano_category(functional, dysfunctional) is category


def test_kano_table_counts_match_the_standard_table() -> None:
    counts: dict[KanoCategory, int] = {}
    for functional in KanoAnswer:
        for dysfunctional in KanoAnswer:
            category = kano_category(functional, dysfunctional)
            counts[category] = counts.get(category, 0) + 1
    assert counts == {KanoCategory.ATTRACTIVE: 3, KanoCategory.ONE_DIMENSIONAL: 1,
                      KanoCategory.MUST_BE: 3, KanoCategory.INDIFFERENT: 9,
                      KanoCategory.REVERSE: 7, KanoCategory.QUESTIONABLE: 2}


@pytest.mark.parametrize(("questions", "field"), [
    ([_q("Bad Key", "nps")], "questions[0].key"),
    ([_q("a", "stars")], "questions[0].type"),
    ([{"key": "a", "type": "nps", "text": {"ru": "Вопрос?"}}], "questions[0].text.en"),
    ([{"key": "a", "type": "nps", "text": {"en": "?", "de": "?"}}], "questions[0].text.de"),
    ([_q("a", "nps"), _q("a", "text")], "questions[1].key"),
    ([_q("a", "nps"), _q("b", "nps")], "questions[1].type"),
    ([_q("a", "single", choices=CHOICES[:1])], "questions[0].choices"),
    ([_q("a", "multi", choices=[CHOICES[0], CHOICES[0]])], "questions[0].choices"),
    ([_q("a", "single", choices=[{"key": "x", "label": {"ru": "Х"}}, CHOICES[0]])],
     "questions[0].choices[0].label.en"),
    ([_q("a", "text", choices=CHOICES)], "questions[0].choices"),
    ([_q("a", "kano")], "questions[0].dysfunctional.en"),
    ([{"key": "a", "type": "nps", "text": {"en": "x" * 501}}], "questions[0].text.en"),
])
def test_a_bad_definition_names_the_field(questions: list[dict[str, Any]], field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        checked_definition({"questions": questions})
    assert error.value.field == field


def test_definition_round_trips_through_its_document() -> None:
    assert checked_definition(FULL.to_dict()) == FULL
    assert [q.type for q in FULL.questions][-1] is QuestionType.KANO


def test_every_demo_survey_has_a_valid_definition_in_three_languages() -> None:
    for document in DEMO_SURVEY_DEFINITIONS.values():
        definition = checked_definition(document)
        for question in definition.questions:
            assert set(question.text) == {"en", "ru", "hu"}
    nps = checked_definition(DEMO_SURVEY_DEFINITIONS["relationship-nps"])
    assert [(q.key, q.type) for q in nps.questions] == [
        ("nps", QuestionType.NPS), ("comment", QuestionType.TEXT)]


def test_text_falls_back_to_english() -> None:
    assert text_in({"en": "Fast", "hu": "Gyors"}, "hu") == "Gyors"
    assert text_in({"en": "Fast", "hu": "Gyors"}, "ru") == "Fast"


def test_answers_fill_the_score_columns_and_keep_the_rest() -> None:
    answers = answers_to(FULL, {
        "nps": "3", "csat": "2", "ces": "6", "rating": "4", "why": "cheap",
        "what": ["good", "fast", "good"], "comment": " Late again ", "more": "and rude",
        "tracking": "like", "tracking.dysfunctional": "dislike",
    })
    scores = answers.scores
    assert (scores.nps, scores.csat, scores.ces, scores.rating) == (3, 2, 6, 4)
    assert scores.comment == "Late again"
    extra = {a.question: (a.value, a.kano_category) for a in answers.extra}
    assert extra == {
        "why": ("cheap", None), "what": ("fast,good", None), "more": ("and rude", None),
        "tracking": ("like/dislike", KanoCategory.ONE_DIMENSIONAL),
    }


@pytest.mark.parametrize(("raw", "field"), [
    ({}, "answers.nps"),  # required
    ({"nps": "11"}, "answers.nps"),
    ({"nps": "7.5"}, "answers.nps"),
    ({"nps": "seven"}, "answers.nps"),
    ({"nps": ["3", "4"]}, "answers.nps"),
    ({"nps": "3", "csat": "0"}, "answers.csat"),
    ({"nps": "3", "ces": "8"}, "answers.ces"),
    ({"nps": "3", "why": "slow"}, "answers.why"),
    ({"nps": "3", "why": ["fast", "cheap"]}, "answers.why"),
    ({"nps": "3", "what": ["fast", "nope"]}, "answers.what"),
    ({"nps": "3", "tracking": "like"}, "answers.tracking.dysfunctional"),
    ({"nps": "3", "tracking.dysfunctional": "maybe", "tracking": "like"},
     "answers.tracking.dysfunctional"),
    ({"nps": "3", "extra": "x"}, "answers.extra"),
    ({"nps": "3", "comment": "x" * 10_001}, "answers.comment"),
])
def test_a_bad_answer_names_the_question(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        answers_to(FULL, raw)
    assert error.value.field == field


def test_an_empty_response_is_refused() -> None:
    optional = checked_definition({"questions": [_q("nps", "nps"), _q("comment", "text")]})
    with pytest.raises(InvalidInput) as error:
        answers_to(optional, {"nps": "", "comment": "  "})
    assert error.value.field == "answers"


@given(st.integers(min_value=-5, max_value=15))
def test_nps_answers_are_accepted_exactly_on_the_scale(score: int) -> None:
    definition = checked_definition({"questions": [_q("nps", "nps")]})
    if 0 <= score <= 10:
        assert answers_to(definition, {"nps": str(score)}).scores.nps == score
    else:
        with pytest.raises(InvalidInput):
            answers_to(definition, {"nps": str(score)})


def test_kano_summary_takes_the_most_frequent_category_and_berger_coefficients() -> None:
    summary = kano_summary({"attractive": 6, "one-dimensional": 2, "must-be": 1,
                            "indifferent": 1, "questionable": 3, "nonsense": 9})
    assert summary.answered == 13
    assert summary.category is KanoCategory.ATTRACTIVE
    assert summary.better == pytest.approx(0.8)  # (6 + 2) / 10
    assert summary.worse == pytest.approx(-0.3)  # −(2 + 1) / 10
    tie = kano_summary({"attractive": 2, "must-be": 2, "indifferent": 2})
    assert tie.category is KanoCategory.MUST_BE  # M > O > A > I
    empty = kano_summary({})
    assert (empty.category, empty.better, empty.worse) == (None, None, None)


def test_the_widget_fits_surveys_that_require_nothing_but_nps_and_a_comment() -> None:
    def fits(*questions: dict[str, Any]) -> bool:
        return checked_definition({"questions": list(questions)}).fits_widget()

    assert fits(_q("likelihood", "nps", required=True), _q("why", "text", required=True),
                _q("more", "text"), _q("reason", "single", choices=CHOICES))
    assert not fits(_q("likelihood", "nps"), _q("reason", "single", choices=CHOICES,
                                                 required=True))
    assert not fits(_q("csat", "csat"), _q("why", "text"))
    assert not fits(_q("nps", "nps"), _q("why", "text"), _q("more", "text", required=True))


def test_a_definition_may_carry_a_title_for_respondents() -> None:
    titled = checked_definition({"title": {"en": "Tell us", "hu": "Mondja el"},
                                 "questions": [_q("nps", "nps")]})
    assert titled.title_in("hu", "Internal name") == "Mondja el"
    assert titled.title_in("ru", "Internal name") == "Tell us"
    assert checked_definition(titled.to_dict()) == titled
    assert FULL.title_in("hu", "Internal name") == "Internal name"
    with pytest.raises(InvalidInput) as error:
        checked_definition({"title": {"ru": "Скажите"}, "questions": []})
    assert error.value.field == "title.en"
    for document in DEMO_SURVEY_DEFINITIONS.values():
        assert set(checked_definition(document).title) == {"en", "ru", "hu"}


@pytest.mark.parametrize(("question", "field"), [
    (_q("needs", "requirement"), "questions[0].kind"),
    ({**_q("needs", "requirement"), "kind": "colour"}, "questions[0].kind"),
    ({**_q("why", "text"), "kind": "delivery"}, "questions[0].kind"),
])
def test_a_requirement_question_names_its_kind(question: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        checked_definition({"questions": [question]})
    assert refused.value.field == field


def test_a_requirement_answer_carries_its_kind_and_round_trips() -> None:
    document = {"questions": [_q("nps", "nps"), {**_q("needs", "requirement"), "kind": "delivery"}]}
    definition = checked_definition(document)
    assert checked_definition(definition.to_dict()) == definition
    assert definition.to_dict()["questions"][1]["kind"] == "delivery"
    answered = answers_to(definition, {"nps": ["9"], "needs": ["Only before 7 am, gate B"]})
    (extra,) = answered.extra
    assert (extra.question, extra.value) == ("needs", "Only before 7 am, gate B")
    assert extra.requirement_kind == "delivery"
    assert answered.scores.comment is None  # not the response's comment
    with pytest.raises(InvalidInput) as too_long:
        answers_to(definition, {"needs": ["x" * 4_001]})
    assert too_long.value.field == "answers.needs"
