"""The executive scorecard, the objective drill-down, and the forms that add objectives and
cause–effect links (SPEC §2.7).

A form that fails its checks re-renders its page with the message next to the field
(HTTP 422); one that succeeds redirects (303), so a reload never posts twice.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from starlette.responses import Response

from kano.adapters.db.views.objective import objective_detail
from kano.adapters.db.views.scorecard import (
    MeasureLine,
    choose_scorecard,
    list_scorecards,
    scorecard_view,
)
from kano.adapters.web.deps import CsrfChecked, DbSession, SignedInPage, SignedInPageContext
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.sparkline import Sparkline, sparkline
from kano.adapters.web.strategy_access import (
    editor_of,
    no_workspace,
    not_found,
    refuse_edit,
    strategy_context,
)
from kano.adapters.web.strategy_edits import EditRejected, add_link, create_objective

router = APIRouter()


def measure_sparkline(measure: MeasureLine) -> Sparkline | None:
    return sparkline([p.actual for p in measure.series], measure.target)


def _common(page: SignedInPageContext) -> dict[str, Any]:
    return {**strategy_context(page), "measure_sparkline": measure_sparkline}


def _scorecard_page(
    page: SignedInPageContext, db: DbSession, key: str | None, *,
    status_code: int = 200, form: dict[str, str] | None = None,
    error: EditRejected | None = None,
) -> Response:
    assert page.workspace is not None
    choices = list_scorecards(db, page.workspace.id)
    chosen = choose_scorecard(choices, key)
    view = scorecard_view(db, page.workspace.id, chosen) if chosen else None
    return page.render(
        "scorecard/index.html", status_code=status_code, active="scorecard",
        choices=choices, view=view, form=form or {}, error=error, **_common(page),
    )


@router.get("/scorecard")
def scorecard(page: SignedInPage, db: DbSession, scorecard: str | None = None) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    return _scorecard_page(page, db, scorecard)


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
        return _scorecard_page(page, db, scorecard or None, status_code=422, form=form,
                               error=rejected)
    db.commit()
    return page.redirect(f"/scorecard/objectives/{row.id}")


def _objective_page(
    page: SignedInPageContext, db: DbSession, objective_id: int, *,
    status_code: int = 200, form: dict[str, str] | None = None,
    error: EditRejected | None = None,
) -> Response:
    assert page.workspace is not None
    detail = objective_detail(db, page.workspace.id, objective_id)
    if detail is None:
        return not_found(page, "scorecard")
    return page.render(
        "scorecard/objective.html", status_code=status_code, active="scorecard",
        detail=detail, form=form or {}, error=error, **_common(page),
    )


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
        if effect_id not in {o.id for o in detail.card.objectives}:
            raise EditRejected("effect_id", N_("Choose an objective of the same scorecard."))
        add_link(db, editor, scorecard_id=detail.scorecard.id, cause_id=objective_id,
                 effect_id=effect_id, hypothesis=hypothesis, lag_months=lag_months)
    except EditRejected as rejected:
        db.rollback()
        form = {"effect_id": str(effect_id), "hypothesis": hypothesis,
                "lag_months": str(lag_months)}
        return _objective_page(page, db, objective_id, status_code=422, form=form,
                               error=rejected)
    db.commit()
    return page.redirect(f"/scorecard/objectives/{objective_id}#links")
