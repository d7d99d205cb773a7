"""The guided strategy session (SPEC §2.7): ``/strategy/session``.

A consultant walks a leadership team through one scorecard, perspective by perspective in
the classic order (financial → internal processes → customer → learning & growth, as the
workspace names and orders them), then the cause-and-effect arrows, then a review with
the map and the scorecard. There is no draft: every form writes the scorecard at once
through the scorecard's own edit functions (same role rules, checks and audit entries as
the API), so a reload, a second laptop or the scorecard page all see the same state.

Forms post and redirect (303) back to their step; a form that fails its checks re-renders
the step with the message next to the field (422). Pages work without JavaScript; with it,
htmx swaps the step in place (``hx-boost`` on the step).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.responses import Response

from kano.adapters.db.views.link_tests import link_tests_of
from kano.adapters.db.views.scorecard import choose_scorecard, list_scorecards
from kano.adapters.web.deps import CsrfChecked, DbSession, SignedInPage, SignedInPageContext
from kano.adapters.web.measure_edits import (
    MeasureForm,
    create_measure,
    delete_measure,
    update_measure,
)
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.routes.strategy_map import strategy_map_svg
from kano.adapters.web.scorecard_edits import add_perspective, create_classic_scorecard
from kano.adapters.web.strategy_access import (
    editor_of,
    no_workspace,
    not_found,
    refuse_edit,
    strategy_context,
)
from kano.adapters.web.strategy_edits import (
    LAG_TEXT,
    EditForbidden,
    Editor,
    EditRejected,
    add_link,
    create_objective,
    delete_link,
    delete_objective,
    update_objective,
)
from kano.adapters.web.strategy_session import (
    CLASSIC_BANDS,
    CLASSIC_PERSPECTIVES,
    LAYER_NAMES,
    QUESTIONS,
    CurrentValue,
    SessionView,
    current_value,
    metric_groups,
    plain_number,
    rounded_for,
    session_view,
)
from kano.domain.strategy.session import KIND_OF_LAYER, PerspectiveKind

router = APIRouter()
Text = Annotated[str, Form()]


def _session(page: SignedInPageContext, db: Session, card_key: str) -> SessionView | None:
    assert page.workspace is not None
    chosen = next((c for c in list_scorecards(db, page.workspace.id) if c.key == card_key), None)
    return session_view(db, page.workspace.id, chosen) if chosen else None


def _start_page(page: SignedInPageContext, db: Session, scorecard: str | None, *,
                status_code: int = 200, form: dict[str, str] | None = None,
                error: EditRejected | None = None) -> Response:
    assert page.workspace is not None
    choices = list_scorecards(db, page.workspace.id)
    chosen = choose_scorecard(choices, scorecard)
    session = session_view(db, page.workspace.id, chosen) if chosen else None
    return page.render("strategy/session/start.html", status_code=status_code,
                       active="strategy_session", choices=choices, session=session,
                       form=form or {}, error=error, classic_perspectives=CLASSIC_PERSPECTIVES,
                       **strategy_context(page, db))


@router.get("/strategy/session")
def start(page: SignedInPage, db: DbSession, scorecard: str | None = None) -> Response:
    """Choose the scorecard; the session starts at its first step. A workspace without a
    scorecard gets one with the four classic perspectives (admins)."""
    if page.workspace is None:
        return no_workspace(page)
    return _start_page(page, db, scorecard)


@router.post("/strategy/session", dependencies=[CsrfChecked])
def create_scorecard(page: SignedInPage, db: DbSession, name: Text = "") -> Response:
    editor = editor_of(page)
    if editor is None:
        return refuse_edit(page)
    names = {key: page.gettext(CLASSIC_PERSPECTIVES[key]) for key in CLASSIC_BANDS}
    try:
        card = create_classic_scorecard(db, editor, name=name, perspective_names=names)
    except EditForbidden as forbidden:
        db.rollback()
        return refuse_edit(page, forbidden.needs)
    except EditRejected as rejected:
        db.rollback()
        return _start_page(page, db, None, status_code=422, form={"name": name},
                           error=rejected)
    db.commit()
    return page.redirect(f"/strategy/session/{card.key}/perspectives/financial")


def _step_page(
    page: SignedInPageContext, db: Session, session: SessionView, slug: str, *,
    status_code: int = 200, form: dict[str, str] | None = None,
    error: EditRejected | None = None, form_in: str | None = None,
    lookup: CurrentValue | None = None,
) -> Response:
    """A step; ``form`` holds what was typed into the form ``form_in`` (shown again)."""
    step = session.step(slug)
    if step is None:
        return not_found(page, "strategy_session")
    assert page.workspace is not None
    previous, following = session.neighbours(slug)
    context: dict[str, Any] = {
        "session": session, "step": step, "previous": previous, "following": following,
        "number": session.steps.index(step) + 1, "form": form or {}, "error": error,
        "error_in": form_in if error else None, "lookup": lookup,
        "layer_names": LAYER_NAMES, "form_in": form_in, "fmt_plain": plain_number,
        **strategy_context(page, db),
    }
    if step.perspective is not None:
        template = "strategy/session/perspective.html"
        context["question"] = QUESTIONS[step.kind]
        context["customer"] = step.kind is PerspectiveKind.CUSTOMER
        context["metrics"] = metric_groups(db, page.workspace.id, step.kind,
                                           page.language.code)
    elif slug == "arrows":
        template = "strategy/session/arrows.html"
        context["pairs"] = session.arrow_pairs()
        adjacent = {(c.id, e.id) for c, e in context["pairs"]}
        perspective_of = {o.id: p.id for p in session.view.perspectives for o in p.objectives}
        context["other_links"] = [
            link for link in session.view.links
            if (perspective_of.get(link.cause_id), perspective_of.get(link.effect_id))
            not in adjacent
        ]
    else:
        template = "strategy/session/review.html"
        tests = link_tests_of(db, page.workspace.id, session.card.id)
        svg = strategy_map_svg(session.view, page.gettext, context["fmt"], tests)
        context["svg"] = Markup(svg)  # built by ElementTree: every text is escaped
        context["metric_names"] = {
            metric_id: choice.name for metric_id, choice in
            metric_groups(db, page.workspace.id, None, page.language.code).by_id.items()}
    return page.render(template, status_code=status_code, active="strategy_session", **context)


@router.get("/strategy/session/{card_key}/{step_kind}/{step_key}")
@router.get("/strategy/session/{card_key}/{step_kind}")
def step_page(
    page: SignedInPage, db: DbSession, card_key: str, step_kind: str, step_key: str = ""
) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    session = _session(page, db, card_key)
    if session is None:
        return not_found(page, "strategy_session")
    slug = f"{step_kind}/{step_key}" if step_key else step_kind
    return _step_page(page, db, session, slug)


def _edit(
    page: SignedInPageContext, db: Session, card_key: str, slug_of: Any, change: Any,
    form: dict[str, str], error_in: str, anchor: Any = None,
) -> Response:
    """The common course of a session form: who may, the change, then 303 to the step (or
    the step again with the problem, 422). ``slug_of(session)`` names the step; ``change
    (editor, session)`` writes and returns what ``anchor`` turns into the page's #anchor."""
    editor = editor_of(page)
    if editor is None:
        return refuse_edit(page)
    session = _session(page, db, card_key)
    slug = slug_of(session) if session is not None else None
    if session is None or slug is None:
        return not_found(page, "strategy_session")
    try:
        result = change(editor, session)
    except LookupError:
        db.rollback()
        return not_found(page, "strategy_session")
    except EditForbidden as forbidden:
        db.rollback()
        return refuse_edit(page, forbidden.needs)
    except EditRejected as rejected:
        db.rollback()
        return _step_page(page, db, _session(page, db, card_key) or session, slug,
                          status_code=422, form=form, error=rejected, form_in=error_in)
    db.commit()
    target = session.url(slug)
    return page.redirect(f"{target}#{anchor(result)}" if anchor else target)


def _objective_step(objective_id: int) -> Any:
    def slug_of(session: SessionView) -> str | None:
        step = session.step_of_objective(objective_id)
        return step.slug if step else None
    return slug_of


def _require_in(session: SessionView, objective_id: int) -> None:
    if session.objective(objective_id) is None:
        raise LookupError(objective_id)


@router.post("/strategy/session/{card_key}/perspectives", dependencies=[CsrfChecked])
def add_classic_perspective(
    page: SignedInPage, db: DbSession, card_key: str, key: Text = ""
) -> Response:
    """Add a classic perspective the scorecard lacks (admins), named in the reader's
    language, and go to its step."""
    editor = editor_of(page)
    if editor is None:
        return refuse_edit(page)
    session = _session(page, db, card_key)
    if session is None or key not in session.missing:
        return not_found(page, "strategy_session")
    try:
        row = add_perspective(db, editor, scorecard_id=session.card.id, key=key,
                              name=page.gettext(CLASSIC_PERSPECTIVES[key]))
    except EditForbidden as forbidden:
        db.rollback()
        return refuse_edit(page, forbidden.needs)
    except EditRejected:  # added a moment ago by someone else: no longer missing
        db.rollback()
        return not_found(page, "strategy_session")
    db.commit()
    return page.redirect(session.url(f"perspectives/{row.key}"))


@router.post("/strategy/session/{card_key}/perspectives/{perspective_key}/objectives",
             dependencies=[CsrfChecked])
def add_objective(
    page: SignedInPage, db: DbSession, card_key: str, perspective_key: str,
    title: Text = "", customer_voice: Text = "",
) -> Response:
    slug = f"perspectives/{perspective_key}"

    def change(editor: Editor, session: SessionView) -> int:
        step = session.step(slug)
        assert step is not None and step.perspective is not None
        return create_objective(db, editor, perspective_id=step.perspective.id, title=title,
                                customer_voice=customer_voice).id

    return _edit(page, db, card_key, lambda s: slug if s.step(slug) else None, change,
                 {"title": title, "customer_voice": customer_voice}, "new-objective",
                 lambda objective_id: f"objective-{objective_id}")


@router.post("/strategy/session/{card_key}/objectives/{objective_id}",
             dependencies=[CsrfChecked])
def edit_objective(
    page: SignedInPage, db: DbSession, card_key: str, objective_id: int,
    title: Text = "", customer_voice: Text = "",
) -> Response:
    def change(editor: Editor, session: SessionView) -> int:
        _require_in(session, objective_id)
        return update_objective(db, editor, objective_id, title=title,
                                customer_voice=customer_voice).id

    return _edit(page, db, card_key, _objective_step(objective_id), change,
                 {"title": title, "customer_voice": customer_voice},
                 f"objective-{objective_id}", lambda oid: f"objective-{oid}")


@router.post("/strategy/session/{card_key}/objectives/{objective_id}/delete",
             dependencies=[CsrfChecked])
def remove_objective(
    page: SignedInPage, db: DbSession, card_key: str, objective_id: int
) -> Response:
    def change(editor: Editor, session: SessionView) -> str:
        _require_in(session, objective_id)
        return delete_objective(db, editor, objective_id)

    return _edit(page, db, card_key, _objective_step(objective_id), change, {},
                 f"objective-{objective_id}")


def _measure_form(name: str, metric: str, kind: str, direction: str, baseline: str,
                  target: str, amber_from: str, green_from: str) -> MeasureForm:
    return MeasureForm(name=name, metric=metric, kind=kind or "other",
                       direction=direction or "higher", baseline=baseline, target=target,
                       amber_from=amber_from, green_from=green_from)


@router.post("/strategy/session/{card_key}/objectives/{objective_id}/measures",
             dependencies=[CsrfChecked])
def add_measure(
    page: SignedInPage, db: DbSession, card_key: str, objective_id: int,
    name: Text = "", metric: Text = "", kind: Text = "", direction: Text = "",
    baseline: Text = "", target: Text = "", amber_from: Text = "", green_from: Text = "",
    action: Text = "add",
) -> Response:
    """Add a measure; ``action=lookup`` (the "Fill in from the metric" button, or htmx when
    the metric changes) only fills the form in from the chosen metric and its current
    value in the warehouse, and saves nothing."""
    form = _measure_form(name, metric, kind, direction, baseline, target, amber_from,
                         green_from)
    if action == "lookup":
        return _lookup(page, db, card_key, objective_id, form)

    def change(editor: Editor, session: SessionView) -> int:
        _require_in(session, objective_id)
        return create_measure(db, editor, objective_id, form).id

    return _edit(page, db, card_key, _objective_step(objective_id), change, form.as_dict(),
                 f"new-measure-{objective_id}", lambda mid: f"measure-{mid}")


def _lookup(page: SignedInPageContext, db: Session, card_key: str, objective_id: int,
            form: MeasureForm) -> Response:
    if editor_of(page) is None:
        return refuse_edit(page)
    assert page.workspace is not None
    session = _session(page, db, card_key)
    step = session.step_of_objective(objective_id) if session else None
    if session is None or step is None:
        return not_found(page, "strategy_session")
    from kano.adapters.db.metric_catalogue import workspace_catalogue

    catalogue = workspace_catalogue(db, page.workspace.id)
    values = form.as_dict()
    if form.metric not in catalogue:
        values["metric"] = ""
        return _step_page(page, db, session, step.slug, form=values,
                          form_in=f"new-measure-{objective_id}")
    metric = catalogue.get(form.metric)
    names = {m.name(page.language.code) for m in catalogue}
    if not form.name.strip() or form.name.strip() in names:
        values["name"] = metric.name(page.language.code)
    values["direction"] = metric.direction.value
    if step.kind is PerspectiveKind.CUSTOMER:
        values["kind"] = KIND_OF_LAYER.get(metric.layer.value, "other")
    found = current_value(page.web, db, page.workspace.id, metric.id, page.gettext)
    if found.value is not None:
        values["baseline"] = rounded_for(metric, found.value)
    return _step_page(page, db, session, step.slug, form=values,
                      form_in=f"new-measure-{objective_id}", lookup=found)


def _measure_step(session: SessionView, measure_id: int) -> str | None:
    row = session.measure_rows.get(measure_id)
    step = session.step_of_objective(row.objective_id) if row else None
    return step.slug if step else None


@router.post("/strategy/session/{card_key}/measures/{measure_id}", dependencies=[CsrfChecked])
def edit_measure(
    page: SignedInPage, db: DbSession, card_key: str, measure_id: int,
    name: Text = "", metric: Text = "", kind: Text = "", direction: Text = "",
    baseline: Text = "", target: Text = "", amber_from: Text = "", green_from: Text = "",
) -> Response:
    form = _measure_form(name, metric, kind, direction, baseline, target, amber_from,
                         green_from)
    return _edit(page, db, card_key, lambda s: _measure_step(s, measure_id),
                 lambda editor, _s: update_measure(db, editor, measure_id, form).id,
                 form.as_dict(), f"measure-{measure_id}", lambda mid: f"measure-{mid}")


@router.post("/strategy/session/{card_key}/measures/{measure_id}/delete",
             dependencies=[CsrfChecked])
def remove_measure(page: SignedInPage, db: DbSession, card_key: str, measure_id: int) -> Response:
    return _edit(page, db, card_key, lambda s: _measure_step(s, measure_id),
                 lambda editor, _s: delete_measure(db, editor, measure_id), {},
                 f"measure-{measure_id}", lambda oid: f"objective-{oid}")


@router.post("/strategy/session/{card_key}/arrows", dependencies=[CsrfChecked])
def draw_arrow(
    page: SignedInPage, db: DbSession, card_key: str,
    cause_id: Annotated[int, Form()], effect_id: Annotated[int, Form()],
    hypothesis: Text = "", lag_months: Text = "0",
) -> Response:
    """An arrow between objectives of neighbouring perspectives of the chain, cause below."""
    def change(editor: Editor, session: SessionView) -> int:
        editor.require_admin()
        perspective_of = {o.id: p.id for p in session.view.perspectives for o in p.objectives}
        if cause_id not in perspective_of:
            raise EditRejected("cause_id", N_("Choose an objective of this scorecard."))
        pairs = {(c.id, e.id) for c, e in session.arrow_pairs()}
        if (perspective_of[cause_id], perspective_of.get(effect_id)) not in pairs:
            raise EditRejected("effect_id", N_("Choose an objective of the next perspective "
                                               "up the chain."))
        try:
            lag = int(lag_months.strip() or "0")
        except ValueError:
            raise EditRejected("lag_months", LAG_TEXT) from None
        return add_link(db, editor, scorecard_id=session.card.id, cause_id=cause_id,
                        effect_id=effect_id, hypothesis=hypothesis, lag_months=lag).id

    form = {"cause_id": str(cause_id), "effect_id": str(effect_id), "hypothesis": hypothesis,
            "lag_months": lag_months}
    return _edit(page, db, card_key, lambda _s: "arrows", change, form, "new-arrow",
                 lambda link_id: f"arrow-{link_id}")


@router.post("/strategy/session/{card_key}/arrows/{link_id}/delete",
             dependencies=[CsrfChecked])
def remove_arrow(page: SignedInPage, db: DbSession, card_key: str, link_id: int) -> Response:
    def change(editor: Editor, session: SessionView) -> None:
        if link_id not in {link.id for link in session.view.links}:
            raise LookupError(link_id)
        delete_link(db, editor, link_id)

    return _edit(page, db, card_key, lambda _s: "arrows", change, {}, "arrows")
