"""Who owns the demo company's cases: the routing from a case's team to a person.

The routing rules give a case its team (the touchpoint's owner team, or a route by
touchpoint/segment); the demo's people (``kano.demo.strategy.DEMO_PEOPLE``) own the
teams' cases by the team's function: the delivery manager the regional delivery teams',
the customer service manager the support hubs', the head of customer experience the
rest (onboarding, sales, marketing, finance). A few of the newest open cases are left
without an owner: the triage queue every real inbox has, which the inbox's "Nobody"
owner filter shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.case_actions import may_work_cases
from kano.adapters.db.orm import Membership, Team, User

CX_LEAD = "priya.nair@northwind.example"
DELIVERY_MANAGER = "tom.becker@northwind.example"
SERVICE_MANAGER = "judit.kovacs@northwind.example"

OWNER_OF_FUNCTION = {"delivery": DELIVERY_MANAGER, "support": SERVICE_MANAGER}
"""A team's function (``kano.demo.company.TEAMS``) → the owner of its cases; any other
function's cases go to ``CX_LEAD``."""

UNASSIGNED = 2
"""How many of the newest open cases stay without an owner (those nobody has worked yet
first)."""


def owners_by_team(session: Session, workspace_id: int) -> dict[int, str]:
    """The owner's e-mail for each team's cases, for the teams whose owner is an active
    member here who may work cases (a demo loaded without its strategy has none: then no
    case gets an owner, as ``assign_owner`` would refuse them)."""
    workers = {
        email.lower()
        for email, role in session.execute(
            select(User.email, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.workspace_id == workspace_id, User.is_active.is_(True))
        )
        if may_work_cases(role)
    }
    owners: dict[int, str] = {}
    for team_id, function in session.execute(
        select(Team.id, Team.function).where(Team.workspace_id == workspace_id)
    ):
        owner = OWNER_OF_FUNCTION.get(function or "", CX_LEAD)
        if owner in workers:
            owners[team_id] = owner
    return owners


def left_for_triage(
    opened: Sequence[datetime], worked: Sequence[bool], still_open: Sequence[int]
) -> set[int]:
    """The indices of the ``UNASSIGNED`` newest cases among ``still_open``, those not
    ``worked`` (no status move) first: they read as just in, waiting for someone."""
    newest_first = sorted(still_open, key=lambda i: (worked[i], -opened[i].timestamp(), -i))
    return set(newest_first[:UNASSIGNED])
