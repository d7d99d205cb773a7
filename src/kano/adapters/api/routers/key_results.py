"""``/okr/key-results``: the measurable results of OKR objectives, with their progress.

A key result belongs to the owner of its OKR objective (``editing.ROLE_RULES``). Its kind
decides which fields count, as the domain's ``KeyResult`` checks on the key result as it
will be after each request. A new key result is written by ``okr_store``, as the OKR
page's is. Check-ins, which move key results, are in ``check_ins.py``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.api.deps import ReadAccess, SessionDep, container_of
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
from kano.adapters.api.routers.okr import store_conflicts
from kano.adapters.api.schemas.editing import KEY_PATTERN, binding_columns, binding_of, sent
from kano.adapters.api.schemas.okr import (
    KeyResult,
    KeyResultCreate,
    KeyResultPage,
    KeyResultUpdate,
)
from kano.adapters.api.strategy_lookups import (
    ancestors,
    key_map,
    referenced_id,
    referenced_row,
    row_at,
)
from kano.adapters.db import okr_store
from kano.adapters.db.key_result_directions import metric_directions
from kano.adapters.db.metric_catalogue import require_known_binding
from kano.adapters.db.orm import KeyResultRow, OkrObjectiveRow
from kano.adapters.jobs.live_key_result import (
    awaiting_refresh,
    changes_window,
    refresh_after_change,
)
from kano.domain.okr.live_window import Per
from kano.domain.okr.model import KeyResultKind
from kano.domain.shared.errors import InvalidInput

router = APIRouter(prefix="/okr/key-results", tags=["okr"])

KeyResultKey = Annotated[str, Path(pattern=KEY_PATTERN, description="The key result's key.")]
KEY_RESULTS = "key results and check-ins"


def key_results_out(session: Session, rows: list[KeyResultRow]) -> list[KeyResult]:
    objectives = key_map(session, OkrObjectiveRow, (row.okr_objective_id for row in rows))
    origins = key_map(session, KeyResultRow, (row.carried_over_from_id for row in rows))
    directions = metric_directions(session, rows[0].workspace_id,
                                   (row.metric_id for row in rows)) if rows else {}
    return [
        KeyResult(
            id=row.id, key=row.key, objective=objectives[row.okr_objective_id], title=row.title,
            kind=KeyResultKind(row.kind), unit=row.unit, start=row.start, target=row.target,
            current=row.current, band_low=row.band_low, band_high=row.band_high,
            milestones_done=row.milestones_done, milestones_total=row.milestones_total,
            done=row.done, weight=row.weight, metric=binding_of(row),
            carried_over_from=origins.get(row.carried_over_from_id or 0), position=row.position,
            due_on=row.due_on, per=Per(row.per),
            progress=row.to_domain(directions.get(row.metric_id or "")).progress(),
            awaiting_refresh=awaiting_refresh(row),
        )
        for row in rows
    ]


def owner_of_objective(session: Session, okr_objective_id: int) -> int | None:
    return session.scalar(
        select(OkrObjectiveRow.owner_user_id).where(OkrObjectiveRow.id == okr_objective_id)
    )


def _owned_objective_id(session: Session, editor: Editor, key: str) -> int:
    row = referenced_row(session, OkrObjectiveRow, editor.workspace_id, "objective",
                         "OKR objective", key=key)
    editor.require_owner([row.owner_user_id], KEY_RESULTS)
    return int(row.id)


def _origin_id(
    session: Session, workspace_id: int, own_id: int | None, key: str | None
) -> int | None:
    origin = referenced_id(session, KeyResultRow, workspace_id, "carried_over_from",
                           "key result", key)
    if own_id is not None and own_id in ancestors(session, KeyResultRow, origin,
                                                  "carried_over_from_id"):
        raise InvalidInput("carried_over_from", "would make the carry-over a loop")
    return origin


def key_result_at(session: Session, workspace_id: int, key: str) -> KeyResultRow:
    row: KeyResultRow = row_at(session, KeyResultRow, workspace_id, "key result", key=key)
    return row


@router.get("", summary="List key results", response_model=KeyResultPage,
            responses=read_responses(401, 403, 422, 500))
def list_key_results(
    caller: ReadAccess, session: SessionDep, page: PageParams,
    objective: Annotated[str | None, key_filter("Only key results of this OKR objective.")]
    = None,
) -> KeyResultPage:
    statement = select(KeyResultRow).where(KeyResultRow.workspace_id == caller.workspace_id)
    if objective is not None:
        statement = statement.join(
            OkrObjectiveRow, OkrObjectiveRow.id == KeyResultRow.okr_objective_id
        ).where(OkrObjectiveRow.key == objective)
    rows, next_cursor = fetch_page(session, statement, KeyResultRow.id, page)
    return KeyResultPage(items=key_results_out(session, [row[0] for row in rows]),
                         next_cursor=next_cursor)


@router.post("", summary="Create a key result", status_code=201, response_model=KeyResult,
             responses=write_responses(400, 401, 403, 409, 422, 500))
def create_key_result(editor: EditorDep, session: SessionDep, body: KeyResultCreate) -> KeyResult:
    """On an OKR objective the caller owns (managers), in an open cycle (409 otherwise);
    the kind's fields as the domain says; due at the cycle's end unless `due_on` says."""
    ws = editor.workspace_id
    objective = referenced_row(session, OkrObjectiveRow, ws, "objective", "OKR objective",
                               key=body.objective)
    values = body.model_dump(exclude={"objective", "metric", "carried_over_from"})
    with store_conflicts():
        row = okr_store.create_key_result(
            session, editor, objective_id=objective.id, **values,
            metric_id=None if body.metric is None else body.metric.id,
            metric_slice=None if body.metric is None else body.metric.slice,
            carried_over_from_id=_origin_id(session, ws, None, body.carried_over_from),
        )
    commit_or_conflict(session)
    return key_results_out(session, [row])[0]


@router.get("/{kr_key}", summary="Get a key result", response_model=KeyResult,
            responses=read_responses(401, 403, 404, 422, 500))
def get_key_result(caller: ReadAccess, session: SessionDep, kr_key: KeyResultKey) -> KeyResult:
    return key_results_out(session, [key_result_at(session, caller.workspace_id, kr_key)])[0]


@router.patch("/{kr_key}", summary="Change a key result", response_model=KeyResult,
              responses=write_responses(400, 401, 403, 404, 422, 500))
def update_key_result(
    editor: EditorDep, session: SessionDep, kr_key: KeyResultKey, body: KeyResultUpdate,
    request: Request,
) -> KeyResult:
    """A change of its window (`per`), metric, kind or objective recomputes a live value
    in the same request; `awaiting_refresh` says when the warehouse could not."""
    ws = editor.workspace_id
    row = key_result_at(session, ws, kr_key)
    editor.require_owner([owner_of_objective(session, row.okr_objective_id)], KEY_RESULTS)
    values: dict[str, Any] = sent(body)
    if "objective" in values:
        values["okr_objective_id"] = _owned_objective_id(session, editor, values.pop("objective"))
    if "metric" in values:
        if body.metric is not None:
            require_known_binding(session, ws, body.metric.id, body.metric.slice)
        values |= binding_columns(body.metric)
        del values["metric"]
    if "carried_over_from" in values:
        values["carried_over_from_id"] = _origin_id(session, ws, row.id,
                                                    values.pop("carried_over_from"))
    if "kind" in values:
        values["kind"] = KeyResultKind(values["kind"]).value
    if "per" in values:
        values["per"] = Per(values["per"]).value
    with session.no_autoflush:
        changes = apply_changes(row, values)
        okr_store.check_kind(row)
    if changes:
        record(session, editor, "update", "key_result", row.id, {"key": row.key, **changes})
        if changes_window(changes):
            refresh_after_change(session, container_of(request).settings
                                 .resolved_warehouse_url(), ws, row.id)
        commit_or_conflict(session)
    return key_results_out(session, [row])[0]


@router.delete("/{kr_key}", summary="Delete a key result", status_code=204,
               response_class=Response, responses=write_responses(401, 403, 404, 422, 500))
def delete_key_result(editor: EditorDep, session: SessionDep, kr_key: KeyResultKey) -> Response:
    """Deletes its check-ins."""
    row = key_result_at(session, editor.workspace_id, kr_key)
    editor.require_owner([owner_of_objective(session, row.okr_objective_id)], KEY_RESULTS)
    record(session, editor, "delete", "key_result", row.id, {"key": row.key, "title": row.title})
    session.delete(row)
    commit_or_conflict(session)
    return Response(status_code=204)
