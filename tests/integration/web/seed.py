"""Two small companies for the web tests, with figures simple enough to check by hand.

Acme (the viewer's workspace): 3 customers; 12 feedback responses, of which 10 have an NPS
answer inside the 12-month window (6 promoters, 2 passives, 2 detractors → NPS +40), one
is older than the window and one has no NPS answer; revenue inside the window 1,200 +
800 + 500 = 2,500, plus 10,000 that is too old to count. The latest activity is
2025-06-15, so the window runs July 2024 – June 2025.

Globex (another tenant): large, unmistakable figures (7,777,777 revenue, NPS −100) that
must never appear on Acme's pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Customer, FeedbackResponse, Transaction
from kano.domain.workspaces import Role

PASSWORD = "correct horse battery"
ACME_NPS_SCORES = (10, 10, 9, 9, 9, 8, 7, 6, 2, 10)  # 6 promoters, 2 detractors of 10
ACME_REVENUE = ((datetime(2025, 6, 15, 12), 1200.0), (datetime(2025, 3, 2), 800.0),
                (datetime(2024, 7, 1), 500.0), (datetime(2024, 6, 30, 23), 10_000.0))


@dataclass(frozen=True)
class SeededCompanies:
    acme_id: int
    globex_id: int
    alice: str  # member of Acme only
    bob: str  # member of Acme and Globex
    password: str = PASSWORD


def _customers(session: Session, workspace_id: int, count: int) -> list[Customer]:
    customers = [
        Customer(
            workspace_id=workspace_id, external_id=f"C{i}", kind="person", name=f"Customer {i}"
        )
        for i in range(count)
    ]
    session.add_all(customers)
    session.flush()
    return customers


def _seed_acme(session: Session, workspace_id: int) -> None:
    customers = _customers(session, workspace_id, 3)
    for index, score in enumerate(ACME_NPS_SCORES):
        session.add(FeedbackResponse(
            workspace_id=workspace_id, customer_id=customers[index % 3].id, channel="email",
            submitted_at=datetime(2024, 8 + index % 5, 10 + index), nps=score,
        ))
    session.add(FeedbackResponse(  # older than the window: left out of the NPS
        workspace_id=workspace_id, customer_id=customers[0].id, channel="email",
        submitted_at=datetime(2024, 6, 1), nps=0,
    ))
    session.add(FeedbackResponse(  # a CSAT-only answer: counts as a response, not in the NPS
        workspace_id=workspace_id, customer_id=customers[1].id, channel="web",
        submitted_at=datetime(2025, 1, 5), csat=5,
    ))
    for moment, amount in ACME_REVENUE:
        session.add(Transaction(
            workspace_id=workspace_id, customer_id=customers[0].id, occurred_at=moment,
            amount=amount, margin=amount * 0.3, product="widget", channel="web",
        ))


def _seed_globex(session: Session, workspace_id: int) -> None:
    customers = _customers(session, workspace_id, 5)
    for index in range(20):
        session.add(FeedbackResponse(
            workspace_id=workspace_id, customer_id=customers[index % 5].id, channel="phone",
            submitted_at=datetime(2025, 9, 1 + index), nps=0,
        ))
    session.add(Transaction(
        workspace_id=workspace_id, customer_id=customers[0].id,
        occurred_at=datetime(2025, 9, 30), amount=7_777_777.0, margin=1.0,
        product="gizmo", channel="store",
    ))


def seed_companies(sessions: sessionmaker[Session], acme_name: str = "Acme Ltd") -> SeededCompanies:
    with transaction(sessions) as session:
        acme = accounts.ensure_workspace(session, "acme", acme_name)
        globex = accounts.ensure_workspace(session, "globex", "Globex Corp")
        alice = accounts.ensure_user(session, "alice@acme.test", PASSWORD, name="Alice")
        bob = accounts.ensure_user(session, "bob@acme.test", PASSWORD, name="Bob")
        accounts.grant_role(session, acme, alice, Role.ANALYST)
        accounts.grant_role(session, acme, bob, Role.OWNER)
        accounts.grant_role(session, globex, bob, Role.VIEWER)
        _seed_acme(session, acme.id)
        _seed_globex(session, globex.id)
        return SeededCompanies(acme.id, globex.id, alice.email, bob.email)
