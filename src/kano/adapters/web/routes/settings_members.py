"""Settings → "Members" (owners and admins): who belongs to the workspace with which role;
add a person by e-mail, change a role, remove a member after a confirmation.

The rules (only an owner grants or takes away the owner role, the last owner stays, nobody
changes their own role, audit, isolation) are :mod:`kano.adapters.db.members`'. A person
added without an account gets a "set your password" link, shown on the answer page that
once (``set_password``), for the admin to pass on.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi import Path as PathParam
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from kano.adapters.db.members import (
    EMAIL_MAX_LENGTH,
    Actor,
    AlreadyMember,
    HasPassword,
    LastOwner,
    OwnSelf,
    add_member,
    change_member_role,
    checked_role,
    remove_member,
    renew_password_link,
    workspace_member,
)
from kano.adapters.web.deps import CsrfChecked, DbSession, SignedInPageContext
from kano.adapters.web.routes.set_password import LINK_MAX_AGE_SECONDS, set_password_url
from kano.adapters.web.routes.settings_page import (
    AdminPageContext,
    MembersAdminPage,
    render_settings,
)
from kano.domain.shared.errors import InvalidInput, NotFound, PermissionDenied

router = APIRouter()

MemberId = Annotated[int, PathParam(ge=1, le=2**63 - 1)]


def _actor(page: AdminPageContext) -> Actor:
    return Actor(page.viewer.email, page.workspace.role, page.viewer.user_id)


def _reason(problem: Exception) -> str:
    """Which message the section shows next to the field."""
    if isinstance(problem, LastOwner):
        return "last-owner"
    if isinstance(problem, OwnSelf):
        return "self"
    if isinstance(problem, AlreadyMember):
        return "already"
    if isinstance(problem, HasPassword):
        return "has-password"
    if isinstance(problem, PermissionDenied):
        return "owner-only"
    return "invalid"


def _not_found(page: SignedInPageContext) -> Response:
    return page.render("settings/member_not_found.html", status_code=404, active="settings")


@router.post("/settings/members", dependencies=[CsrfChecked])
def add(
    page: MembersAdminPage,
    request: Request,
    db: DbSession,
    email: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "viewer",
) -> Response:
    form = {"email": email[: EMAIL_MAX_LENGTH + 50], "role": role[:20]}
    try:
        chosen = checked_role(role)
        added = add_member(db, page.workspace.id, email, chosen, _actor(page))
    except (InvalidInput, PermissionDenied) as problem:
        db.rollback()
        field = problem.field if isinstance(problem, InvalidInput) else "role"
        status = 403 if isinstance(problem, PermissionDenied) else 422
        return render_settings(page, db, status_code=status, member_form=form,
                               member_error={"field": field, "reason": _reason(problem)})
    db.commit()
    if not added.created:
        return page.redirect("/settings?saved=member-added#members")
    link = set_password_url(request, page.web.container.settings, added.user)
    return page.render("settings/member_added.html", active="settings", email=added.user.email,
                       role=chosen.value, link=link, renewed=False,
                       days=LINK_MAX_AGE_SECONDS // 86400)


def _refused_change(page: AdminPageContext, db: Session, member_id: int,
                    problem: InvalidInput | PermissionDenied) -> Response:
    """The settings page again, the rule that refused a role change or removal said next
    to the member's role (403 for a rule about who may, 422 for the rest)."""
    db.rollback()
    status = 403 if isinstance(problem, PermissionDenied) else 422
    return render_settings(page, db, status_code=status,
                           member_error={"id": member_id, "field": "role",
                                         "reason": _reason(problem)})


@router.post("/settings/members/{member_id}/role", dependencies=[CsrfChecked])
def change_role(page: MembersAdminPage, db: DbSession, member_id: MemberId,
                role: Annotated[str, Form()] = "") -> Response:
    try:
        chosen = checked_role(role)
        change_member_role(db, page.workspace.id, member_id, chosen, _actor(page))
    except NotFound:
        db.rollback()
        return _not_found(page)
    except (InvalidInput, PermissionDenied) as problem:
        return _refused_change(page, db, member_id, problem)
    db.commit()
    return page.redirect(f"/settings?saved=member-role#member-{member_id}")


@router.post("/settings/members/{member_id}/link", dependencies=[CsrfChecked])
def new_link(page: MembersAdminPage, request: Request, db: DbSession,
             member_id: MemberId) -> Response:
    """A new set-password link for a member who has none yet (the last one lost or
    expired); every earlier link stops working."""
    try:
        member = workspace_member(db, page.workspace.id, member_id)
        user = renew_password_link(db, page.workspace.id, member_id, _actor(page))
    except NotFound:
        db.rollback()
        return _not_found(page)
    except InvalidInput as problem:
        return _refused_change(page, db, member_id, problem)
    db.commit()
    link = set_password_url(request, page.web.container.settings, user)
    return page.render("settings/member_added.html", active="settings", email=user.email,
                       role=member.role.value, link=link, renewed=True,
                       days=LINK_MAX_AGE_SECONDS // 86400)


@router.get("/settings/members/{member_id}/remove")
def confirm_remove(page: MembersAdminPage, db: DbSession, member_id: MemberId) -> Response:
    """Asks before removing: the person loses the workspace at once."""
    try:
        member = workspace_member(db, page.workspace.id, member_id)
    except NotFound:
        return _not_found(page)
    return page.render("settings/member_confirm.html", active="settings", member=member,
                       yourself=member.user_id == page.viewer.user_id,
                       form_action=f"/settings/members/{member.id}/remove")


@router.post("/settings/members/{member_id}/remove", dependencies=[CsrfChecked])
def remove(page: MembersAdminPage, db: DbSession, member_id: MemberId) -> Response:
    try:
        member = workspace_member(db, page.workspace.id, member_id)
        remove_member(db, page.workspace.id, member_id, _actor(page))
    except NotFound:
        db.rollback()
        return _not_found(page)
    except (InvalidInput, PermissionDenied) as problem:
        return _refused_change(page, db, member_id, problem)
    db.commit()
    if member.user_id == page.viewer.user_id:
        return page.redirect("/")  # they left: this workspace's settings are not theirs now
    return page.redirect("/settings?saved=member-removed#members")
