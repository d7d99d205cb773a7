"""A workspace's own wording of the acknowledgement e-mail (SPEC §2.5): what it may
override and what a valid override is.

The e-mail is composed of parts (``kano.adapters.messaging.acknowledgement``): a subject,
a greeting, an apology for a low score, a promise of contact when a case opens, a
thank-you when none opens, a closing with the reference and a signature. A workspace may
write any part in each language; a part it does not write keeps the built-in text.

A part is a ``str.format`` template that may name only the placeholders it is given when
the e-mail is written (``{name}`` in the greeting, ``{within}`` in the contact promise,
``{reference}`` in the closing, ``{workspace}`` anywhere). They are checked here with
``string.Formatter().parse``, so a stray brace or an unknown name is an error naming the
field when the text is saved, never a failure when an e-mail is sent; format specs and
conversions are refused too (``{name:>999999999}`` would be a way to blow up memory).
"""

from __future__ import annotations

import string
from collections.abc import Mapping

from kano.domain.shared.errors import InvalidInput

LANGUAGES = ("en", "ru", "hu")
PARTS = ("subject", "greeting", "sorry", "contact", "fine", "closing", "signature")
PLACEHOLDERS: dict[str, frozenset[str]] = {
    part: frozenset({"workspace"} | extra)
    for part, extra in {
        "subject": set(), "greeting": {"name"}, "sorry": set(), "contact": {"within"},
        "fine": set(), "closing": {"reference"}, "signature": set(),
    }.items()
}  # fmt: skip
MAX_LENGTH = {part: 150 if part == "subject" else 1000 for part in PARTS}

class InvalidText(InvalidInput):
    """A part that cannot be saved; ``reason`` says why in a word a form can translate
    (``language``, ``part``, ``not_text``, ``one_line``, ``empty``, ``control``,
    ``too_long``, ``braces``, ``placeholder``)."""

    def __init__(self, field: str, reason: str, message: str) -> None:
        super().__init__(field, message)
        self.reason = reason


Overrides = dict[str, dict[str, str]]
"""Language → part → the workspace's text (only the parts it wrote)."""


def checked_part(language: str, part: str, value: object) -> str:
    """``value`` as the text of ``part`` in ``language``, or :class:`InvalidInput`
    naming ``texts.<language>.<part>``. Line ends are normalised to LF (browsers send
    CRLF); the subject is one line and not empty."""
    field = f"texts.{language}.{part}"
    if language not in LANGUAGES:
        raise InvalidText(f"texts.{language}", "language", f"use one of {', '.join(LANGUAGES)}")
    if part not in PARTS:
        raise InvalidText(field, "part", f"not a part of the e-mail; use one of {', '.join(PARTS)}")
    if not isinstance(value, str):
        raise InvalidText(field, "not_text", "must be text (or null for the built-in text)")
    if part == "subject":
        if "\r" in value or "\n" in value:
            raise InvalidText(field, "one_line", "the subject must be a single line")
        value = value.strip()
        if not value:
            raise InvalidText(field, "empty", "the subject must not be empty")
    else:
        value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if any(ord(char) < 32 and char not in "\n\t" for char in value):
        raise InvalidText(field, "control", "must not contain control characters")
    if len(value) > MAX_LENGTH[part]:
        raise InvalidText(
            field, "too_long", f"at most {MAX_LENGTH[part]} characters, not {len(value)}"
        )
    allowed = PLACEHOLDERS[part]
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(value)
            if name is not None
        ]
    except ValueError:
        raise InvalidText(
            field, "braces", "a { or } without its pair; write {{ or }} for a brace itself"
        ) from None
    named = ", ".join("{" + name + "}" for name in sorted(allowed))
    for name, spec, conversion in fields:
        if name not in allowed:
            shown = "{" + name + "}" if name else "{}"
            raise InvalidText(
                field, "placeholder", f"{shown} is not a placeholder of this part; use {named}"
            )
        if spec or conversion:
            raise InvalidText(
                field, "placeholder", f"write the placeholder as {{{name}}}, without : or !"
            )
    return value


def checked_changes(changes: object) -> dict[str, dict[str, str | None]]:
    """A change request (language → part → text, or None to go back to the built-in
    text), every text checked; :class:`InvalidInput` names the first bad field."""
    if not isinstance(changes, Mapping):
        raise InvalidInput("texts", "must be an object of languages")
    checked: dict[str, dict[str, str | None]] = {}
    for language, parts in changes.items():
        if language not in LANGUAGES:
            raise InvalidInput(f"texts.{language}", f"use one of {', '.join(LANGUAGES)}")
        if parts is None:
            checked[language] = dict.fromkeys(PARTS)
            continue
        if not isinstance(parts, Mapping):
            raise InvalidInput(f"texts.{language}", "must be an object of parts")
        checked[language] = {
            part: None if value is None else checked_part(language, part, value)
            for part, value in parts.items()
        }
    return checked


def with_changes(overrides: Mapping[str, Mapping[str, str]] | None,
                 changes: Mapping[str, Mapping[str, str | None]]) -> Overrides:
    """``overrides`` with ``changes`` applied (None removes a part's override); languages
    left without an override are dropped. ``changes`` come from :func:`checked_changes`."""
    merged: Overrides = {
        language: dict(parts) for language, parts in (overrides or {}).items() if parts
    }
    for language, parts in changes.items():
        own = merged.setdefault(language, {})
        for part, value in parts.items():
            if value is None:
                own.pop(part, None)
            else:
                own[part] = value
        if not own:
            del merged[language]
    return merged


def stored_overrides(raw: object) -> Overrides:
    """What the database holds, keeping only the parts that pass :func:`checked_part`
    (a hand-edited row must not break intake: a bad part falls back to the built-in
    text)."""
    if not isinstance(raw, Mapping):
        return {}
    found: Overrides = {}
    for language, parts in raw.items():
        if language not in LANGUAGES or not isinstance(parts, Mapping):
            continue
        for part, value in parts.items():
            try:
                found.setdefault(language, {})[part] = checked_part(language, part, value)
            except InvalidInput:
                continue
    return {language: parts for language, parts in found.items() if parts}
