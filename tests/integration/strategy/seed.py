"""The people a strategy file names, created directly (they belong to other contexts)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.accounts import ensure_workspace
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Employee, Team, User

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
    """Users (global, created once), and teams and employees of ``workspace``."""
    with transaction(sessions) as session:
        ws = ensure_workspace(session, workspace)
        known = set(session.scalars(select(User.email)))
        for email in users:
            if email not in known:
                # A placeholder hash: these users never log in during strategy tests.
                session.add(User(email=email, name=email.split("@")[0], password_hash="-"))
        for key in teams:
            session.add(Team(workspace_id=ws.id, key=key, name=key.replace("-", " ").title()))
        for external_id in employees:
            session.add(Employee(workspace_id=ws.id, external_id=external_id, name=external_id))
