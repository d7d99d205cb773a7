"""A small, known workspace for API tests: built through the ORM, no API calls.

Every row gets predictable values derived from its index, so tests can state exactly what
a filter must return. Rows alternate between "with" and "without" the optional keys
(touchpoint, team, segment), so the API is tested on both sides of every outer join.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import (
    Customer,
    FeedbackResponse,
    JourneyStage,
    Segment,
    Survey,
    Team,
    Touchpoint,
    Transaction,
)
from kano.domain.workspaces import Scope

FIRST_DAY = datetime(2026, 1, 5, 9, 0)
SEGMENT_KEYS = ("key-accounts", "smb")


@dataclass
class SeededWorkspace:
    """What a test needs to know about the workspace it seeded."""

    slug: str
    workspace_id: int
    read_token: str
    write_token: str
    customer_ids: list[int] = field(default_factory=list)
    response_ids: list[int] = field(default_factory=list)
    transaction_ids: list[int] = field(default_factory=list)

    def auth(self, scope: Scope = Scope.READ) -> dict[str, str]:
        token = self.write_token if scope is Scope.WRITE else self.read_token
        return {"Authorization": f"Bearer {token}"}


def seed_workspace(
    sessions: sessionmaker[Session], slug: str, customers: int = 6
) -> SeededWorkspace:
    """A workspace with ``customers`` customers, each with one response and one order.

    Customer ``i``: an account when ``i`` is even, else a person; region north/south by
    parity; segment ``key-accounts`` when ``i % 3 == 0``, ``smb`` when ``i % 3 == 1``,
    none otherwise. Response ``i``: NPS ``i % 11``, channel email (even) or web (odd),
    at touchpoint ``delivery-call`` (owned by team ``logistics``) when even, on day ``i``.
    Order ``i``: product widget (even) or gadget (odd), channel store/online, team
    ``logistics`` when even, on day ``i``.
    """
    with transaction(sessions) as session:
        workspace = accounts.ensure_workspace(session, slug, name=f"Workspace {slug}")
        seeded = SeededWorkspace(
            slug=slug,
            workspace_id=workspace.id,
            read_token=accounts.create_api_token(session, workspace, Scope.READ, "reader").token,
            write_token=accounts.create_api_token(session, workspace, Scope.WRITE, "writer").token,
        )
        in_workspace = {"workspace_id": workspace.id}
        team = Team(**in_workspace, key="logistics", name="Logistics")
        stage = JourneyStage(**in_workspace, key="delivery", name="Delivery", position=4)
        segments = [Segment(**in_workspace, key=key, name=key.title()) for key in SEGMENT_KEYS]
        session.add_all([team, stage, *segments])
        session.flush()
        touchpoint = Touchpoint(
            **in_workspace, key="delivery-call", name="Delivery call", stage_id=stage.id,
            channel="phone", owner_team_id=team.id,
        )
        session.add(touchpoint)
        session.flush()
        survey = Survey(**in_workspace, key="after-delivery", name="After delivery",
                        touchpoint_id=touchpoint.id)
        session.add(survey)
        session.flush()
        for i in range(customers):
            even = i % 2 == 0
            day = FIRST_DAY + timedelta(days=i)
            customer = Customer(
                **in_workspace, external_id=f"C{i:04d}", kind="account" if even else "person",
                name=f"{slug} Customer {i}", email=f"customer{i}@{slug}.example",
                segment_id=segments[i % 3].id if i % 3 < 2 else None,
                region="north" if even else "south", attributes={"index": i},
            )
            session.add(customer)
            session.flush()
            order = Transaction(
                **in_workspace, customer_id=customer.id, occurred_at=day,
                amount=100.0 + i, margin=30.0 + i, product="widget" if even else "gadget",
                channel="store" if even else "online", team_id=team.id if even else None,
            )
            session.add(order)
            session.flush()
            response = FeedbackResponse(
                **in_workspace, customer_id=customer.id, transaction_id=order.id,
                survey_id=survey.id if even else None,
                touchpoint_id=touchpoint.id if even else None,
                channel="email" if even else "web", submitted_at=day, nps=i % 11,
                comment=f"comment {i}", language="en",
            )
            session.add(response)
            session.flush()
            seeded.customer_ids.append(customer.id)
            seeded.transaction_ids.append(order.id)
            seeded.response_ids.append(response.id)
    return seeded
