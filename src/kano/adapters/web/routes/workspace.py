"""Switching the workspace a session works in (the switcher in the header), and the
workspace settings page (``/settings``) with its "Surveys" section: the survey fatigue
window and reminder delay (owners and admins change them, CSRF-checked, audit-logged
through ``feedback_settings``; an empty field means the server default, shown beside it).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException
from sqlalchemy import update
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from kano.adapters.db.feedback_settings import change_feedback_settings, feedback_settings
from kano.adapters.db.orm import WebSession
from kano.adapters.web.deps import CsrfChecked, DbSession, SignedInPage, SignedInPageContext
from kano.adapters.web.routes.auth import local_path
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.strategy_access import no_workspace
from kano.domain.feedback.invitation_policy import FATIGUE_DAYS, REMINDER_DAYS, SETTINGS
from kano.domain.shared.errors import InvalidInput
from kano.domain.workspaces import may_change_everything

router = APIRouter()


@router.post("/workspace", dependencies=[CsrfChecked])
def switch_workspace(
    page: SignedInPage,
    request: Request,
    db: DbSession,
    workspace_id: Annotated[int, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    chosen = page.viewer.workspace_by_id(workspace_id)
    if chosen is None:
        # Not one of the viewer's workspaces: say nothing about whether it exists.
        raise HTTPException(status_code=404)
    db.execute(
        update(WebSession)
        .where(WebSession.id == page.viewer.session_id)
        .values(workspace_id=chosen.id)
    )
    db.commit()
    if request.headers.get("HX-Request"):
        # HTMX posted the switcher: reload the page the user is on, now in the new workspace.
        return Response(status_code=204, headers={"HX-Refresh": "true"})
    return page.redirect(local_path(next))


# --- the workspace settings page ------------------------------------------------------

SURVEY_FIELDS = {
    "survey_fatigue_days": N_("Survey fatigue window (days)"),
    "survey_reminder_days": N_("Reminder after (days)"),
}


def _may_change(page: SignedInPageContext) -> bool:
    return page.workspace is not None and may_change_everything(page.workspace.role)


def _settings_page(page: SignedInPageContext, db: Session, *,
                   form: dict[str, str] | None = None, error: dict[str, str] | None = None,
                   saved: bool = False, refused: bool = False,
                   status_code: int = 200) -> Response:
    assert page.workspace is not None
    found = feedback_settings(db, page.workspace.id, page.web.container.settings)
    if form is None:
        form = {name: "" if getattr(found, name) is None else str(getattr(found, name))
                for name in SURVEY_FIELDS}
    return page.render(
        "settings/index.html", status_code=status_code, active="settings", found=found,
        policy=found.policy, form=form, error=error, saved=saved, refused=refused,
        fields=SURVEY_FIELDS,
        can_change=_may_change(page), fatigue_range=FATIGUE_DAYS, reminder_range=REMINDER_DAYS,
    )


@router.get("/settings")
def settings_page(page: SignedInPage, db: DbSession, saved: str = "") -> Response:
    """The workspace's settings: so far its survey settings (owners and admins change
    them; everyone in the workspace sees what holds)."""
    if page.workspace is None:
        return no_workspace(page)
    return _settings_page(page, db, saved=saved == "surveys")


@router.post("/settings/surveys", dependencies=[CsrfChecked])
def change_survey_settings(
    page: SignedInPage,
    db: DbSession,
    survey_fatigue_days: Annotated[str, Form()] = "",
    survey_reminder_days: Annotated[str, Form()] = "",
) -> Response:
    if page.workspace is None:
        return no_workspace(page)
    if not _may_change(page):
        return _settings_page(page, db, refused=True, status_code=403)
    form = {"survey_fatigue_days": survey_fatigue_days.strip()[:20],
            "survey_reminder_days": survey_reminder_days.strip()[:20]}
    try:
        changes: dict[str, int | None] = {}
        for name, text in form.items():
            if not text:
                changes[name] = None  # empty: the server default
            elif text.isdecimal() and len(text) <= 6:
                changes[name] = int(text)
            else:
                raise InvalidInput(name, "not a whole number of days")
        change_feedback_settings(db, page.workspace.id, page.web.container.settings, changes,
                                 actor=page.viewer.email, user_id=page.viewer.user_id)
    except InvalidInput as problem:
        db.rollback()
        low, high = SETTINGS[problem.field]
        error = {"field": problem.field, "label": SURVEY_FIELDS[problem.field],
                 "low": str(low), "high": str(high)}
        return _settings_page(page, db, form=form, error=error, status_code=422)
    db.commit()
    return page.redirect("/settings?saved=surveys#surveys")
