"""The one write path of MBO review sheets, shared by the API (``api/routers/mbo.py``) and
the MBO page (``web/mbo_authoring.py``); the strategy-as-code import checks the same rules
(``allowed_move``, one sheet per employee and period) before it writes.

Who may: sheets — creating one, moving it between draft, agreed and reviewed — are the
structure, admins only; an objective on a sheet belongs to the owners of the OKR or
scorecard objective it serves (``may_change_owned``), so a delivery manager records the
achievement of what serves their OKR. The weights rule is the domain's
(``validate_weights``): a draft may not add up yet, an agreed or reviewed sheet must add up
to 100 % after every change. A sheet moves one step at a time (``MOVES``): a draft is
agreed before it is reviewed, and a reviewed sheet is reopened as agreed. An employee has
one sheet per period (``SheetTaken`` names ``employee`` or ``period``; the database's
unique constraint backs it). Each function checks, then writes the rows and one audit
entry (keys, not ids) in the caller's transaction and flushes; the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import (
    Employee,
    MboObjectiveRow,
    MboSheetRow,
    ObjectiveRow,
    OkrObjectiveRow,
)
from kano.adapters.db.strategy_store import (
    TITLE_MAX,
    AlreadyExists,
    Author,
    apply_audited_changes,
    key_from_title,
    new_key,
    position_or_last,
    record,
    referenced,
    require_admin,
    require_owner,
    row_in,
    text,
)
from kano.domain.mbo.model import validate_weights
from kano.domain.shared.errors import InvalidInput, NotFound

SHEETS = "MBO sheets"
MBO_OBJECTIVES = "MBO objectives"
STATUSES = ("draft", "agreed", "reviewed")
# Where a sheet may move from each status: one step forward, or one back to change it.
MOVES = {"draft": ("agreed",), "agreed": ("draft", "reviewed"), "reviewed": ("agreed",)}
PERIOD_MAX = 32
COMMENT_MAX = 2000
WEIGHT_RANGE = "must be more than 0 and at most 100"
ACHIEVEMENT_RANGE = "must be from 0 to 1000"
OBJECTIVE_COLUMNS = ("title", "weight_percent", "achievement_percent", "okr_objective_id",
                     "scorecard_objective_id", "position", "review_comment")


class SheetTaken(InvalidInput):
    """The employee has a sheet for the period already; ``field`` is ``employee`` or
    ``period`` (whichever the change named), ``sheet`` that sheet's key."""

    code = "mbo_sheet_taken"

    def __init__(self, field: str, employee: str, period: str, sheet: str) -> None:
        super().__init__(field, f"employee '{employee}' has a sheet for period '{period}' "
                                f"already ('{sheet}'): choose another {field}, or change "
                                f"or delete that sheet")
        self.sheet = sheet

    def details(self) -> dict[str, object]:
        return {"sheet": self.sheet}


def allowed_move(before: str, after: str) -> None:
    """``InvalidInput`` on ``status`` unless a sheet may move from ``before`` to ``after``
    (staying is allowed)."""
    if after not in STATUSES:
        raise InvalidInput("status", f"must be one of {', '.join(STATUSES)}")
    if after != before and after not in MOVES.get(before, ()):
        raise InvalidInput("status", f"a {before} sheet cannot become {after}; from {before} "
                                     f"it moves to {' or '.join(MOVES.get(before, ()))}")


def free_period(db: Session, workspace_id: int, employee: Employee, period: str, field: str,
                sheet_id: int | None = None) -> None:
    """``SheetTaken`` on ``field`` when ``employee`` has another sheet for ``period``."""
    taken = db.scalar(select(MboSheetRow.key).where(
        MboSheetRow.workspace_id == workspace_id, MboSheetRow.employee_id == employee.id,
        MboSheetRow.period_label == period,
        *([MboSheetRow.id != sheet_id] if sheet_id is not None else [])))
    if taken is not None:
        raise SheetTaken(field, employee.external_id, period, taken)


def checked_weight(value: float, field: str = "weight") -> float:
    """A weight in % of the review: more than 0, at most 100 (the API's schema too)."""
    if not 0 < value <= 100:
        raise InvalidInput(field, WEIGHT_RANGE)
    return value


def checked_achievement(value: float | None, field: str = "achievement") -> float | None:
    """An achievement in %: 0 … 1000 (over-achievement passes 100), or None (not assessed)."""
    if value is not None and not 0 <= value <= 1000:
        raise InvalidInput(field, ACHIEVEMENT_RANGE)
    return value


def owners_of(db: Session, okr_objective_id: int | None,
              scorecard_objective_id: int | None) -> list[int | None]:
    """Who owns an MBO objective: the owners of the objectives it serves."""
    owners: list[int | None] = []
    if okr_objective_id is not None:
        owners.append(db.scalar(select(OkrObjectiveRow.owner_user_id)
                                .where(OkrObjectiveRow.id == okr_objective_id)))
    if scorecard_objective_id is not None:
        owners.append(db.scalar(select(ObjectiveRow.owner_user_id)
                                .where(ObjectiveRow.id == scorecard_objective_id)))
    return owners


def require_weights_add_up(db: Session, sheet: MboSheetRow) -> None:
    """An agreed or reviewed sheet's weights must add up to 100 % (``InvalidInput`` on
    ``weights``); a draft is being written and may not add up yet."""
    if sheet.status == "draft":
        return
    db.flush()
    rows = db.scalars(select(MboObjectiveRow).where(MboObjectiveRow.sheet_id == sheet.id))
    validate_weights([row.to_domain() for row in rows])


def _links(db: Session, author: Author, values: Mapping[str, Any]) -> None:
    """The OKR and scorecard objectives named must be in the author's workspace."""
    ws = author.workspace_id
    if values.get("okr_objective_id") is not None:
        referenced(db, OkrObjectiveRow, ws, values["okr_objective_id"], "okr_objective",
                   "OKR objective")
    if values.get("scorecard_objective_id") is not None:
        referenced(db, ObjectiveRow, ws, values["scorecard_objective_id"],
                   "scorecard_objective", "objective")


def create_sheet(db: Session, author: Author, *, employee_id: int, period_label: str,
                 key: str | None = None, status: str = "draft",
                 review_comment: str | None = None) -> MboSheetRow:
    """A sheet for an employee of the workspace and a period ("2026", "2026-H1"), the
    employee's only one for that period."""
    require_admin(author, SHEETS)
    ws = author.workspace_id
    employee = referenced(db, Employee, ws, employee_id, "employee", "employee")
    period = text(period_label, "period", limit=PERIOD_MAX, required=True)
    assert period is not None
    if status not in STATUSES:
        raise InvalidInput("status", f"must be one of {', '.join(STATUSES)}")
    sheet_key = new_key(db, MboSheetRow, ws, key, f"{employee.external_id}-{period}",
                        "MBO sheet")
    free_period(db, ws, employee, period, "period")
    comment = text(review_comment, "comment", limit=COMMENT_MAX)
    sheet = MboSheetRow(workspace_id=ws, key=sheet_key, employee_id=employee.id,
                        period_label=period, status=status, review_comment=comment)
    db.add(sheet)
    db.flush()
    record(db, author, "create", "mbo_sheet", sheet.id,
           {"key": sheet.key, "employee": employee.external_id, "period": period,
            "status": status, **({"comment": comment} if comment else {})})
    return sheet


def update_sheet(db: Session, author: Author, sheet: MboSheetRow, *,
                 employee_id: int | None = None, period_label: str | None = None,
                 status: str | None = None,
                 review_comment: str | None = None) -> dict[str, dict[str, Any]]:
    """Give the sheet another employee or period, move it to another status (one step,
    ``MOVES``; leaving draft checks the weights), or write the reviewer's comment on the
    whole sheet (``""`` clears it; None leaves it). Admins only. One audit entry says what
    changed, from what to what (employees by their id, ``external_id``); the changes are
    returned, empty when nothing changed."""
    require_admin(author, SHEETS)
    ws = author.workspace_id
    employee = db.get(Employee, sheet.employee_id)
    assert employee is not None
    changes: dict[str, dict[str, Any]] = {}
    if employee_id is not None and employee_id != sheet.employee_id:
        moved_to = referenced(db, Employee, ws, employee_id, "employee", "employee")
        changes["employee"] = {"from": employee.external_id, "to": moved_to.external_id}
        employee = moved_to
    period = sheet.period_label
    if period_label is not None:
        checked = text(period_label, "period", limit=PERIOD_MAX, required=True)
        assert checked is not None
        if checked != period:
            changes["period"] = {"from": period, "to": checked}
            period = checked
    if changes:
        free_period(db, ws, employee, period, "employee" if "employee" in changes
                    and "period" not in changes else "period", sheet_id=sheet.id)
    if status is not None:
        allowed_move(sheet.status, status)
        if status != sheet.status:
            changes["status"] = {"from": sheet.status, "to": status}
    comment = sheet.review_comment
    if review_comment is not None:
        comment = text(review_comment, "comment", limit=COMMENT_MAX)
        if comment != sheet.review_comment:
            changes["comment"] = {"from": sheet.review_comment, "to": comment}
    if not changes:
        return changes
    sheet.employee_id, sheet.period_label = employee.id, period
    sheet.status, sheet.review_comment = status or sheet.status, comment
    require_weights_add_up(db, sheet)
    record(db, author, "update", "mbo_sheet", sheet.id, {"key": sheet.key, **changes})
    db.flush()
    return changes


def set_status(db: Session, author: Author, sheet: MboSheetRow, status: str) -> bool:
    """Move a sheet to another status (``update_sheet``); whether it changed."""
    return bool(update_sheet(db, author, sheet, status=status))


def delete_sheet(db: Session, author: Author, sheet: MboSheetRow) -> None:
    """Remove a sheet with its objectives (admins only). The audit entry keeps what the
    sheet was: its key, employee, period, status and each objective's weight and
    achievement, so a deletion by mistake can be typed back."""
    require_admin(author, SHEETS)
    employee = db.scalar(select(Employee.external_id).where(Employee.id == sheet.employee_id))
    objectives = db.scalars(select(MboObjectiveRow).where(MboObjectiveRow.sheet_id == sheet.id)
                            .order_by(MboObjectiveRow.position, MboObjectiveRow.id))
    record(db, author, "delete", "mbo_sheet", sheet.id,
           {"key": sheet.key, "employee": employee, "period": sheet.period_label,
            "status": sheet.status, "comment": sheet.review_comment,
            "objectives": [{"key": o.key, "title": o.title, "weight": o.weight_percent,
                            "achievement": o.achievement_percent,
                            "comment": o.review_comment} for o in objectives]})
    db.delete(sheet)
    db.flush()


def sheet_at(db: Session, workspace_id: int, sheet_id: int) -> MboSheetRow:
    """The sheet being changed; ``NotFound`` when the workspace has no such sheet."""
    row: MboSheetRow = row_in(db, MboSheetRow, workspace_id, sheet_id, "MBO sheet")
    return row


def objective_at(db: Session, sheet: MboSheetRow, objective_id: int) -> MboObjectiveRow:
    row: MboObjectiveRow = row_in(db, MboObjectiveRow, sheet.workspace_id, objective_id,
                                  "MBO objective")
    if row.sheet_id != sheet.id:
        raise NotFound("MBO objective", objective_id)
    return row


def add_objective(
    db: Session, author: Author, sheet: MboSheetRow, *, title: str, weight: float,
    achievement: float | None = None, okr_objective_id: int | None = None,
    scorecard_objective_id: int | None = None, key: str | None = None,
    position: int | None = None, comment: str | None = None,
) -> MboObjectiveRow:
    """An objective on the sheet, last unless ``position`` says where; the author must own
    what it serves (admins add any). The caller checks the weights once it has added all."""
    ws = author.workspace_id
    links = {"okr_objective_id": okr_objective_id,
             "scorecard_objective_id": scorecard_objective_id}
    _links(db, author, links)
    require_owner(author, owners_of(db, okr_objective_id, scorecard_objective_id),
                  MBO_OBJECTIVES)
    checked_title = text(title, "title", limit=TITLE_MAX, required=True)
    assert checked_title is not None
    checked_weight(weight)
    checked_achievement(achievement)
    note = text(comment, "comment", limit=COMMENT_MAX)
    taken = set(db.scalars(select(MboObjectiveRow.key)
                           .where(MboObjectiveRow.sheet_id == sheet.id)))
    if key is not None and key in taken:
        raise AlreadyExists("key", f"Sheet '{sheet.key}' has an objective '{key}' already.")
    objective_key = key or _free_key(checked_title, taken)
    row = MboObjectiveRow(
        workspace_id=ws, sheet_id=sheet.id, key=objective_key, title=checked_title,
        weight_percent=weight, achievement_percent=achievement, review_comment=note,
        position=position_or_last(db, MboObjectiveRow, ws, position, sheet_id=sheet.id),
        **links,
    )
    db.add(row)
    db.flush()
    okr_key = db.scalar(select(OkrObjectiveRow.key)
                        .where(OkrObjectiveRow.id == okr_objective_id))
    served_key = db.scalar(select(ObjectiveRow.key)
                           .where(ObjectiveRow.id == scorecard_objective_id))
    record(db, author, "create", "mbo_objective", row.id,
           {"sheet": sheet.key, "key": row.key, "title": row.title, "weight": weight,
            "achievement": achievement, "okr_objective": okr_key,
            "scorecard_objective": served_key, "position": row.position,
            **({"comment": note} if note else {})})
    return row


def _free_key(title: str, taken: set[str]) -> str:
    base = key_from_title(title, "objective")
    unused, number = base, 2
    while unused in taken:
        unused, number = f"{base}-{number}", number + 1
    return unused


def update_objective(
    db: Session, author: Author, sheet: MboSheetRow, row: MboObjectiveRow,
    values: Mapping[str, Any], comment: str | None = None,
) -> dict[str, dict[str, Any]]:
    """Change an objective's columns (``OBJECTIVE_COLUMNS``); the author must own what it
    serves before and after. ``comment`` is the reviewer's note on the achievement
    (``review_comment``: ``""`` clears it, None leaves it); the audit entry keeps each
    version with who wrote it and when. Returns the changes; the caller checks the
    weights."""
    if comment is not None:
        values = {**values, "review_comment": comment}
    unknown = set(values) - set(OBJECTIVE_COLUMNS)
    if unknown:
        raise TypeError(f"not a column one may change: {sorted(unknown)}")
    require_owner(author, owners_of(db, row.okr_objective_id, row.scorecard_objective_id),
                  MBO_OBJECTIVES)
    checked = dict(values)
    if "title" in checked:
        checked["title"] = text(checked["title"], "title", limit=TITLE_MAX, required=True)
    if "weight_percent" in checked:
        checked_weight(checked["weight_percent"])
    if "achievement_percent" in checked:
        checked_achievement(checked["achievement_percent"])
    if "review_comment" in checked:
        checked["review_comment"] = text(checked["review_comment"], "comment",
                                         limit=COMMENT_MAX)
    _links(db, author, checked)
    after = (checked.get("okr_objective_id", row.okr_objective_id),
             checked.get("scorecard_objective_id", row.scorecard_objective_id))
    require_owner(author, owners_of(db, *after), MBO_OBJECTIVES)
    label = {"sheet": sheet.key, "key": row.key}
    return apply_audited_changes(db, author, row, checked, "mbo_objective", label=label)


def delete_objective(db: Session, author: Author, sheet: MboSheetRow,
                     row: MboObjectiveRow) -> None:
    """Remove an objective the author owns; the caller checks the weights."""
    require_owner(author, owners_of(db, row.okr_objective_id, row.scorecard_objective_id),
                  MBO_OBJECTIVES)
    record(db, author, "delete", "mbo_objective", row.id,
           {"sheet": sheet.key, "key": row.key, "weight": row.weight_percent,
            **({"comment": row.review_comment} if row.review_comment else {})})
    db.delete(row)
    db.flush()


def move_objective(db: Session, author: Author, sheet: MboSheetRow, row: MboObjectiveRow,
                   step: int) -> bool:
    """Swap an objective with its neighbour above (``step`` −1) or below (+1), as the
    API's ``position`` does: by whoever may change the objective. Whether it moved."""
    require_owner(author, owners_of(db, row.okr_objective_id, row.scorecard_objective_id),
                  MBO_OBJECTIVES)
    siblings = list(db.scalars(select(MboObjectiveRow)
                               .where(MboObjectiveRow.sheet_id == sheet.id)
                               .order_by(MboObjectiveRow.position, MboObjectiveRow.id)))
    index = next(i for i, sibling in enumerate(siblings) if sibling.id == row.id)
    target = index + (1 if step > 0 else -1)
    if not 0 <= target < len(siblings):
        return False
    siblings[index], siblings[target] = siblings[target], siblings[index]
    for position, sibling in enumerate(siblings):
        sibling.position = position
    record(db, author, "update", "mbo_sheet", sheet.id,
           {"key": sheet.key, "order": [sibling.key for sibling in siblings]})
    db.flush()
    return True
