"""What an MBO review sheet file says, whatever its format (XLSX or PDF); and the rows of
all the sheets of a period, for the CSV HR loads into payroll.

The texts arrive translated and the numbers formatted by the caller (the web route knows
the reader's language); both files show the same rows in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from kano.adapters.db.views.mbo import MboLine, MboSheetView
from kano.adapters.exports.table_files import Line


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
    comment: str = "Review comment"  # the reviewer's comment on an objective
    sheet_comment: str = "Reviewer's comment on the sheet"


def line_note(line: MboLine, texts: ReviewSheetTexts) -> str | None:
    """What stands under an objective: what it serves and the reviewer's comment."""
    notes = []
    if line.linked_title:
        notes.append(f"{texts.linked_to}: {line.linked_title}")
    if line.comment:
        notes.append(f"{texts.comment}: {line.comment}")
    return "\n".join(notes) or None


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


def period_stem(period: str) -> str:
    """The file name of a period's sheets: ``mbo-2026``, anything but letters, digits and
    dashes dropped (the period is typed by people)."""
    return "mbo-" + ("".join(c if c.isalnum() or c == "-" else "-" for c in period) or "period")


def period_rows(views: Sequence[MboSheetView], employee_ids: Mapping[int, str]) -> list[Line]:
    """One row per objective of each sheet, as the page shows it: employee, their id, the
    sheet, its status, the objective, weight %, achievement % (blank: not assessed), its
    weighted points, the sheet's weighted score (blank while the weights do not add up),
    the reviewer's comment on the objective and on the sheet (blank: none). A sheet
    without objectives still has its row, so that nobody drops out of payroll unseen.
    ``employee_ids`` maps a sheet's id to its employee's id (``external_id``)."""
    rows: list[Line] = []
    for view in views:
        sheet = view.sheet
        start = [sheet.employee, employee_ids.get(sheet.id, ""), sheet.key, sheet.status]
        for line in view.lines:
            rows.append(Line([*start, line.title, line.weight_percent,
                              line.achievement_percent, line.weighted, view.weighted_score,
                              line.comment, view.comment]))
        if not view.lines:
            rows.append(Line([*start, None, None, None, None, None, None, view.comment]))
    return rows
