"""File import and the set-based bulk path on PostgreSQL (issue 6: ≥ 50,000 responses/s).

Run: `.venv/bin/python bench/ingest_import.py [--rows 100000] [--customers 20000]
[--per-row 5000] [--url postgresql+psycopg://postgres@127.0.0.1:5432/test]`.

In a database of its own (created, migrated with `alembic upgrade head`, dropped after),
with a workspace holding the survey and ``--customers`` existing customers, it writes a
CSV of ``--rows`` responses from those customers (response id, customer id, e-mail,
timestamp, language, NPS, CSAT as text, comment) and times:

1. `kano feedback import`'s work in-process: read the CSV and check its rows (a column at
   a time), look up the rows' import keys and store the responses (each with its key)
   through the set-based path, a batch at a time; commit. Besides the wall time it prints
   the CPU seconds of this process and of its PostgreSQL backend, and what they imply on
   an otherwise idle machine (the machine here is shared: wall times swing with the other
   sessions' load);
2. the same import again (every row skipped: the re-import cost);
3. storing the first ``--per-row`` submissions one by one with ``accept_response`` (the
   old path of ``POST /responses:bulk``) against the set-based ``accept_responses``, both
   in one transaction and without acknowledgements, into fresh workspaces: the ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import platform
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from kano.adapters.db import accounts
from kano.adapters.db.engine import make_engine, make_session_factory, transaction
from kano.adapters.db.feedback_bulk import accept_responses
from kano.adapters.db.feedback_intake import accept_response
from kano.adapters.db.migrate import upgrade
from kano.adapters.db.orm import Customer, FeedbackResponse, Survey
from kano.adapters.importers.feedback_file import ImportOptions, import_file, load_mapping
from kano.adapters.importers.feedback_file.readers import read_table
from kano.adapters.importers.feedback_file.rows import parse_rows, plan_for

MAPPING = """\
survey: relationship-nps
columns:
  response_id: Response ID
  customer_external_id: Customer
  customer_email: Email
  submitted_at: Submitted
  language: Language
date_formats: ["%Y-%m-%d %H:%M:%S"]
questions:
  nps: How likely are you to recommend us?
  csat: How satisfied are you?
  comment: Anything else?
"""
SATISFACTION = ["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"]


def admin(url: str, sql: str) -> None:
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(sql.encode())  # a composed statement, not a literal


def seed(url: str, slug: str, customers: int) -> int:
    sessions = make_session_factory(make_engine(url))
    with transaction(sessions) as session:
        workspace = accounts.ensure_workspace(session, slug)
        session.add(Survey(workspace_id=workspace.id, key="relationship-nps", name="NPS"))
        session.execute(
            insert(Customer),
            [
                {
                    "workspace_id": workspace.id,
                    "external_id": f"C{i:06d}",
                    "kind": "person",
                    "name": f"Customer {i}",
                    "email": f"customer{i}@example.com",
                    "consent_contact": True,
                }
                for i in range(customers)
            ],
        )
        return workspace.id


def write_csv(path: Path, rows: int, customers: int) -> None:
    start = datetime(2026, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Response ID", "Customer", "Email", "Submitted", "Language",
                         "How likely are you to recommend us?", "How satisfied are you?",
                         "Anything else?"])  # fmt: skip
        for i in range(rows):
            c = (i * 7919) % customers
            writer.writerow([
                f"R{i:07d}", f"C{c:06d}", f"customer{c}@example.com",
                (start + timedelta(seconds=17 * i)).strftime("%Y-%m-%d %H:%M:%S"),
                ("en", "hu", "ru")[i % 3], i % 11, SATISFACTION[i % 5],
                f"comment number {i}" if i % 3 == 0 else "",
            ])  # fmt: skip


def backend_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) a PostgreSQL backend on this machine has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backends_cpu_seconds(session: Session) -> dict[int, float]:
    """CPU seconds of every backend connected to the bench database (the import's own and
    the read-only one it looks rows up on while a ``COPY`` runs)."""
    pids = session.scalars(
        select(text("pid")).select_from(text("pg_stat_activity"))
        .where(text("datname = current_database()"))
    )
    found = {}
    for pid in pids:
        with contextlib.suppress(FileNotFoundError):  # gone since
            found[pid] = backend_cpu_seconds(pid)
    return found


def timed_import(
    url: str, workspace_id: int, path: Path, mapping_path: Path
) -> tuple[float, float, float, int]:
    """Wall seconds, this process's CPU seconds, the server backends' CPU seconds, rows
    imported. The machine is shared: CPU seconds say what the import costs whatever the
    load, wall seconds what it took this time."""
    sessions = make_session_factory(make_engine(url))
    with sessions() as session:
        session.execute(select(1))  # a pooled connection, so the backend is the same below
    started, cpu = time.perf_counter(), time.process_time()
    loaded = load_mapping(mapping_path)
    table = read_table(path, loaded.mapping)
    with transaction(sessions) as session:
        server = backends_cpu_seconds(session)
        report = import_file(session, workspace_id, table, loaded, ImportOptions())
        assert report.ok, report.errors[:5]
        session.flush()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    with sessions() as session:
        after = backends_cpu_seconds(session)
    used = sum(seconds - server.get(pid, 0.0) for pid, seconds in after.items())
    return wall, cpu, used, report.imported


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--per-row", type=int, default=5_000)
    parser.add_argument(
        "--url",
        default=os.environ.get(
            "KANO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
        help="Any database on the server (a bench database is created next to it).",
    )
    args = parser.parse_args()
    name = f"kano_import_bench_{os.getpid()}"
    url = make_url(args.url).set(database=name).render_as_string(hide_password=False)
    admin(args.url, f'CREATE DATABASE "{name}"')
    try:
        upgrade(url)
        with tempfile.TemporaryDirectory() as folder:
            run(url, Path(folder), args)
    finally:
        admin(args.url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(url: str, folder: Path, args: argparse.Namespace) -> None:
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, load average {os.getloadavg()}")  # fmt: skip
    workspace_id = seed(url, "bench", args.customers)
    export, mapping = folder / "export.csv", folder / "map.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    write_csv(export, args.rows, args.customers)

    seconds, cpu, server, imported = timed_import(url, workspace_id, export, mapping)
    print(f"import {args.rows:,} rows ({args.customers:,} existing customers): "
          f"{seconds:.2f} s, {imported / seconds:,.0f} rows/s; CPU: client {cpu:.2f} s, "
          f"PostgreSQL backends {server:.2f} s; on an idle machine ≈ "
          f"{imported / max(cpu, server):,.0f} rows/s (client and server each on a core "
          f"of its own, fully overlapped) and at least {imported / (cpu + server):,.0f} "
          f"rows/s (one after the other), load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    seconds, cpu, server, imported = timed_import(url, workspace_id, export, mapping)
    assert imported == 0
    print(f"re-import (all skipped): {seconds:.2f} s, {args.rows / seconds:,.0f} rows/s; "
          f"CPU: client {cpu:.2f} s, PostgreSQL backends {server:.2f} s")  # fmt: skip

    loaded = load_mapping(mapping)
    table = read_table(export, loaded.mapping)
    parsed, errors, _ = parse_rows(table, plan_for(table, loaded))
    assert not errors
    submissions = [row.submission for row in parsed[: args.per_row]]
    sessions = make_session_factory(make_engine(url))
    one, two = seed(url, "per-row", args.customers), seed(url, "set-based", args.customers)
    started = time.perf_counter()
    with transaction(sessions) as session:
        for submission in submissions:
            accept_response(session, one, submission, email_enabled=False, open_cases=False)
    per_row = time.perf_counter() - started
    started = time.perf_counter()
    with transaction(sessions) as session:
        accept_responses(
            session, two, submissions, email_enabled=False, acknowledge=False, open_cases=False
        )
    set_based = time.perf_counter() - started
    n = len(submissions)
    print(f"store {n:,} submissions: one by one {per_row:.2f} s ({n / per_row:,.0f}/s), "
          f"set-based {set_based:.3f} s ({n / set_based:,.0f}/s): "
          f"{per_row / set_based:.1f}× faster")  # fmt: skip
    with sessions() as session:
        stored = session.scalar(select(func.count()).select_from(FeedbackResponse))
    print(f"responses stored in the bench database: {stored:,}; load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
