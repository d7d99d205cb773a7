"""The "Quotas" section of the survey builder (``/surveys/{key}``): each quota with a
progress bar (filled / limit), and forms to add one, rename it, change its limit and
delete it.

Plain forms with the CSRF token, like the rest of the builder; owners, admins and
analysts only; every change audited (``kano.adapters.db.quotas``). A refused form shows
the builder again (422) with the quota field marked. What a full quota does is in
``kano.domain.feedback.quotas``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from sqlalchemy.orm import Session
from starlette.responses import Response

from kano.adapters.db import quotas as quota_store
from kano.adapters.web.deps import CsrfChecked, DbSession, SignedInPage, SignedInPageContext
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.routes.surveys import edit_page, may_build, refuse_edit
from kano.adapters.web.strategy_access import no_workspace, not_found
from kano.domain.shared.errors import InvalidInput, NotFound

router = APIRouter()

QUOTA_MESSAGES = {
    "name": N_("Give the quota a name of 1 to 120 characters that no other quota of this "
               "survey has."),
    "limit": N_("Give the limit as a whole number of responses, 1 or more."),
    "channel": N_("Choose a channel from the list."),
    "language": N_("Choose English, Russian or Hungarian, or any language."),
    "segment": N_("Choose a segment of this workspace."),
    "touchpoint": N_("Choose a touchpoint of this workspace."),
    "answer": N_("Choose an answer of one of this survey's choice questions."),
}
QUOTA_SAVED = N_("The quotas are saved.")


def _refused(page: SignedInPageContext, db: Session, key: str, error: InvalidInput,
             form: dict[str, str], quota_id: int | None = None) -> Response:
    db.rollback()
    field = "answer" if error.field in ("question", "option") else error.field
    field = field if field in QUOTA_MESSAGES else "name"
    return edit_page(page, db, key, status_code=422, quota_error={
        "field": field, "message": QUOTA_MESSAGES[field], "quota_id": quota_id},
        quota_form=form)


def _guard(page: SignedInPageContext) -> Response | None:
    if page.workspace is None:
        return no_workspace(page)
    if not may_build(page):
        return refuse_edit(page)
    return None


def _saved(page: SignedInPageContext, key: str) -> Response:
    return page.redirect(f"/surveys/{key}?quotas=saved#survey-quotas")


@router.post("/surveys/{key}/quotas", dependencies=[CsrfChecked])
def add_quota(page: SignedInPage, db: DbSession, key: str,
              name: Annotated[str, Form()] = "", limit: Annotated[str, Form()] = "",
              channel: Annotated[str, Form()] = "", language: Annotated[str, Form()] = "",
              segment: Annotated[str, Form()] = "",
              touchpoint: Annotated[str, Form()] = "",
              answer: Annotated[str, Form()] = "") -> Response:
    """``answer``: "question:option" of a choice question (empty: any answer)."""
    refused = _guard(page)
    if refused is not None:
        return refused
    assert page.workspace is not None
    form = {"name": name, "limit": limit, "channel": channel, "language": language,
            "segment": segment, "touchpoint": touchpoint, "answer": answer}
    question, _, option = answer.partition(":")
    try:
        quota_store.add_quota(
            db, page.workspace.id, key, name=name, limit=limit, channel=channel or None,
            language=language or None, segment=segment or None,
            touchpoint=touchpoint or None, question=question or None,
            option=option or None, actor=page.viewer.email,
            user_id=page.viewer.user_id)
    except NotFound:
        db.rollback()
        return not_found(page, "surveys")
    except InvalidInput as error:
        return _refused(page, db, key, error, form)
    db.commit()
    return _saved(page, key)


@router.post("/surveys/{key}/quotas/{quota_id}", dependencies=[CsrfChecked])
def change_quota(page: SignedInPage, db: DbSession, key: str, quota_id: int,
                 limit: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "",
                 change: Annotated[str, Form()] = "limit") -> Response:
    """The row's limit form (``change=limit``) or its rename form (``change=name``),
    through the API's ``change_quota`` either way."""
    refused = _guard(page)
    if refused is not None:
        return refused
    assert page.workspace is not None
    renaming = change == "name"
    try:
        quota_store.change_quota(
            db, page.workspace.id, key, quota_id, name=name if renaming else None,
            limit=None if renaming else (limit or "0"), actor=page.viewer.email,
            user_id=page.viewer.user_id)
    except NotFound:
        db.rollback()
        return not_found(page, "surveys")
    except InvalidInput as error:
        return _refused(page, db, key, error, {"limit": limit, "name": name}, quota_id)
    db.commit()
    return _saved(page, key)


@router.post("/surveys/{key}/quotas/{quota_id}/delete", dependencies=[CsrfChecked])
def delete_quota(page: SignedInPage, db: DbSession, key: str, quota_id: int) -> Response:
    refused = _guard(page)
    if refused is not None:
        return refused
    assert page.workspace is not None
    try:
        quota_store.delete_quota(db, page.workspace.id, key, quota_id,
                                 actor=page.viewer.email, user_id=page.viewer.user_id)
    except NotFound:
        db.rollback()
        return not_found(page, "surveys")
    db.commit()
    return _saved(page, key)
