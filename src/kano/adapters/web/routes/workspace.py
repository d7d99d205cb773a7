"""Switching the workspace a session works in (the switcher in the header)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException
from sqlalchemy import update
from starlette.requests import Request
from starlette.responses import Response

from kano.adapters.db.orm import WebSession
from kano.adapters.web.deps import CsrfChecked, DbSession, SignedInPage
from kano.adapters.web.routes.auth import local_path

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
