"""The acknowledgement a customer gets for a response: "received; here is what happens next".

Texts in the respondent's language (English, Russian, Hungarian). A low score gets a
different next step (someone will contact you) from a good one (thank you, we read every
comment), because that is what the closed loop then does.
"""

from __future__ import annotations

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
        "low": "We are sorry it fell short. Someone responsible will look into it and "
        "contact you within two working days to tell you what we are doing about it.",
        "fine": "We read every answer; what you tell us goes to the team that runs this "
        "part of our service.",
        "closing": "Reference: {reference}",
    },
    "ru": {
        "subject": "Мы получили ваш отзыв",
        "greeting": "Спасибо за ваш отзыв, {name}.",
        "low": "Нам жаль, что мы не оправдали ожиданий. Ответственный сотрудник разберётся и "
        "в течение двух рабочих дней сообщит вам, что мы делаем.",
        "fine": "Мы читаем каждый ответ; ваш отзыв получит команда, которая отвечает за эту "
        "часть нашей работы.",
        "closing": "Номер обращения: {reference}",
    },
    "hu": {
        "subject": "Megkaptuk a visszajelzését",
        "greeting": "Köszönjük a visszajelzését, {name}!",
        "low": "Sajnáljuk, hogy nem feleltünk meg az elvárásainak. A felelős munkatárs "
        "utánajár, és két munkanapon belül jelentkezik, hogy mit teszünk.",
        "fine": "Minden választ elolvasunk; a visszajelzése ahhoz a csapathoz kerül, amely "
        "szolgáltatásunk ezen részéért felel.",
        "closing": "Hivatkozási szám: {reference}",
    },
}


def is_unhappy(answers: Answers) -> bool:
    """NPS ≤ 6, CSAT ≤ 2 or CES ≤ 3 (hard to deal with): the loop will be closed."""
    return (
        (answers.nps is not None and answers.nps <= 6)
        or (answers.csat is not None and answers.csat <= 2)
        or (answers.ces is not None and answers.ces <= 3)
    )


def acknowledgement(
    answers: Answers, language: str | None, name: str, reference: str
) -> Acknowledgement:
    texts = _TEXTS.get(language or "en", _TEXTS["en"])
    next_step = texts["low"] if is_unhappy(answers) else texts["fine"]
    body = "\n\n".join(
        [
            texts["greeting"].format(name=name),
            next_step,
            texts["closing"].format(reference=reference),
        ]
    )
    return Acknowledgement(texts["subject"], body + "\n")
