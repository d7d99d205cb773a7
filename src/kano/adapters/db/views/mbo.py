"""Read side of MBO: review sheets per employee and period, with the weighted score.

A sheet being drafted may not add up to 100 % yet: the view then says by how much instead
of scoring it (the domain's ``validate_weights`` is the rule). Every query is filtered by
the workspace id.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import (
    Employee,
    MboObjectiveRow,
    MboSheetRow,
    ObjectiveRow,
    OkrCycleRow,
    OkrObjectiveRow,
    Team,
)
from kano.domain.mbo.model import weighted_achievement
from kano.domain.shared.errors import InvalidInput


@dataclass(frozen=True)
class SheetChoice:
    id: int
    key: str
    employee: str
    period_label: str
    status: str


@dataclass(frozen=True)
class LinkedOkr:
    id: int
    title: str
    cycle_key: str


@dataclass(frozen=True)
class MboLine:
    key: str
    title: str
    weight_percent: float
    achievement_percent: float | None
    okr: LinkedOkr | None
    scorecard_objective: tuple[int, str] | None
    comment: str | None = None  # the reviewer's comment on the achievement

    @property
    def weighted(self) -> float | None:
        """This objective's share of the review score, in points of 100."""
        if self.achievement_percent is None:
            return None
        return self.weight_percent * self.achievement_percent / 100

    @property
    def linked_title(self) -> str | None:
        if self.okr is not None:
            return self.okr.title
        return self.scorecard_objective[1] if self.scorecard_objective else None


@dataclass(frozen=True)
class MboSheetView:
    sheet: SheetChoice
    role_title: str | None
    team: str | None
    lines: tuple[MboLine, ...]
    weighted_score: float | None  # None while the weights do not add up to 100 %
    comment: str | None = None  # the reviewer's comment on the whole sheet

    @property
    def total_weight(self) -> float:
        return math.fsum(line.weight_percent for line in self.lines)

    @property
    def weights_add_up(self) -> bool:
        return self.weighted_score is not None

    @property
    def unassessed_weight(self) -> float:
        """The weight of objectives without an achievement yet: they count 0 in the score."""
        return math.fsum(line.weight_percent for line in self.lines
                         if line.achievement_percent is None)


def list_sheets(db: Session, workspace_id: int) -> tuple[SheetChoice, ...]:
    """Sheets by employee name, the latest period first."""
    rows = db.execute(
        select(MboSheetRow, Employee.name)
        .join(Employee, Employee.id == MboSheetRow.employee_id)
        .where(MboSheetRow.workspace_id == workspace_id, Employee.workspace_id == workspace_id)
    ).all()
    ordered = sorted(rows, key=lambda r: r[0].period_label, reverse=True)
    ordered.sort(key=lambda r: r[1].casefold())
    return tuple(SheetChoice(row.id, row.key, name, row.period_label, row.status)
                 for row, name in ordered)


def choose_sheet(choices: tuple[SheetChoice, ...], key: str | None) -> SheetChoice | None:
    if key:
        asked = next((c for c in choices if c.key == key), None)
        if asked is not None:
            return asked
    return choices[0] if choices else None


def mbo_sheet(db: Session, workspace_id: int, sheet: SheetChoice) -> MboSheetView:
    employee = db.execute(
        select(Employee.role_title, Team.name, MboSheetRow.review_comment)
        .select_from(MboSheetRow)
        .join(Employee, Employee.id == MboSheetRow.employee_id)
        .outerjoin(Team, Team.id == Employee.team_id)
        .where(MboSheetRow.id == sheet.id, MboSheetRow.workspace_id == workspace_id)
    ).one()
    rows = db.execute(
        select(MboObjectiveRow, OkrObjectiveRow.title, OkrCycleRow.key, ObjectiveRow.title)
        .outerjoin(OkrObjectiveRow, OkrObjectiveRow.id == MboObjectiveRow.okr_objective_id)
        .outerjoin(OkrCycleRow, OkrCycleRow.id == OkrObjectiveRow.cycle_id)
        .outerjoin(ObjectiveRow, ObjectiveRow.id == MboObjectiveRow.scorecard_objective_id)
        .where(MboObjectiveRow.workspace_id == workspace_id,
               MboObjectiveRow.sheet_id == sheet.id)
        .order_by(MboObjectiveRow.position, MboObjectiveRow.id)
    ).all()
    lines = []
    for row, okr_title, cycle_key, objective_title in rows:
        okr = None
        if row.okr_objective_id is not None and okr_title is not None:
            okr = LinkedOkr(row.okr_objective_id, okr_title, cycle_key or "")
        scorecard = None
        if row.scorecard_objective_id is not None and objective_title is not None:
            scorecard = (row.scorecard_objective_id, objective_title)
        lines.append(MboLine(row.key, row.title, row.weight_percent, row.achievement_percent,
                             okr, scorecard, row.review_comment))
    try:
        score: float | None = weighted_achievement([r.to_domain() for r, *_ in rows])
    except InvalidInput:
        score = None
    return MboSheetView(sheet, employee[0], employee[1], tuple(lines), score, employee[2])
