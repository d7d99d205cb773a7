"""``/okr/cycles`` and ``/okr/objectives``: the OKR calendar and the objectives in it.

Cycles are structure (admins), and so is closing one (``POST /okr/cycles/{key}/close``, the
same operation as the web UI's and ``kano okr close``: ``okr_closing.close_cycle``). OKR
objectives belong to their owner: managers create, change and delete their own
(``editing.ROLE_RULES``). Each objective answers with its progress, the weighted progress
of its key results (``objective_progress``). New cycles and objectives are written by
``okr_store``, as the OKR page's are; a closed cycle takes no new objective (409).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.api.deps import ReadAccess, SessionDep
from kano.adapters.api.editing import (
    Editor,
    EditorDep,
    apply_changes,
    commit_or_conflict,
    conflict,
    read_responses,
    record,
    write_responses,
)
from kano.adapters.api.pagination import PageParams, fetch_page
from kano.adapters.api.params import key_filter
from kano.adapters.api.schemas.editing import KEY_PATTERN, sent
from kano.adapters.api.schemas.okr import (
    CarriedKeyResult,
    Cycle,
    CycleClose,
    CycleClosed,
    CycleCreate,
    CyclePage,
    CycleUpdate,
    ObjectiveGrade,
    OkrLevel,
    OkrObjective,
    OkrObjectiveCreate,
    OkrObjectivePage,
    OkrObjectiveUpdate,
)
from kano.adapters.api.strategy_lookups import (
    ancestors,
    email_map,
    key_map,
    member_id,
    referenced_id,
    referenced_row,
    row_at,
    team_id,
    team_key_map,
)
from kano.adapters.db import okr_closing, okr_store
from kano.adapters.db.key_result_directions import metric_directions
from kano.adapters.db.okr_closing import Actor, ClosedCycle
from kano.adapters.db.orm import KeyResultRow, ObjectiveRow, OkrCycleRow, OkrObjectiveRow, Team
from kano.adapters.db.strategy_store import AlreadyExists
from kano.domain.okr.closing import ClosingConflict
from kano.domain.okr.model import Commitment, KeyResult, objective_progress
from kano.domain.shared.errors import InvalidInput

router = APIRouter(prefix="/okr", tags=["okr"])

CycleKey = Annotated[str, Path(pattern=KEY_PATTERN, description="The cycle's key.")]
OkrObjectiveKey = Annotated[str, Path(pattern=KEY_PATTERN, description="The objective's key.")]
OKR_OBJECTIVES = "OKR objectives"


def cycle_out(row: OkrCycleRow) -> Cycle:
    return Cycle(id=row.id, key=row.key, name=row.name, kind=row.kind, starts_on=row.starts_on,
                 ends_on=row.ends_on, status=row.status)


def _check_dates(values: dict[str, Any]) -> None:
    if values["ends_on"] < values["starts_on"]:
        raise InvalidInput("ends_on", "is before starts_on")


@router.get("/cycles", summary="List OKR cycles", response_model=CyclePage,
            responses=read_responses(401, 403, 422, 500))
def list_cycles(caller: ReadAccess, session: SessionDep, page: PageParams) -> CyclePage:
    statement = select(OkrCycleRow).where(OkrCycleRow.workspace_id == caller.workspace_id)
    rows, next_cursor = fetch_page(session, statement, OkrCycleRow.id, page)
    return CyclePage(items=[cycle_out(row[0]) for row in rows], next_cursor=next_cursor)


@router.post("/cycles", summary="Create an OKR cycle", status_code=201, response_model=Cycle,
             responses=write_responses(400, 401, 403, 409, 422, 500))
def create_cycle(editor: EditorDep, session: SessionDep, body: CycleCreate) -> Cycle:
    """Admins only."""
    with store_conflicts():
        row = okr_store.create_cycle(session, editor, **body.model_dump())
    commit_or_conflict(session)
    return cycle_out(row)


@router.get("/cycles/{cycle_key}", summary="Get an OKR cycle", response_model=Cycle,
            responses=read_responses(401, 403, 404, 422, 500))
def get_cycle(caller: ReadAccess, session: SessionDep, cycle_key: CycleKey) -> Cycle:
    return cycle_out(row_at(session, OkrCycleRow, caller.workspace_id, "cycle", key=cycle_key))


@router.patch("/cycles/{cycle_key}", summary="Change an OKR cycle",
              response_model=Cycle, responses=write_responses(400, 401, 403, 404, 422, 500))
def update_cycle(
    editor: EditorDep, session: SessionDep, cycle_key: CycleKey, body: CycleUpdate
) -> Cycle:
    """Admins only. Setting `status` from `open` to `closed` closes the cycle as
    `POST …/close` does without a target: every objective gets its grade."""
    row = row_at(session, OkrCycleRow, editor.workspace_id, "cycle", key=cycle_key)
    editor.require_admin("OKR cycles")
    values = sent(body)
    _check_dates({"starts_on": row.starts_on, "ends_on": row.ends_on, **values})
    closes = values.get("status") == "closed" and row.status == "open"
    if closes:
        del values["status"]
    changes = apply_changes(row, values)
    if changes:
        record(session, editor, "update", "okr_cycle", row.id, {"key": row.key, **changes})
    if closes:
        _close(session, editor, cycle_key, None)
    if changes or closes:
        commit_or_conflict(session)
    return cycle_out(row)


@contextmanager
def store_conflicts() -> Iterator[None]:
    """The OKR store's conflicts as 409s naming what conflicts: a taken key, a closed
    cycle, a second check-in at the same moment."""
    try:
        yield
    except (AlreadyExists, okr_store.CycleIsClosed, okr_store.CheckInTaken) as refused:
        raise conflict(str(refused)) from None


def _close(
    session: Session, editor: Editor, cycle_key: str, carry_over_to: str | None
) -> ClosedCycle:
    try:
        return okr_closing.close_cycle(session, editor.workspace_id, cycle_key, carry_over_to,
                                       Actor(editor.actor, editor.user_id))
    except ClosingConflict as refused:
        session.rollback()
        raise conflict(str(refused)) from None


@router.post("/cycles/{cycle_key}/close", summary="Close an OKR cycle: grade and carry over",
             response_model=CycleClosed,
             responses=write_responses(400, 401, 403, 404, 409, 422, 500))
def close_cycle(
    editor: EditorDep, session: SessionDep, cycle_key: CycleKey, body: CycleClose
) -> CycleClosed:
    """Admins only. Grades every objective of the cycle (0.0–1.0, the weighted progress of
    its key results; success at 1.0 for committed and 0.7 for aspirational objectives) and
    closes it. With `carry_over_to`, every unfinished key result (progress below 1) is
    copied into that open cycle under a copy of its objective: keys `<key>-<target cycle>`,
    `carried_over_from` naming the original, a metric key result starting at the
    original's current value. One transaction; a closed cycle cannot be closed again (409).
    """
    row = row_at(session, OkrCycleRow, editor.workspace_id, "cycle", key=cycle_key)
    editor.require_admin("OKR cycles")
    closed = _close(session, editor, cycle_key, body.carry_over_to)
    commit_or_conflict(session)
    return CycleClosed(
        cycle=cycle_out(row),
        carried_over_to=closed.carried_over_to,
        grades=[ObjectiveGrade(objective=g.key, title=g.title, commitment=g.commitment,
                               grade=g.grade, success=g.success) for g in closed.grades],
        carried=[CarriedKeyResult(key_result=c.key_result, copy_key=c.copy,
                                  objective=c.objective, title=c.title)
                 for c in closed.carried],
    )


@router.delete("/cycles/{cycle_key}", summary="Delete an OKR cycle", status_code=204,
               response_class=Response, responses=write_responses(401, 403, 404, 422, 500))
def delete_cycle(editor: EditorDep, session: SessionDep, cycle_key: CycleKey) -> Response:
    """Admins only. Deletes its objectives, key results and check-ins."""
    row = row_at(session, OkrCycleRow, editor.workspace_id, "cycle", key=cycle_key)
    editor.require_admin("OKR cycles")
    record(session, editor, "delete", "okr_cycle", row.id, {"key": row.key, "name": row.name})
    session.delete(row)
    commit_or_conflict(session)
    return Response(status_code=204)


def okr_objectives_out(session: Session, rows: list[OkrObjectiveRow]) -> list[OkrObjective]:
    ids = [row.id for row in rows]
    key_results: dict[int, list[KeyResult]] = defaultdict(list)
    rows_of_krs = list(session.scalars(
        select(KeyResultRow).where(KeyResultRow.okr_objective_id.in_(ids))))
    directions = metric_directions(session, rows[0].workspace_id,
                                   (kr.metric_id for kr in rows_of_krs)) if rows else {}
    for kr in rows_of_krs:
        key_results[kr.okr_objective_id].append(kr.to_domain(directions.get(kr.metric_id or "")))
    cycles = key_map(session, OkrCycleRow, (row.cycle_id for row in rows))
    teams = team_key_map(session, (row.team_id for row in rows))
    owners = email_map(session, (row.owner_user_id for row in rows))
    parents = key_map(session, OkrObjectiveRow, (row.parent_id for row in rows))
    served = key_map(session, ObjectiveRow, (row.scorecard_objective_id for row in rows))
    return [
        OkrObjective(
            id=row.id, key=row.key, cycle=cycles[row.cycle_id], title=row.title, level=row.level,
            team=teams.get(row.team_id or 0), owner=owners.get(row.owner_user_id or 0),
            parent=parents.get(row.parent_id or 0),
            scorecard_objective=served.get(row.scorecard_objective_id or 0),
            commitment=Commitment(row.commitment), grade=row.grade, position=row.position,
            progress=objective_progress(key_results[row.id]),
        )
        for row in rows
    ]


def _parent_id(
    session: Session, workspace_id: int, own_id: int | None, key: str | None
) -> int | None:
    """The aligned-to objective; 422 when unknown or when the alignment would loop."""
    parent_id = referenced_id(session, OkrObjectiveRow, workspace_id, "parent", "OKR objective",
                              key)
    if own_id is not None and own_id in ancestors(session, OkrObjectiveRow, parent_id, "parent_id"):
        raise InvalidInput("parent", "would make the alignment a loop")
    return parent_id


@router.get("/objectives", summary="List OKR objectives", response_model=OkrObjectivePage,
            responses=read_responses(401, 403, 422, 500))
def list_okr_objectives(
    caller: ReadAccess, session: SessionDep, page: PageParams,
    cycle: Annotated[str | None, key_filter("Only objectives of this cycle.")] = None,
    level: Annotated[OkrLevel | None, Query(description="Only this level.")] = None,
    team: Annotated[str | None, key_filter("Only objectives of this team.")] = None,
) -> OkrObjectivePage:
    statement = select(OkrObjectiveRow).where(OkrObjectiveRow.workspace_id == caller.workspace_id)
    if cycle is not None:
        statement = statement.join(OkrCycleRow, OkrCycleRow.id == OkrObjectiveRow.cycle_id)
        statement = statement.where(OkrCycleRow.key == cycle)
    if level is not None:
        statement = statement.where(OkrObjectiveRow.level == level)
    if team is not None:
        statement = statement.join(Team, Team.id == OkrObjectiveRow.team_id)
        statement = statement.where(Team.key == team)
    rows, next_cursor = fetch_page(session, statement, OkrObjectiveRow.id, page)
    return OkrObjectivePage(items=okr_objectives_out(session, [row[0] for row in rows]),
                            next_cursor=next_cursor)


@router.post("/objectives", summary="Create an OKR objective", status_code=201,
             response_model=OkrObjective, responses=write_responses(400, 401, 403, 409, 422, 500))
def create_okr_objective(
    editor: EditorDep, session: SessionDep, body: OkrObjectiveCreate
) -> OkrObjective:
    """Managers may create objectives they own, at any level; not in a closed cycle
    (409)."""
    ws = editor.workspace_id
    cycle = referenced_row(session, OkrCycleRow, ws, "cycle", "cycle", key=body.cycle)
    with store_conflicts():
        row = okr_store.create_objective(
            session, editor, cycle_id=cycle.id, key=body.key, title=body.title,
            level=body.level, owner_user_id=member_id(session, ws, "owner", body.owner),
            team_id=team_id(session, ws, "team", body.team),
            parent_id=_parent_id(session, ws, None, body.parent),
            scorecard_objective_id=referenced_id(session, ObjectiveRow, ws,
                                                 "scorecard_objective", "objective",
                                                 body.scorecard_objective),
            commitment=body.commitment, grade=body.grade, position=body.position,
        )
    commit_or_conflict(session)
    return okr_objectives_out(session, [row])[0]


@router.get("/objectives/{objective_key}", summary="Get an OKR objective",
            response_model=OkrObjective, responses=read_responses(401, 403, 404, 422, 500))
def get_okr_objective(
    caller: ReadAccess, session: SessionDep, objective_key: OkrObjectiveKey
) -> OkrObjective:
    row = row_at(session, OkrObjectiveRow, caller.workspace_id, "OKR objective", key=objective_key)
    return okr_objectives_out(session, [row])[0]


@router.patch("/objectives/{objective_key}", summary="Change an OKR objective",
              response_model=OkrObjective, responses=write_responses(400, 401, 403, 404, 422, 500))
def update_okr_objective(
    editor: EditorDep, session: SessionDep, objective_key: OkrObjectiveKey,
    body: OkrObjectiveUpdate,
) -> OkrObjective:
    """Only the fields sent change; a manager cannot hand an objective to someone else."""
    ws = editor.workspace_id
    row = row_at(session, OkrObjectiveRow, ws, "OKR objective", key=objective_key)
    editor.require_owner([row.owner_user_id], OKR_OBJECTIVES)
    values: dict[str, Any] = sent(body)
    if "cycle" in values:
        values["cycle_id"] = referenced_row(session, OkrCycleRow, ws, "cycle", "cycle",
                                            key=values.pop("cycle")).id
    if "owner" in values:
        values["owner_user_id"] = member_id(session, ws, "owner", values.pop("owner"))
        editor.require_owner([values["owner_user_id"]], OKR_OBJECTIVES)
    if "team" in values:
        values["team_id"] = team_id(session, ws, "team", values.pop("team"))
    if "parent" in values:
        values["parent_id"] = _parent_id(session, ws, row.id, values.pop("parent"))
    if "scorecard_objective" in values:
        values["scorecard_objective_id"] = referenced_id(
            session, ObjectiveRow, ws, "scorecard_objective", "objective",
            values.pop("scorecard_objective"),
        )
    if "commitment" in values:
        values["commitment"] = Commitment(values["commitment"]).value
    changes = apply_changes(row, values)
    if changes:
        record(session, editor, "update", "okr_objective", row.id, {"key": row.key, **changes})
        commit_or_conflict(session)
    return okr_objectives_out(session, [row])[0]


@router.delete("/objectives/{objective_key}", summary="Delete an OKR objective",
               status_code=204, response_class=Response,
               responses=write_responses(401, 403, 404, 422, 500))
def delete_okr_objective(
    editor: EditorDep, session: SessionDep, objective_key: OkrObjectiveKey
) -> Response:
    """Deletes its key results and check-ins; objectives aligned to it become roots."""
    row = row_at(session, OkrObjectiveRow, editor.workspace_id, "OKR objective",
                 key=objective_key)
    editor.require_owner([row.owner_user_id], OKR_OBJECTIVES)
    record(session, editor, "delete", "okr_objective", row.id, {"key": row.key, "title": row.title})
    session.delete(row)
    commit_or_conflict(session)
    return Response(status_code=204)
