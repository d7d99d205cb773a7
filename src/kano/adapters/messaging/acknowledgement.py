"""The acknowledgement a customer gets for a response: "received; here is what happens next".

Texts in the respondent's language (English, Russian, Hungarian). A low score gets a
different next step (someone will contact you) from a good one (thank you, we read every
comment), because that is what the closed loop then does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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


def acknowledgement(
    answers: Answers,
    language: str | None,
    name: str,
    reference: str,
    contact_within_hours: float | None = None,
) -> Acknowledgement:
    """The e-mail for one response. It promises contact only when a case was opened for
    the response (``contact_within_hours``: its rule's first-response time), so a
    workspace whose rules open no case for a score is never made to promise a call back;
    a low score without a case still gets an apology."""
    code = language if language in _TEXTS else "en"
    texts = _TEXTS[code]
    paragraphs = [texts["greeting"].format(name=name)]
    next_step = (
        texts["contact"].format(within=working_time(contact_within_hours, code))
        if contact_within_hours is not None
        else texts["fine"]
    )
    paragraphs.append(f"{texts['sorry']} {next_step}" if is_unhappy(answers) else next_step)
    paragraphs.append(texts["closing"].format(reference=reference))
    return Acknowledgement(texts["subject"], "\n\n".join(paragraphs) + "\n")
