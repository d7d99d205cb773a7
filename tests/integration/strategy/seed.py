"""The people a strategy file names, created directly (they belong to other contexts);
the users are managers of the workspace, as owners and authors must be members."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.accounts import ensure_workspace, grant_role
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Employee, Team, User
from kano.domain.workspaces import Role

EXAMPLE_USERS = ("ceo@acme.example", "hr@acme.example", "ana@acme.example")
EXAMPLE_TEAMS = ("customer-service", "sales")
EXAMPLE_EMPLOYEES = ("E-1001",)


def seed_people(
    sessions: sessionmaker[Session],
    workspace: str = "acme",
    users: tuple[str, ...] = EXAMPLE_USERS,
    teams: tuple[str, ...] = EXAMPLE_TEAMS,
    employees: tuple[str, ...] = EXAMPLE_EMPLOYEES,
) -> None:
    """Users (global, created once) as managers of ``workspace``, and its teams and
    employees."""
    with transaction(sessions) as session:
        ws = ensure_workspace(session, workspace)
        known = {user.email: user for user in session.scalars(select(User))}
        for email in users:
            user = known.get(email)
            if user is None:
                # A placeholder hash: these users never log in during strategy tests.
                user = User(email=email, name=email.split("@")[0], password_hash="-")
                session.add(user)
                session.flush()
            grant_role(session, ws, user, Role.MANAGER)
        for key in teams:
            session.add(Team(workspace_id=ws.id, key=key, name=key.replace("-", " ").title()))
        for external_id in employees:
            session.add(Employee(workspace_id=ws.id, external_id=external_id, name=external_id))
