"""Stored 12-month revenue in a currency of large units (forints, yen): a key account's
10**11 HUF differs in its last bits when the same orders are summed in another order
(a parallel aggregate), by more than the millionth of a forint that was the only bound,
so every such row was rewritten on each refresh. The change test is now relative (and
absolute near zero): the last bits are no change, a real change of one forint is."""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.customer_facts import refresh_facts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Customer, CustomerFactsRow, Transaction
from tests.integration.db.test_customer_facts import AS_OF, fact_writes, log_fact_writes


def seed_key_accounts(sessions: sessionmaker[Session]) -> list[int]:
    """Two Hungarian key accounts with a year of orders of some billion forints each, and a
    small customer whose 12-month revenue is a few forints."""
    with transaction(sessions) as session:
        workspace = accounts.ensure_workspace(session, "budapest-steel", name="Budapest Steel")
        ids = []
        for n, (orders, size) in enumerate([(48, 3.1e9), (30, 2.7e9), (3, 1.5)]):
            customer = Customer(workspace_id=workspace.id, external_id=f"hu-{n}",
                                kind="account", name=f"Account {n}")  # fmt: skip
            session.add(customer)
            session.flush()
            ids.append(customer.id)
            for k in range(orders):
                session.add(Transaction(
                    workspace_id=workspace.id, customer_id=customer.id,
                    occurred_at=AS_OF - timedelta(days=5 + 7 * k),
                    amount=size * (1 + k / 97) + 0.37 * k, margin=size / 7 + 0.11 * k,
                    product="steel", channel="direct"))  # fmt: skip
        return [workspace.id, *ids]


def nudge_stored(sessions: sessionmaker[Session], customer_id: int, ulps: int) -> float:
    """The stored revenue and margin moved by ``ulps`` units in the last place, as a sum of
    the same orders in another order leaves them; the change in forints of the revenue."""
    with transaction(sessions) as session:
        row = session.scalars(select(CustomerFactsRow).where(
            CustomerFactsRow.customer_id == customer_id)).one()  # fmt: skip
        original = revenue = row.revenue_12m
        margin = row.margin_12m
        for _ in range(ulps):
            revenue = math.nextafter(revenue, math.inf)
            margin = math.nextafter(margin, -math.inf)
        session.execute(update(CustomerFactsRow).where(
            CustomerFactsRow.customer_id == customer_id).values(
            revenue_12m=revenue, margin_12m=margin))  # fmt: skip
        return revenue - original


def test_recomputed_large_values_are_not_rewritten_but_a_real_change_is(
    sessions: sessionmaker[Session],
) -> None:
    workspace_id, big, bigger, small = seed_key_accounts(sessions)
    log_fact_writes(sessions)
    with transaction(sessions) as session:
        refresh_facts(session, workspace_id, AS_OF)
    assert fact_writes(sessions) == {big, bigger, small}

    # last-bit differences of a 10**11 sum: more than a millionth of a forint, yet no change
    moved = [nudge_stored(sessions, customer, 3) for customer in (big, bigger)]
    assert all(1e-6 < change < 1e-3 for change in moved), moved
    fact_writes(sessions)  # the nudge itself
    with transaction(sessions) as session:
        refresh_facts(session, workspace_id, AS_OF)
    assert fact_writes(sessions) == set()

    # one forint more on an order is a change; so is a hundredth of a forint near zero
    with transaction(sessions) as session:
        order = session.scalars(select(Transaction).where(
            Transaction.customer_id == big)).first()  # fmt: skip
        assert order is not None
        order.amount += 1.0
        tiny = session.scalars(select(Transaction).where(
            Transaction.customer_id == small)).first()  # fmt: skip
        assert tiny is not None
        tiny.amount += 0.01
    with transaction(sessions) as session:
        refresh_facts(session, workspace_id, AS_OF)
    assert fact_writes(sessions) == {big, small}
    with sessions() as session:
        stored = {row.customer_id: row.revenue_12m for row in session.scalars(
            select(CustomerFactsRow).where(CustomerFactsRow.workspace_id == workspace_id))}
        fresh = {customer: sum(session.scalars(select(Transaction.amount).where(
            Transaction.customer_id == customer))) for customer in (big, small)}  # fmt: skip
    assert stored[big] == fresh[big] or math.isclose(stored[big], fresh[big], rel_tol=1e-12)
    assert math.isclose(stored[small], fresh[small], abs_tol=1e-9)
