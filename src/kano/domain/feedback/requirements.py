"""Special requirements: what one customer needs that others do not (SPEC §2.5).

A requirement has a kind (product purpose, delivery, packaging, technical or chemical
properties, documentation, other), a text, a status from proposed to retired, an owner,
a review date and links to a customer, a product and a process. ``checked_requirement``
reads one from untrusted fields (the API, the web form, a CSV row) and names the field
of the first problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from kano.domain.shared.errors import InvalidInput

TEXT_MAX_LENGTH = 4_000
KEY_MAX_LENGTH = 64
FREE_KEY = re.compile(r"^[^\x00-\x1f\x7f]{1,64}$")


class RequirementKind(StrEnum):
    PRODUCT_PURPOSE = "product_purpose"
    DELIVERY = "delivery"
    PACKAGING = "packaging"
    TECHNICAL = "technical"
    CHEMICAL = "chemical"
    DOCUMENTATION = "documentation"
    OTHER = "other"


class RequirementStatus(StrEnum):
    PROPOSED = "proposed"
    AGREED = "agreed"
    IN_EFFECT = "in_effect"
    RETIRED = "retired"


FIELDS = ("customer", "kind", "text", "status", "owner", "product", "process", "review_on")


@dataclass(frozen=True)
class RequirementDraft:
    customer: str  # the customer's external id
    kind: RequirementKind
    text: str
    status: RequirementStatus = RequirementStatus.PROPOSED
    owner: str | None = None  # a member's e-mail
    product: str | None = None
    process: str | None = None
    review_on: date | None = None


def is_overdue(review_on: date | None, status: str, today: date) -> bool:
    """A live requirement (not retired) whose review date has passed."""
    return review_on is not None and review_on < today and status != RequirementStatus.RETIRED


def _optional(raw: Mapping[str, object], name: str, prefix: str) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(prefix + name, "must be text")
    value = value.strip()
    return value or None


def _choice(enum: type[StrEnum], value: object, field: str) -> StrEnum:
    choices = ", ".join(member.value for member in enum)
    if not isinstance(value, str):
        raise InvalidInput(field, f"use one of {choices}")
    try:
        return enum(value.strip().lower().replace(" ", "_").replace("-", "_"))
    except ValueError as error:
        raise InvalidInput(field, f"{value!r} is not one of {choices}") from error


def checked_requirement(raw: Mapping[str, object], prefix: str = "") -> RequirementDraft:
    """A draft from untrusted fields; InvalidInput names ``prefix + field``."""
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        raise InvalidInput(prefix + unknown[0], "is not a field of a requirement")
    customer = _optional(raw, "customer", prefix)
    if customer is None:
        raise InvalidInput(prefix + "customer", "give the customer's external id")
    if not FREE_KEY.match(customer):
        raise InvalidInput(prefix + "customer", f"write 1 to {KEY_MAX_LENGTH} characters")
    kind = _choice(RequirementKind, raw.get("kind"), prefix + "kind")
    text = _optional(raw, "text", prefix)
    if text is None:
        raise InvalidInput(prefix + "text", "describe the requirement")
    if "\x00" in text:
        raise InvalidInput(prefix + "text", "must not contain NUL characters")
    if len(text) > TEXT_MAX_LENGTH:
        raise InvalidInput(prefix + "text", f"write at most {TEXT_MAX_LENGTH} characters")
    status = RequirementStatus.PROPOSED
    if raw.get("status") not in (None, ""):
        status = RequirementStatus(_choice(RequirementStatus, raw.get("status"),
                                           prefix + "status"))
    keys: dict[str, str | None] = {}
    for name in ("owner", "product", "process"):
        value = _optional(raw, name, prefix)
        if value is not None and not FREE_KEY.match(value):
            raise InvalidInput(prefix + name, f"write 1 to {KEY_MAX_LENGTH} characters")
        keys[name] = value
    review_on = raw.get("review_on")
    if isinstance(review_on, str):
        review_on = review_on.strip() or None
        if review_on is not None:
            try:
                review_on = date.fromisoformat(review_on)
            except ValueError as error:
                message = f"{raw.get('review_on')!r} is not a date (YYYY-MM-DD)"
                raise InvalidInput(prefix + "review_on", message) from error
    if review_on is not None and not isinstance(review_on, date):
        raise InvalidInput(prefix + "review_on", "must be a date (YYYY-MM-DD)")
    return RequirementDraft(
        customer=customer, kind=RequirementKind(kind), text=text, status=status,
        owner=keys["owner"], product=keys["product"], process=keys["process"],
        review_on=review_on,
    )
