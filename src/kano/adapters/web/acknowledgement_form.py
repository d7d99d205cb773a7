"""The "Acknowledgement e-mail" section of the settings page: per language, the parts of
the e-mail as the form shows them (the texts that hold, or what was just submitted), which
of them the workspace wrote, an error naming a part, and the e-mail as a sample customer
gets it in its three variants (a low score with a case, a low score without, a good one).

A submitted form holds every part of one language; a part equal to the built-in text (or
an empty signature) is saved as "not written", so the built-in text keeps improving for a
workspace that never changed it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from kano.adapters.db.acknowledgement_texts import acknowledgement_texts
from kano.adapters.messaging.acknowledgement import (
    Acknowledgement,
    effective_texts,
    wording,
)
from kano.adapters.web.routes.navigation import N_
from kano.domain.feedback.acknowledgement_texts import (
    LANGUAGES,
    PARTS,
    PLACEHOLDERS,
    InvalidText,
    checked_changes,
    with_changes,
)

LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "hu": "Magyar"}
PART_LABELS = {
    "subject": N_("Subject"),
    "greeting": N_("Greeting"),
    "sorry": N_("Apology for a low score"),
    "contact": N_("Next step when a case opens"),
    "fine": N_("Next step when no case opens"),
    "closing": N_("Closing"),
    "signature": N_("Signature"),
}
PLACEHOLDER_HELP = {
    "name": N_("the customer's name"),
    "within": N_("the case's first-response time, e.g. 4 working hours"),
    "reference": N_("the response's reference, e.g. R-1234"),
    "workspace": N_("the workspace's name"),
}
VARIANT_LABELS = {
    "case": N_("Low score, a case opened (contact within 4 working hours)"),
    "sorry": N_("Low score, no case opened"),
    "happy": N_("Good score"),
}
ERROR_TEXTS = {
    "one_line": N_("The subject must be a single line."),
    "empty": N_("The subject must not be empty."),
    "too_long": N_("This text is too long."),
    "control": N_("Remove the control characters from this text."),
    "braces": N_("A brace without its pair: for a brace itself, write it twice."),
    "placeholder": N_("Use only the placeholders listed under this part, written as listed."),
    "not_text": N_("Write a text."),
    "language": N_("Choose a language of the e-mail."),
    "part": N_("Choose a part of the e-mail."),
}


@dataclass(frozen=True)
class PartError:
    part: str
    text: str  # a msgid of ERROR_TEXTS


@dataclass(frozen=True)
class LanguageForm:
    language: str
    name: str
    texts: Mapping[str, str]
    custom: frozenset[str]
    previews: Mapping[str, Acknowledgement] | None  # None while the form has an error
    error: PartError | None
    opened: bool


def form_changes(language: str, submitted: Mapping[str, str]) -> dict[str, dict[str, str | None]]:
    """The change one language's form asks for: every part, None where the text is the
    built-in one; checked (:class:`InvalidText` names the part)."""
    defaults = effective_texts(None)[language]
    changes = checked_changes({language: {part: submitted.get(part, "") for part in PARTS}})
    return {language: {
        part: None if value == defaults[part] else value
        for part, value in changes[language].items()
    }}  # fmt: skip


def acknowledgement_forms(
    db: Session,
    workspace_id: int,
    submitted: tuple[str, Mapping[str, str]] | None = None,
    error: InvalidText | None = None,
    opened: str | None = None,
) -> list[LanguageForm]:
    """One form per language; ``submitted`` (language, parts) shows that language's
    unsaved texts and their previews (or ``error``)."""
    found = acknowledgement_texts(db, workspace_id)
    overrides = found.overrides
    language_of_form = submitted[0] if submitted else None
    if submitted and error is None:
        overrides = with_changes(overrides, form_changes(*submitted))
    effective = effective_texts(overrides)
    preview = wording(overrides, found.workspace)
    forms = []
    for language in LANGUAGES:
        mine = language == language_of_form
        texts = dict(submitted[1]) if mine and submitted else effective[language]
        failed = error is not None and mine
        forms.append(LanguageForm(
            language=language, name=LANGUAGE_NAMES[language], texts=texts,
            custom=frozenset(overrides.get(language, {})),
            previews=None if failed else preview.previews(language),
            error=PartError(error.field.rsplit(".", 1)[-1], ERROR_TEXTS[error.reason])
            if failed and error is not None else None,
            opened=mine or language == opened,
        ))  # fmt: skip
    return forms


def placeholders_of(part: str) -> list[str]:
    """The placeholders a part may use, the workspace last."""
    return sorted(PLACEHOLDERS[part], key=lambda name: (name == "workspace", name))
