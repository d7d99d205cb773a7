"""``/objectives`` and ``/links``: the boxes of the strategy map and the arrows between them.

Objectives belong to whoever owns them: a manager may create, change and delete objectives
they own (``editing.ROLE_RULES``). Links are the map's structure, changed by admins. An
objective may align to an objective of an ancestor scorecard only (the cascade), the same
rule the strategy-as-code import applies, so the API can never store what the file
format would refuse. The writes go through ``strategy_store``, as the web pages' do: this
router turns keys into rows (404 for the URL's, 422 naming the field for the body's) and
the store's problems into HTTP statuses.
"""

from __future__ import annotations

from typing import Annotated, Any

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
from kano.adapters.api.params import ResourceId, key_filter
from kano.adapters.api.schemas.editing import KEY_PATTERN, sent
from kano.adapters.api.schemas.strategy import (
    Link,
    LinkCreate,
    LinkPage,
    LinkUpdate,
    Objective,
    ObjectiveCreate,
    ObjectivePage,
    ObjectiveUpdate,
)
from kano.adapters.api.strategy_lookups import (
    email_map,
    find_row,
    key_map,
    member_id,
    referenced_id,
    referenced_row,
    row_at,
    team_id,
    team_key_map,
)
from kano.adapters.db import link_store, strategy_store
from kano.adapters.db.orm import (
    CauseEffectLinkRow,
    ObjectiveRow,
    PerspectiveRow,
    ScorecardRow,
    User,
)
from kano.adapters.db.strategy_store import OBJECTIVES
from kano.domain.shared.errors import InvalidInput, NotFound

router = APIRouter(tags=["strategy"])

ObjectiveKey = Annotated[str, Path(pattern=KEY_PATTERN, description="The objective's key.")]


def objectives_out(session: Session, rows: list[ObjectiveRow]) -> list[Objective]:
    """Objectives with the keys and e-mails they refer to, in four queries for any page."""
    perspectives = {
        p.id: p for p in session.scalars(
            select(PerspectiveRow).where(PerspectiveRow.id.in_({r.perspective_id for r in rows}))
        )
    }
    cards = key_map(session, ScorecardRow, (p.scorecard_id for p in perspectives.values()))
    owners = email_map(session, (row.owner_user_id for row in rows))
    teams = team_key_map(session, (row.owner_team_id for row in rows))
    aligned = key_map(session, ObjectiveRow, (row.aligned_to_id for row in rows))
    return [
        Objective(
            id=row.id, key=row.key,
            scorecard=cards[perspectives[row.perspective_id].scorecard_id],
            perspective=perspectives[row.perspective_id].key,
            title=row.title, description=row.description, customer_voice=row.customer_voice,
            owner=owners.get(row.owner_user_id or 0), owner_team=teams.get(row.owner_team_id or 0),
            aligned_to=aligned.get(row.aligned_to_id or 0), position=row.position,
        )
        for row in rows
    ]


def _perspective(
    session: Session, workspace_id: int, scorecard_id: int, key: str
) -> PerspectiveRow:
    row = find_row(session, PerspectiveRow, workspace_id, scorecard_id=scorecard_id, key=key)
    if row is None:
        raise InvalidInput("perspective", f"no perspective '{key}' in that scorecard")
    return row


def _aligned_to_id(session: Session, workspace_id: int, key: str | None) -> int | None:
    return referenced_id(session, ObjectiveRow, workspace_id, "aligned_to", "objective", key)


@router.get("/objectives", summary="List objectives", response_model=ObjectivePage,
            responses=read_responses(401, 403, 422, 500))
def list_objectives(
    caller: ReadAccess, session: SessionDep, page: PageParams,
    scorecard: Annotated[str | None, key_filter("Only objectives of this scorecard.")] = None,
    perspective: Annotated[str | None, key_filter("Only objectives in perspectives with this key.")]
    = None,
    owner: Annotated[str | None, Query(max_length=320, pattern=r"^[^\x00]*$",
                                       description="Only objectives of this owner (e-mail).")]
    = None,
) -> ObjectivePage:
    """Objectives ordered by id. Unknown filter values simply match nothing."""
    statement = (
        select(ObjectiveRow)
        .join(PerspectiveRow, PerspectiveRow.id == ObjectiveRow.perspective_id)
        .where(ObjectiveRow.workspace_id == caller.workspace_id)
    )
    if scorecard is not None:
        statement = statement.join(ScorecardRow, ScorecardRow.id == PerspectiveRow.scorecard_id)
        statement = statement.where(ScorecardRow.key == scorecard)
    if perspective is not None:
        statement = statement.where(PerspectiveRow.key == perspective)
    if owner is not None:
        statement = statement.join(User, User.id == ObjectiveRow.owner_user_id)
        statement = statement.where(User.email == owner.strip().lower())
    rows, next_cursor = fetch_page(session, statement, ObjectiveRow.id, page)
    return ObjectivePage(items=objectives_out(session, [row[0] for row in rows]),
                         next_cursor=next_cursor)


@router.post("/objectives", summary="Create an objective", status_code=201,
             response_model=Objective, responses=write_responses(400, 401, 403, 409, 422, 500))
def create_objective(editor: EditorDep, session: SessionDep, body: ObjectiveCreate) -> Objective:
    """Managers may create objectives they own; keys are unique in the workspace."""
    ws = editor.workspace_id
    card = referenced_row(session, ScorecardRow, ws, "scorecard", "scorecard", key=body.scorecard)
    perspective = _perspective(session, ws, card.id, body.perspective)
    with taken_as_conflict():
        row = strategy_store.create_objective(
            session, editor, perspective_id=perspective.id, key=body.key, title=body.title,
            description=body.description, customer_voice=body.customer_voice,
            owner_user_id=member_id(session, ws, "owner", body.owner),
            owner_team_id=team_id(session, ws, "owner_team", body.owner_team),
            aligned_to_id=_aligned_to_id(session, ws, body.aligned_to), position=body.position,
        )
    commit_or_conflict(session)
    return objectives_out(session, [row])[0]


@router.get("/objectives/{objective_key}", summary="Get an objective", response_model=Objective,
            responses=read_responses(401, 403, 404, 422, 500))
def get_objective(
    caller: ReadAccess, session: SessionDep, objective_key: ObjectiveKey
) -> Objective:
    row = row_at(session, ObjectiveRow, caller.workspace_id, "objective", key=objective_key)
    return objectives_out(session, [row])[0]


@router.patch("/objectives/{objective_key}", summary="Change an objective",
              response_model=Objective, responses=write_responses(400, 401, 403, 404, 422, 500))
def update_objective(
    editor: EditorDep, session: SessionDep, objective_key: ObjectiveKey, body: ObjectiveUpdate
) -> Objective:
    """Only the fields sent change. `perspective` moves it within its scorecard."""
    ws = editor.workspace_id
    row = row_at(session, ObjectiveRow, ws, "objective", key=objective_key)
    editor.require_owner([row.owner_user_id], OBJECTIVES)  # a 403 before any 422
    values: dict[str, Any] = sent(body)
    if "perspective" in values:
        card_id = strategy_store.scorecard_of(session, row)
        values["perspective_id"] = _perspective(session, ws, card_id, values.pop("perspective")).id
    if "owner" in values:
        values["owner_user_id"] = member_id(session, ws, "owner", values.pop("owner"))
    if "owner_team" in values:
        values["owner_team_id"] = team_id(session, ws, "owner_team", values.pop("owner_team"))
    if "aligned_to" in values:
        values["aligned_to_id"] = _aligned_to_id(session, ws, values.pop("aligned_to"))
    strategy_store.update_objective(session, editor, row.id, values)
    commit_or_conflict(session)
    return objectives_out(session, [row])[0]


@router.delete("/objectives/{objective_key}", summary="Delete an objective", status_code=204,
               response_class=Response, responses=write_responses(401, 403, 404, 422, 500))
def delete_objective(
    editor: EditorDep, session: SessionDep, objective_key: ObjectiveKey
) -> Response:
    """Deletes its measures and values and the links that start or end at it."""
    row = row_at(session, ObjectiveRow, editor.workspace_id, "objective", key=objective_key)
    strategy_store.delete_objective(session, editor, row.id)
    commit_or_conflict(session)
    return Response(status_code=204)


def links_out(session: Session, rows: list[CauseEffectLinkRow]) -> list[Link]:
    cards = key_map(session, ScorecardRow, (row.scorecard_id for row in rows))
    ends = key_map(session, ObjectiveRow, [r.cause_id for r in rows] + [r.effect_id for r in rows])
    return [
        Link(id=row.id, scorecard=cards[row.scorecard_id], cause=ends[row.cause_id],
             effect=ends[row.effect_id], hypothesis=row.hypothesis, lag_months=row.lag_months)
        for row in rows
    ]


def _link(session: Session, workspace_id: int, link_id: int) -> CauseEffectLinkRow:
    row = find_row(session, CauseEffectLinkRow, workspace_id, id=link_id)
    if row is None:
        raise NotFound("link", link_id)
    return row


@router.get("/links", summary="List cause–effect links", response_model=LinkPage,
            responses=read_responses(401, 403, 422, 500))
def list_links(
    caller: ReadAccess, session: SessionDep, page: PageParams,
    scorecard: Annotated[str | None, key_filter("Only the links of this scorecard's map.")] = None,
) -> LinkPage:
    statement = select(CauseEffectLinkRow).where(
        CauseEffectLinkRow.workspace_id == caller.workspace_id
    )
    if scorecard is not None:
        statement = statement.join(
            ScorecardRow, ScorecardRow.id == CauseEffectLinkRow.scorecard_id
        ).where(ScorecardRow.key == scorecard)
    rows, next_cursor = fetch_page(session, statement, CauseEffectLinkRow.id, page)
    return LinkPage(items=links_out(session, [row[0] for row in rows]), next_cursor=next_cursor)


@router.post("/links", summary="Draw a cause–effect link", status_code=201, response_model=Link,
             responses=write_responses(400, 401, 403, 409, 422, 500))
def create_link(editor: EditorDep, session: SessionDep, body: LinkCreate) -> Link:
    """Admins only. One link per cause and effect on a map (409 otherwise)."""
    editor.require_admin(link_store.LINKS)  # a 403 before any 422
    ws = editor.workspace_id
    card = referenced_row(session, ScorecardRow, ws, "scorecard", "scorecard", key=body.scorecard)
    cause = referenced_row(session, ObjectiveRow, ws, "cause", "objective", key=body.cause)
    effect = referenced_row(session, ObjectiveRow, ws, "effect", "objective", key=body.effect)
    with taken_as_conflict():
        row = link_store.create_link(
            session, editor, scorecard_id=card.id, cause_id=cause.id, effect_id=effect.id,
            hypothesis=body.hypothesis, lag_months=body.lag_months,
        )
    commit_or_conflict(session)
    return links_out(session, [row])[0]


@router.get("/links/{link_id}", summary="Get a cause–effect link", response_model=Link,
            responses=read_responses(401, 403, 404, 422, 500))
def get_link(caller: ReadAccess, session: SessionDep, link_id: ResourceId) -> Link:
    return links_out(session, [_link(session, caller.workspace_id, link_id)])[0]


@router.patch("/links/{link_id}", summary="Change a link's hypothesis or lag",
              response_model=Link, responses=write_responses(400, 401, 403, 404, 422, 500))
def update_link(
    editor: EditorDep, session: SessionDep, link_id: ResourceId, body: LinkUpdate
) -> Link:
    """Admins only. To move an arrow, delete it and draw another."""
    row = _link(session, editor.workspace_id, link_id)
    link_store.update_link(session, editor, row.id, sent(body))
    commit_or_conflict(session)
    return links_out(session, [row])[0]


@router.delete("/links/{link_id}", summary="Delete a cause–effect link", status_code=204,
               response_class=Response, responses=write_responses(401, 403, 404, 422, 500))
def delete_link(editor: EditorDep, session: SessionDep, link_id: ResourceId) -> Response:
    row = _link(session, editor.workspace_id, link_id)
    link_store.delete_link(session, editor, row.id)
    commit_or_conflict(session)
    return Response(status_code=204)
