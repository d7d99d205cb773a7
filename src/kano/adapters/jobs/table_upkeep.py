"""Planner statistics and dead rows of Kano's tables when PostgreSQL's autovacuum is off.

Why Kano does what autovacuum does: the intake's queries are planned from the tables'
statistics, and a server with ``autovacuum = off`` (this project's test machines have it
off) never gathers any. PostgreSQL then takes ``workspace_id = …`` for a selective
condition (without statistics it assumes 0.5 % of the rows), so each batch of responses
read every customer, idempotency key and outbox row of the workspace through the
workspace index; prepared statements keep such a plan, since only ``ANALYZE``
invalidates it. The outbox, a queue table updated twice per message, also piles up dead
rows no one removes. Measured with ``bench/ingest.py`` (2 cores, 32 clients): PostgreSQL
CPU per accepted response 0.85 ms without statistics, 0.47 ms with ``VACUUM ANALYZE``
every few seconds.

So ``kano worker`` runs this job every few seconds. With autovacuum on (PostgreSQL's
default) it does nothing: the server looks after its tables. Otherwise it applies
autovacuum's own default thresholds (analyze after 50 + 10 % of the rows changed, vacuum
after 50 + 20 % of them died) to the tables of Kano's schema and runs ``VACUUM (ANALYZE)``
or ``ANALYZE`` on the ones due. Both take a lock that lets reads and writes go on. SQLite
needs neither (its planner does not rely on gathered statistics).

On PostgreSQL it also deletes the public rate limits' past windows (``rate_limit_hits``,
``kano.adapters.web.rate_limit``), whether autovacuum is on or off.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import text

from kano.adapters.web.rate_limit import forget_past_windows
from kano.bootstrap import Container

UPKEEP_JOB = "table-upkeep"

# PostgreSQL's defaults for autovacuum_{analyze,vacuum}_{threshold,scale_factor}.
ANALYZE_THRESHOLD, ANALYZE_SCALE = 50, 0.1
VACUUM_THRESHOLD, VACUUM_SCALE = 50, 0.2


@dataclass(frozen=True)
class TableActivity:
    """What ``pg_stat_user_tables`` says about one table."""

    name: str
    rows: float  # live rows (n_live_tup): autovacuum's reltuples is not kept without it
    changed_since_analyze: int
    dead_rows: int


def upkeep_due(tables: Iterable[TableActivity]) -> list[tuple[str, str]]:
    """The (table, command) pairs due by autovacuum's default thresholds, by name."""
    due = []
    for table in sorted(tables, key=lambda t: t.name):
        vacuum = table.dead_rows > VACUUM_THRESHOLD + VACUUM_SCALE * table.rows
        analyze = table.changed_since_analyze > ANALYZE_THRESHOLD + ANALYZE_SCALE * table.rows
        if vacuum:
            due.append((table.name, "VACUUM (ANALYZE)" if analyze else "VACUUM"))
        elif analyze:
            due.append((table.name, "ANALYZE"))
    return due


def keep_tables_planned(container: Container) -> str:
    """The job: vacuum and analyze what is due, unless the server does it itself."""
    engine = container.engine
    if engine.dialect.name != "postgresql":
        return "nothing to do on SQLite"
    forget_past_windows(engine)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if connection.execute(text("SELECT current_setting('autovacuum')")).scalar() == "on":
            return "autovacuum is on: PostgreSQL keeps the tables"
        activity = [
            TableActivity(row.relname, float(row.n_live_tup), row.n_mod_since_analyze,
                          row.n_dead_tup)
            for row in connection.execute(
                text(
                    "SELECT relname, n_live_tup, n_mod_since_analyze, n_dead_tup"
                    " FROM pg_stat_user_tables WHERE schemaname = current_schema()"
                )
            )
        ]
        due = upkeep_due(activity)
        for table, command in due:
            quoted = connection.dialect.identifier_preparer.quote(table)
            connection.execute(text(f"{command} {quoted}"))
    if not due:
        return "autovacuum is off; no table due"
    return "autovacuum is off; " + ", ".join(f"{command} {table}" for table, command in due)
