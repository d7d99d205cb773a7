"""The e-mails that invite a customer to a survey, and the one reminder, in EN/RU/HU.

Plain text (the outbox sends ``text/plain``): the greeting, one sentence on why, the
personal link, and that the link is the customer's own and counts one answer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InvitationText:
    subject: str
    body: str


_TEXTS = {
    "en": {
        "subject": "{survey}: two minutes for your opinion?",
        "reminder_subject": "Reminder — {survey}: two minutes for your opinion?",
        "greeting": "Hello {name},",
        "ask": "we would like to know how we are doing. Your answers go to the team that "
        "runs this part of our service.",
        "reminder": "a few days ago we asked for your opinion. If you have two minutes, we "
        "would still like to hear it; this is the only reminder we send.",
        "link": "Answer here: {link}",
        "own": "The link is yours alone and takes one answer.",
    },
    "ru": {
        "subject": "{survey}: две минуты на ваше мнение?",
        "reminder_subject": "Напоминание — {survey}: две минуты на ваше мнение?",
        "greeting": "Здравствуйте, {name}!",
        "ask": "Нам важно знать, как мы работаем. Ваши ответы получит команда, которая "
        "отвечает за эту часть нашей работы.",
        "reminder": "Несколько дней назад мы просили вас поделиться мнением. Если у вас есть "
        "две минуты, мы будем рады его услышать; это единственное напоминание.",
        "link": "Ответить можно здесь: {link}",
        "own": "Ссылка предназначена только вам и принимает один ответ.",
    },
    "hu": {
        "subject": "{survey}: két perc a véleményére?",
        "reminder_subject": "Emlékeztető — {survey}: két perc a véleményére?",
        "greeting": "Kedves {name}!",
        "ask": "Szeretnénk tudni, hogyan dolgozunk. A válaszai ahhoz a csapathoz kerülnek, "
        "amely szolgáltatásunk ezen részéért felel.",
        "reminder": "Néhány napja a véleményét kértük. Ha van két perce, még mindig szívesen "
        "meghallgatjuk; ez az egyetlen emlékeztető, amit küldünk.",
        "link": "Itt válaszolhat: {link}",
        "own": "A link csak az Öné, és egy választ fogad.",
    },
}


def invitation_text(
    survey_name: str, name: str, link: str, language: str, *, reminder: bool = False
) -> InvitationText:
    texts = _TEXTS.get(language, _TEXTS["en"])
    subject = texts["reminder_subject" if reminder else "subject"].format(survey=survey_name)
    body = "\n\n".join(
        [
            texts["greeting"].format(name=name),
            texts["reminder" if reminder else "ask"],
            texts["link"].format(link=link),
            texts["own"],
        ]
    )
    return InvitationText(subject, body + "\n")
