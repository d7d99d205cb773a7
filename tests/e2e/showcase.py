"""A small but lifelike company for the browser test (and the screenshot in the docs).

Deterministic (a fixed random seed): 240 customers, a year and a half of orders with a
seasonal peak, and NPS answers that improve over the year. Large enough to make the chart
look like a real one, small enough to insert in well under a second.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Customer, FeedbackResponse, Transaction
from kano.domain.workspaces import Role

EMAIL = "ana@northwind.test"
PASSWORD = "browser test password"
START = datetime(2024, 7, 1)
DAYS = 540


@dataclass(frozen=True)
class Showcase:
    email: str
    password: str
    workspace_name: str


def _nps_answer(rng: random.Random, progress: float) -> int:
    """An answer 0–10 whose promoter share rises from about 35 % to 55 % over the period."""
    draw = rng.random()
    promoter_share, detractor_share = 0.35 + 0.2 * progress, 0.25 - 0.1 * progress
    if draw < promoter_share:
        return rng.choice((9, 10, 10))
    if draw < promoter_share + detractor_share:
        return rng.choice((2, 4, 5, 6, 6))
    return rng.choice((7, 8, 8))


def seed_showcase(sessions: sessionmaker[Session]) -> Showcase:
    rng = random.Random(20261123)
    name = "Northwind Industrial Supply"
    with transaction(sessions) as session:
        workspace = accounts.ensure_workspace(session, "northwind", name)
        other = accounts.ensure_workspace(session, "northwind-labs", "Northwind Labs")
        user = accounts.ensure_user(session, EMAIL, PASSWORD, name="Ana Kovács")
        accounts.grant_role(session, workspace, user, Role.OWNER)
        accounts.grant_role(session, other, user, Role.ANALYST)
        session.execute(insert(Customer), [
            {"workspace_id": workspace.id, "external_id": f"N{i:04d}", "kind": "account",
             "name": f"Account {i}", "region": rng.choice(("EU", "CEE", "UK"))}
            for i in range(240)
        ])
        customer_ids = session.scalars(
            select(Customer.id).where(Customer.workspace_id == workspace.id)
        ).all()
        orders, answers = [], []
        for day in range(DAYS):
            moment = START + timedelta(days=day, hours=rng.randint(8, 18))
            season = 1 + 0.35 * math.sin(2 * math.pi * (day - 60) / 365)
            for _ in range(rng.randint(3, 8)):
                amount = round(rng.lognormvariate(6.2, 0.5) * season, 2)
                orders.append({
                    "workspace_id": workspace.id, "customer_id": rng.choice(customer_ids),
                    "occurred_at": moment, "amount": amount, "margin": round(amount * 0.32, 2),
                    "product": rng.choice(("bearings", "valves", "pumps")), "channel": "b2b",
                })
            for _ in range(rng.randint(1, 4)):
                answers.append({
                    "workspace_id": workspace.id, "customer_id": rng.choice(customer_ids),
                    "channel": "email", "submitted_at": moment,
                    "nps": _nps_answer(rng, day / DAYS),
                })
        session.execute(insert(Transaction), orders)
        session.execute(insert(FeedbackResponse), answers)
    return Showcase(EMAIL, PASSWORD, name)
