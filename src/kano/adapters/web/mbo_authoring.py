"""The MBO page's forms, on the one MBO write path (``kano.adapters.db.mbo_store``, which
the API's router uses too).

Each form is read here — numbers as the reader types them ("37,5" on a Russian page),
the link to an OKR or scorecard objective as one select — and written by the store, which
checks who may (``EditForbidden``), the values and the weights rule of an agreed sheet.
The store's problems come out as ``EditRejected`` naming the form's field with a catalogue
text; the route commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db import mbo_store
from kano.adapters.db.orm import (
    Employee,
    MboObjectiveRow,
    MboSheetRow,
    ObjectiveRow,
    OkrCycleRow,
    OkrObjectiveRow,
)
from kano.adapters.db.strategy_store import BLANK, CONTROL, TOO_LONG, AlreadyExists
from kano.adapters.web.okr_authoring import Choice
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.strategy_edits import Editor, EditRejected, parse_number
from kano.domain.shared.errors import InvalidInput

STATUS_STEPS = mbo_store.STATUSES
_FIELD_TEXTS = {
    "weight": N_("A weight is more than 0 and at most 100 (%)."),
    "achievement": N_("An achievement is from 0 to 1000 (%)."),
    "employee": N_("Choose an employee of this workspace."),
    "period": N_("Give the period, such as 2026 or 2026-H1."),
    "link": N_("Choose an objective of this workspace."),
    "status": N_("Choose draft, agreed or reviewed."),
}
WEIGHTS_TEXT = N_("Once a sheet is agreed its weights must add up to 100%. Move it back to "
                  "draft to change the weights one by one.")
AGREE_TEXT = N_("The weights must add up to 100% before the sheet is agreed or reviewed.")
_GENERAL_TEXTS = {BLANK: N_("Please fill this in."),
                  CONTROL: N_("This text contains invisible control characters.")}
_FORM_FIELDS = {"okr_objective": "link", "scorecard_objective": "link", "objectives": "weight"}
_TAKEN_SHEET = N_("This employee has a sheet for this period already: choose another "
                  "period, or open that sheet and change it.")
_STEP_TEXT = N_("A sheet moves one step at a time: a draft is agreed before it is reviewed, "
                "and a reviewed sheet is reopened as agreed.")


@dataclass(frozen=True)
class ObjectiveForm:
    """An objective as typed: the texts of its fields."""

    title: str = ""
    weight: str = ""
    achievement: str = ""
    link: str = ""  # "okr:12", "objective:7" or ""
    comment: str = ""


@dataclass(frozen=True)
class LinkChoices:
    okrs: list[Choice]
    objectives: list[Choice]


def link_choices(db: Session, workspace_id: int) -> LinkChoices:
    """What an MBO objective may serve: the OKR objectives of open cycles, the scorecard's."""
    okrs = db.execute(select(OkrObjectiveRow.id, OkrObjectiveRow.title, OkrCycleRow.name)
                      .join(OkrCycleRow, OkrCycleRow.id == OkrObjectiveRow.cycle_id)
                      .where(OkrObjectiveRow.workspace_id == workspace_id)
                      .order_by(OkrCycleRow.starts_on.desc(), OkrObjectiveRow.title))
    objectives = db.execute(select(ObjectiveRow.id, ObjectiveRow.title)
                            .where(ObjectiveRow.workspace_id == workspace_id)
                            .order_by(ObjectiveRow.title))
    return LinkChoices([Choice(row_id, f"{title} · {cycle}") for row_id, title, cycle in okrs],
                       [Choice(row_id, title) for row_id, title in objectives])


def employees(db: Session, workspace_id: int) -> list[Choice]:
    rows = db.execute(select(Employee.id, Employee.name, Employee.external_id)
                      .where(Employee.workspace_id == workspace_id).order_by(Employee.name))
    return [Choice(row_id, f"{name} ({external})") for row_id, name, external in rows]


def _rejection(problem: InvalidInput | AlreadyExists) -> EditRejected:
    field = problem.field.split("[")[0].split(".")[0]
    field = _FORM_FIELDS.get(field, field)
    message = problem.message if isinstance(problem, InvalidInput) else ""
    if isinstance(problem, mbo_store.SheetTaken):
        return EditRejected(problem.field, _TAKEN_SHEET)
    if field == "status" and message.startswith("a "):
        return EditRejected("status", _STEP_TEXT)
    if isinstance(problem, AlreadyExists):
        return EditRejected("period", _TAKEN_SHEET)
    if field == "weights":
        return EditRejected("weight", WEIGHTS_TEXT)
    if message in _GENERAL_TEXTS:
        return EditRejected(field, _GENERAL_TEXTS[message])
    if message.startswith(TOO_LONG):
        return EditRejected(field, N_("This text is too long."))
    return EditRejected(field, _FIELD_TEXTS.get(field, N_("Check this value.")))


@contextmanager
def store_problems() -> Iterator[None]:
    try:
        yield
    except (InvalidInput, AlreadyExists) as problem:
        raise _rejection(problem) from None


def _links(text: str) -> dict[str, int | None]:
    """The link select's value as the store's two ids."""
    kind, _, number = text.strip().partition(":")
    if not kind:
        return {"okr_objective_id": None, "scorecard_objective_id": None}
    if kind not in ("okr", "objective") or not number.isdigit():
        raise EditRejected("link", _FIELD_TEXTS["link"])
    return {"okr_objective_id": int(number) if kind == "okr" else None,
            "scorecard_objective_id": int(number) if kind == "objective" else None}


def link_value(row: MboObjectiveRow) -> str:
    if row.okr_objective_id is not None:
        return f"okr:{row.okr_objective_id}"
    if row.scorecard_objective_id is not None:
        return f"objective:{row.scorecard_objective_id}"
    return ""


def _numbers(editor: Editor, form: ObjectiveForm) -> tuple[float, float | None]:
    if not form.weight.strip():
        raise EditRejected("weight", _FIELD_TEXTS["weight"])
    weight = parse_number(form.weight, "weight", editor.language)
    achievement = (parse_number(form.achievement, "achievement", editor.language)
                   if form.achievement.strip() else None)
    return weight, achievement


def sheet_by_key(db: Session, workspace_id: int, key: str) -> MboSheetRow | None:
    return db.scalar(select(MboSheetRow).where(MboSheetRow.workspace_id == workspace_id,
                                               MboSheetRow.key == key))


def create_sheet(db: Session, editor: Editor, employee: str, period: str) -> MboSheetRow:
    if not employee.strip().isdigit():
        raise EditRejected("employee", _FIELD_TEXTS["employee"])
    with store_problems():
        return mbo_store.create_sheet(db, editor, employee_id=int(employee),
                                      period_label=period)


def add_objective(db: Session, editor: Editor, sheet: MboSheetRow,
                  form: ObjectiveForm) -> MboObjectiveRow:
    weight, achievement = _numbers(editor, form)
    links = _links(form.link)
    with store_problems():
        row = mbo_store.add_objective(
            db, editor, sheet, title=form.title, weight=weight, achievement=achievement,
            okr_objective_id=links["okr_objective_id"],
            scorecard_objective_id=links["scorecard_objective_id"])
        mbo_store.require_weights_add_up(db, sheet)
    return row


def update_objective(db: Session, editor: Editor, sheet: MboSheetRow, row: MboObjectiveRow,
                     form: ObjectiveForm) -> None:
    weight, achievement = _numbers(editor, form)
    values = {"title": form.title, "weight_percent": weight,
              "achievement_percent": achievement, **_links(form.link)}
    with store_problems():
        mbo_store.update_objective(db, editor, sheet, row, values, comment=form.comment)
        mbo_store.require_weights_add_up(db, sheet)


def delete_objective(db: Session, editor: Editor, sheet: MboSheetRow,
                     row: MboObjectiveRow) -> None:
    with store_problems():
        mbo_store.delete_objective(db, editor, sheet, row)
        mbo_store.require_weights_add_up(db, sheet)


def set_status(db: Session, editor: Editor, sheet: MboSheetRow, status: str,
               comment: str | None = None) -> None:
    """The sheet's status and, when the form sends one, the reviewer's comment on it."""
    try:
        with store_problems():
            mbo_store.update_sheet(db, editor, sheet, status=status, review_comment=comment)
    except EditRejected as rejected:
        if rejected.field == "weight":
            raise EditRejected("status", AGREE_TEXT) from None
        raise


def delete_sheet(db: Session, editor: Editor, sheet: MboSheetRow) -> None:
    with store_problems():
        mbo_store.delete_sheet(db, editor, sheet)


def move_objective(db: Session, editor: Editor, sheet: MboSheetRow, row: MboObjectiveRow,
                   step: int) -> None:
    with store_problems():
        mbo_store.move_objective(db, editor, sheet, row, step)
