"""``/pilots``: pilots with control groups (SPEC 2.10) — define, plan, evaluate, decide.

A pilot's KPIs are computed per customer × month in the warehouse by the metric engine
(why there and not in the app database: :mod:`kano.analytics.pilots.views`). Writes take
a ``write`` token of someone who is not a viewer and are audited; a 422 names the field.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request

from kano.adapters.api.deps import ReadAccess, SessionDep
from kano.adapters.api.editing import EditorDep
from kano.adapters.api.errors import problem_responses
from kano.adapters.api.params import ResourceId
from kano.adapters.api.schemas.pilots import Evaluation, Pilot, PilotIn, PilotPatch, Pilots, Plan
from kano.adapters.api.schemas.problems import Problem
from kano.adapters.api.warehouse_access import WAREHOUSE_RESPONSES, on_warehouse
from kano.adapters.db import pilots as store
from kano.adapters.db.metric_catalogue import workspace_catalogue
from kano.domain.pilots.model import checked_pilot
from kano.domain.shared.errors import InvalidInput, NotFound

router = APIRouter(prefix="/pilots", tags=["pilots"])


def _body_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    responses = problem_responses(*statuses)
    responses[400] = {"model": Problem, "description": "The body is not readable JSON."}
    return responses


def _out(line: store.PilotLine) -> Pilot:
    return Pilot.model_validate(line, from_attributes=True)


def _not_found(pilot_id: int) -> HTTPException:
    return HTTPException(404, detail=f"No pilot {pilot_id} in this workspace.")


def _pilot(session: Any, workspace_id: int, pilot_id: int) -> store.PilotLine:
    try:
        return store.get_pilot(session, workspace_id, pilot_id)
    except NotFound as error:
        raise _not_found(pilot_id) from error


def _metrics(session: Any, workspace_id: int, kpis: list[str]) -> list[Any]:
    catalogue = workspace_catalogue(session, workspace_id)
    missing = [kpi for kpi in kpis if kpi not in catalogue]
    if missing:
        raise InvalidInput("kpis", f"{missing[0]!r} is no longer a metric of this workspace")
    return [catalogue.get(kpi) for kpi in kpis]


@router.get("", summary="List pilots", response_model=Pilots,
            responses=problem_responses(401, 403, 500))  # fmt: skip
def list_pilots(caller: ReadAccess, session: SessionDep) -> Pilots:
    """Latest test period first."""
    return Pilots(items=[_out(line) for line in store.list_pilots(session, caller.workspace_id)])


@router.get("/{pilot_id}", summary="Get a pilot", response_model=Pilot,
            responses=problem_responses(401, 403, 404, 422, 500))  # fmt: skip
def get_pilot(caller: ReadAccess, session: SessionDep, pilot_id: ResourceId) -> Pilot:
    return _out(_pilot(session, caller.workspace_id, pilot_id))


@router.post("", summary="Define a pilot", status_code=201, response_model=Pilot,
             responses=_body_responses(401, 403, 422, 500))  # fmt: skip
def create_pilot(editor: EditorDep, session: SessionDep, body: PilotIn) -> Pilot:
    """The groups by customer attributes or a customer list, KPIs from the metric
    catalogue, a baseline period and a test period after it; audited."""
    editor.require_writer()
    metric_ids = workspace_catalogue(session, editor.workspace_id).ids()
    line = store.create_pilot(session, editor.workspace_id, body.model_dump(exclude_none=True),
                              metric_ids=metric_ids, actor=editor.actor,
                              user_id=editor.user_id)  # fmt: skip
    session.commit()
    return _out(line)


@router.patch("/{pilot_id}", summary="Change a pilot (decision, rollout, status …)",
              response_model=Pilot, responses=_body_responses(401, 403, 404, 422, 500))
def update_pilot(editor: EditorDep, session: SessionDep, pilot_id: ResourceId,
                 body: PilotPatch) -> Pilot:  # fmt: skip
    editor.require_writer()
    changes = body.model_dump(exclude_unset=True)
    for group in ("pilot_group", "control_group"):
        if changes.get(group) is not None:
            changes[group] = {k: v for k, v in changes[group].items() if v is not None}
    metric_ids = workspace_catalogue(session, editor.workspace_id).ids()
    try:
        line = store.update_pilot(session, editor.workspace_id, pilot_id, changes,
                                  metric_ids=metric_ids, actor=editor.actor,
                                  user_id=editor.user_id)  # fmt: skip
    except NotFound as error:
        raise _not_found(pilot_id) from error
    session.commit()
    return _out(line)


@router.get("/{pilot_id}/plan", summary="Plan figures of a pilot", response_model=Plan,
            responses={**WAREHOUSE_RESPONSES, **problem_responses(404)})  # fmt: skip
def get_plan(
    caller: ReadAccess,
    request: Request,
    session: SessionDep,
    pilot_id: ResourceId,
    kpi: Annotated[str | None, Query(pattern=r"^[a-z][a-z0-9_]{0,63}$",
                                     description="One of the pilot's KPIs (default: the first).")
                   ] = None,
    target_effect: Annotated[float | None, Query(gt=0, le=1e15)] = None,
) -> Plan:
    """From the baseline months: each group's customers, the KPI's SD and month-to-month
    correlation, the minimum detectable effect in the planned test months (α 5 %, power
    80 %), and for a target effect (default: the pilot's) the test months and group size
    it needs."""
    line = _pilot(session, caller.workspace_id, pilot_id)
    chosen = kpi or line.kpis[0]
    if chosen not in line.kpis:
        raise InvalidInput("kpi", f"{chosen!r} is not a KPI of this pilot")
    (metric,) = _metrics(session, caller.workspace_id, [chosen])
    draft = checked_pilot(line.fields())
    target = target_effect if target_effect is not None else line.target_effect
    # Imported here: the analytics load statsmodels/scipy, which start-up must not pay.
    from kano.analytics.pilots.views import plan_on_warehouse

    def work(backend: Any) -> Plan:
        return Plan.model_validate(plan_on_warehouse(
            backend, caller.workspace_id, metric, draft.pilot_group, draft.control_group,
            (draft.baseline_start, draft.baseline_end, draft.test_start, draft.test_end),
            target,
        ))  # fmt: skip

    return on_warehouse(request, work)


@router.post("/{pilot_id}/evaluate", summary="Evaluate a pilot (difference in differences)",
             response_model=Pilot,
             responses={**WAREHOUSE_RESPONSES, **problem_responses(404)})  # fmt: skip
def evaluate_pilot(editor: EditorDep, request: Request, session: SessionDep,
                   pilot_id: ResourceId) -> Pilot:  # fmt: skip
    """Each KPI per customer × month from the warehouse; the DiD effect with its 95 % CI
    and p-value (errors clustered by customer; with few customers the wild cluster
    bootstrap, named in `inference`), the pre-trend check (its joint test bootstrapped by
    the same rule, named in `pre_trend.inference`) and the groups' means per month. The
    pilot keeps the result and becomes *evaluated* (unless decided)."""
    editor.require_writer()
    line = _pilot(session, editor.workspace_id, pilot_id)
    metrics = _metrics(session, editor.workspace_id, line.kpis)
    draft = checked_pilot(line.fields())
    # Imported here: the analytics load statsmodels/scipy, which start-up must not pay.
    from kano.analytics.pilots.views import evaluate_on_warehouse

    def work(backend: Any) -> dict[str, Any]:
        return evaluate_on_warehouse(
            backend, editor.workspace_id, metrics, draft.pilot_group, draft.control_group,
            (draft.baseline_start, draft.baseline_end, draft.test_start, draft.test_end),
        )  # fmt: skip

    evaluation = Evaluation.model_validate(on_warehouse(request, work)).model_dump(mode="json")
    saved = store.save_evaluation(session, editor.workspace_id, pilot_id, evaluation,
                                  actor=editor.actor, user_id=editor.user_id)  # fmt: skip
    session.commit()
    return _out(saved)
