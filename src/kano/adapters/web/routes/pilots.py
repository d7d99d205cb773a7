"""Pilots on the web (SPEC 2.10): ``/pilots`` and ``/pilots/{id}``.

The list with a form to define a pilot; a pilot's page with its plan figures (computed on
the warehouse, kept until it changes: ``PAGE_FIGURES``), its evaluation (run with a
button, kept on the pilot) with a chart of both groups' monthly means, the decision form
and the rollout steps. Managers and up write (CSRF-checked, audited through
``kano.adapters.db.pilots``, the same store as the API); viewers read. A problem shows the
form again (422) with the field to fix.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from kano.adapters.db import pilots as store
from kano.adapters.db.metric_catalogue import workspace_catalogue
from kano.adapters.db.orm import Membership, User
from kano.adapters.db.workspace_currency import workspace_currency
from kano.adapters.web.deps import CsrfChecked, DbSession, SignedInPage, SignedInPageContext
from kano.adapters.web.labels import segment_names
from kano.adapters.web.metric_explorer import unit_label
from kano.adapters.web.page_figures import WarehouseVisit
from kano.adapters.web.routes import pilot_files
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.strategy_access import can_edit, no_workspace, not_found, refuse_edit
from kano.adapters.web.warehouse_reads import on_kept_warehouse, on_warehouse
from kano.domain.pilots.model import GROUP_ATTRIBUTES, checked_pilot
from kano.domain.shared.errors import InvalidInput, NotFound

router = APIRouter()
router.include_router(pilot_files.router)
MAX_ID = 2**63 - 1
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

STATUS_LABELS = {"planned": N_("Planned"), "running": N_("Running"),
                 "evaluated": N_("Evaluated"), "decided": N_("Decided")}  # fmt: skip
DECISION_LABELS = {"scale": N_("Scale"), "iterate": N_("Iterate"), "stop": N_("Stop")}
STEP_LABELS = {"planned": N_("Planned"), "in_progress": N_("In progress"), "done": N_("Done")}
GROUP_BY_LABELS = {"segment": N_("Segment"), "region": N_("Region"),
                   "industry": N_("Industry"), "kind": N_("Customer kind"),
                   "customers": N_("Listed customers")}  # fmt: skip
FIELD_LABELS = {
    "name": N_("Name"), "hypothesis": N_("Hypothesis"), "pilot_group": N_("Pilot group"),
    "control_group": N_("Control group"), "kpis": N_("KPIs"),
    "baseline_start": N_("Baseline from"), "baseline_end": N_("Baseline to"),
    "test_start": N_("Test from"), "test_end": N_("Test to"), "owner": N_("Owner"),
    "target_effect": N_("Target effect"), "status": N_("Status"), "decision": N_("Decision"),
    "decision_note": N_("Note"), "rollout": N_("Rollout steps"),
}  # fmt: skip
FORM_FIELDS = ("name", "hypothesis", "pilot_by", "pilot_values", "control_by",
               "control_values", "baseline_start", "baseline_end", "test_start", "test_end",
               "owner", "target_effect")  # fmt: skip
EMPTY_FORM: dict[str, Any] = {name: "" for name in FORM_FIELDS} | {
    "pilot_by": "region", "control_by": "region", "kpis": []}


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return CONTROL.sub("", value).strip() if isinstance(value, str) else ""


def _members(db: Session, workspace_id: int) -> dict[str, str]:
    """The members' names by e-mail: a pilot's owner is stored and posted as an e-mail
    (the API's field) but read by name, as on the OKR page."""
    rows = db.execute(
        select(User.email, User.name)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == workspace_id)
        .order_by(User.name, User.email)
    )
    return {email: name for email, name in rows}


def _metric_choices(page: SignedInPageContext, db: Session, workspace_id: int
                    ) -> list[tuple[str, str]]:  # fmt: skip
    catalogue = workspace_catalogue(db, workspace_id)
    return [(metric.id, metric.name(page.language.code)) for metric in catalogue]


def _kpi_names(page: SignedInPageContext, db: Session, workspace_id: int) -> dict[str, str]:
    """The workspace's metrics by id, each under its name in the page's language (a KPI
    whose metric was since removed is shown as its id)."""
    return dict(_metric_choices(page, db, workspace_id))


def _problem(page: SignedInPageContext, error: InvalidInput) -> dict[str, str]:
    root = re.split(r"[.\[]", error.field, maxsplit=1)[0]
    return {"field": root, "label": page.gettext(FIELD_LABELS.get(root, N_("Name"))),
            "detail": error.message}  # the template says it: |refusal


def _group(by: str, values: str) -> dict[str, object]:
    if by == "customers":
        return {"customers": values}
    if by not in GROUP_ATTRIBUTES:
        by = "region"
    return {"filters": {by: values}}


def _raw(values: dict[str, Any]) -> dict[str, object]:
    return {
        "name": values["name"], "hypothesis": values["hypothesis"] or None,
        "pilot_group": _group(values["pilot_by"], values["pilot_values"]),
        "control_group": _group(values["control_by"], values["control_values"]),
        "kpis": values["kpis"], "baseline_start": values["baseline_start"],
        "baseline_end": values["baseline_end"], "test_start": values["test_start"],
        "test_end": values["test_end"], "owner": values["owner"] or None,
        "target_effect": values["target_effect"] or None,
    }  # fmt: skip


def _list_page(page: SignedInPageContext, db: Session, *, form: dict[str, Any] | None = None,
               error: dict[str, str] | None = None, status_code: int = 200) -> Response:
    assert page.workspace is not None
    workspace_id = page.workspace.id
    return page.render(
        "pilots/index.html", status_code=status_code, active="pilots",
        pilots=store.list_pilots(db, workspace_id), statuses=STATUS_LABELS,
        decisions=DECISION_LABELS, group_by=GROUP_BY_LABELS, can_write=can_edit(page),
        segment_names=segment_names(db, workspace_id),
        members=_members(db, workspace_id), metrics=_metric_choices(page, db, workspace_id),
        kpi_names=_kpi_names(page, db, workspace_id),
        form=form or dict(EMPTY_FORM), error=error,
    )  # fmt: skip


@router.get("/pilots")
def pilot_list(page: SignedInPage, db: DbSession) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    return _list_page(page, db)


@router.post("/pilots", dependencies=[CsrfChecked])
async def add_pilot(request: Request, page: SignedInPage, db: DbSession) -> Response:
    form = await request.form()
    values: dict[str, Any] = {name: _text(form, name) for name in FORM_FIELDS}
    values["kpis"] = [CONTROL.sub("", k) for k in form.getlist("kpis") if isinstance(k, str)]
    return await run_in_threadpool(_add, page, db, values)


def _add(page: SignedInPageContext, db: Session, values: dict[str, Any]) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    if not can_edit(page):
        return refuse_edit(page)
    try:
        metric_ids = workspace_catalogue(db, page.workspace.id).ids()
        line = store.create_pilot(db, page.workspace.id, _raw(values), metric_ids=metric_ids,
                                  actor=page.viewer.email, user_id=page.viewer.user_id)
    except InvalidInput as error:
        db.rollback()
        return _list_page(page, db, form=values, error=_problem(page, error), status_code=422)
    db.commit()
    return page.redirect(f"/pilots/{line.id}")


def _found(page: SignedInPageContext, db: Session, pilot_id: int) -> store.PilotLine | None:
    assert page.workspace is not None
    if not 0 < pilot_id <= MAX_ID:
        return None
    try:
        return store.get_pilot(db, page.workspace.id, pilot_id)
    except NotFound:
        return None


def _plan(page: SignedInPageContext, db: Session, line: store.PilotLine
          ) -> tuple[dict[str, Any] | None, str | None]:  # fmt: skip
    """The first KPI's plan figures from the warehouse, or why there are none."""
    assert page.workspace is not None
    workspace_id = page.workspace.id
    catalogue = workspace_catalogue(db, workspace_id)
    if line.kpis[0] not in catalogue:
        return None, f"kpis: {line.kpis[0]!r} is no longer a metric of this workspace"
    metric = catalogue.get(line.kpis[0])
    draft = checked_pilot(line.fields())
    # Imported here: the analytics load statsmodels/scipy, which start-up must not pay.
    from kano.analytics.pilots.views import plan_on_warehouse

    periods = (draft.baseline_start, draft.baseline_end, draft.test_start, draft.test_end)
    # Kept until the warehouse changes (97 % of a warm visit was this plan: two metric
    # queries per customer × month and the power search). Everything it depends on is in
    # the question: the KPI's whole definition (an edited metric asks anew), the groups,
    # the months and the target effect.
    question = ("pilot plan", repr(metric), draft.pilot_group, draft.control_group, periods,
                line.target_effect)  # fmt: skip

    def work(visit: WarehouseVisit) -> dict[str, Any]:
        return visit.figure(question, lambda: plan_on_warehouse(
            visit.backend, workspace_id, metric, draft.pilot_group, draft.control_group,
            periods, line.target_effect))  # fmt: skip

    return on_kept_warehouse(page.web, workspace_id, work, page.gettext)


def _axis_title(page: SignedInPageContext, db: Session, name: str, unit: str | None) -> str:
    """The chart's value axis: the KPI's name and unit, "On-time delivery (%)"."""
    assert page.workspace is not None
    if not unit:
        return name
    shown = "%" if unit == "%" else unit_label(unit, page.gettext,
                                               workspace_currency(db, page.workspace.id))
    return f"{name} ({shown})"


def _pilot_page(page: SignedInPageContext, db: Session, line: store.PilotLine, *,
                error: dict[str, str] | None = None, status_code: int = 200,
                evaluation_problem: str | None = None) -> Response:  # fmt: skip
    from kano.adapters.web.pilot_charts import group_means_chart

    assert page.workspace is not None
    plan, plan_problem = _plan(page, db, line)
    charts = {}
    names = _kpi_names(page, db, page.workspace.id)
    if line.evaluation:
        for kpi, result in line.evaluation["kpis"].items():
            charts[kpi] = group_means_chart(result["means"], line.test_start,
                                            page.language.code, page.gettext,
                                            _axis_title(page, db, names.get(kpi, kpi),
                                                        result.get("unit")))  # fmt: skip
    return page.render(
        "pilots/pilot.html", status_code=status_code, active="pilots", pilot=line,
        statuses=STATUS_LABELS, decisions=DECISION_LABELS, steps=STEP_LABELS,
        group_by=GROUP_BY_LABELS, can_write=can_edit(page), plan=plan,
        plan_problem=plan_problem, charts=charts, error=error,
        evaluation_problem=evaluation_problem, today=date.today().isoformat(),
        segment_names=segment_names(db, page.workspace.id),
        kpi_names=names, members=_members(db, page.workspace.id),
    )  # fmt: skip


@router.get("/pilots/{pilot_id}")
def pilot_page(page: SignedInPage, db: DbSession, pilot_id: int) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    line = _found(page, db, pilot_id)
    if line is None:
        return not_found(page, "pilots")
    return _pilot_page(page, db, line)


@router.post("/pilots/{pilot_id}/evaluate", dependencies=[CsrfChecked])
async def evaluate(page: SignedInPage, db: DbSession, pilot_id: int) -> Response:
    return await run_in_threadpool(_evaluate, page, db, pilot_id)


def _evaluate(page: SignedInPageContext, db: Session, pilot_id: int) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    if not can_edit(page):
        return refuse_edit(page)
    line = _found(page, db, pilot_id)
    if line is None:
        return not_found(page, "pilots")
    workspace_id = page.workspace.id
    catalogue = workspace_catalogue(db, workspace_id)
    missing = [kpi for kpi in line.kpis if kpi not in catalogue]
    if missing:
        gone = f"kpis: {missing[0]!r} is no longer a metric of this workspace"
        return _pilot_page(page, db, line, evaluation_problem=gone, status_code=422)
    metrics = [catalogue.get(kpi) for kpi in line.kpis]
    draft = checked_pilot(line.fields())
    # Imported here: the analytics load statsmodels/scipy, which start-up must not pay.
    from kano.analytics.pilots.views import evaluate_on_warehouse

    def work(backend: Any) -> dict[str, Any]:
        return evaluate_on_warehouse(
            backend, workspace_id, metrics, draft.pilot_group, draft.control_group,
            (draft.baseline_start, draft.baseline_end, draft.test_start, draft.test_end),
        )  # fmt: skip

    result, problem = on_warehouse(page.web, work, page.gettext)
    if problem is not None:
        return _pilot_page(page, db, line, evaluation_problem=problem, status_code=422)
    store.save_evaluation(db, workspace_id, pilot_id, result, actor=page.viewer.email,
                          user_id=page.viewer.user_id)  # fmt: skip
    db.commit()
    return page.redirect(f"/pilots/{pilot_id}#evaluation")


@router.post("/pilots/{pilot_id}/decision", dependencies=[CsrfChecked])
async def decide(request: Request, page: SignedInPage, db: DbSession, pilot_id: int) -> Response:
    form = await request.form()
    changes: dict[str, object] = {
        "status": _text(form, "status") or None,
        "decision": _text(form, "decision") or None,
        "decision_note": _text(form, "decision_note") or None,
    }
    return await run_in_threadpool(_change, page, db, pilot_id, changes, "#decision")


@router.post("/pilots/{pilot_id}/rollout", dependencies=[CsrfChecked])
async def rollout(request: Request, page: SignedInPage, db: DbSession, pilot_id: int) -> Response:
    form = await request.form()
    step: dict[str, object] = {
        "name": _text(form, "name"), "planned_on": _text(form, "planned_on"),
        "status": _text(form, "status") or "planned", "note": _text(form, "note") or None}
    index = _text(form, "step")
    return await run_in_threadpool(_change_rollout, page, db, pilot_id, index, step)


def _change_rollout(page: SignedInPageContext, db: Session, pilot_id: int, index: str,
                    step: dict[str, object]) -> Response:  # fmt: skip
    if page.workspace is None:
        return no_workspace(page)
    line = _found(page, db, pilot_id)
    if line is None:
        return not_found(page, "pilots")
    steps = [dict(existing) for existing in line.rollout]
    if index.isdigit() and int(index) < len(steps):  # a step's new status
        steps[int(index)]["status"] = step["status"]
    else:
        steps.append(step)
    return _change(page, db, pilot_id, {"rollout": steps}, "#rollout")


def _change(page: SignedInPageContext, db: Session, pilot_id: int,
            changes: dict[str, object], anchor: str) -> Response:  # fmt: skip
    if page.workspace is None:
        return no_workspace(page)
    if not can_edit(page):
        return refuse_edit(page)
    line = _found(page, db, pilot_id)
    if line is None:
        return not_found(page, "pilots")
    if "decision" in changes and changes["decision"] is None and changes["status"] == "decided":
        changes["status"] = "evaluated" if line.evaluation else "running"
    try:
        metric_ids = workspace_catalogue(db, page.workspace.id).ids()
        store.update_pilot(db, page.workspace.id, pilot_id, changes, metric_ids=metric_ids,
                           actor=page.viewer.email, user_id=page.viewer.user_id)  # fmt: skip
    except InvalidInput as error:
        db.rollback()
        return _pilot_page(page, db, line, error=_problem(page, error), status_code=422)
    db.commit()
    return page.redirect(f"/pilots/{pilot_id}{anchor}")
