"""Survey definitions: the questions of a survey, their types and texts, and the answers.

A definition is a list of questions. Each has a key (unique in the survey), a type, its text
in English, Russian and Hungarian (English required; a missing translation falls back to
English), and for choice questions the choices with their labels. A Kano pair asks the
functional question ("if the product has X, how do you feel?") and the dysfunctional one
("if it does not have X …") with the five standard answers; the category follows from the
standard Kano evaluation table (:data:`KANO_TABLE`).

The score questions (NPS, CSAT, CES, rating: at most one of each) and the first open-text
question fill the response's score and comment columns, so the metrics read them as
before; every other answer is kept as an :class:`ExtraAnswer`. A requirement question asks
for a special requirement of one kind (delivery, packaging …) in the customer's words; its
answer is also entered in the special requirements register.

Pure Python: the builder page, the public link page, the widget, staff entry and the REST
API (:func:`api_answers`) all check definitions and answers here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from kano.domain.feedback.answers import (
    COMMENT_MAX_LENGTH,
    LANGUAGES,
    SCALES,
    Answers,
    checked_answers,
)
from kano.domain.feedback.requirements import TEXT_MAX_LENGTH as REQUIREMENT_MAX_LENGTH
from kano.domain.feedback.requirements import RequirementKind
from kano.domain.shared.errors import InvalidInput


class QuestionType(StrEnum):
    NPS = "nps"
    CSAT = "csat"
    CES = "ces"
    RATING = "rating"
    SINGLE = "single"
    MULTI = "multi"
    TEXT = "text"
    KANO = "kano"
    REQUIREMENT = "requirement"  # a special requirement in the customer's words


SCORE_TYPES = (QuestionType.NPS, QuestionType.CSAT, QuestionType.CES, QuestionType.RATING)
CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTI)
TEXT_TYPES = (QuestionType.TEXT, QuestionType.REQUIREMENT)


class KanoAnswer(StrEnum):
    """The five standard answers of both questions of a Kano pair, in their usual order."""

    LIKE = "like"
    MUST_BE = "must-be"
    NEUTRAL = "neutral"
    LIVE_WITH = "live-with"
    DISLIKE = "dislike"


class KanoCategory(StrEnum):
    ATTRACTIVE = "attractive"
    ONE_DIMENSIONAL = "one-dimensional"
    MUST_BE = "must-be"
    INDIFFERENT = "indifferent"
    REVERSE = "reverse"
    QUESTIONABLE = "questionable"


_A, _O, _M, _I, _R, _Q = (
    KanoCategory.ATTRACTIVE, KanoCategory.ONE_DIMENSIONAL, KanoCategory.MUST_BE,
    KanoCategory.INDIFFERENT, KanoCategory.REVERSE, KanoCategory.QUESTIONABLE,
)
_ROWS = (  # functional answer (row) × dysfunctional answer (column), both in KanoAnswer order
    (_Q, _A, _A, _A, _O),  # like
    (_R, _I, _I, _I, _M),  # must-be ("I expect it")
    (_R, _I, _I, _I, _M),  # neutral
    (_R, _I, _I, _I, _M),  # live-with
    (_R, _R, _R, _R, _Q),  # dislike
)
KANO_TABLE: dict[tuple[KanoAnswer, KanoAnswer], KanoCategory] = {
    (functional, dysfunctional): _ROWS[row][column]
    for row, functional in enumerate(KanoAnswer)
    for column, dysfunctional in enumerate(KanoAnswer)
}


def kano_category(functional: KanoAnswer | str, dysfunctional: KanoAnswer | str) -> KanoCategory:
    """The Kano category of one pair of answers (the standard evaluation table)."""
    return KANO_TABLE[KanoAnswer(functional), KanoAnswer(dysfunctional)]


KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
TEXT_MAX_LENGTH = 500
MAX_QUESTIONS = 50
MAX_CHOICES = 30
DYSFUNCTIONAL_SUFFIX = ".dysfunctional"  # the answer key of a Kano pair's second question


def text_in(texts: Mapping[str, str], language: str) -> str:
    """The text in ``language``, else in English."""
    return texts.get(language) or texts.get("en", "")


@dataclass(frozen=True)
class Choice:
    key: str
    label: Mapping[str, str]


@dataclass(frozen=True)
class Question:
    key: str
    type: QuestionType
    text: Mapping[str, str]
    required: bool = False
    choices: tuple[Choice, ...] = ()
    dysfunctional: Mapping[str, str] = field(default_factory=dict)  # Kano pairs only
    requirement_kind: RequirementKind | None = None  # requirement questions only

    @property
    def scale(self) -> tuple[int, int] | None:
        return SCALES[self.type.value] if self.type in SCORE_TYPES else None

    def choice_keys(self) -> tuple[str, ...]:
        return tuple(choice.key for choice in self.choices)


@dataclass(frozen=True)
class SurveyDefinition:
    questions: tuple[Question, ...]
    title: Mapping[str, str] = field(default_factory=dict)  # shown to respondents

    def title_in(self, language: str, fallback: str) -> str:
        """The title respondents see in ``language`` (English, else ``fallback``)."""
        return text_in(self.title, language) or fallback

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)

    def comment_question(self) -> Question | None:
        """The first open-text question: its answer is the response's comment."""
        return next((q for q in self.questions if q.type is QuestionType.TEXT), None)

    def nps_question(self) -> Question | None:
        return next((q for q in self.questions if q.type is QuestionType.NPS), None)

    @cached_property
    def plain_keys(self) -> tuple[frozenset[str], frozenset[str]] | None:
        """The question keys and the required ones when every question is keyed by its
        score type, or is the comment question keyed ``comment`` (the demo surveys, and
        most others): answers to them need only the checks of :func:`checked_answers`
        and these two sets. None otherwise. Computed once per definition object."""
        comment = self.comment_question()
        for question in self.questions:
            if question.type in SCORE_TYPES:
                plain: str | None = question.type.value
            else:
                plain = "comment" if question is comment else None
            if plain != question.key:
                return None
        keys = frozenset(q.key for q in self.questions)
        return keys, frozenset(q.key for q in self.questions if q.required)

    def fits_widget(self) -> bool:
        """Whether the widget (an NPS question and a comment box) can answer the survey:
        it has an NPS question and asks nothing else that is required."""
        nps, comment = self.nps_question(), self.comment_question()
        return nps is not None and all(
            q is nps or q is comment or not q.required for q in self.questions)

    def to_dict(self) -> dict[str, Any]:
        out: list[dict[str, Any]] = []
        for q in self.questions:
            item: dict[str, Any] = {"key": q.key, "type": q.type.value, "text": dict(q.text),
                                    "required": q.required}
            if q.choices:
                item["choices"] = [{"key": c.key, "label": dict(c.label)} for c in q.choices]
            if q.type is QuestionType.KANO:
                item["dysfunctional"] = dict(q.dysfunctional)
            if q.requirement_kind is not None:
                item["kind"] = q.requirement_kind.value
            out.append(item)
        document: dict[str, Any] = {"questions": out}
        if self.title:
            document["title"] = dict(self.title)
        return document


def _texts(raw: object, where: str, *, required: bool = True) -> dict[str, str]:
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise InvalidInput(where, "must map languages (en, ru, hu) to texts")
    unknown = sorted(set(raw) - set(LANGUAGES))
    if unknown:
        raise InvalidInput(f"{where}.{unknown[0]}", f"use the languages {', '.join(LANGUAGES)}")
    texts: dict[str, str] = {}
    for language in LANGUAGES:
        value = raw.get(language)
        if value is None:
            continue
        if not isinstance(value, str):
            raise InvalidInput(f"{where}.{language}", "must be text")
        value = value.strip()
        if len(value) > TEXT_MAX_LENGTH:
            raise InvalidInput(
                f"{where}.{language}", f"is longer than {TEXT_MAX_LENGTH} characters"
            )
        if value:
            texts[language] = value
    if required and "en" not in texts:
        raise InvalidInput(f"{where}.en", "write the English text (the fallback of every language)")
    return texts


def _key(raw: object, where: str) -> str:
    if not isinstance(raw, str) or not KEY_PATTERN.match(raw):
        raise InvalidInput(
            where, "use 1–40 lower-case letters, digits, - or _, starting with a letter"
        )
    return raw


def _question(raw: object, where: str) -> Question:
    if not isinstance(raw, Mapping):
        raise InvalidInput(where, "must be an object")
    key = _key(raw.get("key"), f"{where}.key")
    try:
        kind = QuestionType(str(raw.get("type")))
    except ValueError:
        raise InvalidInput(
            f"{where}.type", f"use one of {', '.join(t.value for t in QuestionType)}"
        ) from None
    text = _texts(raw.get("text"), f"{where}.text")
    required = raw.get("required", False)
    if not isinstance(required, bool):
        raise InvalidInput(f"{where}.required", "must be true or false")
    choices: list[Choice] = []
    raw_choices = raw.get("choices") or []
    if kind in CHOICE_TYPES:
        if not isinstance(raw_choices, Sequence) or not 2 <= len(raw_choices) <= MAX_CHOICES:
            raise InvalidInput(f"{where}.choices", f"give from 2 to {MAX_CHOICES} choices")
        for index, choice in enumerate(raw_choices):
            place = f"{where}.choices[{index}]"
            if not isinstance(choice, Mapping):
                raise InvalidInput(place, "must be an object with a key and a label")
            choices.append(Choice(_key(choice.get("key"), f"{place}.key"),
                                  _texts(choice.get("label"), f"{place}.label")))
        keys = [c.key for c in choices]
        duplicate = next((k for k in keys if keys.count(k) > 1), None)
        if duplicate is not None:
            raise InvalidInput(f"{where}.choices", f"the key {duplicate!r} is used twice")
    elif raw_choices:
        raise InvalidInput(
            f"{where}.choices", "only single and multi choice questions have choices"
        )
    dysfunctional: dict[str, str] = {}
    if kind is QuestionType.KANO:
        dysfunctional = _texts(raw.get("dysfunctional"), f"{where}.dysfunctional")
    requirement_kind = None
    if kind is QuestionType.REQUIREMENT:
        try:
            requirement_kind = RequirementKind(str(raw.get("kind")))
        except ValueError:
            raise InvalidInput(f"{where}.kind", "the kind of requirement this question asks "
                               f"for: one of {', '.join(k.value for k in RequirementKind)}"
                               ) from None
    elif raw.get("kind") is not None:
        raise InvalidInput(f"{where}.kind", "only requirement questions have a kind")
    return Question(key, kind, text, required, tuple(choices), dysfunctional, requirement_kind)


def checked_definition(raw: object) -> SurveyDefinition:
    """The definition, or :class:`InvalidInput` naming the first bad field
    (``questions[2].text.en``)."""
    if not isinstance(raw, Mapping):
        raise InvalidInput("questions", "the definition must be an object with questions")
    questions_raw = raw.get("questions")
    if not isinstance(questions_raw, Sequence) or isinstance(questions_raw, str):
        raise InvalidInput("questions", "must be a list")
    if len(questions_raw) > MAX_QUESTIONS:
        raise InvalidInput("questions", f"at most {MAX_QUESTIONS} questions")
    questions = [_question(q, f"questions[{i}]") for i, q in enumerate(questions_raw)]
    seen: dict[str, int] = {}
    for index, question in enumerate(questions):
        if question.key in seen:
            raise InvalidInput(f"questions[{index}].key", f"{question.key!r} is used twice")
        seen[question.key] = index
    for kind in SCORE_TYPES:
        same = [i for i, q in enumerate(questions) if q.type is kind]
        if len(same) > 1:
            raise InvalidInput(f"questions[{same[1]}].type",
                               f"a survey has at most one {kind.value} question")
    title = _texts(raw.get("title"), "title", required=False)
    if title and "en" not in title:
        raise InvalidInput("title.en", "write the English title (the fallback of every language)")
    return SurveyDefinition(tuple(questions), title)


@dataclass(frozen=True)
class ExtraAnswer:
    """An answer that has no score column: choices, further texts, Kano pairs."""

    question: str
    value: str  # a choice key; multi choices joined by ","; a Kano pair "functional/dysfunctional"
    kano_category: KanoCategory | None = None
    requirement_kind: RequirementKind | None = None
    """Set for the answer to a requirement question: it also goes to the customer's
    special requirements register (status proposed)."""


@dataclass(frozen=True)
class SurveyAnswers:
    scores: Answers
    extra: tuple[ExtraAnswer, ...] = ()


def _values(raw: Mapping[str, object], key: str) -> list[str]:
    value = raw.get(key)
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    out = []
    for item in items:
        if isinstance(item, bool):
            out.append(str(item).lower())
        elif isinstance(item, int | float | str):
            text = str(item).strip()
            if text:
                out.append(text)
    return out


def _score(question: Question, values: list[str], where: str) -> int:
    low, high = question.scale or (0, 0)
    if len(values) != 1:
        raise InvalidInput(where, f"choose one number from {low} to {high}")
    try:
        number = float(values[0])
    except ValueError:
        raise InvalidInput(where, f"must be a whole number from {low} to {high}") from None
    if number != int(number) or not low <= number <= high:
        raise InvalidInput(where, f"must be a whole number from {low} to {high}")
    return int(number)


def answers_to(
    definition: SurveyDefinition, raw: Mapping[str, object], field: str = "answers"
) -> SurveyAnswers:
    """The answers to ``definition`` from raw values by question key (form fields or JSON),
    or :class:`InvalidInput` naming the question (``answers.nps``)."""
    known = {q.key for q in definition.questions} | {
        q.key + DYSFUNCTIONAL_SUFFIX for q in definition.questions if q.type is QuestionType.KANO
    }
    unknown = sorted(k for k in raw if k not in known and _values(raw, k))
    if unknown:
        raise InvalidInput(f"{field}.{unknown[0]}", "this survey has no such question")
    scores: dict[str, Any] = {}
    extra: list[ExtraAnswer] = []
    comment_question = definition.comment_question()
    for question in definition.questions:
        where = f"{field}.{question.key}"
        values = _values(raw, question.key)
        if question.type is QuestionType.KANO:
            second = _values(raw, question.key + DYSFUNCTIONAL_SUFFIX)
            if not values and not second:
                if question.required:
                    raise InvalidInput(where, "answer both questions of this pair")
                continue
            for part, given in ((where, values), (where + DYSFUNCTIONAL_SUFFIX, second)):
                if len(given) != 1 or given[0] not in set(KanoAnswer):
                    raise InvalidInput(part, "choose one of the five answers")
            category = kano_category(values[0], second[0])
            extra.append(ExtraAnswer(question.key, f"{values[0]}/{second[0]}", category))
            continue
        if not values:
            if question.required:
                raise InvalidInput(where, "answer this question")
            continue
        if question.type in SCORE_TYPES:
            scores[question.type.value] = _score(question, values, where)
        elif question.type is QuestionType.TEXT:
            text = "\n".join(values)
            if len(text) > COMMENT_MAX_LENGTH:
                raise InvalidInput(where, f"is longer than {COMMENT_MAX_LENGTH:,} characters")
            if question is comment_question:
                scores["comment"] = text
            else:
                extra.append(ExtraAnswer(question.key, text))
        elif question.type is QuestionType.REQUIREMENT:
            text = "\n".join(values)
            if len(text) > REQUIREMENT_MAX_LENGTH:
                raise InvalidInput(where, f"is longer than {REQUIREMENT_MAX_LENGTH:,} characters")
            if "\x00" in text:
                raise InvalidInput(where, "must not contain NUL characters")
            extra.append(
                ExtraAnswer(question.key, text, requirement_kind=question.requirement_kind)
            )
        else:
            allowed = question.choice_keys()
            chosen = list(dict.fromkeys(values))
            if question.type is QuestionType.SINGLE and len(chosen) != 1:
                raise InvalidInput(where, "choose one answer")
            bad = next((v for v in chosen if v not in allowed), None)
            if bad is not None:
                raise InvalidInput(where, f"{bad!r} is not one of the choices")
            extra.append(ExtraAnswer(question.key, ",".join(c for c in allowed if c in chosen)))
    if not scores and not extra:
        raise InvalidInput(field, "answer at least one question")
    return SurveyAnswers(Answers(**scores), tuple(extra))


SCORE_KEYS = (*SCALES, "comment")  # the answer keys of a survey without a definition


def api_answers(
    definition: SurveyDefinition | None, raw: Mapping[str, object], field: str = "answers"
) -> SurveyAnswers:
    """The answers of an API body (JSON values by question key), checked by the rules of
    the public page (:func:`answers_to`) when the survey has questions, else the fixed
    score keys (:func:`checked_answers`): one rule for every channel.

    JSON is typed, so a score must be a number, a text or a choice a string, a multi
    choice a list of strings (a form sends text for everything; the page converts).
    ``nps``, ``csat``, ``ces``, ``rating`` and ``comment`` — the keys the API has always
    documented — still mean the survey's question of that type when no question has that
    key, so an integration written before the survey got its questions keeps working."""
    given = {key: value for key, value in raw.items() if value is not None}
    if definition is None or not definition.questions:
        return SurveyAnswers(checked_answers(given, field))
    given = _aliased(definition, given, field)
    for key, value in given.items():
        question = definition.question(key)
        if question is None and key.endswith(DYSFUNCTIONAL_SUFFIX):
            pair = definition.question(key.removesuffix(DYSFUNCTIONAL_SUFFIX))
            question = pair if pair is not None and pair.type is QuestionType.KANO else None
        if question is not None:
            _check_json_type(question, value, f"{field}.{key}")
    return answers_to(definition, given, field)


def checked_scores_fit(
    definition: SurveyDefinition | None, answers: Answers, field: str = "answers"
) -> SurveyAnswers:
    """:func:`api_answers` for score-only answers already checked against their scales
    (:func:`checked_answers`), the shape nearly every API body has: when each question
    the answers touch is keyed by its score type (or is the comment question keyed
    ``comment``), only unknown keys and unanswered required questions remain to check,
    a few comparisons instead of the whole of :func:`answers_to`."""
    if definition is None or not definition.questions:
        return SurveyAnswers(answers)
    plain = definition.plain_keys
    if plain is not None:
        keys, required = plain
        nps, csat, ces, rating, comment = (
            answers.nps, answers.csat, answers.ces, answers.rating, answers.comment)
        given = {name for name, value in (("nps", nps), ("csat", csat), ("ces", ces),
                 ("rating", rating), ("comment", comment)) if value is not None}
        if given and given <= keys and required <= given:
            return SurveyAnswers(answers)
    raw = {name: value for name in SCORE_KEYS if (value := getattr(answers, name)) is not None}
    return api_answers(definition, raw, field)  # raises, naming the field, or answers


def _aliased(
    definition: SurveyDefinition, given: dict[str, object], field: str
) -> dict[str, object]:
    """``given`` with each score key no question has renamed to the key of the survey's
    question of that type (see :func:`api_answers`); both given at once is refused."""
    for name in SCORE_KEYS:
        if name not in given or definition.question(name) is not None:
            continue
        if name == "comment":
            target = definition.comment_question()
        else:
            target = next((q for q in definition.questions if q.type.value == name), None)
        if target is None:
            continue  # answers_to names it as a question the survey does not have
        if target.key in given:
            raise InvalidInput(f"{field}.{name}", f"give this answer once, as {target.key!r}")
        given = {target.key if key == name else key: value for key, value in given.items()}
    return given


def _check_json_type(question: Question, value: object, where: str) -> None:
    kind = question.type
    if kind in SCORE_TYPES:
        low, high = question.scale or (0, 0)
        if isinstance(value, str | bool):  # JSON is typed: "4" or true is not a score
            what = "text" if isinstance(value, str) else "true or false"
            raise InvalidInput(where, f"must be a whole number from {low} to {high}, not {what}")
        if not isinstance(value, int | float):
            raise InvalidInput(where, f"must be a whole number from {low} to {high}")
    elif kind is QuestionType.MULTI:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise InvalidInput(where, "must be a list of choice keys, e.g. [\"price\"]")
    elif not isinstance(value, str):
        what = "text" if kind in TEXT_TYPES else "one answer key as text"
        raise InvalidInput(where, f"must be {what}")


@dataclass(frozen=True)
class KanoSummary:
    """The answers to one Kano pair: counts by category, the category most answers fall
    in (ties resolved in the order must-be, one-dimensional, attractive, indifferent —
    the usual "M > O > A > I" rule), and Berger's satisfaction coefficients:
    better = (A + O) / (A + O + M + I), worse = −(O + M) / (A + O + M + I)."""

    counts: Mapping[KanoCategory, int]

    @property
    def answered(self) -> int:
        return sum(self.counts.values())

    @property
    def category(self) -> KanoCategory | None:
        if not self.answered:
            return None
        order = (_M, _O, _A, _I, _R, _Q)
        return max(order, key=lambda c: (self.counts.get(c, 0), -order.index(c)))

    def _valid(self) -> int:
        return sum(self.counts.get(c, 0) for c in (_A, _O, _M, _I))

    @property
    def better(self) -> float | None:
        valid = self._valid()
        return None if not valid else (self.counts.get(_A, 0) + self.counts.get(_O, 0)) / valid

    @property
    def worse(self) -> float | None:
        valid = self._valid()
        return None if not valid else -(self.counts.get(_O, 0) + self.counts.get(_M, 0)) / valid


def kano_summary(categories: Mapping[str, int]) -> KanoSummary:
    """The summary of counts by category name (unknown names are ignored)."""
    known = {c.value: c for c in KanoCategory}
    return KanoSummary({known[name]: n for name, n in categories.items() if name in known})
