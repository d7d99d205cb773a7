"""``/scorecards``: the scorecards of the cascade and the perspectives of each.

Both are the strategy's structure, so only admins and owners change them. The writes go
through ``scorecard_store``, as the web pages' do: this router turns keys into rows (404
for the URL's, 422 naming the field for the body's) and the store's problems into HTTP
statuses. Deleting a scorecard deletes what hangs under it — perspectives, objectives, measures,
links and initiatives — as the database's cascades say; deleting a perspective deletes
its objectives.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.api.deps import ReadAccess, SessionDep
from kano.adapters.api.editing import (
    EditorDep,
    commit_or_conflict,
    read_responses,
    taken_as_conflict,
    write_responses,
)
from kano.adapters.api.pagination import PageParams, fetch_page
from kano.adapters.api.schemas.editing import KEY_PATTERN, sent
from kano.adapters.api.schemas.strategy import (
    Perspective,
    PerspectiveCreate,
    PerspectivePage,
    PerspectiveUpdate,
    Scorecard,
    ScorecardCreate,
    ScorecardLevel,
    ScorecardPage,
    ScorecardUpdate,
)
from kano.adapters.api.strategy_lookups import (
    key_map,
    referenced_id,
    row_at,
    team_id,
    team_key_map,
)
from kano.adapters.db import scorecard_store
from kano.adapters.db.orm import PerspectiveRow, ScorecardRow
from kano.adapters.db.scorecard_store import SCORECARDS
from kano.adapters.db.strategy_store import require_admin

router = APIRouter(prefix="/scorecards", tags=["strategy"])

ScorecardKey = Annotated[str, Path(pattern=KEY_PATTERN, description="The scorecard's key.")]
PerspectiveKey = Annotated[str, Path(pattern=KEY_PATTERN, description="The perspective's key.")]


def scorecards_out(session: Session, rows: list[ScorecardRow]) -> list[Scorecard]:
    parents = key_map(session, ScorecardRow, (row.parent_id for row in rows))
    teams = team_key_map(session, (row.owner_team_id for row in rows))
    return [
        Scorecard(id=row.id, key=row.key, name=row.name, level=row.level,
                  parent=parents.get(row.parent_id) if row.parent_id else None,
                  owner_team=teams.get(row.owner_team_id) if row.owner_team_id else None)
        for row in rows
    ]


def perspective_out(row: PerspectiveRow, scorecard_key: str) -> Perspective:
    return Perspective(id=row.id, scorecard=scorecard_key, key=row.key, name=row.name,
                       position=row.position)


def _parent_id(session: Session, workspace_id: int, parent: str | None) -> int | None:
    """The parent's id; 422 when unknown (the store refuses a loop in the cascade)."""
    return referenced_id(session, ScorecardRow, workspace_id, "parent", "scorecard", parent)


@router.get("", summary="List scorecards", response_model=ScorecardPage,
            responses=read_responses(401, 403, 422, 500))
def list_scorecards(
    caller: ReadAccess, session: SessionDep, page: PageParams,
    level: Annotated[ScorecardLevel | None, Query(description="Only this level.")] = None,
) -> ScorecardPage:
    """Scorecards ordered by id."""
    statement = select(ScorecardRow).where(ScorecardRow.workspace_id == caller.workspace_id)
    if level is not None:
        statement = statement.where(ScorecardRow.level == level)
    rows, next_cursor = fetch_page(session, statement, ScorecardRow.id, page)
    return ScorecardPage(items=scorecards_out(session, [row[0] for row in rows]),
                         next_cursor=next_cursor)


@router.post("", summary="Create a scorecard", status_code=201, response_model=Scorecard,
             responses=write_responses(400, 401, 403, 409, 422, 500))
def create_scorecard(editor: EditorDep, session: SessionDep, body: ScorecardCreate) -> Scorecard:
    """Admins only. The key is unique in the workspace (409 otherwise)."""
    require_admin(editor, SCORECARDS)  # a 403 before any 422
    with taken_as_conflict():
        row = scorecard_store.create_scorecard(
            session, editor, key=body.key, name=body.name, level=body.level,
            parent_id=_parent_id(session, editor.workspace_id, body.parent),
            owner_team_id=team_id(session, editor.workspace_id, "owner_team", body.owner_team))
    commit_or_conflict(session)
    return scorecards_out(session, [row])[0]


@router.get("/{scorecard_key}", summary="Get a scorecard", response_model=Scorecard,
            responses=read_responses(401, 403, 404, 422, 500))
def get_scorecard(
    caller: ReadAccess, session: SessionDep, scorecard_key: ScorecardKey
) -> Scorecard:
    row = row_at(session, ScorecardRow, caller.workspace_id, "scorecard", key=scorecard_key)
    return scorecards_out(session, [row])[0]


@router.patch("/{scorecard_key}", summary="Change a scorecard", response_model=Scorecard,
              responses=write_responses(400, 401, 403, 404, 422, 500))
def update_scorecard(
    editor: EditorDep, session: SessionDep, scorecard_key: ScorecardKey, body: ScorecardUpdate
) -> Scorecard:
    """Admins only; only the fields sent change (`parent: null` detaches it, `owner_team:
    null` leaves it without a team)."""
    row = row_at(session, ScorecardRow, editor.workspace_id, "scorecard", key=scorecard_key)
    require_admin(editor, SCORECARDS)  # a 403 before any 422
    values = sent(body)
    if "parent" in values:
        values["parent_id"] = _parent_id(session, editor.workspace_id, values.pop("parent"))
    if "owner_team" in values:
        values["owner_team_id"] = team_id(session, editor.workspace_id, "owner_team",
                                          values.pop("owner_team"))
    scorecard_store.update_scorecard(session, editor, row.id, values)
    commit_or_conflict(session)
    return scorecards_out(session, [row])[0]


@router.delete("/{scorecard_key}", summary="Delete a scorecard", status_code=204,
               response_class=Response, responses=write_responses(401, 403, 404, 422, 500))
def delete_scorecard(
    editor: EditorDep, session: SessionDep, scorecard_key: ScorecardKey
) -> Response:
    """Admins only. Deletes its perspectives, objectives, measures, links and initiatives."""
    row = row_at(session, ScorecardRow, editor.workspace_id, "scorecard", key=scorecard_key)
    scorecard_store.delete_scorecard(session, editor, row.id)
    commit_or_conflict(session)
    return Response(status_code=204)


@router.get("/{scorecard_key}/perspectives", summary="List the perspectives of a scorecard",
            response_model=PerspectivePage, responses=read_responses(401, 403, 404, 422, 500))
def list_perspectives(
    caller: ReadAccess, session: SessionDep, scorecard_key: ScorecardKey, page: PageParams
) -> PerspectivePage:
    """Perspectives ordered by id (`position` gives the band order)."""
    card = row_at(session, ScorecardRow, caller.workspace_id, "scorecard", key=scorecard_key)
    statement = select(PerspectiveRow).where(
        PerspectiveRow.workspace_id == caller.workspace_id, PerspectiveRow.scorecard_id == card.id
    )
    rows, next_cursor = fetch_page(session, statement, PerspectiveRow.id, page)
    return PerspectivePage(items=[perspective_out(row[0], card.key) for row in rows],
                           next_cursor=next_cursor)


@router.post("/{scorecard_key}/perspectives", summary="Add a perspective", status_code=201,
             response_model=Perspective,
             responses=write_responses(400, 401, 403, 404, 409, 422, 500))
def create_perspective(
    editor: EditorDep, session: SessionDep, scorecard_key: ScorecardKey, body: PerspectiveCreate
) -> Perspective:
    """Admins only. Keys are unique within the scorecard; without `position` it goes last."""
    card = row_at(session, ScorecardRow, editor.workspace_id, "scorecard", key=scorecard_key)
    with taken_as_conflict():
        row = scorecard_store.create_perspective(session, editor, scorecard_id=card.id,
                                                 key=body.key, name=body.name,
                                                 position=body.position)
    commit_or_conflict(session)
    return perspective_out(row, card.key)


@router.get("/{scorecard_key}/perspectives/{perspective_key}", summary="Get a perspective",
            response_model=Perspective, responses=read_responses(401, 403, 404, 422, 500))
def get_perspective(
    caller: ReadAccess, session: SessionDep, scorecard_key: ScorecardKey,
    perspective_key: PerspectiveKey,
) -> Perspective:
    card = row_at(session, ScorecardRow, caller.workspace_id, "scorecard", key=scorecard_key)
    row = row_at(session, PerspectiveRow, caller.workspace_id, "perspective",
                 key=perspective_key, scorecard_id=card.id)
    return perspective_out(row, card.key)


@router.patch("/{scorecard_key}/perspectives/{perspective_key}",
              summary="Rename or reorder a perspective", response_model=Perspective,
              responses=write_responses(400, 401, 403, 404, 422, 500))
def update_perspective(
    editor: EditorDep, session: SessionDep, scorecard_key: ScorecardKey,
    perspective_key: PerspectiveKey, body: PerspectiveUpdate,
) -> Perspective:
    """Admins only: non-profits put the customer on top by giving it position 0."""
    card = row_at(session, ScorecardRow, editor.workspace_id, "scorecard", key=scorecard_key)
    row = row_at(session, PerspectiveRow, editor.workspace_id, "perspective",
                 key=perspective_key, scorecard_id=card.id)
    scorecard_store.update_perspective(session, editor, row.id, sent(body))
    commit_or_conflict(session)
    return perspective_out(row, card.key)


@router.delete("/{scorecard_key}/perspectives/{perspective_key}",
               summary="Delete a perspective", status_code=204, response_class=Response,
               responses=write_responses(401, 403, 404, 422, 500))
def delete_perspective(
    editor: EditorDep, session: SessionDep, scorecard_key: ScorecardKey,
    perspective_key: PerspectiveKey,
) -> Response:
    """Admins only. Deletes the objectives in it (with their measures)."""
    card = row_at(session, ScorecardRow, editor.workspace_id, "scorecard", key=scorecard_key)
    row = row_at(session, PerspectiveRow, editor.workspace_id, "perspective",
                 key=perspective_key, scorecard_id=card.id)
    scorecard_store.delete_perspective(session, editor, row.id)
    commit_or_conflict(session)
    return Response(status_code=204)
