"""``/measures`` and their ``/values``: how objectives are measured, period by period.

A measure belongs to its objective's owner, and so do its values: the delivery manager who
owns "Deliver on the promised date" records its monthly actuals. Thresholds are checked by
the domain on the measure as it will be after the request (``Thresholds``), so the API
refuses exactly what a scorecard could not score. A measure's own writes go through
``measure_store``, as the strategy session's forms do.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from sqlalchemy import func, select, tuple_
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
from kano.adapters.api.params import key_filter
from kano.adapters.api.schemas.editing import KEY_PATTERN, binding_columns, binding_of, sent
from kano.adapters.api.schemas.measures import (
    Measure,
    MeasureCreate,
    MeasurePage,
    MeasureUpdate,
    MeasureValue,
    MeasureValueCreate,
    MeasureValuePage,
    MeasureValueUpdate,
)
from kano.adapters.api.strategy_lookups import find_row, key_map, referenced_row, row_at
from kano.adapters.db import measure_store, measure_value_store
from kano.adapters.db.measure_store import THRESHOLD_COLUMNS
from kano.adapters.db.orm import MeasureRow, MeasureValueRow, ObjectiveRow
from kano.adapters.db.strategy_store import OBJECTIVES
from kano.domain.shared.errors import NotFound
from kano.domain.strategy.scoring import Direction

router = APIRouter(prefix="/measures", tags=["strategy"])

MeasureKey = Annotated[str, Path(pattern=KEY_PATTERN, description="The measure's key.")]
Period = Annotated[date, Path(description="First day of the period, e.g. `2026-10-01`.")]


def _latest_values(session: Session, measure_ids: set[int]) -> dict[int, MeasureValueRow]:
    """Each measure's latest value that has an actual, in one query."""
    if not measure_ids:
        return {}
    latest = (
        select(MeasureValueRow.measure_id, func.max(MeasureValueRow.period_start))
        .where(MeasureValueRow.measure_id.in_(measure_ids), MeasureValueRow.actual.is_not(None))
        .group_by(MeasureValueRow.measure_id)
    )
    rows = session.scalars(select(MeasureValueRow).where(
        tuple_(MeasureValueRow.measure_id, MeasureValueRow.period_start).in_(latest)
    ))
    return {row.measure_id: row for row in rows}


def measures_out(session: Session, rows: list[MeasureRow]) -> list[Measure]:
    objectives = key_map(session, ObjectiveRow, (row.objective_id for row in rows))
    latest = _latest_values(session, {row.id for row in rows})
    items = []
    for row in rows:
        value = latest.get(row.id)
        actual = None if value is None else value.actual
        score = row.score(actual)
        items.append(Measure(
            id=row.id, key=row.key, objective=objectives[row.objective_id], name=row.name,
            unit=row.unit, direction=Direction(row.direction), baseline=row.baseline,
            **{name: getattr(row, name) for name in THRESHOLD_COLUMNS if name != "direction"},
            weight=row.weight, frequency=row.frequency, kind=row.kind, metric=binding_of(row),
            position=row.position, latest_period=None if value is None else value.period_start,
            latest_actual=actual, score=score.score, status=score.status,
        ))
    return items


def owner_of_measure(session: Session, measure: MeasureRow) -> int | None:
    return session.scalar(
        select(ObjectiveRow.owner_user_id).where(ObjectiveRow.id == measure.objective_id)
    )


def _measure(session: Session, workspace_id: int, key: str) -> MeasureRow:
    row: MeasureRow = row_at(session, MeasureRow, workspace_id, "measure", key=key)
    return row


@router.get("", summary="List measures", response_model=MeasurePage,
            responses=read_responses(401, 403, 422, 500))
def list_measures(
    caller: ReadAccess, session: SessionDep, page: PageParams,
    objective: Annotated[str | None, key_filter("Only measures of this objective.")] = None,
) -> MeasurePage:
    """Measures ordered by id, each with the score of its latest actual."""
    statement = select(MeasureRow).where(MeasureRow.workspace_id == caller.workspace_id)
    if objective is not None:
        statement = statement.join(ObjectiveRow, ObjectiveRow.id == MeasureRow.objective_id)
        statement = statement.where(ObjectiveRow.key == objective)
    rows, next_cursor = fetch_page(session, statement, MeasureRow.id, page)
    return MeasurePage(items=measures_out(session, [row[0] for row in rows]),
                       next_cursor=next_cursor)


@router.post("", summary="Create a measure", status_code=201, response_model=Measure,
             responses=write_responses(400, 401, 403, 409, 422, 500))
def create_measure(editor: EditorDep, session: SessionDep, body: MeasureCreate) -> Measure:
    """On an objective the caller owns (managers); thresholds as the domain requires."""
    objective = referenced_row(session, ObjectiveRow, editor.workspace_id, "objective",
                               "objective", key=body.objective)
    values = body.model_dump(exclude={"key", "objective", "metric", "position"})
    with taken_as_conflict():
        row = measure_store.create_measure(
            session, editor, objective_id=objective.id, key=body.key, position=body.position,
            **values, **binding_columns(body.metric),
        )
    commit_or_conflict(session)
    return measures_out(session, [row])[0]


@router.get("/{measure_key}", summary="Get a measure", response_model=Measure,
            responses=read_responses(401, 403, 404, 422, 500))
def get_measure(caller: ReadAccess, session: SessionDep, measure_key: MeasureKey) -> Measure:
    return measures_out(session, [_measure(session, caller.workspace_id, measure_key)])[0]


@router.patch("/{measure_key}", summary="Change a measure", response_model=Measure,
              responses=write_responses(400, 401, 403, 404, 422, 500))
def update_measure(
    editor: EditorDep, session: SessionDep, measure_key: MeasureKey, body: MeasureUpdate
) -> Measure:
    """Only the fields sent change; the thresholds must still make sense together."""
    row = _measure(session, editor.workspace_id, measure_key)
    editor.require_owner([owner_of_measure(session, row)], OBJECTIVES)  # a 403 before a 422
    values: dict[str, Any] = sent(body)
    if "objective" in values:
        values["objective_id"] = referenced_row(session, ObjectiveRow, editor.workspace_id,
                                                "objective", "objective",
                                                key=values.pop("objective")).id
    if "metric" in values:
        del values["metric"]
        values |= binding_columns(body.metric)
    measure_store.update_measure(session, editor, row.id, values)
    commit_or_conflict(session)
    return measures_out(session, [row])[0]


@router.delete("/{measure_key}", summary="Delete a measure", status_code=204,
               response_class=Response, responses=write_responses(401, 403, 404, 422, 500))
def delete_measure(editor: EditorDep, session: SessionDep, measure_key: MeasureKey) -> Response:
    """Deletes its values too."""
    row = _measure(session, editor.workspace_id, measure_key)
    measure_store.delete_measure(session, editor, row.id)
    commit_or_conflict(session)
    return Response(status_code=204)


def value_out(row: MeasureValueRow, measure: MeasureRow) -> MeasureValue:
    score = measure.score(row.actual)
    return MeasureValue(
        id=row.id, measure=measure.key, period=row.period_start, actual=row.actual,
        target=row.target, source=row.source, n=row.n, ci_low=row.ci_low, ci_high=row.ci_high,
        computed_at=row.computed_at, score=score.score, status=score.status,
    )


def _value(session: Session, measure: MeasureRow, period: date) -> MeasureValueRow:
    row = find_row(session, MeasureValueRow, measure.workspace_id, measure_id=measure.id,
                   period_start=period)
    if row is None:
        raise NotFound("measure value", period.isoformat())
    return row


@router.get("/{measure_key}/values", summary="List a measure's values",
            response_model=MeasureValuePage, responses=read_responses(401, 403, 404, 422, 500))
def list_measure_values(
    caller: ReadAccess, session: SessionDep, measure_key: MeasureKey, page: PageParams
) -> MeasureValuePage:
    """Values ordered by id (the order they were recorded), each scored."""
    measure = _measure(session, caller.workspace_id, measure_key)
    statement = select(MeasureValueRow).where(MeasureValueRow.measure_id == measure.id)
    rows, next_cursor = fetch_page(session, statement, MeasureValueRow.id, page)
    return MeasureValuePage(items=[value_out(row[0], measure) for row in rows],
                            next_cursor=next_cursor)


@router.post("/{measure_key}/values", summary="Record a measure value", status_code=201,
             response_model=MeasureValue,
             responses=write_responses(400, 401, 403, 404, 409, 422, 500))
def create_measure_value(
    editor: EditorDep, session: SessionDep, measure_key: MeasureKey, body: MeasureValueCreate
) -> MeasureValue:
    """One value per period (409 if the period has one: PATCH it instead)."""
    measure = _measure(session, editor.workspace_id, measure_key)
    with taken_as_conflict():
        row = measure_value_store.create_value(session, editor, measure.id, body.period,
                                               body.model_dump(exclude={"period"}))
    commit_or_conflict(session)
    return value_out(row, measure)


@router.get("/{measure_key}/values/{period}", summary="Get a measure's value for a period",
            response_model=MeasureValue, responses=read_responses(401, 403, 404, 422, 500))
def get_measure_value(
    caller: ReadAccess, session: SessionDep, measure_key: MeasureKey, period: Period
) -> MeasureValue:
    measure = _measure(session, caller.workspace_id, measure_key)
    return value_out(_value(session, measure, period), measure)


@router.patch("/{measure_key}/values/{period}", summary="Change a measure value",
              response_model=MeasureValue, responses=write_responses(400, 401, 403, 404, 422, 500))
def update_measure_value(
    editor: EditorDep, session: SessionDep, measure_key: MeasureKey, period: Period,
    body: MeasureValueUpdate,
) -> MeasureValue:
    measure = _measure(session, editor.workspace_id, measure_key)
    row = measure_value_store.update_value(session, editor, measure.id, period, sent(body))
    commit_or_conflict(session)
    return value_out(row, measure)


@router.delete("/{measure_key}/values/{period}", summary="Delete a measure value",
               status_code=204, response_class=Response,
               responses=write_responses(401, 403, 404, 422, 500))
def delete_measure_value(
    editor: EditorDep, session: SessionDep, measure_key: MeasureKey, period: Period
) -> Response:
    measure = _measure(session, editor.workspace_id, measure_key)
    measure_value_store.delete_value(session, editor, measure.id, period)
    commit_or_conflict(session)
    return Response(status_code=204)
