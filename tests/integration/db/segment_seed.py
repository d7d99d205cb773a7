"""A small workspace for segment tests: customers with known kinds, regions, attributes
and orders, so a test can say exactly who a rule matches."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Customer, Segment, Transaction

DAY_ONE = datetime(2026, 3, 1)


@dataclass
class SegmentWorld:
    workspace_id: int
    ids: dict[str, int] = field(default_factory=dict)  # external id → customer id


CUSTOMERS = (
    # external id, kind, region, industry, attributes, manual segment
    ("ACME", "account", "north", "retail", {"tier": "gold", "seats": 120, "vip": True}, "key"),
    ("BOLT", "account", "south", "energy", {"tier": "silver", "seats": 15}, None),
    ("CORA", "person", "north", None, {"tier": "gold", "vip": False}, None),
    ("DUNE", "person", None, None, None, "key"),
    ("EMBER_1%", "account", "east", "retail", {"note": "under_score"}, None),
)


def seed_segment_world(sessions: sessionmaker[Session], slug: str) -> SegmentWorld:
    """Five customers (above) and manual segment ``key``; orders are added by the tests."""
    with transaction(sessions) as session:
        workspace = accounts.ensure_workspace(session, slug, name=slug.title())
        world = SegmentWorld(workspace.id)
        manual = Segment(workspace_id=workspace.id, key="key", name="Key accounts")
        session.add(manual)
        session.flush()
        for external_id, kind, region, industry, attributes, segment in CUSTOMERS:
            customer = Customer(
                workspace_id=workspace.id, external_id=external_id, kind=kind,
                name=f"{slug} {external_id}", email=f"{external_id.lower()}@{slug}.example",
                region=region, industry=industry, attributes=attributes,
                segment_id=manual.id if segment else None,
            )  # fmt: skip
            session.add(customer)
            session.flush()
            world.ids[external_id] = customer.id
    return world


def add_order(
    session: Session, world: SegmentWorld, external_id: str, when: datetime, amount: float
) -> None:
    session.add(
        Transaction(
            workspace_id=world.workspace_id, customer_id=world.ids[external_id],
            occurred_at=when, amount=amount, margin=amount / 4, product="widget",
            channel="store",
        )
    )  # fmt: skip
    session.flush()
