"""The acknowledgement a customer gets for a response: "received; here is what happens next".

Texts in the respondent's language (English, Russian, Hungarian). A low score gets a
different next step (someone will contact you) from a good one (thank you, we read every
comment), because that is what the closed loop then does.

A workspace may write each part in its own words (``kano.domain.feedback.acknowledgement_
texts`` says what it may write); :func:`wording` merges its overrides over these texts
once per request or batch, resolving ``{workspace}`` up front, so composing one e-mail
costs what it cost with the built-in texts.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from dataclasses import dataclass

from kano.domain.feedback.acknowledgement_texts import PARTS
from kano.domain.feedback.answers import Answers


@dataclass(frozen=True)
class Acknowledgement:
    subject: str
    body: str


_TEXTS = {
    "en": {
        "subject": "We received your feedback",
        "greeting": "Thank you for your feedback, {name}.",
        "sorry": "We are sorry it fell short.",
        "contact": "Someone responsible will look into it and contact you within {within} "
        "to tell you what we are doing about it.",
        "fine": "We read every answer; what you tell us goes to the team that runs this "
        "part of our service.",
        "closing": "Reference: {reference}",
        "signature": "",
    },
    "ru": {
        "subject": "Мы получили ваш отзыв",
        "greeting": "Спасибо за ваш отзыв, {name}.",
        "sorry": "Нам жаль, что мы не оправдали ожиданий.",
        "contact": "Ответственный сотрудник разберётся и в течение {within} сообщит вам, "
        "что мы делаем.",
        "fine": "Мы читаем каждый ответ; ваш отзыв получит команда, которая отвечает за эту "
        "часть нашей работы.",
        "closing": "Номер обращения: {reference}",
        "signature": "",
    },
    "hu": {
        "subject": "Megkaptuk a visszajelzését",
        "greeting": "Köszönjük a visszajelzését, {name}!",
        "sorry": "Sajnáljuk, hogy nem feleltünk meg az elvárásainak.",
        "contact": "A felelős munkatárs utánajár, és {within} belül jelentkezik, hogy mit "
        "teszünk.",
        "fine": "Minden választ elolvasunk; a visszajelzése ahhoz a csapathoz kerül, amely "
        "szolgáltatásunk ezen részéért felel.",
        "closing": "Hivatkozási szám: {reference}",
        "signature": "",
    },
}

HOURS_PER_WORKING_DAY = 8  # kano.domain.feedback.cases: 09:00–17:00


def working_time(hours: float, language: str) -> str:
    """A first-response time as the customer reads it: working hours under a day, else
    whole working days rounded up ("within 4 working hours", "within 2 working days"),
    in the phrase's grammatical case (Russian genitive after «в течение», Hungarian
    superessive before «belül»)."""
    if hours < HOURS_PER_WORKING_DAY:
        count, unit = max(1, math.ceil(hours)), "hour"
    else:
        count, unit = math.ceil(hours / HOURS_PER_WORKING_DAY), "day"
    if language == "ru":
        one = count % 10 == 1 and count % 100 != 11
        noun = {
            ("hour", True): "рабочего часа", ("hour", False): "рабочих часов",
            ("day", True): "рабочего дня", ("day", False): "рабочих дней",
        }[unit, one]  # fmt: skip
        return f"{count} {noun}"
    if language == "hu":
        return f"{count} {'munkaórán' if unit == 'hour' else 'munkanapon'}"
    return f"{count} working {unit}{'' if count == 1 else 's'}"


def is_unhappy(answers: Answers) -> bool:
    """NPS ≤ 6, CSAT ≤ 2 or CES ≤ 3 (hard to deal with): the acknowledgement says sorry."""
    return (
        (answers.nps is not None and answers.nps <= 6)
        or (answers.csat is not None and answers.csat <= 2)
        or (answers.ces is not None and answers.ces <= 3)
    )


_SAMPLE_NAMES = {"en": "Ann", "ru": "Анна", "hu": "Anna"}
VARIANTS = ("case", "sorry", "happy")
"""The previews: a low score that opened a case (contact within 4 working hours), a low
score without a case, a good score."""


def _template(text: str, workspace: str) -> str:
    """``text`` with ``{workspace}`` replaced by the name (braces in it and in the text
    kept literal); the other placeholders stay for ``str.format``."""
    pieces: list[str] = []
    for literal, field, _, _ in string.Formatter().parse(text):
        pieces.append(literal.replace("{", "{{").replace("}", "}}"))
        if field == "workspace":
            pieces.append(workspace.replace("{", "{{").replace("}", "}}"))
        elif field is not None:
            pieces.append("{" + field + "}")
    return "".join(pieces)


def effective_texts(overrides: Mapping[str, Mapping[str, str]] | None) -> dict[str, dict[str, str]]:
    """Language → part → the text that holds: the workspace's where it wrote one."""
    own = overrides or {}
    return {
        language: {part: own.get(language, {}).get(part, texts[part]) for part in PARTS}
        for language, texts in _TEXTS.items()
    }


@dataclass(frozen=True)
class Wording:
    """The texts of one workspace's acknowledgements, ready to fill in: built once per
    request or batch (:func:`wording`), used for every response in it."""

    templates: Mapping[str, Mapping[str, str]]

    def compose(
        self,
        answers: Answers,
        language: str | None,
        name: str,
        reference: str,
        contact_within_hours: float | None = None,
    ) -> Acknowledgement:
        """The e-mail for one response. It promises contact only when a case was opened
        for the response (``contact_within_hours``: its rule's first-response time), so
        a workspace whose rules open no case for a score is never made to promise a call
        back; a low score without a case still gets an apology. A part a workspace left
        empty is left out."""
        code = language if language is not None and language in self.templates else "en"
        texts = self.templates[code]
        paragraphs = [texts["greeting"].format(name=name)]
        next_step = (
            texts["contact"].format(within=working_time(contact_within_hours, code))
            if contact_within_hours is not None
            else texts["fine"]
        )
        sorry = texts["sorry"] if is_unhappy(answers) else ""
        paragraphs.append(f"{sorry} {next_step}" if sorry and next_step else sorry or next_step)
        paragraphs.append(texts["closing"].format(reference=reference))
        paragraphs.append(texts["signature"])
        body = "\n\n".join(filter(None, paragraphs)) + "\n"  # parts left empty left out
        return Acknowledgement(texts["subject"], body)

    def previews(self, language: str) -> dict[str, Acknowledgement]:
        """The three variants (:data:`VARIANTS`) for a sample customer."""
        name, reference = _SAMPLE_NAMES.get(language, "Ann"), "R-1234"
        return {
            "case": self.compose(Answers(nps=3), language, name, reference, 4),
            "sorry": self.compose(Answers(nps=3), language, name, reference),
            "happy": self.compose(Answers(nps=10), language, name, reference),
        }


def wording(
    overrides: Mapping[str, Mapping[str, str]] | None = None, workspace: str = ""
) -> Wording:
    """The built-in texts with a workspace's ``overrides`` (checked when they were saved:
    ``kano.domain.feedback.acknowledgement_texts``) and its name for ``{workspace}``."""
    if not overrides:
        return _BUILT_IN
    templates: dict[str, dict[str, str]] = {}
    for language, texts in effective_texts(overrides).items():
        parts = {part: _template(text, workspace) for part, text in texts.items()}
        for part in ("subject", "sorry", "fine", "signature"):  # no placeholder left
            parts[part] = parts[part].format()
        # A workspace name never breaks the subject line (header injection).
        parts["subject"] = " ".join(parts["subject"].splitlines())
        templates[language] = parts
    return Wording(templates)


_BUILT_IN = Wording(_TEXTS)


def acknowledgement(
    answers: Answers,
    language: str | None,
    name: str,
    reference: str,
    contact_within_hours: float | None = None,
    *,
    overrides: Mapping[str, Mapping[str, str]] | None = None,
    workspace: str = "",
) -> Acknowledgement:
    """The e-mail for one response (:meth:`Wording.compose`), in the built-in texts or a
    workspace's ``overrides``; a batch builds its :func:`wording` once instead."""
    return wording(overrides, workspace).compose(
        answers, language, name, reference, contact_within_hours
    )
