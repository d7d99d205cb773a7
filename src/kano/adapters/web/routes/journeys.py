"""The customer journey map (SPEC §2.3): stages as columns; rows for how customers felt
(CX scores with n and interval, the emotion curve), what they did (TX: reached the next
stage, repurchase, revenue), the process measures behind the touchpoints (OX) and the
words of unhappy comments; under it the pain points ranked with their revenue at risk.

``/journeys`` is a GET form (journey, segment, period), so every view can be bookmarked.
Managers and admins hand a pain point to an initiative or OKR objective with a CSRF-
checked POST that redirects (303) on success and re-renders with the message (422) when
the choice is not valid. ``/journeys/{key}.svg|.png|.pdf`` export the drawing shown.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Form
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from kano.adapters.db import journey_store
from kano.adapters.db.orm import InitiativeRow, OkrObjectiveRow, Segment
from kano.adapters.exports.svg_files import svg_to_pdf, svg_to_png
from kano.adapters.warehouse.connection import WarehouseBusy
from kano.adapters.web.deps import CsrfChecked, DbSession, SignedInPage, SignedInPageContext
from kano.adapters.web.formatting import NumberFormats
from kano.adapters.web.journey_figures import journey_figures
from kano.adapters.web.journey_map_svg import (
    amount_text,
    gap_text,
    journey_map_svg,
    measure_label,
    score_text,
)
from kano.adapters.web.journey_titles import journey_title, journey_titles
from kano.adapters.web.labels import journey_names, segment_names, team_names
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.strategy_access import can_edit, editor_of, no_workspace, refuse_edit
from kano.domain.journeys import Journey
from kano.domain.shared.currency import DEFAULT_CURRENCY
from kano.domain.shared.errors import InvalidInput, NotFound
from kano.metrics.warehouse_errors import WarehouseNotLoaded

if TYPE_CHECKING:  # for types only: the journey analytics load statsmodels (start-up cost)
    from kano.analytics.journeys.report import JourneyMap

router = APIRouter()

FIELD_PROBLEMS = {
    "segment": N_("Choose a segment of this workspace."),
    "from": N_("Check the period: dates as YYYY-MM-DD, the first before the last."),
    "target": N_("Choose an initiative or an OKR objective."),
    "initiative": N_("Choose an initiative or an OKR objective."),
    "okr_objective": N_("Choose an initiative or an OKR objective."),
    "touchpoint": N_("Choose a touchpoint of this journey."),
    "note": N_("The note is too long."),
}


def _day(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("from", f"{text!r} is not a date (YYYY-MM-DD)") from None


def _compute(
    page: SignedInPageContext, journey: Journey, segment: str, start: str, end: str
) -> tuple[JourneyMap | None, str, InvalidInput | None]:
    """The map of the slice, the warehouse's state (ok, missing, busy) and a form error."""
    assert page.workspace is not None
    url = page.web.container.settings.resolved_warehouse_url()
    try:
        result = journey_figures(url, page.workspace.id, journey, segment, _day(start), _day(end))
        return result, "ok", None
    except InvalidInput as error:
        return None, "ok", error
    except WarehouseNotLoaded:
        return None, "missing", None
    except WarehouseBusy:
        return None, "busy", None


def _choices(db: Session, workspace_id: int) -> dict[str, Any]:
    segments = db.execute(
        select(Segment.key, Segment.name)
        .where(Segment.workspace_id == workspace_id)
        .order_by(Segment.id)
    ).all()
    initiatives = db.execute(
        select(InitiativeRow.key, InitiativeRow.name)
        .where(InitiativeRow.workspace_id == workspace_id)
        .order_by(InitiativeRow.key)
    ).all()
    okrs = db.execute(
        select(OkrObjectiveRow.key, OkrObjectiveRow.title)
        .where(OkrObjectiveRow.workspace_id == workspace_id)
        .order_by(OkrObjectiveRow.key)
    ).all()
    return {"segments": segments, "initiatives": initiatives, "okr_objectives": okrs}


def _touchpoint_names(journey: Journey) -> dict[str, str]:
    return {t.key: t.name for stage in journey.stages for t in stage.touchpoints}


def _render(
    page: SignedInPageContext,
    db: Session,
    *,
    journey_key: str = "",
    segment: str = "",
    start: str = "",
    end: str = "",
    status_code: int = 200,
    link_error: InvalidInput | None = None,
) -> Response:
    assert page.workspace is not None
    _ = page.gettext
    ws = page.workspace.id
    journeys = journey_store.list_journeys(db, ws)
    db.commit()  # keep the journeys seeded on first visit
    if not journeys:  # a refused change still answers with its status (422), not 200
        return page.render("journeys/empty.html", status_code=status_code, active="journeys")
    journey = next((j for j in journeys if j.key == journey_key), journeys[0])
    titles = journey_titles(journeys, segment_names(db, ws), _)
    result, warehouse, error = _compute(page, journey, segment, start, end)
    formats = NumberFormats(page.language.code)
    map_svg = None
    if result is not None:
        map_svg = journey_map_svg(
            titles[journey.key],
            [(s.key, s.name) for s in journey.stages],
            result.stages,
            result.pain_points,
            _,
            formats,
            page.workspace.currency,
            _touchpoint_names(journey),
        )
    shown_error = error or link_error
    if status_code == 200:
        status_code = 422 if error else {"ok": 200, "missing": 409, "busy": 503}[warehouse]
    return page.render(
        "journeys/map.html",
        status_code=status_code,
        active="journeys",
        journeys=journeys,
        journey=journey,
        journey_titles=titles,
        form={"journey": journey.key, "segment": segment, "from": start, "to": end},
        result=result,
        stage_by_key={s.stage: s for s in result.stages} if result else {},
        warehouse=warehouse,
        error=None
        if shown_error is None
        else {
            "field": shown_error.field,
            # both said by the template's refusal filter, in the reader's language
            "message": FIELD_PROBLEMS.get(
                shown_error.field, N_("The figures could not be computed.")
            ),
            "detail": shown_error.message,
        },
        map_svg=map_svg,
        links=journey_store.pain_point_links(db, ws, journey.key),
        can_link=can_edit(page),
        measure_name=partial(measure_label, gettext=_),
        score=partial(score_text, formats),
        gap=partial(gap_text, formats),
        amount=partial(amount_text, formats, currency=page.workspace.currency),
        **_choices(db, ws),
        **journey_names(db, ws),
        **team_names(db, ws),
    )


@router.get("/journeys")
def journey_page(
    page: SignedInPage,
    db: DbSession,
    journey: str = "",
    segment: str = "",
    to: str = "",
) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    start = page.request.query_params.get("from", "").strip()
    return _render(
        page, db, journey_key=journey, segment=segment.strip(), start=start, end=to.strip()
    )


@router.post("/journeys/{key}/links", dependencies=[CsrfChecked])
def link_pain_point(
    page: SignedInPage,
    db: DbSession,
    key: str,
    touchpoint: Annotated[str, Form()],
    target: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Hand a pain point to an initiative (``initiative:KEY``) or OKR objective
    (``okr:KEY``)."""
    editor = editor_of(page)
    if editor is None or page.workspace is None:
        return refuse_edit(page)
    kind, _sep, target_key = target.partition(":")
    try:
        journey_store.link_pain_point(
            db,
            page.workspace.id,
            key,
            touchpoint,
            initiative=target_key if kind == "initiative" else None,
            okr_objective=target_key if kind == "okr" else None,
            note=note.strip(),
        )
    except NotFound:
        db.rollback()
        return page.render("strategy/not_found.html", status_code=404, active="journeys")
    except InvalidInput as error:
        db.rollback()
        return _render(page, db, journey_key=key, status_code=422, link_error=error)
    db.commit()
    return page.redirect(f"/journeys?journey={key}#pain-points")


def _map_file(page: SignedInPageContext, db: Session, key: str) -> tuple[bytes, str] | None:
    assert page.workspace is not None
    params = page.request.query_params
    try:
        journey = journey_store.get_journey(db, page.workspace.id, key)
    except NotFound:
        return None
    result, _state, _error = _compute(
        page, journey, params.get("segment", ""), params.get("from", ""), params.get("to", "")
    )
    if result is None:
        return None
    svg = journey_map_svg(
        journey_title(journey, segment_names(db, page.workspace.id), page.gettext),
        [(s.key, s.name) for s in journey.stages],
        result.stages,
        result.pain_points,
        page.gettext,
        NumberFormats(page.language.code),
        page.workspace.currency if page.workspace else DEFAULT_CURRENCY,
        _touchpoint_names(journey),
    )
    return svg.encode("utf-8"), f"journey-map-{journey.key}"


def _file(page: SignedInPageContext, db: Session, key: str, kind: str) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    made = _map_file(page, db, key)
    if made is None:
        return page.render("strategy/not_found.html", status_code=404, active="journeys")
    svg, name = made
    content, media = {
        "svg": (lambda: svg, "image/svg+xml"),
        "png": (lambda: svg_to_png(svg), "image/png"),
        "pdf": (lambda: svg_to_pdf(svg), "application/pdf"),
    }[kind]
    return Response(
        content(),
        media_type=media,
        headers={
            "Content-Disposition": f'inline; filename="{name}.{kind}"',
            "Cache-Control": "no-store",  # one tenant's figures: never in a shared cache
        },
    )


@router.get("/journeys/{key}.svg")
def journey_svg(page: SignedInPage, db: DbSession, key: str) -> Response:
    return _file(page, db, key, "svg")


@router.get("/journeys/{key}.png")
def journey_png(page: SignedInPage, db: DbSession, key: str) -> Response:
    return _file(page, db, key, "png")


@router.get("/journeys/{key}.pdf")
def journey_pdf(page: SignedInPage, db: DbSession, key: str) -> Response:
    return _file(page, db, key, "pdf")
