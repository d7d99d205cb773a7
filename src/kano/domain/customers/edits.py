"""What a change to a customer may hold, checked the same way for the API and the web form.

A change names only the fields it changes. ``email``, ``segment_key``, ``region`` and
``industry`` may be cleared (None); ``external_id``, ``name`` and ``consent_contact`` may
not. ``attributes`` is merged into the customer's free attributes the way RFC 7396 merges
a JSON object: a key set to None is removed, any other value replaces the old one.

The bounce mark is not a field: a permanent bounce stores the address that bounced
(``undeliverable_email``), and the customer is undeliverable while their address is that
one (:func:`kano.domain.feedback.bounces.email_undeliverable`). So a new address lifts the
mark by itself, and setting the bounced address back makes the customer undeliverable
again — the mailbox that bounced has not been shown to work. ``email_deliverable: True``
says it does work (the customer confirmed it) and forgets the bounced address.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from kano.domain.shared.errors import InvalidInput
from kano.domain.workspaces import Role

CUSTOMER_EDITORS = (Role.OWNER, Role.ADMIN, Role.MANAGER)
"""Who changes customers, in the API and the web UI: the people who own the relationship
(analysts and viewers read)."""

EDITABLE = (
    "external_id", "name", "email", "segment_key", "region", "industry", "consent_contact",
    "attributes", "email_deliverable",
)
REQUIRED = frozenset({"external_id", "name", "consent_contact", "attributes",
                      "email_deliverable"})
"""Fields that may be left out of a change but not set to None."""

NAME_MAX = 200
EXTERNAL_ID_MAX = 64
EMAIL_MAX = 320
SHORT_MAX = 64  # region, industry, segment key
ATTRIBUTE_KEY_MAX = 64
ATTRIBUTES_MAX_CHARACTERS = 10_000

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab and newlines pass
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

EMAIL_PATTERN = r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$"
"""The rule of :func:`checked_email` as a pattern an OpenAPI client can see."""
TEXT_PATTERN = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
"""Not blank, no control characters: names and external ids."""


def checked_email(value: str | None) -> str | None:
    """An e-mail address (surrounding spaces dropped, case kept); None clears it."""
    if value is None:
        return None
    address = value.strip()
    if not address:
        raise InvalidInput("email", "must not be blank (null removes the address)")
    if len(address) > EMAIL_MAX:
        raise InvalidInput("email", f"must be at most {EMAIL_MAX} characters")
    if _CONTROL.search(address) or not _EMAIL.fullmatch(address):
        raise InvalidInput("email", "is not an e-mail address (name@example.com)")
    return address


def _text(field: str, value: object, limit: int, *, required: bool) -> str | None:
    if value is None:
        if required:
            raise InvalidInput(field, "must not be empty")
        return None
    if not isinstance(value, str):
        raise InvalidInput(field, "must be text")
    text = value.strip()
    if _CONTROL.search(text):
        raise InvalidInput(field, "must not contain control characters")
    if not text:
        if required:
            raise InvalidInput(field, "must not be empty")
        return None
    if len(text) > limit:
        raise InvalidInput(field, f"must be at most {limit} characters")
    return text


def _has_control(value: Any) -> bool:
    if isinstance(value, str):
        return _CONTROL_IN_TEXT.search(value) is not None
    if isinstance(value, dict):
        return any(_has_control(k) or _has_control(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_control(item) for item in value)
    return False


def checked_attributes(value: object) -> dict[str, Any]:
    """A merge into the free attributes: keys 1–64 characters, values any JSON (None
    removes the key), no control characters, at most 10,000 characters as JSON."""
    if not isinstance(value, Mapping):
        raise InvalidInput("attributes", "must be an object of attribute names and values")
    checked: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not key.strip() or len(key) > ATTRIBUTE_KEY_MAX:
            raise InvalidInput("attributes", f"names are 1–{ATTRIBUTE_KEY_MAX} characters")
        if _CONTROL.search(key) or _has_control(item):
            raise InvalidInput(f"attributes.{key}", "must not contain control characters")
        checked[key] = item
    try:
        size = len(json.dumps(checked, allow_nan=False))
    except (TypeError, ValueError) as error:
        raise InvalidInput("attributes", "values must be JSON (text, numbers, true/false, "
                                         "lists or objects)") from error
    if size > ATTRIBUTES_MAX_CHARACTERS:
        raise InvalidInput("attributes",
                           f"must be at most {ATTRIBUTES_MAX_CHARACTERS:,} characters as JSON")
    return checked


def merged_attributes(current: Mapping[str, Any] | None,
                      change: Mapping[str, Any]) -> dict[str, Any]:
    """The attributes after an RFC 7396 merge of ``change`` (None removes a key)."""
    merged = dict(current or {})
    for key, value in change.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    if len(json.dumps(merged)) > ATTRIBUTES_MAX_CHARACTERS:
        raise InvalidInput("attributes",
                           f"must be at most {ATTRIBUTES_MAX_CHARACTERS:,} characters as JSON")
    return merged


def checked_changes(raw: Mapping[str, object]) -> dict[str, Any]:
    """The change with every field checked (an InvalidInput names the first bad one)."""
    unknown = sorted(set(raw) - set(EDITABLE))
    if unknown:
        raise InvalidInput(unknown[0], "is not a field of a customer that can be changed")
    checked: dict[str, Any] = {}
    for name, value in raw.items():
        if value is None and name in REQUIRED:
            raise InvalidInput(name, "must not be null (leave the field out to keep its value)")
        if name == "external_id":
            checked[name] = _text(name, value, EXTERNAL_ID_MAX, required=True)
        elif name == "name":
            checked[name] = _text(name, value, NAME_MAX, required=True)
        elif name == "email":
            if value is not None and not isinstance(value, str):
                raise InvalidInput(name, "must be text")
            checked[name] = checked_email(value)
        elif name in ("segment_key", "region", "industry"):
            checked[name] = _text(name, value, SHORT_MAX, required=False)
        elif name == "consent_contact":
            if not isinstance(value, bool):
                raise InvalidInput(name, "must be true or false")
            checked[name] = value
        elif name == "attributes":
            checked[name] = checked_attributes(value)
        elif name == "email_deliverable":
            if value is not True:
                raise InvalidInput(name, "only true is accepted: it lifts the bounce mark "
                                         "(a bounce sets it)")
            checked[name] = True
    return checked
