"""The workspace's own acknowledgement e-mail texts (``/workspace/acknowledgement``)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from kano.adapters.api.schemas.editing import RequestBody
from kano.domain.feedback.acknowledgement_texts import MAX_LENGTH

_PART_HELP = {
    "subject": "The e-mail's subject (one line). Placeholder: `{workspace}`.",
    "greeting": "The first paragraph. Placeholders: `{name}` (the customer), `{workspace}`.",
    "sorry": "Put before the next step when the score is low (NPS ≤ 6, CSAT ≤ 2, CES ≤ 3).",
    "contact": "The next step when a case opened: `{within}` is the rule's first-response "
    "time in words (\"4 working hours\"); `{workspace}`.",
    "fine": "The next step when no case opened.",
    "closing": "The last paragraph but the signature. Placeholders: `{reference}` (R-…), "
    "`{workspace}`.",
    "signature": "Below everything, e.g. \"— The Acme customer care team\" (empty: none).",
}


class AcknowledgementParts(BaseModel):
    """The texts of one language, as they hold."""

    subject: str = Field(description=_PART_HELP["subject"])
    greeting: str = Field(description=_PART_HELP["greeting"])
    sorry: str = Field(description=_PART_HELP["sorry"])
    contact: str = Field(description=_PART_HELP["contact"])
    fine: str = Field(description=_PART_HELP["fine"])
    closing: str = Field(description=_PART_HELP["closing"])
    signature: str = Field(description=_PART_HELP["signature"])


class AcknowledgementEmail(BaseModel):
    subject: str
    body: str


class AcknowledgementPreviews(BaseModel):
    """The e-mail as a sample customer would get it."""

    case: AcknowledgementEmail = Field(
        description="A low score that opened a case with a 4-working-hour first response.")
    sorry: AcknowledgementEmail = Field(description="A low score that opened no case.")
    happy: AcknowledgementEmail = Field(description="A good score, no case.")


class LanguageAcknowledgement(BaseModel):
    texts: AcknowledgementParts = Field(description="The texts that hold.")
    custom: list[str] = Field(description="The parts the workspace wrote itself.")
    defaults: AcknowledgementParts = Field(description="Kano's built-in texts.")
    previews: AcknowledgementPreviews


class AcknowledgementSettings(BaseModel):
    """The acknowledgement e-mail every accepted response gets, per language."""

    en: LanguageAcknowledgement
    ru: LanguageAcknowledgement
    hu: LanguageAcknowledgement


def _part(name: str) -> str | None:
    return Field(default=None, max_length=MAX_LENGTH[name],
                 description=f"{_PART_HELP[name]} Null: back to the built-in text.")


class AcknowledgementPartsChange(RequestBody):
    """The parts to change; parts left out stay as they are."""

    subject: str | None = _part("subject")
    greeting: str | None = _part("greeting")
    sorry: str | None = _part("sorry")
    contact: str | None = _part("contact")
    fine: str | None = _part("fine")
    closing: str | None = _part("closing")
    signature: str | None = _part("signature")


class AcknowledgementLanguagesChange(RequestBody):
    """Languages left out stay as they are; null resets every part of a language."""

    en: AcknowledgementPartsChange | None = None
    ru: AcknowledgementPartsChange | None = None
    hu: AcknowledgementPartsChange | None = None


class AcknowledgementChange(RequestBody):
    texts: AcknowledgementLanguagesChange = Field(
        description='Language → part → text, e.g. `{"ru": {"signature": "— Команда Acme"}}`.')
