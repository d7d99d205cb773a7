"""Settings → "API tokens" (owners and admins): create a token (its secret is shown on the
answer page, that once), and revoke one after a confirmation. Tokens are issued and
revoked by :mod:`kano.adapters.db.api_tokens`, as ``kano token create`` and the API do; a
token made here acts as the person who made it (their role decides what it may change).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi import Path as PathParam
from starlette.responses import Response

from kano.adapters.db.api_tokens import (
    NAME_MAX_LENGTH,
    checked_token_name,
    issue_api_token,
    live_api_token,
    revoke_workspace_token,
)
from kano.adapters.db.orm import User, Workspace
from kano.adapters.web.deps import CsrfChecked, DbSession
from kano.adapters.web.routes.settings_page import AdminPage, render_settings
from kano.domain.shared.errors import InvalidInput, NotFound
from kano.domain.workspaces import Scope

router = APIRouter()

TokenId = Annotated[int, PathParam(ge=1, le=2**63 - 1)]
SCOPE_CHOICES = tuple(scope.value for scope in Scope)


def scope_of(chosen: list[str]) -> Scope:
    """The checked boxes as one scope: write includes read, so write wins."""
    picked = {value for value in chosen if value in SCOPE_CHOICES}
    if Scope.WRITE.value in picked:
        return Scope.WRITE
    if Scope.READ.value in picked:
        return Scope.READ
    raise InvalidInput("scopes", "choose at least one scope")


@router.post("/settings/tokens", dependencies=[CsrfChecked])
def create_token(
    page: AdminPage,
    db: DbSession,
    name: Annotated[str, Form()] = "",
    scopes: Annotated[list[str] | None, Form()] = None,
) -> Response:
    chosen = scopes or []
    form = {"name": name[: NAME_MAX_LENGTH + 50], "scopes": chosen}
    try:
        checked_name = checked_token_name(name)
        scope = scope_of(chosen)
        workspace = db.get(Workspace, page.workspace.id)
        user = db.get(User, page.viewer.user_id)
        assert workspace is not None and user is not None
        issued = issue_api_token(db, workspace, checked_name, scope, user=user)
    except InvalidInput as problem:
        db.rollback()
        return render_settings(page, db, status_code=422, token_form=form,
                               token_error=problem.field)
    db.commit()
    return page.render("settings/token_created.html", active="settings",
                       secret=issued.token, name=checked_name, scope=scope.value)


@router.get("/settings/tokens/{token_id}/revoke")
def confirm_revoke(page: AdminPage, db: DbSession, token_id: TokenId) -> Response:
    """Asks before revoking: integrations using the token stop working at once."""
    try:
        token = live_api_token(db, page.workspace.id, token_id)
    except NotFound:
        return page.render("settings/not_found.html", status_code=404, active="settings")
    return page.render("settings/confirm.html", active="settings", action="revoke-token",
                       target=token.name, detail=token.prefix,
                       form_action=f"/settings/tokens/{token.id}/revoke")


@router.post("/settings/tokens/{token_id}/revoke", dependencies=[CsrfChecked])
def revoke_token(page: AdminPage, db: DbSession, token_id: TokenId) -> Response:
    try:
        revoke_workspace_token(db, page.workspace.id, token_id, actor=page.viewer.email,
                               user_id=page.viewer.user_id)
    except NotFound:
        db.rollback()
        return page.render("settings/not_found.html", status_code=404, active="settings")
    db.commit()
    return page.redirect("/settings?saved=token-revoked#api-tokens")
