"""``/initiatives``: the projects (owner, budget, dates, status) that serve objectives.

Initiatives commit budget, so only admins and owners change them. ``objectives`` lists the
keys of the objectives served; sending it replaces the list.
"""

from __future__ import annotations

from collections import defaultdict
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
    read_responses,
    record,
    write_responses,
)
from kano.adapters.api.pagination import PageParams, fetch_page
from kano.adapters.api.params import key_filter
from kano.adapters.api.schemas.editing import KEY_PATTERN, sent
from kano.adapters.api.schemas.strategy import (
    Initiative,
    InitiativeCreate,
    InitiativePage,
    InitiativeStatus,
    InitiativeUpdate,
)
from kano.adapters.api.strategy_lookups import (
    email_map,
    key_map,
    member_id,
    referenced_row,
    require_free_key,
    row_at,
    team_id,
    team_key_map,
)
from kano.adapters.db.orm import InitiativeObjectiveRow, InitiativeRow, ObjectiveRow, ScorecardRow
from kano.domain.shared.errors import InvalidInput

router = APIRouter(prefix="/initiatives", tags=["strategy"])

InitiativeKey = Annotated[str, Path(pattern=KEY_PATTERN, description="The initiative's key.")]
INITIATIVES = "initiatives"


def initiatives_out(session: Session, rows: list[InitiativeRow]) -> list[Initiative]:
    served: dict[int, list[str]] = defaultdict(list)
    pairs = session.execute(
        select(InitiativeObjectiveRow.initiative_id, ObjectiveRow.key)
        .join(ObjectiveRow, ObjectiveRow.id == InitiativeObjectiveRow.objective_id)
        .where(InitiativeObjectiveRow.initiative_id.in_([row.id for row in rows]))
    )
    for initiative_id, objective_key in pairs:
        served[initiative_id].append(objective_key)
    cards = key_map(session, ScorecardRow, (row.scorecard_id for row in rows))
    owners = email_map(session, (row.owner_user_id for row in rows))
    teams = team_key_map(session, (row.owner_team_id for row in rows))
    return [
        Initiative(
            id=row.id, key=row.key, scorecard=cards[row.scorecard_id], name=row.name,
            owner=owners.get(row.owner_user_id or 0), owner_team=teams.get(row.owner_team_id or 0),
            budget=row.budget, starts_on=row.starts_on, ends_on=row.ends_on, status=row.status,
            objectives=sorted(served[row.id]),
        )
        for row in rows
    ]


def _check_dates(values: dict[str, Any]) -> None:
    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        raise InvalidInput("ends_on", "is before starts_on")


def _serve(session: Session, editor: Editor, initiative: InitiativeRow, keys: list[str]) -> None:
    """Make the initiative serve exactly the objectives with these keys."""
    wanted: dict[int, str] = {}
    for index, key in enumerate(keys):
        objective = referenced_row(session, ObjectiveRow, editor.workspace_id,
                                   f"objectives.{index}", "objective", key=key)
        wanted[objective.id] = key
    current = {
        row.objective_id: row for row in session.scalars(select(InitiativeObjectiveRow).where(
            InitiativeObjectiveRow.initiative_id == initiative.id
        ))
    }
    for objective_id, row in current.items():
        if objective_id not in wanted:
            session.delete(row)
    for objective_id in wanted.keys() - current.keys():
        session.add(InitiativeObjectiveRow(workspace_id=editor.workspace_id,
                                           initiative_id=initiative.id, objective_id=objective_id))
    session.flush()


@router.get("", summary="List initiatives", response_model=InitiativePage,
            responses=read_responses(401, 403, 422, 500))
def list_initiatives(
    caller: ReadAccess, session: SessionDep, page: PageParams,
    scorecard: Annotated[str | None, key_filter("Only initiatives of this scorecard.")] = None,
    status: Annotated[InitiativeStatus | None, Query(description="Only this status.")] = None,
) -> InitiativePage:
    statement = select(InitiativeRow).where(InitiativeRow.workspace_id == caller.workspace_id)
    if scorecard is not None:
        statement = statement.join(ScorecardRow, ScorecardRow.id == InitiativeRow.scorecard_id)
        statement = statement.where(ScorecardRow.key == scorecard)
    if status is not None:
        statement = statement.where(InitiativeRow.status == status)
    rows, next_cursor = fetch_page(session, statement, InitiativeRow.id, page)
    return InitiativePage(items=initiatives_out(session, [row[0] for row in rows]),
                          next_cursor=next_cursor)


@router.post("", summary="Create an initiative", status_code=201, response_model=Initiative,
             responses=write_responses(400, 401, 403, 409, 422, 500))
def create_initiative(editor: EditorDep, session: SessionDep, body: InitiativeCreate) -> Initiative:
    editor.require_admin(INITIATIVES)
    ws = editor.workspace_id
    card = referenced_row(session, ScorecardRow, ws, "scorecard", "scorecard", key=body.scorecard)
    values = body.model_dump(include={"name", "budget", "starts_on", "ends_on", "status"})
    _check_dates(values)
    require_free_key(session, InitiativeRow, ws, "initiative", key=body.key)
    row = InitiativeRow(workspace_id=ws, scorecard_id=card.id, key=body.key, **values,
                        owner_user_id=member_id(session, ws, "owner", body.owner),
                        owner_team_id=team_id(session, ws, "owner_team", body.owner_team))
    session.add(row)
    session.flush()
    _serve(session, editor, row, body.objectives)
    record(session, editor, "create", "initiative", row.id, body.model_dump())
    commit_or_conflict(session)
    return initiatives_out(session, [row])[0]


@router.get("/{initiative_key}", summary="Get an initiative", response_model=Initiative,
            responses=read_responses(401, 403, 404, 422, 500))
def get_initiative(
    caller: ReadAccess, session: SessionDep, initiative_key: InitiativeKey
) -> Initiative:
    row = row_at(session, InitiativeRow, caller.workspace_id, "initiative", key=initiative_key)
    return initiatives_out(session, [row])[0]


@router.patch("/{initiative_key}", summary="Change an initiative", response_model=Initiative,
              responses=write_responses(400, 401, 403, 404, 422, 500))
def update_initiative(
    editor: EditorDep, session: SessionDep, initiative_key: InitiativeKey, body: InitiativeUpdate
) -> Initiative:
    ws = editor.workspace_id
    row = row_at(session, InitiativeRow, ws, "initiative", key=initiative_key)
    editor.require_admin(INITIATIVES)
    values: dict[str, Any] = sent(body)
    _check_dates({"starts_on": row.starts_on, "ends_on": row.ends_on, **values})
    if "owner" in values:
        values["owner_user_id"] = member_id(session, ws, "owner", values.pop("owner"))
    if "owner_team" in values:
        values["owner_team_id"] = team_id(session, ws, "owner_team", values.pop("owner_team"))
    objectives = values.pop("objectives", None)
    changes: dict[str, Any] = apply_changes(row, values)
    if objectives is not None:
        before = initiatives_out(session, [row])[0].objectives
        _serve(session, editor, row, objectives)
        if sorted(set(objectives)) != before:
            changes["objectives"] = {"from": before, "to": sorted(set(objectives))}
    if changes:
        record(session, editor, "update", "initiative", row.id, {"key": row.key, **changes})
        commit_or_conflict(session)
    return initiatives_out(session, [row])[0]


@router.delete("/{initiative_key}", summary="Delete an initiative", status_code=204,
               response_class=Response, responses=write_responses(401, 403, 404, 422, 500))
def delete_initiative(
    editor: EditorDep, session: SessionDep, initiative_key: InitiativeKey
) -> Response:
    row = row_at(session, InitiativeRow, editor.workspace_id, "initiative", key=initiative_key)
    editor.require_admin(INITIATIVES)
    record(session, editor, "delete", "initiative", row.id, {"key": row.key, "name": row.name})
    session.delete(row)
    commit_or_conflict(session)
    return Response(status_code=204)
