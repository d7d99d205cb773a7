"""The answers of one survey response, checked against their scales.

Every channel (API, bulk API, widget, import, staff entry) hands its answers to
:func:`checked_answers`, so a score outside its scale is refused the same way, with the
field named (``answers.nps``), wherever it came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kano.domain.shared.errors import InvalidInput

SCALES: dict[str, tuple[int, int]] = {
    "nps": (0, 10),  # likelihood to recommend
    "csat": (1, 5),  # satisfaction
    "ces": (1, 7),  # CES 2.0 agreement: "the company made it easy for me"
    "rating": (1, 5),
}
COMMENT_MAX_LENGTH = 10_000
LANGUAGES = ("en", "ru", "hu")


@dataclass(frozen=True)
class Answers:
    nps: int | None = None
    csat: int | None = None
    ces: int | None = None
    rating: int | None = None
    comment: str | None = None

    @property
    def is_detractor(self) -> bool:
        return self.nps is not None and self.nps <= 6


def checked_answers(raw: Mapping[str, Any], field: str = "answers") -> Answers:
    """The answers, or :class:`InvalidInput` naming the first bad one."""
    unknown = sorted(set(raw) - set(SCALES) - {"comment"})
    if unknown:
        known = ", ".join([*SCALES, "comment"])
        raise InvalidInput(f"{field}.{unknown[0]}", f"unknown question; use {known}")
    scores: dict[str, int | None] = {}
    for name, (low, high) in SCALES.items():
        value = raw.get(name)
        if value is None:
            scores[name] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            raise InvalidInput(f"{field}.{name}", f"must be a whole number from {low} to {high}")
        if not low <= value <= high:
            raise InvalidInput(f"{field}.{name}", f"must be from {low} to {high}, not {value}")
        scores[name] = int(value)
    comment = raw.get("comment")
    if comment is not None:
        if not isinstance(comment, str):
            raise InvalidInput(f"{field}.comment", "must be text")
        comment = comment.strip() or None
        if comment is not None and len(comment) > COMMENT_MAX_LENGTH:
            raise InvalidInput(
                f"{field}.comment", f"is longer than {COMMENT_MAX_LENGTH:,} characters"
            )
    if all(value is None for value in scores.values()) and comment is None:
        raise InvalidInput(field, "answer at least one question (nps, csat, ces, rating, comment)")
    return Answers(comment=comment, **scores)
