"""The objective drill-down of the scorecard and its forms (SPEC §2.7): add and delete
objectives, add and remove cause–effect links, enter a measure's value for a month, and
the objective of a scorecard above that an objective is aligned to (the cascade).

As on the scorecard page (``scorecard.py``): a form that fails its checks re-renders its
page with the message next to the field (HTTP 422), one that succeeds redirects (303), a
change the reader's role does not allow is a 403.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form
from sqlalchemy.orm import Session
from starlette.responses import Response

from kano.adapters.db.views.objective import objective_detail
from kano.adapters.db.views.scorecard import MeasureLine
from kano.adapters.web.deps import CsrfChecked, DbSession, SignedInPage, SignedInPageContext
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.routes.scorecard import page_context, scorecard_page
from kano.adapters.web.routes.strategy_map import objective_evidence
from kano.adapters.web.scorecard_cascade import aligned_objectives, alignment_choices, cascade_of
from kano.adapters.web.scorecard_edits import (
    align_objective,
    objective_of_measure,
    record_measure_value,
)
from kano.adapters.web.strategy_access import editor_of, no_workspace, not_found, refuse_edit
from kano.adapters.web.strategy_edits import (
    EditForbidden,
    EditRejected,
    add_link,
    create_objective,
    delete_link,
    delete_objective,
)
from kano.adapters.web.strategy_session import metric_groups
from kano.domain.shared.errors import InvalidInput

router = APIRouter()


@router.post("/scorecard/objectives", dependencies=[CsrfChecked])
def add_objective(
    page: SignedInPage,
    db: DbSession,
    perspective_id: Annotated[int, Form()],
    title: Annotated[str, Form()] = "",
    customer_voice: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    scorecard: Annotated[str, Form()] = "",
) -> Response:
    editor = editor_of(page)
    if editor is None:
        return refuse_edit(page)
    try:
        row = create_objective(
            db, editor, perspective_id=perspective_id, title=title,
            customer_voice=customer_voice, description=description,
        )
    except EditRejected as rejected:
        db.rollback()
        form = {"perspective_id": str(perspective_id), "title": title,
                "customer_voice": customer_voice, "description": description}
        return scorecard_page(page, db, scorecard or None, status_code=422, form=form,
                               error=rejected, error_in="new-objective")
    db.commit()
    return page.redirect(f"/scorecard/objectives/{row.id}")


def _objective_page(
    page: SignedInPageContext, db: DbSession, objective_id: int, *,
    status_code: int = 200, form: dict[str, str] | None = None,
    error: EditRejected | None = None, error_in: str | None = None,
) -> Response:
    assert page.workspace is not None
    detail = objective_detail(db, page.workspace.id, objective_id)
    if detail is None:
        return not_found(page, "scorecard")
    return page.render(
        "scorecard/objective.html", status_code=status_code, active="scorecard",
        detail=detail, form=form or {}, error=error, error_in=error_in if error else None,
        metric_names=_metric_names(page, db, detail.objective.measures),
        arrow_evidence=objective_evidence(db, page, detail),  # the map's tested arrows
        cascade=cascade_of(db, page.workspace.id, detail.scorecard),
        alignment=alignment_choices(db, page.workspace.id, detail.scorecard.id),
        aligned=aligned_objectives(db, page.workspace.id, objective_id), **page_context(page, db),
    )


def _metric_names(
    page: SignedInPageContext, db: Session, measures: tuple[MeasureLine, ...]
) -> dict[str, str]:
    """The catalogue's names of the metrics the measures are bound to, in the page's
    language (the QA pass read "Metric: onboarding_days_mean" on the Hungarian page)."""
    assert page.workspace is not None
    if not any(m.bound_to_metric for m in measures):
        return {}
    try:
        groups = metric_groups(db, page.workspace.id, None, page.language.code)
    except InvalidInput:  # a stored custom metric no longer parses: its key, as stored
        return {}
    return {metric_id: choice.name for metric_id, choice in groups.by_id.items()}


@router.get("/scorecard/objectives/{objective_id}")
def objective(page: SignedInPage, db: DbSession, objective_id: int) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    return _objective_page(page, db, objective_id)


@router.post("/scorecard/objectives/{objective_id}/links", dependencies=[CsrfChecked])
def link_objective(
    page: SignedInPage,
    db: DbSession,
    objective_id: int,
    effect_id: Annotated[int, Form()],
    hypothesis: Annotated[str, Form()] = "",
    lag_months: Annotated[int, Form()] = 0,
) -> Response:
    editor = editor_of(page)
    if editor is None:
        return refuse_edit(page)
    detail = objective_detail(db, editor.workspace_id, objective_id)
    if detail is None:
        return not_found(page, "scorecard")
    try:
        editor.require_admin()
        if effect_id not in {o.id for o in detail.card.objectives}:
            raise EditRejected("effect_id", N_("Choose an objective of the same scorecard."))
        add_link(db, editor, scorecard_id=detail.scorecard.id, cause_id=objective_id,
                 effect_id=effect_id, hypothesis=hypothesis, lag_months=lag_months)
    except EditForbidden as forbidden:
        return refuse_edit(page, forbidden.needs)
    except EditRejected as rejected:
        db.rollback()
        form = {"effect_id": str(effect_id), "hypothesis": hypothesis,
                "lag_months": str(lag_months)}
        return _objective_page(page, db, objective_id, status_code=422, form=form,
                               error=rejected, error_in="new-link")
    db.commit()
    return page.redirect(f"/scorecard/objectives/{objective_id}#links")


@router.post("/scorecard/objectives/{objective_id}/delete", dependencies=[CsrfChecked])
def remove_objective(page: SignedInPage, db: DbSession, objective_id: int) -> Response:
    """Delete an objective its owner (or an admin) no longer wants, measures and all."""
    editor = editor_of(page)
    if editor is None:
        return refuse_edit(page)
    try:
        scorecard_key = delete_objective(db, editor, objective_id)
    except LookupError:
        return not_found(page, "scorecard")
    except EditForbidden as forbidden:
        db.rollback()
        return refuse_edit(page, forbidden.needs)
    db.commit()
    return page.redirect(f"/scorecard?scorecard={quote(scorecard_key)}")


@router.post("/scorecard/links/{link_id}/delete", dependencies=[CsrfChecked])
def remove_link(
    page: SignedInPage, db: DbSession, link_id: int,
    objective_id: Annotated[int | None, Form()] = None,
) -> Response:
    """Remove a cause–effect link; back to the objective page it was removed from."""
    editor = editor_of(page)
    if editor is None:
        return refuse_edit(page)
    try:
        delete_link(db, editor, link_id)
    except LookupError:
        return not_found(page, "scorecard")
    except EditForbidden as forbidden:
        db.rollback()
        return refuse_edit(page, forbidden.needs)
    db.commit()
    if objective_id is None:
        return page.redirect("/strategy/map")
    return page.redirect(f"/scorecard/objectives/{objective_id}#links")


@router.post("/scorecard/measures/{measure_id}/values", dependencies=[CsrfChecked])
def enter_measure_value(
    page: SignedInPage,
    db: DbSession,
    measure_id: int,
    period: Annotated[str, Form()] = "",
    actual: Annotated[str, Form()] = "",
    target: Annotated[str, Form()] = "",
) -> Response:
    """A measure's actual for a month (and its target, if given): new or corrected."""
    editor = editor_of(page)
    if editor is None:
        return refuse_edit(page)
    objective_id = objective_of_measure(db, editor.workspace_id, measure_id)
    if objective_id is None:
        return not_found(page, "scorecard")
    try:
        record_measure_value(db, editor, measure_id=measure_id, period=period, actual=actual,
                             target=target)
    except EditForbidden as forbidden:
        return refuse_edit(page, forbidden.needs)
    except EditRejected as rejected:
        db.rollback()
        form = {"period": period, "actual": actual, "target": target}
        return _objective_page(page, db, objective_id, status_code=422, form=form,
                               error=rejected, error_in=f"measure-{measure_id}")
    db.commit()
    return page.redirect(f"/scorecard/objectives/{objective_id}#measure-{measure_id}")


@router.post("/scorecard/objectives/{objective_id}/alignment", dependencies=[CsrfChecked])
def align(
    page: SignedInPage, db: DbSession, objective_id: int,
    aligned_to_id: Annotated[str, Form()] = "",
) -> Response:
    """The objective of a scorecard above that this one serves ("" for none): its owner
    or an admin, as ``PATCH /objectives/{key}``."""
    editor = editor_of(page)
    if editor is None:
        return refuse_edit(page)
    text = aligned_to_id.strip()
    # what no objective has (not a number, or past the id column) the store refuses by name
    chosen = None if not text else int(text) if text.isdecimal() and len(text) < 10 else -1
    try:
        align_objective(db, editor, objective_id, chosen)
    except LookupError:
        db.rollback()
        return not_found(page, "scorecard")
    except EditForbidden as forbidden:
        db.rollback()
        return refuse_edit(page, forbidden.needs)
    except EditRejected as rejected:
        db.rollback()
        return _objective_page(page, db, objective_id, status_code=422,
                               form={"aligned_to_id": aligned_to_id}, error=rejected,
                               error_in="alignment")
    db.commit()
    return page.redirect(f"/scorecard/objectives/{objective_id}#cascade")
