"""The customer list at volume: a page sorted by name and by 12-month revenue, filtered
pages, the filter choices, and the whole filtered list a download holds.

Run: `.venv/bin/python bench/customer_list.py [--customers 100000] [--orders 10]
[--url postgresql+psycopg://postgres@127.0.0.1:5432/test | --url sqlite]`.

In a database of its own (created, migrated with `alembic upgrade head`, dropped after)
with ``--customers`` customers (regions, industries, kinds, one segment in ten) and about
``--orders`` orders each over two years, it first times storing the customer facts as the
segment refresh does: the old way (DELETE every row, INSERT … SELECT them all) against
:func:`refresh_facts` (write only the rows that changed) — "Refresh now" with nothing
changed, the next day's refresh, and the first refresh into an empty table — each once,
as a ratio of the old way in the same run. Then it times in-process (best of 3) what
``/customers`` runs and
says how many SQL statements each took. The baseline, timed in the same run, is the list
sorted by revenue computed on the fly — the aggregate of every order the list ran before
the facts were stored (and still runs before a workspace's first refresh); each line
prints its time as a ratio of it, so a busy machine shifts both alike.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, event, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from responses_page import _database, _drop

from kano.adapters.db import accounts
from kano.adapters.db.customer_facts import FACT_COLUMNS, facts_query, refresh_facts
from kano.adapters.db.customer_list import (
    CustomerFilters,
    ListFacts,
    all_customers,
    customer_page,
    filter_choices,
    list_facts,
)
from kano.adapters.db.engine import make_engine, make_session_factory, transaction
from kano.adapters.db.migrate import upgrade
from kano.adapters.db.orm import Customer, CustomerFactsRow, Segment, Transaction

START = datetime(2024, 1, 1)
AS_OF = START + timedelta(days=730)  # the end of the orders: a full 12 months of revenue


def _seed(sessions: Any, customers: int, orders: int) -> int:
    rng = random.Random(7)
    with transaction(sessions) as session:
        workspace = accounts.ensure_workspace(session, "bench", "Bench")
        segment = Segment(workspace_id=workspace.id, key="key", name="Key accounts")
        session.add(segment)
        session.flush()
        for start in range(0, customers, 20_000):
            session.execute(insert(Customer), [{
                "workspace_id": workspace.id, "external_id": f"C{i:07d}",
                "kind": "account" if i % 3 else "person", "name": f"Customer {rng.random():.6f}",
                "email": f"c{i}@example.com", "region": rng.choice(("north", "south", "east")),
                "industry": rng.choice(("energy", "construction", "automotive")),
                "segment_id": segment.id if i % 10 == 0 else None,
            } for i in range(start, min(start + 20_000, customers))])
        ids = list(session.scalars(select(Customer.id).where(
            Customer.workspace_id == workspace.id)))
        total = customers * orders
        for start in range(0, total, 50_000):
            session.execute(insert(Transaction), [{
                "workspace_id": workspace.id, "customer_id": rng.choice(ids),
                "occurred_at": START + timedelta(minutes=rng.randint(0, 730 * 24 * 60)),
                "amount": round(rng.lognormvariate(5, 1), 2), "margin": 1.0,
                "product": "widget", "channel": "web",
            } for _ in range(start, min(start + 50_000, total))])
        return workspace.id


def _timed(label: str, statements: list[int], run: Callable[[], Any],
           baseline: float | None = None) -> float:
    best = float("inf")
    for _ in range(3):
        statements[0] = 0
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    ratio = f"{best / baseline:6.3f} × baseline" if baseline else "      baseline"
    print(f"{label:<44} {best * 1000:9.1f} ms  {ratio}  {statements[0]} statements",
          flush=True)
    return best


def _old_refresh(session: Any, workspace_id: int, as_of: datetime) -> None:
    """How the facts were stored before: every row deleted and inserted again."""
    table = CustomerFactsRow.__table__
    session.execute(delete(table).where(table.c.workspace_id == workspace_id))
    session.execute(insert(table).from_select(list(FACT_COLUMNS),
                                              facts_query(workspace_id, as_of)))


def _time_refreshes(sessions: Any, workspace_id: int) -> None:
    """Each refresh once, in its own transaction, in an order that leaves the facts as of
    AS_OF: the old way's time is the baseline of the lines after it."""
    def timed(label: str, run: Callable[[Any, int, datetime], Any], as_of: datetime,
              baseline: float | None = None) -> float:
        with transaction(sessions) as session:
            started = time.perf_counter()
            run(session, workspace_id, as_of)
            took = time.perf_counter() - started
        ratio = f"{took / baseline:6.3f} × old way" if baseline else "      baseline"
        print(f"{label:<52} {took:7.2f} s  {ratio}", flush=True)
        return took

    next_day = AS_OF + timedelta(days=1)
    old = timed("facts, old way: DELETE + INSERT every row", _old_refresh, AS_OF)
    timed("refresh_facts, nothing changed (Refresh now)", refresh_facts, AS_OF, old)
    timed("refresh_facts, the next day", refresh_facts, next_day, old)
    old_next = timed("facts, old way, the next day", _old_refresh, next_day, old)
    timed("refresh_facts, back to the day before", refresh_facts, AS_OF, old_next)
    with transaction(sessions) as session:
        session.execute(delete(CustomerFactsRow.__table__))
    timed("refresh_facts, first refresh (no rows stored)", refresh_facts, AS_OF, old)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=10)
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    url, name = _database(args.url)
    try:
        upgrade(url)
        engine = make_engine(url)
        statements = [0]
        event.listen(engine, "before_cursor_execute",
                     lambda *_: statements.__setitem__(0, statements[0] + 1))
        sessions = make_session_factory(engine)
        started = time.perf_counter()
        workspace_id = _seed(sessions, args.customers, args.orders)
        print(f"{engine.dialect.name}: {args.customers:,} customers, "
              f"{args.customers * args.orders:,} orders seeded in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
        _time_refreshes(sessions, workspace_id)
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE customer_facts")
        with sessions() as session:
            on_the_fly = ListFacts(AS_OF, None)

            def page(filters: CustomerFilters, number: int = 1,
                     facts: ListFacts | None = None) -> Callable[[], Any]:
                def run() -> Any:  # as the route: the facts' status, then the page
                    shown = facts or list_facts(session, workspace_id)
                    return customer_page(session, workspace_id, filters, page_number=number,
                                         facts=shown)
                return run

            by_revenue = CustomerFilters(sort="revenue_12m", descending=True)
            base = _timed("on the fly: page 1 by revenue (old list)", statements,
                          page(by_revenue, facts=on_the_fly))
            _timed("on the fly: page 1 by last order", statements,
                   page(CustomerFilters(sort="last_order", descending=True), facts=on_the_fly),
                   base)
            _timed("page 1 by name", statements, page(CustomerFilters()), base)
            _timed("page 1,000 by name", statements, page(CustomerFilters(), 1000), base)
            _timed("page 1 by revenue, largest first", statements, page(by_revenue), base)
            _timed("page 1,000 by revenue", statements, page(by_revenue, 1000), base)
            _timed("page 1 by revenue, smallest first", statements,
                   page(CustomerFilters(sort="revenue_12m")), base)
            _timed("page 1 by last order", statements,
                   page(CustomerFilters(sort="last_order", descending=True)), base)
            _timed("last page by last order, oldest first", statements,
                   page(CustomerFilters(sort="last_order"), args.customers // 50), base)
            _timed("search 'customer 0.12'", statements,
                   page(CustomerFilters(search="customer 0.12")), base)
            _timed("north accounts in energy, by revenue", statements, page(CustomerFilters(
                kind="account", region="north", industry="energy", sort="revenue_12m")), base)
            _timed("primary segment 'key'", statements, page(CustomerFilters(segment="key")),
                   base)
            _timed("filter choices", statements, lambda: filter_choices(session, workspace_id),
                   base)
            _timed("download: north accounts in energy", statements, lambda: all_customers(
                session, workspace_id, CustomerFilters(kind="account", region="north",
                                                       industry="energy")), base)
        engine.dispose()
    finally:
        _drop(args.url, name)


if __name__ == "__main__":
    main()
