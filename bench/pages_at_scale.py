"""Every page of the web UI and the main API lists at production scale, warm.

Run: `.venv/bin/python bench/pages_at_scale.py [--customers 100000] [--orders 10]
[--responses 1000000] [--url postgresql+psycopg://postgres@127.0.0.1:5432/test]
[--keep | --database NAME] [--only PATH …] [--warehouse]`.

In a database of its own (created, migrated with ``alembic upgrade head``, dropped after
unless ``--keep``) it seeds one workspace with the two earlier benches' generators:
``bench/customer_list.py`` (``--customers`` customers, ``--orders`` orders each over two
years, one segment) and ``bench/responses_page.py`` (``--responses`` responses, 2,000 more
customers, an acknowledgement for every second response, a case for every 20th). With
``--warehouse`` it also loads the workspace into a DuckDB warehouse in a temporary folder
(timed), so the analysis pages have data. ``--database NAME`` reuses a database a
``--keep`` run left (no seeding, not dropped).

The whole app (API + web) runs in this process behind Starlette's test client, logged in
as an owner (pages) or with a read token (API). Each path is visited once (imports, caches)
and then timed ``--repeat`` times; the table prints the best time, the median and the rows
the answer shows (``<tr>`` of a page, items of a JSON list) and its size in KB.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))

from customer_list import _seed as seed_customers_and_orders
from responses_page import _database, _drop
from responses_page import _seed as seed_responses

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.migrate import upgrade
from kano.adapters.db.orm import CaseRow, Customer, FeedbackResponse, Transaction, Workspace
from kano.domain.workspaces import Role, Scope

EMAIL, PASSWORD = "bench@kano.local", "bench-password-0123"
PAGES = ("/", "/scorecard", "/strategy/map", "/strategy/session", "/okr", "/mbo", "/cx",
         "/journeys", "/cases", "/cases?status=open", "/responses", "/surveys", "/customers",
         "/customers?sort=revenue_12m&desc=1", "/segments", "/requirements", "/value/rfm",
         "/value/matrix", "/value/profit", "/value/clv", "/value/churn", "/metrics", "/linkage",
         "/drivers", "/text", "/pilots", "/settings",
         "/customers/{customer}", "/cases/{case}", "/responses/{response}", "/segments/key",
         "/surveys/s0", "/metrics/nps")  # fmt: skip
API = ("/customers", "/transactions", "/responses", "/cases", "/segments", "/segments/key/members",
       "/requirements", "/invitations", "/journeys", "/pilots", "/products", "/metrics",
       "/case-rules", "/value/rfm", "/text/themes")  # fmt: skip


def _rows(path: str, answer: Any) -> int | str:
    if answer.headers.get("content-type", "").startswith("application/json"):
        body = answer.json()
        if isinstance(body, list):
            return len(body)
        if isinstance(body, dict):
            lists = [value for value in body.values() if isinstance(value, list)]
            return max((len(value) for value in lists), default="-")
        return "-"
    return len(re.findall(r"<tr[ >]", answer.text))


def _seed(container: Any, customers: int, orders: int, responses: int) -> int:
    import random

    started = time.perf_counter()
    workspace_id: int = seed_customers_and_orders(container.sessions, customers, orders)
    with transaction(container.sessions) as session:
        seed_responses(session, workspace_id, responses, random.Random(7))
    with transaction(container.sessions) as session:
        workspace = session.get(Workspace, workspace_id)
        user = accounts.ensure_user(session, EMAIL, PASSWORD, name="Bench")
        accounts.grant_role(session, workspace, user, Role.OWNER)
    if container.engine.dialect.name == "postgresql":
        # What autovacuum would have done by the time anyone reads (it is off on this
        # machine): planner statistics, and the visibility map index-only scans need. Out
        # of a transaction: ANALYZE inside one rolled back loses its statistics.
        with container.engine.connect().execution_options(
                isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)
    return workspace_id


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=10)
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument("--database", help="reuse this database a --keep run left")
    parser.add_argument("--only", nargs="*", help="time only these paths")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--warehouse", action="store_true", help="load a DuckDB warehouse")
    parser.add_argument("--home", type=int, default=0, metavar="N",
                        help="only compare the home figures' queries with the old ones, N times")
    parser.add_argument("--cases", type=int, default=0, metavar="N",
                        help="only compare the case inbox's queries with the old ones, N times")
    args = parser.parse_args()
    if args.database:
        url, created = make_url(args.url).set(database=args.database).render_as_string(
            hide_password=False), None
    else:
        url, created = _database(args.url)
        upgrade(url)
    folder = Path(tempfile.mkdtemp(prefix="H7-pages-"))
    try:
        run(args, url, folder, fresh=created is not None)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if created is not None and not args.keep:
            _drop(args.url, created)
        elif created is not None:
            print(f"kept database {created}")


def run(args: argparse.Namespace, url: str, folder: Path, fresh: bool) -> None:
    from starlette.testclient import TestClient

    from kano.app import create_app
    from kano.bootstrap import build_container
    from kano.config import Settings

    settings = Settings(database_url=url, warehouse_url=f"duckdb:///{folder / 'kano.duckdb'}",
                        secret_key="bench-secret-0123456789abcdef", warm_up=False)
    container = build_container(settings)
    if fresh:
        workspace_id = _seed(container, args.customers, args.orders, args.responses)
    with transaction(container.sessions) as session:
        workspace_id = accounts.get_workspace(session, "bench").id
        counts = {name: session.scalar(select(func.count()).select_from(table).where(
            table.workspace_id == workspace_id)) for name, table in (
            ("customers", Customer), ("orders", Transaction), ("responses", FeedbackResponse),
            ("cases", CaseRow))}
        token = accounts.create_api_token(session, session.get(Workspace, workspace_id),
                                          Scope.READ, name="bench").token
        busiest = session.scalar(select(Transaction.customer_id).where(
            Transaction.workspace_id == workspace_id).group_by(Transaction.customer_id)
            .order_by(func.count().desc()).limit(1))
        case = session.scalar(select(func.min(CaseRow.id)).where(
            CaseRow.workspace_id == workspace_id))
        response = session.scalar(select(func.max(FeedbackResponse.id)).where(
            FeedbackResponse.workspace_id == workspace_id))
    print(f"{container.engine.dialect.name}: " + ", ".join(
        f"{count:,} {name}" for name, count in counts.items()), flush=True)
    if args.warehouse:
        from kano.adapters.warehouse import AppDatabaseSource, load_warehouse, open_store

        started = time.perf_counter()
        store = open_store(settings.resolved_warehouse_url())
        try:
            load_warehouse(store, AppDatabaseSource(container.engine), workspace_id)
        finally:
            store.close()
        print(f"warehouse loaded in {time.perf_counter() - started:.0f} s", flush=True)
    if args.home or args.cases:
        if args.home:
            compare_home(container.sessions, workspace_id, args.home)
        if args.cases:
            compare_cases(container.sessions, workspace_id, args.cases)
        container.close()
        return
    app = create_app(container=container)
    client = TestClient(app, base_url="http://127.0.0.1")
    form = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf, "no CSRF token on /login"
    client.post("/login", data={"email": EMAIL, "password": PASSWORD, "next": "/",
                                "csrf_token": csrf.group(1)})
    api = TestClient(app, base_url="http://127.0.0.1",
                     headers={"Authorization": f"Bearer {token}"})
    ids = {"customer": busiest, "case": case, "response": response}
    targets = [(client, page.format(**ids)) for page in PAGES] + [
        (api, f"/api/v1{path}") for path in API]
    print(f"{'page':<48} {'best ms':>9} {'median ms':>10} {'rows':>6} {'KB':>7}  status",
          flush=True)
    for who, path in targets:
        if args.only and not any(path.startswith(only) for only in args.only):
            continue
        answer = who.get(path)  # warm: the first visit is not timed
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            answer = who.get(path)
            times.append(time.perf_counter() - started)
        print(f"{path:<48} {min(times) * 1000:9.0f} {statistics.median(times) * 1000:10.0f} "
              f"{_rows(path, answer)!s:>6} {len(answer.content) / 1024:7.0f}  "
              f"{answer.status_code}", flush=True)
    container.close()


def _home_figures_before(db: Any, workspace_id: int) -> Any:
    """``home_figures`` as it was before this bench (HEAD 9a9a0a5): four passes over the
    window's rows, the active customers as a de-duplicated union of ids."""
    from sqlalchemy import case, union

    from kano.adapters.db.views import home

    latest = home.latest_activity(db, workspace_id)
    months = home._window(latest) if latest else ()
    start, end = home._bounds(months)
    earlier = home._year_before(months)
    moment = FeedbackResponse.submitted_at
    total, in_window, before = db.execute(
        select(func.count(), func.sum(case(((moment >= start) & (moment < end), 1), else_=0)),
               func.sum(case(((moment >= earlier) & (moment < start), 1), else_=0)))
        .where(FeedbackResponse.workspace_id == workspace_id)).one()
    bought = select(Transaction.customer_id.label("customer_id")).where(
        Transaction.workspace_id == workspace_id,
        Transaction.occurred_at >= start, Transaction.occurred_at < end)
    answered = select(FeedbackResponse.customer_id.label("customer_id")).where(
        FeedbackResponse.workspace_id == workspace_id, moment >= start, moment < end,
        FeedbackResponse.customer_id.is_not(None))
    active = db.execute(select(func.count()).select_from(
        union(bought, answered).subquery())).scalar_one()
    score = FeedbackResponse.nps
    year, month = func.extract("year", moment), func.extract("month", moment)
    nps = db.execute(select(
        year, month, func.sum(case((score >= 9, 1), else_=0)),
        func.sum(case((score <= 6, 1), else_=0)), func.count(score)).where(
        FeedbackResponse.workspace_id == workspace_id, moment >= start, moment < end,
        score.is_not(None)).group_by(year, month)).all()
    return (home._count(db, Customer, workspace_id), total, in_window, before, active,
            sorted(tuple(int(value) for value in row) for row in nps),
            home._monthly_revenue(db, workspace_id, months))


def _alternate(label: str, runs: dict[str, Any], times: int) -> dict[str, Any]:
    """Each of ``runs`` (the old one first) in turn, ``times`` times; prints best, median
    and the median's ratio to the old one; returns the answers."""
    spent: dict[str, list[float]] = {name: [] for name in runs}
    answers = {}
    for _ in range(times):
        for name, run in runs.items():
            started = time.perf_counter()
            answers[name] = run()
            spent[name].append(time.perf_counter() - started)
    base = statistics.median(next(iter(spent.values())))
    for name, values in spent.items():
        print(f"{label}, {name:<7} best {min(values) * 1000:6.0f} ms  median "
              f"{statistics.median(values) * 1000:6.0f} ms  "
              f"{statistics.median(values) / base:5.2f} × before", flush=True)
    return answers


def compare_cases(sessions: Any, workspace_id: int, times: int) -> None:
    """The inbox's lines as before this bench (every joined line sorted to keep 200)
    against ``case_inbox`` now, unfiltered and open cases only."""
    from datetime import datetime

    from kano.adapters.db.views.cases import (
        INBOX_LIMIT,
        CaseFilters,
        case_inbox,
        filtered_cases,
    )

    now = datetime(2026, 12, 7)
    with sessions() as db:
        for filters in (CaseFilters(), CaseFilters(status="open")):
            def before(filters: CaseFilters = filters) -> list[int]:
                statement = filtered_cases(workspace_id, filters, now)
                return [row[0].id for row in db.execute(statement.order_by(
                    CaseRow.opened_at.desc(), CaseRow.id.desc()).limit(INBOX_LIMIT))]

            def after(filters: CaseFilters = filters) -> list[int]:
                return [line.id for line in case_inbox(db, workspace_id, filters, now).lines]

            answers = _alternate(f"case inbox {filters.status or 'all'}",
                                 {"before": before, "now": after}, times)
            assert answers["before"] == answers["now"]


def compare_home(sessions: Any, workspace_id: int, times: int) -> None:
    """The home figures' queries, old and new, alternately ``times`` times each."""
    from kano.adapters.db.views.home import home_figures

    def now(db: Any, workspace_id: int) -> Any:
        f = home_figures(db, workspace_id)
        return (f.customers, f.responses, f.responses_in_window, f.responses_before,
                f.active_customers, sorted(
                    (m.month.year, m.month.month, m.nps.promoters, m.nps.detractors,
                     m.nps.answered) for m in f.months if m.nps.answered),
                {m.month: m.revenue for m in f.months if m.revenue})

    spent: dict[str, list[float]] = {"before": [], "now": []}
    answers = {}
    with sessions() as db:
        for _ in range(times):
            for label, run in (("before", _home_figures_before), ("now", now)):
                started = time.perf_counter()
                answers[label] = run(db, workspace_id)
                spent[label].append(time.perf_counter() - started)
    assert answers["before"] == answers["now"], answers
    base = statistics.median(spent["before"])
    for label, values in spent.items():
        print(f"home figures, {label:<7} best {min(values) * 1000:6.0f} ms  median "
              f"{statistics.median(values) * 1000:6.0f} ms  "
              f"{statistics.median(values) / base:5.2f} × before", flush=True)
    print(f"same figures: {answers['now'][:5]}")


if __name__ == "__main__":
    main()
