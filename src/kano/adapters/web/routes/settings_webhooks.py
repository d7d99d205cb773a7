"""Settings → "Webhooks" (owners and admins): add an endpoint (its ``whsec_`` signing
secret shown on the answer page, that once), disable or enable it, rotate its secret
(shown once) and delete it, the last two after a confirmation.

Everything goes through :mod:`kano.adapters.db.webhook_endpoints`, as ``kano webhook``
and ``/api/v1/webhooks`` do, so a URL is checked by the one rule (``check_target``); here
its refusal is said in the page's language next to the field.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi import Path as PathParam
from sqlalchemy.orm import Session
from starlette.responses import Response

from kano.adapters.db.webhook_endpoints import (
    URL_MAX_LENGTH,
    add_webhook_endpoint,
    change_webhook_endpoint,
    delete_webhook_endpoint,
    rotate_webhook_secret,
    secret_overlap,
    webhook_endpoint,
)
from kano.adapters.web.deps import CsrfChecked, DbSession, SignedInPageContext
from kano.adapters.web.routes.settings_page import AdminPage, AdminPageContext, render_settings
from kano.domain.shared.errors import InvalidInput, NotFound

router = APIRouter()

EndpointId = Annotated[int, PathParam(ge=1, le=2**63 - 1)]


def url_problem(url: str, problem: InvalidInput) -> str:
    """Which of the URL rule's refusals this is, so the page can say it in its language
    (the rule's own words, in English, are what the API and the CLI show)."""
    message = problem.message
    if not url.strip():
        return "empty"
    if message.startswith("at most"):
        return "too_long"
    if message.startswith("cannot resolve"):
        return "unresolvable"
    if "non-public address" in message:
        return "private"
    return "not_http"


def overlap_said(hours: float) -> tuple[str, int]:
    """How the confirm page says how long the old secret keeps signing after a rotation
    made now: ("hours", n) for whole hours, else ("minutes", n) rounded (at least 1),
    ("none", 0) when it stops at once (``KANO_WEBHOOK_SECRET_OVERLAP_HOURS=0``)."""
    if hours <= 0:
        return ("none", 0)
    if hours == int(hours):
        return ("hours", int(hours))
    return ("minutes", max(1, round(hours * 60)))


def _not_found(page: SignedInPageContext) -> Response:
    return page.render("settings/not_found.html", status_code=404, active="settings")


@router.post("/settings/webhooks", dependencies=[CsrfChecked])
def add_webhook(page: AdminPage, db: DbSession,
                url: Annotated[str, Form()] = "") -> Response:
    try:
        added = add_webhook_endpoint(
            db, page.workspace.id, url,
            allow_private=page.web.container.settings.webhook_allow_private,
            actor=page.viewer.email, user_id=page.viewer.user_id)
    except InvalidInput as problem:
        db.rollback()
        return render_settings(page, db, status_code=422,
                               webhook_form={"url": url[: URL_MAX_LENGTH + 100]},
                               webhook_error=url_problem(url, problem))
    db.commit()
    return page.render("settings/webhook_secret.html", active="settings", created=True,
                       endpoint=added.endpoint, secret=added.secret)


@router.post("/settings/webhooks/{endpoint_id}/enabled", dependencies=[CsrfChecked])
def switch_webhook(page: AdminPage, db: DbSession, endpoint_id: EndpointId,
                   enabled: Annotated[str, Form()] = "") -> Response:
    """``enabled=true`` sends again, anything else stops sending."""
    turn_on = enabled == "true"
    try:
        change_webhook_endpoint(
            db, page.workspace.id, endpoint_id, enabled=turn_on,
            allow_private=page.web.container.settings.webhook_allow_private,
            actor=page.viewer.email, user_id=page.viewer.user_id)
    except NotFound:
        db.rollback()
        return _not_found(page)
    db.commit()
    notice = "webhook-enabled" if turn_on else "webhook-disabled"
    return page.redirect(f"/settings?saved={notice}#webhooks")


def _confirm(page: AdminPageContext, db: Session, endpoint_id: int, action: str
             ) -> Response:
    try:
        endpoint = webhook_endpoint(db, page.workspace.id, endpoint_id)
    except NotFound:
        return _not_found(page)
    path = "rotate" if action == "rotate-webhook" else "delete"
    unit, count = overlap_said(page.web.container.settings.webhook_secret_overlap_hours)
    return page.render("settings/confirm.html", active="settings", action=action,
                       target=endpoint.url, detail=None,
                       pending=endpoint.pending, delivered=endpoint.delivered,
                       failed=endpoint.failed, overlap_unit=unit, overlap_count=count,
                       form_action=f"/settings/webhooks/{endpoint.id}/{path}")


@router.get("/settings/webhooks/{endpoint_id}/rotate")
def confirm_rotate(page: AdminPage, db: DbSession, endpoint_id: EndpointId) -> Response:
    return _confirm(page, db, endpoint_id, "rotate-webhook")


@router.get("/settings/webhooks/{endpoint_id}/delete")
def confirm_delete(page: AdminPage, db: DbSession, endpoint_id: EndpointId) -> Response:
    return _confirm(page, db, endpoint_id, "delete-webhook")


@router.post("/settings/webhooks/{endpoint_id}/rotate", dependencies=[CsrfChecked])
def rotate_secret(page: AdminPage, db: DbSession, endpoint_id: EndpointId) -> Response:
    try:
        rotated = rotate_webhook_secret(
            db, page.workspace.id, endpoint_id, actor=page.viewer.email,
            user_id=page.viewer.user_id,
            overlap=secret_overlap(page.web.container.settings))
    except NotFound:
        db.rollback()
        return _not_found(page)
    db.commit()
    return page.render("settings/webhook_secret.html", active="settings", created=False,
                       endpoint=rotated.endpoint, secret=rotated.secret)


@router.post("/settings/webhooks/{endpoint_id}/delete", dependencies=[CsrfChecked])
def delete_webhook(page: AdminPage, db: DbSession, endpoint_id: EndpointId) -> Response:
    try:
        delete_webhook_endpoint(db, page.workspace.id, endpoint_id,
                                actor=page.viewer.email, user_id=page.viewer.user_id)
    except NotFound:
        db.rollback()
        return _not_found(page)
    db.commit()
    return page.redirect("/settings?saved=webhook-deleted#webhooks")
