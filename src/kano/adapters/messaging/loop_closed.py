"""The last message of the closed loop: what the company changed after a customer's feedback.

The case owner writes what changed (SPEC §2.5: "a final message to the customer about what
changed"); Kano wraps it in a greeting and the response's reference in the respondent's
language (English, Russian, Hungarian), like the acknowledgement that opened the loop.
"""

from __future__ import annotations

from kano.adapters.messaging.acknowledgement import Acknowledgement

_TEXTS = {
    "en": {
        "subject": "What we changed after your feedback",
        "greeting": "Dear {name},",
        "greeting_no_name": "Hello,",
        "intro": "you told us something was not right. Here is what we did about it:",
        "closing": "Thank you for telling us. Reference: {reference}",
    },
    "ru": {
        "subject": "Что мы изменили после вашего отзыва",
        "greeting": "{name}, здравствуйте!",
        "greeting_no_name": "Здравствуйте!",
        "intro": "Вы сообщили нам о проблеме. Вот что мы сделали:",
        "closing": "Спасибо, что написали нам. Номер обращения: {reference}",
    },
    "hu": {
        "subject": "Amit a visszajelzése nyomán változtattunk",
        "greeting": "Kedves {name}!",
        "greeting_no_name": "Tisztelt Ügyfelünk!",
        "intro": "Jelezte nekünk, hogy valami nem volt rendben. Ezt tettük:",
        "closing": "Köszönjük, hogy szólt. Hivatkozási szám: {reference}",
    },
}


def loop_closed_email(
    message: str, language: str | None, name: str, reference: str
) -> Acknowledgement:
    """Subject and body of the e-mail that closes the loop (``message``: the owner's words)."""
    texts = _TEXTS.get(language or "en", _TEXTS["en"])
    greeting = texts["greeting"].format(name=name) if name else texts["greeting_no_name"]
    body = "\n\n".join(
        [greeting, texts["intro"], message.strip(), texts["closing"].format(reference=reference)]
    )
    return Acknowledgement(texts["subject"], body + "\n")
