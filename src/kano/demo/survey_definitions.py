"""The questions of the demo company's surveys (see ``company.SURVEYS``), in English,
Russian and Hungarian: each asks its score and an optional comment."""

from __future__ import annotations

from typing import Any

_COMMENT = {
    "en": "What is the main reason for your score?",
    "ru": "Какова главная причина вашей оценки?",
    "hu": "Mi a fő oka az értékelésének?",
}
_NPS = {
    "en": "How likely are you to recommend us to a friend or colleague?",
    "ru": "Насколько вероятно, что вы порекомендуете нас другу или коллеге?",
    "hu": "Mennyire valószínű, hogy ajánlana minket egy barátjának vagy kollégájának?",
}
_CSAT_DELIVERY = {
    "en": "How satisfied are you with the delivery?",
    "ru": "Насколько вы довольны доставкой?",
    "hu": "Mennyire elégedett a kiszállítással?",
}
_CSAT_SUPPORT = {
    "en": "How satisfied are you with the help you got?",
    "ru": "Насколько вы довольны полученной помощью?",
    "hu": "Mennyire elégedett a kapott segítséggel?",
}
_CES = {
    "en": "The company made it easy for me to handle my issue.",
    "ru": "Компания позволила мне легко решить мой вопрос.",
    "hu": "A cég megkönnyítette számomra az ügyem intézését.",
}
_RATING = {
    "en": "How would you rate your visit overall?",
    "ru": "Как вы в целом оцениваете ваш визит?",
    "hu": "Összességében hogyan értékeli a látogatását?",
}


_TITLE = {
    "en": "Tell us what you think",
    "ru": "Поделитесь своим мнением",
    "hu": "Mondja el a véleményét",
}


def _definition(kind: str, text: dict[str, str]) -> dict[str, Any]:
    return {"title": _TITLE, "questions": [
        {"key": kind, "type": kind, "text": text, "required": True},
        {"key": "comment", "type": "text", "text": _COMMENT, "required": False},
    ]}


DEMO_SURVEY_DEFINITIONS: dict[str, dict[str, Any]] = {
    "relationship-nps": _definition("nps", _NPS),
    "delivery-csat": _definition("csat", _CSAT_DELIVERY),
    "courier-csat": _definition("csat", _CSAT_DELIVERY),
    "support-ces": _definition("ces", _CES),
    "support-csat": _definition("csat", _CSAT_SUPPORT),
    "web-ces": _definition("ces", _CES),
    "onboarding-rating": _definition("rating", _RATING),
    "store-rating": _definition("rating", _RATING),
}
