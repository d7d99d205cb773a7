"""What an MBO review sheet file says, whatever its format (XLSX or PDF).

The texts arrive translated and the numbers formatted by the caller (the web route knows
the reader's language); both files show the same rows in the same order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kano.adapters.db.views.mbo import MboSheetView


@dataclass(frozen=True)
class ReviewSheetTexts:
    title: str  # "MBO review sheet"
    employee: str
    role: str
    team: str
    period: str
    status: str
    status_value: str  # the sheet's status, translated
    objective: str
    weight: str  # "Weight, %"
    achievement: str  # "Achievement, %"
    weighted: str  # "Weighted score"
    linked_to: str
    total: str
    weights_problem: str | None  # why there is no score, when the weights do not add up
    signatures: tuple[str, ...]  # "Employee", "Manager"
    page: str  # "Page %(number)s"
    number: Callable[[float | None], str]  # a number in the reader's language


def sheet_facts(view: MboSheetView, texts: ReviewSheetTexts) -> list[tuple[str, str]]:
    """The header facts of the sheet: who, which period, in which state."""
    facts = [(texts.employee, view.sheet.employee)]
    if view.role_title:
        facts.append((texts.role, view.role_title))
    if view.team:
        facts.append((texts.team, view.team))
    facts += [(texts.period, view.sheet.period_label), (texts.status, texts.status_value)]
    return facts


def file_stem(view: MboSheetView) -> str:
    return f"mbo-{view.sheet.key}"
