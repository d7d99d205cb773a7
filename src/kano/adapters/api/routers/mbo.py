"""``/mbo/sheets``: MBO review sheets and the weighted personal objectives on them.

Sheets are created, moved between statuses and deleted by admins. An MBO objective belongs
to the owner of the OKR or scorecard objective it serves, so the delivery manager can
record the achievement of the objectives that serve their delivery OKR. Once a sheet is
agreed or reviewed its weights must add up to 100 % after every change (the domain's
``validate_weights``); a draft may not add up yet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.api.deps import ReadAccess, SessionDep
from kano.adapters.api.editing import (
    Editor,
    EditorDep,
    commit_or_conflict,
    conflict,
    read_responses,
    taken_as_conflict,
    write_responses,
)
from kano.adapters.api.pagination import PageParams, fetch_page
from kano.adapters.api.schemas.editing import KEY_PATTERN, sent
from kano.adapters.api.schemas.mbo import (
    MboObjective,
    MboObjectiveCreate,
    MboObjectivePage,
    MboObjectiveUpdate,
    Sheet,
    SheetCreate,
    SheetPage,
    SheetUpdate,
)
from kano.adapters.api.strategy_lookups import (
    employee_id,
    find_row,
    key_map,
    referenced_id,
    row_at,
)
from kano.adapters.db import mbo_store
from kano.adapters.db.mbo_store import (
    MBO_OBJECTIVES,
    SheetTaken,
    owners_of,
    require_weights_add_up,
)
from kano.adapters.db.orm import (
    Employee,
    MboObjectiveRow,
    MboSheetRow,
    ObjectiveRow,
    OkrObjectiveRow,
)
from kano.domain.mbo.model import PersonalObjective, weighted_achievement
from kano.domain.shared.errors import InvalidInput, NotFound

router = APIRouter(prefix="/mbo/sheets", tags=["mbo"])

SheetKey = Annotated[str, Path(pattern=KEY_PATTERN, description="The sheet's key.")]
ObjectiveKey = Annotated[str, Path(pattern=KEY_PATTERN, description="The objective's key.")]


def objectives_out(
    session: Session, rows: list[MboObjectiveRow], sheet_keys: dict[int, str]
) -> list[MboObjective]:
    okrs = key_map(session, OkrObjectiveRow, (row.okr_objective_id for row in rows))
    served = key_map(session, ObjectiveRow, (row.scorecard_objective_id for row in rows))
    return [
        MboObjective(id=row.id, sheet=sheet_keys[row.sheet_id], key=row.key, title=row.title,
                     weight=row.weight_percent, achievement=row.achievement_percent,
                     okr_objective=okrs.get(row.okr_objective_id or 0),
                     scorecard_objective=served.get(row.scorecard_objective_id or 0),
                     position=row.position, comment=row.review_comment)
        for row in rows
    ]


def _score(objectives: list[PersonalObjective]) -> float | None:
    try:
        return weighted_achievement(objectives)
    except InvalidInput:  # a draft whose weights do not add up yet has no score
        return None


def sheets_out(session: Session, rows: list[MboSheetRow]) -> list[Sheet]:
    sheet_keys = {row.id: row.key for row in rows}
    by_sheet: dict[int, list[MboObjectiveRow]] = defaultdict(list)
    for objective in session.scalars(
        select(MboObjectiveRow).where(MboObjectiveRow.sheet_id.in_(sheet_keys))
        .order_by(MboObjectiveRow.position, MboObjectiveRow.id)
    ):
        by_sheet[objective.sheet_id].append(objective)
    employees = key_map(session, Employee, (row.employee_id for row in rows), "external_id")
    return [
        Sheet(id=row.id, key=row.key, employee=employees[row.employee_id],
              period=row.period_label, status=row.status, comment=row.review_comment,
              objectives=objectives_out(session, by_sheet[row.id], sheet_keys),
              total_weight=sum(o.weight_percent for o in by_sheet[row.id]),
              weighted_achievement=_score([o.to_domain() for o in by_sheet[row.id]]))
        for row in rows
    ]


def _clearing(values: dict[str, Any], name: str) -> str | None:
    """A text the request sent, null as "" (which clears it); None when not sent."""
    if name not in values:
        return None
    return values[name] or ""


@contextmanager
def sheet_taken_as_conflict() -> Iterator[None]:
    """The employee's period being taken by another sheet is a 409 (as a taken key is),
    its ``detail`` starting with the field to change, as a 422's does."""
    try:
        yield
    except SheetTaken as taken:
        raise conflict(str(taken)) from None


def _links(
    session: Session, workspace_id: int, okr: str | None, scorecard: str | None
) -> dict[str, Any]:
    return {
        "okr_objective_id": referenced_id(session, OkrObjectiveRow, workspace_id,
                                          "okr_objective", "OKR objective", okr),
        "scorecard_objective_id": referenced_id(session, ObjectiveRow, workspace_id,
                                                "scorecard_objective", "objective", scorecard),
    }


def _add_objective(
    session: Session, editor: Editor, sheet: MboSheetRow, body: MboObjectiveCreate
) -> MboObjectiveRow:
    """The store's ``add_objective`` (the MBO page's too), keys turned into ids."""
    links = _links(session, editor.workspace_id, body.okr_objective, body.scorecard_objective)
    with taken_as_conflict():
        return mbo_store.add_objective(
            session, editor, sheet, title=body.title, weight=body.weight,
            achievement=body.achievement, key=body.key, position=body.position,
            comment=body.comment, **links)


@router.get("", summary="List MBO sheets", response_model=SheetPage,
            responses=read_responses(401, 403, 422, 500))
def list_sheets(caller: ReadAccess, session: SessionDep, page: PageParams) -> SheetPage:
    statement = select(MboSheetRow).where(MboSheetRow.workspace_id == caller.workspace_id)
    rows, next_cursor = fetch_page(session, statement, MboSheetRow.id, page)
    return SheetPage(items=sheets_out(session, [row[0] for row in rows]), next_cursor=next_cursor)


@router.post("", summary="Create an MBO sheet", status_code=201, response_model=Sheet,
             responses=write_responses(400, 401, 403, 409, 422, 500))
def create_sheet(editor: EditorDep, session: SessionDep, body: SheetCreate) -> Sheet:
    """Admins only; may include its objectives. Unless it is a draft, the weights must add
    up to 100 % (422 `weights`). A taken key, or an employee who has a sheet for the
    period already, is a 409 (its `detail` starts with `period:` and names that sheet)."""
    editor.require_admin("MBO sheets")
    ws = editor.workspace_id
    keys = [objective.key for objective in body.objectives]
    if len(set(keys)) != len(keys):
        raise InvalidInput("objectives", "each objective of a sheet needs its own key")
    with taken_as_conflict(), sheet_taken_as_conflict():
        sheet = mbo_store.create_sheet(
            session, editor, employee_id=employee_id(session, ws, "employee", body.employee),
            period_label=body.period, key=body.key, status=body.status,
            review_comment=body.comment)
    for objective in body.objectives:
        _add_objective(session, editor, sheet, objective)
    require_weights_add_up(session, sheet)
    commit_or_conflict(session)
    return sheets_out(session, [sheet])[0]


@router.get("/{sheet_key}", summary="Get an MBO sheet", response_model=Sheet,
            responses=read_responses(401, 403, 404, 422, 500))
def get_sheet(caller: ReadAccess, session: SessionDep, sheet_key: SheetKey) -> Sheet:
    return sheets_out(session, [row_at(session, MboSheetRow, caller.workspace_id, "MBO sheet",
                                       key=sheet_key)])[0]


@router.patch("/{sheet_key}", summary="Change an MBO sheet (e.g. agree it)",
              response_model=Sheet, responses=write_responses(400, 401, 403, 404, 409, 422, 500))
def update_sheet(
    editor: EditorDep, session: SessionDep, sheet_key: SheetKey, body: SheetUpdate
) -> Sheet:
    """Admins only, through the store the MBO page uses. A sheet moves one step at a time:
    a draft is agreed (its weights must add up to 100 %, 422 `weights`), an agreed sheet
    is reviewed or goes back to draft, a reviewed one is reopened as agreed (422 `status`
    otherwise). An employee has one sheet per period: 409 whose `detail` starts with the
    field (`employee:` or `period:`) and names the sheet that has that period."""
    sheet = row_at(session, MboSheetRow, editor.workspace_id, "MBO sheet", key=sheet_key)
    editor.require_admin("MBO sheets")
    values: dict[str, Any] = sent(body)
    employee = (employee_id(session, editor.workspace_id, "employee", values["employee"])
                if "employee" in values else None)
    with sheet_taken_as_conflict():
        changed = mbo_store.update_sheet(session, editor, sheet, employee_id=employee,
                                         period_label=values.get("period"),
                                         status=values.get("status"),
                                         review_comment=_clearing(values, "comment"))
    if changed:
        commit_or_conflict(session)
    return sheets_out(session, [sheet])[0]


@router.delete("/{sheet_key}", summary="Delete an MBO sheet", status_code=204,
               response_class=Response, responses=write_responses(401, 403, 404, 422, 500))
def delete_sheet(editor: EditorDep, session: SessionDep, sheet_key: SheetKey) -> Response:
    """Admins only; the sheet's objectives go with it. The audit entry keeps what it was."""
    sheet = row_at(session, MboSheetRow, editor.workspace_id, "MBO sheet", key=sheet_key)
    mbo_store.delete_sheet(session, editor, sheet)
    commit_or_conflict(session)
    return Response(status_code=204)


def _sheet_objective(session: Session, sheet: MboSheetRow, key: str) -> MboObjectiveRow:
    row = find_row(session, MboObjectiveRow, sheet.workspace_id, sheet_id=sheet.id, key=key)
    if row is None:
        raise NotFound("MBO objective", key)
    return row


@router.get("/{sheet_key}/objectives", summary="List a sheet's objectives",
            response_model=MboObjectivePage, responses=read_responses(401, 403, 404, 422, 500))
def list_mbo_objectives(
    caller: ReadAccess, session: SessionDep, sheet_key: SheetKey, page: PageParams
) -> MboObjectivePage:
    sheet = row_at(session, MboSheetRow, caller.workspace_id, "MBO sheet", key=sheet_key)
    statement = select(MboObjectiveRow).where(MboObjectiveRow.sheet_id == sheet.id)
    rows, next_cursor = fetch_page(session, statement, MboObjectiveRow.id, page)
    items = objectives_out(session, [row[0] for row in rows], {sheet.id: sheet.key})
    return MboObjectivePage(items=items, next_cursor=next_cursor)


@router.put("/{sheet_key}/objectives", summary="Replace all objectives of a sheet",
            response_model=Sheet, responses=write_responses(400, 401, 403, 404, 422, 500))
def replace_mbo_objectives(
    editor: EditorDep, session: SessionDep, sheet_key: SheetKey,
    body: Annotated[list[MboObjectiveCreate], Body(max_length=100)],
) -> Sheet:
    """Admins only: the way to re-weight an agreed sheet in one step."""
    sheet = row_at(session, MboSheetRow, editor.workspace_id, "MBO sheet", key=sheet_key)
    editor.require_admin("all objectives of an MBO sheet")
    keys = [objective.key for objective in body]
    if len(set(keys)) != len(keys):
        raise InvalidInput("objectives", "each objective of a sheet needs its own key")
    for old in list(session.scalars(select(MboObjectiveRow)
                                    .where(MboObjectiveRow.sheet_id == sheet.id))):
        mbo_store.delete_objective(session, editor, sheet, old)
    for objective in body:
        _add_objective(session, editor, sheet, objective)
    require_weights_add_up(session, sheet)
    commit_or_conflict(session)
    return sheets_out(session, [sheet])[0]


@router.post("/{sheet_key}/objectives", summary="Add an objective to a sheet", status_code=201,
             response_model=MboObjective,
             responses=write_responses(400, 401, 403, 404, 409, 422, 500))
def create_mbo_objective(
    editor: EditorDep, session: SessionDep, sheet_key: SheetKey, body: MboObjectiveCreate
) -> MboObjective:
    sheet = row_at(session, MboSheetRow, editor.workspace_id, "MBO sheet", key=sheet_key)
    row = _add_objective(session, editor, sheet, body)
    require_weights_add_up(session, sheet)
    commit_or_conflict(session)
    return objectives_out(session, [row], {sheet.id: sheet.key})[0]


@router.get("/{sheet_key}/objectives/{objective_key}", summary="Get an MBO objective",
            response_model=MboObjective, responses=read_responses(401, 403, 404, 422, 500))
def get_mbo_objective(
    caller: ReadAccess, session: SessionDep, sheet_key: SheetKey, objective_key: ObjectiveKey
) -> MboObjective:
    sheet = row_at(session, MboSheetRow, caller.workspace_id, "MBO sheet", key=sheet_key)
    row = _sheet_objective(session, sheet, objective_key)
    return objectives_out(session, [row], {sheet.id: sheet.key})[0]


@router.patch("/{sheet_key}/objectives/{objective_key}", summary="Change an MBO objective",
              response_model=MboObjective, responses=write_responses(400, 401, 403, 404, 422, 500))
def update_mbo_objective(
    editor: EditorDep, session: SessionDep, sheet_key: SheetKey, objective_key: ObjectiveKey,
    body: MboObjectiveUpdate,
) -> MboObjective:
    """E.g. record the achievement; on an agreed sheet a new weight must keep 100 %."""
    ws = editor.workspace_id
    sheet = row_at(session, MboSheetRow, ws, "MBO sheet", key=sheet_key)
    row = _sheet_objective(session, sheet, objective_key)
    editor.require_owner(owners_of(session, row.okr_objective_id, row.scorecard_objective_id),
                         MBO_OBJECTIVES)
    values: dict[str, Any] = sent(body)
    renames = {"weight": "weight_percent", "achievement": "achievement_percent"}
    values = {renames.get(name, name): value for name, value in values.items()}
    if "okr_objective" in values:
        values["okr_objective_id"] = referenced_id(session, OkrObjectiveRow, ws, "okr_objective",
                                                   "OKR objective", values.pop("okr_objective"))
    if "scorecard_objective" in values:
        values["scorecard_objective_id"] = referenced_id(
            session, ObjectiveRow, ws, "scorecard_objective", "objective",
            values.pop("scorecard_objective"),
        )
    comment = _clearing(values, "comment")
    values.pop("comment", None)
    changes = mbo_store.update_objective(session, editor, sheet, row, values, comment=comment)
    require_weights_add_up(session, sheet)
    if changes:
        commit_or_conflict(session)
    return objectives_out(session, [row], {sheet.id: sheet.key})[0]


@router.delete("/{sheet_key}/objectives/{objective_key}", summary="Remove an MBO objective",
               status_code=204, response_class=Response,
               responses=write_responses(401, 403, 404, 422, 500))
def delete_mbo_objective(
    editor: EditorDep, session: SessionDep, sheet_key: SheetKey, objective_key: ObjectiveKey
) -> Response:
    sheet = row_at(session, MboSheetRow, editor.workspace_id, "MBO sheet", key=sheet_key)
    row = _sheet_objective(session, sheet, objective_key)
    mbo_store.delete_objective(session, editor, sheet, row)
    require_weights_add_up(session, sheet)
    commit_or_conflict(session)
    return Response(status_code=204)
