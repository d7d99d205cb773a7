"""The worker's table upkeep: with PostgreSQL's autovacuum off (as on this project's
machines) Kano's growing tables get statistics, so the intake's per-batch look-ups use
their indexes instead of reading the whole workspace."""

from __future__ import annotations

import time

from sqlalchemy import insert, text

from kano.adapters.db import accounts
from kano.adapters.db.orm import Customer, utcnow
from kano.adapters.jobs.table_upkeep import TableActivity, keep_tables_planned, upkeep_due
from kano.adapters.jobs.worker import default_jobs
from kano.bootstrap import Container


def test_thresholds_are_autovacuums_defaults() -> None:
    due = upkeep_due(
        [
            TableActivity("outbox", rows=10_000, changed_since_analyze=900, dead_rows=2_100),
            TableActivity("customers", rows=0, changed_since_analyze=5_000, dead_rows=0),
            TableActivity("cases", rows=1_000, changed_since_analyze=150, dead_rows=0),
            TableActivity("surveys", rows=20, changed_since_analyze=49, dead_rows=49),
            TableActivity("responses", rows=1_000, changed_since_analyze=151, dead_rows=251),
        ]
    )
    assert due == [
        ("customers", "ANALYZE"),  # never analyzed: every row counts as changed
        ("outbox", "VACUUM"),  # 2,100 dead > 50 + 20 % of 10,000; 900 changed ≤ 1,050
        ("responses", "VACUUM (ANALYZE)"),
    ]


def _customers(container: Container, count: int) -> int:
    """``count`` customers in a new workspace; its id."""
    with container.sessions.begin() as session:
        workspace = accounts.ensure_workspace(session, "upkeep", name="Upkeep")
        workspace_id = workspace.id
        session.execute(
            insert(Customer),
            [
                {"workspace_id": workspace.id, "external_id": f"C-{i}", "kind": "person",
                 "name": f"Customer {i}", "consent_contact": True, "created_at": utcnow()}
                for i in range(count)
            ],
        )
    return workspace_id


def test_growing_tables_get_statistics_when_autovacuum_is_off(container: Container) -> None:
    assert "table-upkeep" in {job.name for job in default_jobs(container)}
    if container.engine.dialect.name != "postgresql":
        _customers(container, 10)
        assert keep_tables_planned(container) == "nothing to do on SQLite"
        return
    with container.engine.connect() as connection:
        autovacuum = connection.execute(text("SELECT current_setting('autovacuum')")).scalar()
    workspace_id = _customers(container, 2_000)
    if autovacuum == "on":
        assert keep_tables_planned(container) == "autovacuum is on: PostgreSQL keeps the tables"
        return
    # The inserting backend reports its counts to the statistics views within a second.
    deadline = time.monotonic() + 10
    report = keep_tables_planned(container)
    while "ANALYZE customers" not in report and time.monotonic() < deadline:
        time.sleep(0.2)
        report = keep_tables_planned(container)
    assert "ANALYZE customers" in report
    with container.engine.connect() as connection:
        plan = connection.execute(
            text("EXPLAIN SELECT id FROM customers WHERE workspace_id = :w"), {"w": workspace_id}
        ).scalars().first()
        analyzed = connection.execute(
            text("SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables"
                 " WHERE relname = 'customers' AND schemaname = current_schema()")
        ).scalar()
    assert analyzed
    # The planner now knows the workspace holds every row (without statistics: 10 of 2,000).
    assert plan is not None
    assert int(plan.split("rows=")[1].split()[0]) >= 1_000, plan
    # Nothing is due straight after.
    assert keep_tables_planned(container) == "autovacuum is off; no table due"
