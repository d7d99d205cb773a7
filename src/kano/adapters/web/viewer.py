"""Who is looking: the logged-in user, their workspaces and the one they are working in.

Built once per request from the session cookie and then handed around as plain values, so
templates never touch a database session (and cannot lazy-load across tenants).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from kano.adapters.db.accounts import memberships_of
from kano.adapters.web.sessions import find_session
from kano.domain.shared.currency import DEFAULT_CURRENCY
from kano.domain.workspaces import Role


@dataclass(frozen=True)
class WorkspaceChoice:
    id: int
    slug: str
    name: str
    role: Role
    currency: str = DEFAULT_CURRENCY  # ISO 4217: how every page writes the workspace's money


@dataclass(frozen=True)
class Viewer:
    user_id: int
    email: str
    name: str
    language: str | None
    session_id: int
    csrf_token: str
    workspaces: tuple[WorkspaceChoice, ...]
    workspace: WorkspaceChoice | None  # None only for a user who belongs to no workspace

    def workspace_by_id(self, workspace_id: int) -> WorkspaceChoice | None:
        """One of the viewer's own workspaces; None for any other id (tenant isolation)."""
        return next((choice for choice in self.workspaces if choice.id == workspace_id), None)


def load_viewer(db: Session, session_secret: str | None) -> Viewer | None:
    """The viewer behind this session cookie, or None when it is missing or expired.

    The current workspace is the one stored on the session if the user still belongs to it,
    else their first workspace: a revoked membership stops showing its data at once.
    """
    found = find_session(db, session_secret)
    if found is None:
        return None
    web_session, user = found
    choices = tuple(
        WorkspaceChoice(workspace.id, workspace.slug, workspace.name, role, workspace.currency)
        for workspace, role in memberships_of(db, user)
    )
    current = next((c for c in choices if c.id == web_session.workspace_id), None)
    return Viewer(
        user_id=user.id,
        email=user.email,
        name=user.name,
        language=user.language,
        session_id=web_session.id,
        csrf_token=web_session.csrf_token,
        workspaces=choices,
        workspace=current or (choices[0] if choices else None),
    )
