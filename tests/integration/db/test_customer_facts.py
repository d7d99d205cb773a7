"""One definition of "12-month revenue" (SQLite and PostgreSQL): the stored customer facts
equal an independent pandas computation of "the 12 months to as_of"; a segment rule on
revenue_12m and the customer list sorted by it show the same numbers; the list pages in
the stored index's order with the never-ordered last, and says when orders or customers
arrived after the facts were computed."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts, segments
from kano.adapters.db.customer_facts import (
    facts_query,
    facts_status,
    refresh_facts,
    window_start,
)
from kano.adapters.db.customer_list import CustomerFilters, all_customers, customer_page
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Customer, CustomerFactsRow, Segment, SegmentMembership, Transaction

AS_OF = datetime(2028, 3, 1, 6, 30)  # 12 months (not 365 days: 2028 is a leap year) from 1 Mar 2027


@pytest.mark.parametrize(("as_of", "start"), [
    (datetime(2026, 12, 7, 5, 40), datetime(2025, 12, 7, 5, 40)),
    (datetime(2028, 2, 29), datetime(2027, 2, 28)),
    (datetime(2026, 3, 31, 23, 59), datetime(2025, 3, 31, 23, 59)),
    (datetime(2026, 1, 15), datetime(2025, 1, 15)),
])  # fmt: skip
def test_the_window_is_the_same_moment_a_year_earlier(as_of: datetime, start: datetime) -> None:
    assert window_start(as_of) == start


def seed(sessions: sessionmaker[Session], slug: str, customers: int = 40) -> tuple[int, list[int]]:
    """Customers with random orders around the window's edges, some without any order."""
    rng = random.Random(slug)
    with transaction(sessions) as session:
        workspace = accounts.ensure_workspace(session, slug, name=slug.title())
        ids = []
        for n in range(customers):
            customer = Customer(workspace_id=workspace.id, external_id=f"{slug}-{n:03d}",
                                kind="account" if n % 2 else "person", name=f"{slug} {n:03d}",
                                region="north" if n % 3 else "south")  # fmt: skip
            session.add(customer)
            session.flush()
            ids.append(customer.id)
        start = window_start(AS_OF)
        edges = [start, start - timedelta(seconds=1), AS_OF, AS_OF - timedelta(seconds=1),
                 AS_OF + timedelta(days=3)]  # fmt: skip
        for customer_id in ids[: customers - 6]:  # the last six never ordered
            for _ in range(rng.randint(1, 6)):
                when = (rng.choice(edges) if rng.random() < 0.3
                        else AS_OF - timedelta(minutes=rng.randint(0, 800 * 24 * 60)))
                session.add(Transaction(
                    workspace_id=workspace.id, customer_id=customer_id, occurred_at=when,
                    amount=round(rng.uniform(-50, 900), 2), margin=round(rng.uniform(0, 90), 2),
                    product="widget", channel="web"))  # fmt: skip
        session.flush()
    return workspace.id, ids


def expected_facts(sessions: sessionmaker[Session], workspace_id: int,
                   as_of: datetime) -> pd.DataFrame:  # fmt: skip
    """The facts computed in pandas from the raw rows, by the documented definition."""
    with sessions() as session:
        orders = pd.DataFrame(session.execute(
            select(Transaction.customer_id, Transaction.occurred_at, Transaction.amount,
                   Transaction.margin).where(Transaction.workspace_id == workspace_id)).all(),
            columns=["customer_id", "at", "amount", "margin"])  # fmt: skip
        customers = list(session.scalars(select(Customer.id).where(
            Customer.workspace_id == workspace_id)))  # fmt: skip
    start = pd.Timestamp(as_of) - pd.DateOffset(months=12)
    before = orders[orders["at"] < pd.Timestamp(as_of)]
    recent = before[before["at"] >= start]
    facts = pd.DataFrame(index=pd.Index(customers, name="customer_id"))
    facts["revenue_12m"] = recent.groupby("customer_id")["amount"].sum()
    facts["margin_12m"] = recent.groupby("customer_id")["margin"].sum()
    facts["orders_12m"] = recent.groupby("customer_id").size()
    facts = facts.fillna(0.0)
    facts["last_order_at"] = before.groupby("customer_id")["at"].max()
    return facts.sort_index()


def stored(sessions: sessionmaker[Session], workspace_id: int) -> pd.DataFrame:
    with sessions() as session:
        rows = session.execute(select(
            CustomerFactsRow.customer_id, CustomerFactsRow.revenue_12m,
            CustomerFactsRow.margin_12m, CustomerFactsRow.orders_12m,
            CustomerFactsRow.last_order_at).where(
            CustomerFactsRow.workspace_id == workspace_id)).all()  # fmt: skip
    return pd.DataFrame(rows, columns=["customer_id", "revenue_12m", "margin_12m", "orders_12m",
                                       "last_order_at"]).set_index("customer_id").sort_index()


def assert_same_facts(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(got.index) == list(expected.index)
    for column in ("revenue_12m", "margin_12m", "orders_12m"):
        assert got[column].astype(float).tolist() == pytest.approx(
            expected[column].astype(float).tolist(), abs=1e-6), column
    assert [None if pd.isna(v) else pd.Timestamp(v) for v in got["last_order_at"]] == \
        [None if pd.isna(v) else pd.Timestamp(v) for v in expected["last_order_at"]]


def test_stored_and_on_the_fly_facts_equal_an_independent_computation(
    sessions: sessionmaker[Session],
) -> None:
    workspace_id, _ = seed(sessions, "acme")
    other_id, _ = seed(sessions, "globex")
    expected = expected_facts(sessions, workspace_id, AS_OF)
    assert expected["orders_12m"].sum() > 0 and expected["last_order_at"].isna().sum() == 6
    with transaction(sessions) as session:
        refresh_facts(session, workspace_id, AS_OF)
        refresh_facts(session, other_id, AS_OF - timedelta(days=30))
        on_the_fly = pd.DataFrame(session.execute(facts_query(workspace_id, AS_OF)).all(),
                                  columns=["customer_id", "workspace_id", "revenue_12m",
                                           "margin_12m", "orders_12m", "last_order_at"])
    assert_same_facts(stored(sessions, workspace_id), expected)
    assert_same_facts(on_the_fly.drop(columns="workspace_id").set_index("customer_id")
                      .sort_index(), expected)  # fmt: skip
    # another workspace's refresh, at another moment, left this one's facts alone
    assert_same_facts(stored(sessions, other_id),
                      expected_facts(sessions, other_id, AS_OF - timedelta(days=30)))
    with transaction(sessions) as session:  # a second refresh replaces, never duplicates
        refresh_facts(session, workspace_id, AS_OF)
    assert_same_facts(stored(sessions, workspace_id), expected)


def test_a_revenue_rule_and_the_list_show_the_same_numbers(
    sessions: sessionmaker[Session],
) -> None:
    workspace_id, _ = seed(sessions, "acme")
    expected = expected_facts(sessions, workspace_id, AS_OF)
    threshold = float(expected["revenue_12m"].median())
    with transaction(sessions) as session:
        segments.save_segment(session, workspace_id, {
            "key": "big", "name": "Big", "source": "rule",
            "rule": {"all": [{"field": "revenue_12m", "op": "gte", "value": threshold}]}})
        segments.save_segment(session, workspace_id, {
            "key": "tier-a", "name": "Tier A", "source": "value_tier", "parameter": "A"})
        segments.refresh_segments(session, workspace_id, AS_OF)
    with sessions() as session:
        members = {key: set(session.scalars(
            select(SegmentMembership.customer_id).join(Segment)
            .where(Segment.key == key, Segment.workspace_id == workspace_id,
                   SegmentMembership.valid_to.is_(None)))) for key in ("big", "tier-a")}
        listed = all_customers(session, workspace_id,
                               CustomerFilters(sort="revenue_12m", descending=True))
        status = facts_status(session, workspace_id)
    assert status is not None and status.as_of == AS_OF and not status.stale
    revenue = {row.id: row.revenue_12m for row in listed}
    assert revenue == pytest.approx(expected["revenue_12m"].to_dict())
    assert members["big"] == {c for c, v in revenue.items() if v >= threshold}
    assert members["big"] == set(expected.index[expected["revenue_12m"] >= threshold])
    # value tier A: fewer than 20 % of those who ordered in the 12 months strictly above
    ordered = expected[expected["orders_12m"] > 0]["revenue_12m"]
    above = ordered.apply(lambda v: int((ordered > v).sum())) / len(ordered)
    assert members["tier-a"] == set(above.index[above < 0.2])
    assert [row.revenue_12m for row in listed] == sorted(revenue.values(), reverse=True)


@pytest.mark.parametrize("descending", [True, False])
def test_pages_by_last_order_put_the_never_ordered_last_either_way(
    sessions: sessionmaker[Session], descending: bool,
) -> None:
    workspace_id, _ = seed(sessions, "acme", customers=23)
    expected = expected_facts(sessions, workspace_id, AS_OF)
    dated = expected[expected["last_order_at"].notna()].reset_index()
    dated = dated.sort_values(["last_order_at", "customer_id"], ascending=not descending)
    never = sorted(expected.index[expected["last_order_at"].isna()], reverse=descending)
    want = list(dated["customer_id"]) + never
    with transaction(sessions) as session:
        refresh_facts(session, workspace_id, AS_OF)
    filters = CustomerFilters(sort="last_order", descending=descending)
    seen = []
    with sessions() as session:
        for number in range(1, 6):
            total, rows = customer_page(session, workspace_id, filters, page_number=number,
                                        page_size=5)  # fmt: skip
            seen += [row.id for row in rows]
        assert total == 23
        assert [row.id for row in all_customers(session, workspace_id, filters)] == want
        accounts_only = customer_page(session, workspace_id, CustomerFilters(
            kind="account", sort="last_order", descending=descending), page_size=50)[1]
    assert seen == want
    by_revenue = expected.reset_index().sort_values(["revenue_12m", "customer_id"],
                                                    ascending=not descending)
    with sessions() as session:
        paged = [row.id for number in range(1, 6) for row in customer_page(
            session, workspace_id, CustomerFilters(sort="revenue_12m", descending=descending),
            page_number=number, page_size=5)[1]]
    assert paged == list(by_revenue["customer_id"])
    assert [row.id for row in accounts_only] == [
        c for c in want if c in {r.id for r in accounts_only}]
    assert {row.kind for row in accounts_only} == {"account"}


def test_orders_and_customers_after_the_facts_are_announced_and_listed(
    sessions: sessionmaker[Session],
) -> None:
    workspace_id, ids = seed(sessions, "acme", customers=10)
    with transaction(sessions) as session:
        refresh_facts(session, workspace_id, AS_OF)
        status = facts_status(session, workspace_id)
        assert status is not None and not status.stale
        session.add(Transaction(workspace_id=workspace_id, customer_id=ids[0],
                                occurred_at=AS_OF - timedelta(days=1), amount=10_000.0,
                                margin=1.0, product="widget", channel="web"))  # fmt: skip
        newcomer = Customer(workspace_id=workspace_id, external_id="late", kind="person",
                            name="Late arrival")  # fmt: skip
        session.add(newcomer)
        session.flush()
        late_id = newcomer.id
    with sessions() as session:
        status = facts_status(session, workspace_id)
        assert status is not None and status.stale
        assert (status.new_orders, status.new_customers) == (1, 1)
        before = {row.id: row.revenue_12m for row in all_customers(
            session, workspace_id, CustomerFilters(sort="revenue_12m", descending=True))}
    # the list keeps the stored moment's numbers (and says so), but misses no customer
    assert late_id in before and before[late_id] == 0.0
    expected = expected_facts(sessions, workspace_id, AS_OF)
    assert before[ids[0]] == pytest.approx(expected.loc[ids[0], "revenue_12m"] - 10_000.0)
    with transaction(sessions) as session:
        segments.refresh_segments(session, workspace_id, AS_OF)  # what "Refresh now" runs
    with sessions() as session:
        status = facts_status(session, workspace_id)
        after = {row.id: row.revenue_12m for row in all_customers(
            session, workspace_id, CustomerFilters(sort="revenue_12m", descending=True))}
    assert status is not None and not status.stale
    assert after == pytest.approx(expected["revenue_12m"].to_dict())


def test_refreshing_one_manual_segment_leaves_the_facts_alone(
    sessions: sessionmaker[Session],
) -> None:
    workspace_id, _ = seed(sessions, "acme", customers=5)
    with transaction(sessions) as session:
        segments.save_segment(session, workspace_id, {"key": "key", "name": "Key"})
        segments.refresh_segments(session, workspace_id, AS_OF)
        segments.refresh_segments(session, workspace_id, AS_OF + timedelta(days=1),
                                  keys=["key"])  # fmt: skip
        status = facts_status(session, workspace_id)
    assert status is not None and status.as_of == AS_OF


def log_fact_writes(sessions: sessionmaker[Session]) -> None:
    """A trigger (this test's own) that notes every customer whose facts row is written."""
    with transaction(sessions) as session:
        session.execute(text("CREATE TABLE fact_writes (customer_id BIGINT)"))
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text(
                "CREATE FUNCTION note_fact_write() RETURNS trigger AS $$ BEGIN "
                "INSERT INTO fact_writes VALUES (NEW.customer_id); RETURN NEW; END $$ "
                "LANGUAGE plpgsql"))  # fmt: skip
            session.execute(text(
                "CREATE TRIGGER fact_written AFTER INSERT OR UPDATE ON customer_facts "
                "FOR EACH ROW EXECUTE FUNCTION note_fact_write()"))  # fmt: skip
        else:
            for event in ("INSERT", "UPDATE"):
                session.execute(text(
                    f"CREATE TRIGGER fact_{event.lower()} AFTER {event} ON customer_facts "
                    "BEGIN INSERT INTO fact_writes VALUES (NEW.customer_id); END"))


def fact_writes(sessions: sessionmaker[Session]) -> set[int]:
    """The customers whose facts were written since the last call."""
    with transaction(sessions) as session:
        written = {int(c) for c in session.scalars(text("SELECT customer_id FROM fact_writes"))}
        session.execute(text("DELETE FROM fact_writes"))
    return written


def test_a_refresh_writes_only_the_facts_that_changed_and_keeps_them_exact(
    sessions: sessionmaker[Session],
) -> None:
    workspace_id, ids = seed(sessions, "acme")
    log_fact_writes(sessions)
    with transaction(sessions) as session:
        refresh_facts(session, workspace_id, AS_OF)
    assert fact_writes(sessions) == set(ids)  # the first refresh writes everyone
    with transaction(sessions) as session:  # nothing changed: nothing written
        refresh_facts(session, workspace_id, AS_OF)
    assert fact_writes(sessions) == set()
    with transaction(sessions) as session:
        edited = session.scalars(select(Transaction).where(
            Transaction.customer_id == ids[0], Transaction.occurred_at < AS_OF,
            Transaction.occurred_at >= window_start(AS_OF))).first()  # fmt: skip
        assert edited is not None
        edited.amount += 1.25  # an order edited in place
        session.add(Transaction(workspace_id=workspace_id, customer_id=ids[-1],
                                occurred_at=AS_OF - timedelta(days=2), amount=30.0,
                                margin=3.0, product="widget", channel="web"))  # fmt: skip
        newcomer = Customer(workspace_id=workspace_id, external_id="late", kind="person",
                            name="Late arrival")  # fmt: skip
        session.add(newcomer)
        session.flush()
        late_id = newcomer.id
        gone = session.get(Customer, ids[-2])  # never ordered: deletable
        assert gone is not None
        session.delete(gone)
    with transaction(sessions) as session:
        refresh_facts(session, workspace_id, AS_OF)
    assert fact_writes(sessions) == {ids[0], ids[-1], late_id}
    assert_same_facts(stored(sessions, workspace_id),
                      expected_facts(sessions, workspace_id, AS_OF))
    later = AS_OF + timedelta(days=40)  # orders left the window and others entered it
    before, after = (expected_facts(sessions, workspace_id, at) for at in (AS_OF, later))
    moved = {int(c) for c in after.index
             if not before.loc[c].fillna(0).equals(after.loc[c].fillna(0))}
    assert moved and len(moved) < len(after)
    with transaction(sessions) as session:
        refresh_facts(session, workspace_id, later)
    assert fact_writes(sessions) == moved
    assert_same_facts(stored(sessions, workspace_id), after)
