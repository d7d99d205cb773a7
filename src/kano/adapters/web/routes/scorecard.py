"""The executive scorecard and its structure (SPEC §2.7): the page and its CSV/XLSX/PDF
files, renaming and reordering perspectives, and the cascade (company → department →
team) — a scorecard below this one and the team that owns a scorecard. The objective
drill-down and its forms live in ``scorecard_objectives.py``.

A form that fails its checks re-renders its page with the message next to the field
(HTTP 422; ``error_in`` names the form); one that succeeds redirects (303), so a reload
never posts twice. A change the reader's role does not allow is a 403 (``refuse_edit``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from kano.adapters.db.orm import ScorecardRow
from kano.adapters.db.views.scorecard import (
    MeasureLine,
    ScorecardView,
    choose_scorecard,
    list_scorecards,
    scorecard_view,
)
from kano.adapters.exports.scorecard_file import (
    XLSX_WIDTHS,
    columns,
    scorecard_lines,
    scorecard_pdf,
)
from kano.adapters.exports.table_files import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    table_csv,
    table_xlsx,
)
from kano.adapters.web.deps import CsrfChecked, DbSession, SignedInPage, SignedInPageContext
from kano.adapters.web.scorecard_cascade import (
    CHILD_LEVELS,
    cascade_of,
    owner_team_id,
    team_choices,
)
from kano.adapters.web.scorecard_edits import (
    create_child_scorecard,
    move_perspective,
    rename_perspective,
    scorecard_of_perspective,
    set_owner_team,
)
from kano.adapters.web.sparkline import Sparkline, sparkline
from kano.adapters.web.strategy_access import (
    editor_of,
    no_workspace,
    not_found,
    refuse_edit,
    strategy_context,
)
from kano.adapters.web.strategy_edits import EditForbidden, Editor, EditRejected
from kano.adapters.web.strategy_exports import download, scorecard_texts
from kano.adapters.web.strategy_session import CLASSIC_BANDS, CLASSIC_PERSPECTIVES

router = APIRouter()


def measure_sparkline(measure: MeasureLine) -> Sparkline | None:
    return sparkline([p.actual for p in measure.series], measure.target)


def page_context(page: SignedInPageContext, db: Session) -> dict[str, Any]:
    return {**strategy_context(page, db), "measure_sparkline": measure_sparkline}


def scorecard_page(
    page: SignedInPageContext, db: DbSession, key: str | None, *,
    status_code: int = 200, form: dict[str, str] | None = None,
    error: EditRejected | None = None, error_in: str | None = None,
) -> Response:
    assert page.workspace is not None
    choices = list_scorecards(db, page.workspace.id)
    chosen = choose_scorecard(choices, key)
    view = scorecard_view(db, page.workspace.id, chosen) if chosen else None
    cascade = cascade_of(db, page.workspace.id, chosen) if chosen else None
    return page.render(
        "scorecard/index.html", status_code=status_code, active="scorecard",
        choices=choices, view=view, cascade=cascade, child_levels=CHILD_LEVELS,
        teams=team_choices(db, page.workspace.id),
        owner_team_id=owner_team_id(db, page.workspace.id, chosen.id) if chosen else None,
        form=form or {}, error=error,
        error_in=error_in if error else None, **page_context(page, db),
    )


@router.get("/scorecard")
def scorecard(page: SignedInPage, db: DbSession, scorecard: str | None = None) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    return scorecard_page(page, db, scorecard)


def _chosen_view(page: SignedInPageContext, db: Session, key: str | None
                 ) -> ScorecardView | None:
    """The scorecard the page shows for the same ``?scorecard=`` (the company's without)."""
    assert page.workspace is not None
    chosen = choose_scorecard(list_scorecards(db, page.workspace.id), key)
    return scorecard_view(db, page.workspace.id, chosen) if chosen else None


@router.get("/scorecard.{extension}")
def scorecard_file(page: SignedInPage, db: DbSession, extension: str,
                   scorecard: str | None = None) -> Response:
    """The scorecard as CSV, XLSX or PDF: every perspective, objective and measure with
    its figures, status and rolled-up score, in the reader's language."""
    if page.workspace is None:
        return no_workspace(page)
    if extension not in ("csv", "xlsx", "pdf"):
        return not_found(page, "scorecard")
    view = _chosen_view(page, db, scorecard)
    if view is None:
        return not_found(page, "scorecard")
    texts = scorecard_texts(page, db, view.scorecard.level)
    stem = f"scorecard-{view.scorecard.key}"
    if extension == "pdf":
        return download(scorecard_pdf(view, texts), "application/pdf", f"{stem}.pdf")
    lines = scorecard_lines(view, texts)
    if extension == "csv":
        return download(table_csv(columns(texts), lines), CSV_MEDIA_TYPE, f"{stem}.csv")
    return download(table_xlsx(columns(texts), lines, sheet_title=view.scorecard.name,
                               widths=XLSX_WIDTHS), XLSX_MEDIA_TYPE, f"{stem}.xlsx")


@router.post("/scorecard/perspectives/{perspective_id}/rename", dependencies=[CsrfChecked])
def rename(
    page: SignedInPage, db: DbSession, perspective_id: int,
    name: Annotated[str, Form()] = "",
) -> Response:
    return _change_perspective(page, db, perspective_id, {"name": name},
                               lambda editor: rename_perspective(db, editor, perspective_id,
                                                                 name))


@router.post("/scorecard/perspectives/{perspective_id}/move", dependencies=[CsrfChecked])
def move(
    page: SignedInPage, db: DbSession, perspective_id: int,
    direction: Annotated[str, Form()] = "",
) -> Response:
    """One place up or down; the strategy map's bands follow the new order."""
    return _change_perspective(page, db, perspective_id, {},
                               lambda editor: move_perspective(db, editor, perspective_id,
                                                               direction))


def _change_perspective(
    page: SignedInPageContext, db: Session, perspective_id: int, form: dict[str, str],
    change: Callable[[Editor], object],
) -> Response:
    editor = editor_of(page)
    if editor is None:
        return refuse_edit(page)
    scorecard_key = scorecard_of_perspective(db, editor.workspace_id, perspective_id)
    if scorecard_key is None:
        return not_found(page, "scorecard")
    try:
        change(editor)
    except EditForbidden as forbidden:
        return refuse_edit(page, forbidden.needs)
    except EditRejected as rejected:
        db.rollback()
        return scorecard_page(page, db, scorecard_key, status_code=422, form=form,
                               error=rejected, error_in=f"perspective-{perspective_id}")
    db.commit()
    return page.redirect(f"/scorecard?scorecard={quote(scorecard_key)}"
                         f"#perspective-{perspective_id}")


@router.post("/scorecard/cards/{scorecard_id}/children", dependencies=[CsrfChecked])
def add_child_scorecard(
    page: SignedInPage, db: DbSession, scorecard_id: int,
    name: Annotated[str, Form()] = "",
    level: Annotated[str, Form()] = "",
    owner_team: Annotated[str, Form()] = "",
) -> Response:
    """A department or team scorecard below this one, with the classic perspectives named
    in the reader's language; then its page (admins and owners: the cascade's structure)."""
    editor = editor_of(page)
    if editor is None:
        return refuse_edit(page)
    parent_key = db.scalar(select(ScorecardRow.key).where(
        ScorecardRow.id == scorecard_id, ScorecardRow.workspace_id == editor.workspace_id))
    if parent_key is None:
        return not_found(page, "scorecard")
    names = {key: page.gettext(CLASSIC_PERSPECTIVES[key]) for key in CLASSIC_BANDS}
    try:
        card = create_child_scorecard(db, editor, parent_id=scorecard_id, name=name,
                                      level=level, perspective_names=names,
                                      owner_team=owner_team)
    except EditForbidden as forbidden:
        db.rollback()
        return refuse_edit(page, forbidden.needs)
    except EditRejected as rejected:
        db.rollback()
        return scorecard_page(page, db, parent_key, status_code=422,
                               form={"name": name, "level": level,
                                     "owner_team": owner_team},
                               error=rejected, error_in="new-scorecard")
    db.commit()
    return page.redirect(f"/scorecard?scorecard={quote(card.key)}")


@router.post("/scorecard/cards/{scorecard_id}/team", dependencies=[CsrfChecked])
def change_owner_team(
    page: SignedInPage, db: DbSession, scorecard_id: int,
    owner_team: Annotated[str, Form()] = "",
) -> Response:
    """The team that owns the scorecard ("" for none): admins and owners, as
    ``PATCH /scorecards/{key}``."""
    editor = editor_of(page)
    if editor is None:
        return refuse_edit(page)
    card_key = db.scalar(select(ScorecardRow.key).where(
        ScorecardRow.id == scorecard_id, ScorecardRow.workspace_id == editor.workspace_id))
    if card_key is None:
        return not_found(page, "scorecard")
    try:
        set_owner_team(db, editor, scorecard_id, owner_team)
    except EditForbidden as forbidden:
        db.rollback()
        return refuse_edit(page, forbidden.needs)
    except EditRejected as rejected:
        db.rollback()
        return scorecard_page(page, db, card_key, status_code=422,
                              form={"owner_team": owner_team}, error=rejected,
                              error_in="owner-team")
    db.commit()
    return page.redirect(f"/scorecard?scorecard={quote(card_key)}#cascade")
