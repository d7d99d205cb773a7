"""Switching the workspace a session works in (the switcher in the header), and the
workspace settings page (``/settings``) with its "Surveys" section (its "Money" section,
the workspace's currency, has its route in ``settings_currency``): the survey fatigue
window and reminder delay (owners and admins change them, CSRF-checked, audit-logged
through ``feedback_settings``; an empty field means the server default, shown beside it).
Its "API tokens" and "Webhooks" sections have their routes in ``settings_tokens`` and
``settings_webhooks``, the product catalogue its own page in ``settings_products``; the
page itself is rendered by ``settings_page``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException
from sqlalchemy import update
from starlette.requests import Request
from starlette.responses import Response

from kano.adapters.db.feedback_settings import change_feedback_settings
from kano.adapters.db.orm import WebSession
from kano.adapters.web.deps import CsrfChecked, DbSession, SignedInPage
from kano.adapters.web.routes import (
    settings_acknowledgement,
    settings_currency,
    settings_members,
    settings_products,
    settings_tokens,
    settings_webhooks,
)
from kano.adapters.web.routes.auth import local_path
from kano.adapters.web.routes.settings_page import (
    SURVEY_FIELDS,
    SurveysAdminPage,
    render_settings,
)
from kano.adapters.web.strategy_access import no_workspace
from kano.domain.feedback.acknowledgement_texts import LANGUAGES
from kano.domain.feedback.invitation_policy import SETTINGS
from kano.domain.shared.errors import InvalidInput

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

# The "API tokens" and "Webhooks" sections answer on /settings/tokens… and /settings/webhooks….
router.include_router(settings_acknowledgement.router)
router.include_router(settings_currency.router)
router.include_router(settings_members.router)
router.include_router(settings_products.router)
router.include_router(settings_tokens.router)
router.include_router(settings_webhooks.router)

NOTICES = {  # ?saved=… after a redirect: which section's change to confirm
    "surveys": "surveys", "currency": "currency", "token-revoked": "token-revoked",
    "webhook-enabled": "webhook-enabled",
    "webhook-disabled": "webhook-disabled", "webhook-deleted": "webhook-deleted",
    "member-added": "member-added", "member-role": "member-role",
    "member-removed": "member-removed",
    **{f"acknowledgement{reset}-{language}": f"acknowledgement{reset}-{language}"
       for reset in ("", "-reset") for language in LANGUAGES},
}


@router.get("/settings")
def settings_page(page: SignedInPage, db: DbSession, saved: str = "") -> Response:
    """The workspace's settings: its survey settings (owners and admins change them;
    everyone in the workspace sees what holds), and for owners and admins the API tokens
    and webhook endpoints."""
    if page.workspace is None:
        return no_workspace(page)
    notice = NOTICES.get(saved)
    return render_settings(page, db, saved=notice == "surveys", notice=notice)


@router.post("/settings/surveys", dependencies=[CsrfChecked])
def change_survey_settings(
    page: SurveysAdminPage,
    db: DbSession,
    survey_fatigue_days: Annotated[str, Form()] = "",
    survey_reminder_days: Annotated[str, Form()] = "",
) -> Response:
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
        return render_settings(page, db, form=form, error=error, status_code=422)
    db.commit()
    return page.redirect("/settings?saved=surveys#surveys")
