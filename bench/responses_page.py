"""The Responses page at volume: one page, its query count, and the CSV export.

Run: `.venv/bin/python bench/responses_page.py [--responses 100000]
[--url postgresql+psycopg://postgres@127.0.0.1:5432/test | --url sqlite]`.

In a database of its own (created, migrated with `alembic upgrade head`, dropped after),
with ``--responses`` responses over two years (2,000 customers, 4 touchpoints, 3
surveys), an acknowledgement e-mail for every second one and a case for every 20th, plus
as many responses in another workspace, it times in-process (best of 3) the read side of
``/responses``: the first page, a deep "Older" page, filtered pages, the filter choices
and one response; then the full CSV export (at most 100,000 rows). Each line says how
many SQL statements it ran.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import event, insert, select
from sqlalchemy.engine import make_url

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.migrate import upgrade
from kano.adapters.db.orm import (
    CaseRow,
    Customer,
    FeedbackResponse,
    JourneyStage,
    OutboxMessageRow,
    Survey,
    Touchpoint,
)
from kano.adapters.db.views.responses import (
    ResponseFilters,
    channels_of,
    export_lines,
    response_detail,
    response_page,
    surveys_of,
    touchpoints_of,
)
from kano.adapters.exports.response_table import response_csv_chunks
from kano.bootstrap import build_container
from kano.config import Settings

START = datetime(2024, 1, 1)
CHANNELS = ("link", "widget", "email", "api", "call")


def _database(url: str) -> tuple[str, str | None]:
    """A fresh database (as bench/invitations.py makes one) and its name to drop."""
    if url == "sqlite":
        return f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}", None
    name = f"kano_bench_responses_{uuid.uuid4().hex[:8]}"
    admin = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    return make_url(url).set(database=name).render_as_string(hide_password=False), name


def _drop(url: str, name: str | None) -> None:
    if name is None:
        return
    admin = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def _seed(session: Any, workspace_id: int, count: int, rng: random.Random) -> None:
    stage = JourneyStage(workspace_id=workspace_id, key="buy", name="Buy", position=1)
    session.add(stage)
    session.flush()
    touchpoints = [Touchpoint(workspace_id=workspace_id, key=f"tp{i}", name=f"Touchpoint {i}",
                              stage_id=stage.id, channel="web") for i in range(4)]
    surveys = [Survey(workspace_id=workspace_id, key=f"s{i}", name=f"Survey {i}")
               for i in range(3)]
    session.add_all(touchpoints + surveys)
    session.execute(insert(Customer), [
        {"workspace_id": workspace_id, "external_id": f"C{i}", "kind": "person",
         "name": f"Customer {i}"} for i in range(2000)])
    session.flush()
    customer_ids = list(session.scalars(select(Customer.id).where(
        Customer.workspace_id == workspace_id)))
    rows = []
    for i in range(count):
        nps = rng.randint(0, 10)
        rows.append({
            "workspace_id": workspace_id, "customer_id": rng.choice(customer_ids),
            "survey_id": surveys[i % 3].id, "touchpoint_id": touchpoints[i % 4].id,
            "channel": CHANNELS[i % 5],
            "submitted_at": START + timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60)),
            "nps": nps, "comment": f"comment {i}" if i % 3 == 0 else None, "language": "en",
        })
    for first in range(0, count, 10_000):
        session.execute(insert(FeedbackResponse), rows[first:first + 10_000])
    ids = list(session.scalars(select(FeedbackResponse.id).where(
        FeedbackResponse.workspace_id == workspace_id)))
    session.execute(insert(OutboxMessageRow), [
        {"workspace_id": workspace_id, "kind": "email", "purpose": "acknowledgement",
         "dedupe_key": f"ack-{workspace_id}-{rid}", "recipient": "c@example.com",
         "payload": {}, "response_id": rid, "status": "sent", "attempts": 1}
        for rid in ids[::2]])
    now = datetime(2026, 1, 1)
    session.execute(insert(CaseRow), [
        {"workspace_id": workspace_id, "response_id": rid, "rule": "detractor",
         "title": "Detractor", "first_response_due_at": now, "resolution_due_at": now,
         "opened_at": now} for rid in ids[::20]])


def _timed(label: str, statements: list[int], run: Callable[[], Any], repeat: int = 3) -> Any:
    best = float("inf")
    result = None
    for _ in range(repeat):
        statements[0] = 0
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    print(f"{label:<34} {best * 1000:8.1f} ms  {statements[0]} statements")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    database_url, created = _database(args.url)
    try:
        upgrade(database_url)
        container = build_container(Settings(database_url=database_url,
                                             secret_key="bench-secret-0123456789"))
        rng = random.Random(7)
        started = time.perf_counter()
        with transaction(container.sessions) as session:
            workspace_id = accounts.ensure_workspace(session, "bench", name="Bench").id
            other_id = accounts.ensure_workspace(session, "other", name="Other").id
            _seed(session, workspace_id, args.responses, rng)
            _seed(session, other_id, args.responses, rng)
        if database_url.startswith("postgresql"):
            with container.engine.connect() as connection:
                connection.exec_driver_sql("ANALYZE")
        print(f"{'SQLite' if args.url == 'sqlite' else 'PostgreSQL'}, {args.responses:,} "
              f"responses a workspace, two workspaces (seeded in "
              f"{time.perf_counter() - started:.0f} s)")
        statements = [0]
        event.listen(container.engine, "before_cursor_execute",
                     lambda *_: statements.__setitem__(0, statements[0] + 1))
        with container.sessions() as session:
            first = _timed("first page (50)", statements,
                           lambda: response_page(session, workspace_id, ResponseFilters()))
            deep = first
            for _ in range(20):  # 20 pages down: the cursor of the 1,000th response
                assert deep.older is not None
                deep = response_page(session, workspace_id, ResponseFilters(), deep.older)
            _timed("page 21 (Older × 20)", statements,
                   lambda: response_page(session, workspace_id, ResponseFilters(),
                                         deep.older))
            for label, filters in (
                ("unhappy + comment", ResponseFilters(score="unhappy", commented=True)),
                ("survey + channel + period", ResponseFilters(
                    survey="s1", channel="link", date_from=datetime(2025, 1, 1).date(),
                    date_to=datetime(2025, 3, 31).date())),
                ("customer 'Customer 17'", ResponseFilters(customer="Customer 17")),
            ):
                _timed(label, statements,
                       lambda f=filters: response_page(session, workspace_id, f))  # type: ignore[misc]
            _timed("filter choices", statements, lambda: (
                surveys_of(session, workspace_id), touchpoints_of(session, workspace_id),
                channels_of(session, workspace_id)))
            _timed("one response", statements,
                   lambda: response_detail(session, workspace_id, first.lines[0].id))
            size = _timed("CSV export (all)", statements, lambda: sum(len(chunk) for chunk in (
                response_csv_chunks(export_lines(session, workspace_id, ResponseFilters())))),
                repeat=1)
            print(f"CSV size: {size / 1e6:.1f} MB")
        container.close()
    finally:
        _drop(args.url, created)


if __name__ == "__main__":
    main()
