"""Changing strategy data through the API: who may, and what every change leaves behind.

A write route takes an ``EditorDep``: the caller's ``write`` token plus the role it acts
with. The route asks the editor before it changes anything (``require_admin`` for the
structure — scorecards, perspectives, links, initiatives, cycles, MBO sheets —
``require_owner`` for the things people own), records the change in the audit log with
``record`` and commits with ``commit_or_conflict``, so a unique key taken by a concurrent
request is a 409 like one found by the route's own check.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException
from fastapi.encoders import jsonable_encoder
from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kano.adapters.api.auth import Caller
from kano.adapters.api.deps import SessionDep, WriteAccess
from kano.adapters.api.errors import problem_responses
from kano.adapters.api.schemas.problems import Problem
from kano.adapters.db import accounts
from kano.adapters.db.orm import Membership, User
from kano.adapters.db.strategy_store import AlreadyExists
from kano.domain.shared.errors import PermissionDenied
from kano.domain.workspaces import Role, may_change_everything, may_change_owned

ROLE_RULES = """\
**Roles.** A token acts as its user, with that user's role in the workspace. A token
without a user acts as an *admin* when it has the `write` scope and as a *viewer* when it
has only `read`. A user who is no longer a member (or is deactivated) only reads.

* **viewer** — reads everything, changes nothing.
* **manager** (and **analyst**, its peer) — changes only what they own: scorecard
  objectives and OKR objectives whose `owner` they are, the measures and measure values of
  those scorecard objectives, the key results and check-ins of those OKR objectives, and
  MBO objectives that serve an objective they own. Ownership is checked before and after
  the change, so a manager can neither take over nor hand over an item.
* **admin** and **owner** — change everything, including the structure (scorecards,
  perspectives, cause–effect links, initiatives, OKR cycles and MBO sheets).

A change outside these rules is a 403. Every change is written to the workspace's audit
log with the values before and after; check-in edits and deletions keep the old check-in
there (`GET …/check-ins/{id}/history`).
"""

_FORBIDDEN = (
    "The token's scope or role does not allow this change (see **Roles** in the tag "
    "description)."
)
_CONFLICT = "A row with this key (or these keys) already exists in the workspace."
_UNREADABLE = "The body is not JSON."


@dataclass(frozen=True)
class Editor:
    """The caller of a write route and the role it acts with (see ``ROLE_RULES``)."""

    caller: Caller
    role: Role
    user_id: int | None
    email: str | None

    @property
    def workspace_id(self) -> int:
        return self.caller.workspace_id

    @property
    def actor(self) -> str:
        """The audit log's actor: the user's e-mail, else the token's prefix."""
        return self.email or f"api-token:{self.caller.token.prefix}"

    def may_change_everything(self) -> bool:
        return may_change_everything(self.role)

    def require_writer(self) -> None:
        """Viewers only read: the ``write`` token of a viewer (or of someone no longer a
        member) is refused, as the web UI refuses their forms."""
        if self.role is Role.VIEWER:
            raise PermissionDenied("This token acts as a viewer, who may only read.")

    def require_admin(self, what: str) -> None:
        if not self.may_change_everything():
            raise PermissionDenied(
                f"Only an admin or owner may change {what}; this token acts as a {self.role}."
            )

    def require_owner(self, owners: Collection[int | None], what: str) -> None:
        """Admins pass; managers and analysts pass when they are among ``owners``
        (``may_change_owned``, the rule the web UI applies too)."""
        if may_change_owned(self.role, self.user_id, owners):
            return
        if self.role is Role.VIEWER:
            raise PermissionDenied("This token acts as a viewer, who may only read.")
        raise PermissionDenied(
            f"A {self.role} may change only {what} they own (as the owner of it or of "
            "the objective it belongs to)."
        )


def current_editor(caller: WriteAccess, session: SessionDep) -> Editor:
    """The editor behind a ``write`` token: its user's role, or admin for a token without
    a user; a user without a live membership of the token's workspace is a viewer."""
    user_id = caller.token.user_id
    if user_id is None:
        return Editor(caller, Role.ADMIN, None, None)
    row = session.execute(
        select(User.email, User.is_active, Membership.role)
        .outerjoin(Membership, and_(
            Membership.user_id == User.id, Membership.workspace_id == caller.workspace_id
        ))
        .where(User.id == user_id)
    ).first()
    if row is None:
        return Editor(caller, Role.VIEWER, user_id, None)
    email, is_active, role = row
    if not is_active or role is None:
        return Editor(caller, Role.VIEWER, user_id, email)
    return Editor(caller, Role(role), user_id, email)


EditorDep = Annotated[Editor, Depends(current_editor)]


def member_writer(editor: EditorDep) -> Caller:
    """The caller of a write route that any member but a viewer may use (the web UI's
    forms follow the same rule): a viewer's ``write`` token gets a 403."""
    editor.require_writer()
    return editor.caller


def admin_writer(editor: EditorDep) -> Caller:
    """The caller of a route that changes the workspace's settings: admins and owners
    (and tokens without a user), as on the Settings pages."""
    editor.require_admin("the workspace's settings")
    return editor.caller


MemberWriteAccess = Annotated[Caller, Depends(member_writer)]
AdminWriteAccess = Annotated[Caller, Depends(admin_writer)]


def record(
    session: Session,
    editor: Editor,
    action: str,
    entity: str,
    entity_id: object,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """An audit entry for a change, in the change's transaction (JSON-safe detail)."""
    accounts.audit(
        session,
        editor.workspace_id,
        editor.actor,
        action,
        entity,
        entity_id,
        None if detail is None else jsonable_encoder(dict(detail)),
        user_id=editor.user_id,
    )


def apply_changes(row: Any, values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Set ``values`` on ``row``; returns ``{column: {"from": old, "to": new}}`` for the
    columns that really changed (what the audit entry of an update holds)."""
    changes: dict[str, dict[str, Any]] = {}
    for name, value in values.items():
        old = getattr(row, name)
        if old != value:
            changes[name] = {"from": old, "to": value}
            setattr(row, name, value)
    return changes


def conflict(detail: str) -> HTTPException:
    return HTTPException(409, detail=detail)


@contextmanager
def taken_as_conflict() -> Iterator[None]:
    """A key or link the store finds taken is a 409, as one taken at commit time."""
    try:
        yield
    except AlreadyExists as taken:
        raise conflict(str(taken)) from None


def commit_or_conflict(session: Session) -> None:
    """Commit; a unique constraint that fails now (a concurrent request took the key
    between our check and our write) becomes a 409 instead of a 500."""
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise conflict("The change conflicts with a row written at the same time; "
                       "read the current state and try again.") from None


def read_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return problem_responses(*statuses)


def write_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI problem responses of a write route: 403 says that roles apply; 400 (a body
    that is not JSON) and 409, which the shared table does not know, when asked for."""
    responses = problem_responses(*(status for status in statuses if status not in (400, 409)))
    if 400 in statuses:
        responses[400] = {"model": Problem, "description": _UNREADABLE}
    responses[403] = {"model": Problem, "description": _FORBIDDEN}
    if 409 in statuses:
        responses[409] = {"model": Problem, "description": _CONFLICT}
    return responses
