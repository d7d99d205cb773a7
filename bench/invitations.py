"""E-mail invitations at volume: how long `kano feedback invite` takes to decide and queue.

Run: `.venv/bin/python bench/invitations.py [--contacts 20000]
[--url postgresql+psycopg://postgres@127.0.0.1:5432/test | --url sqlite]`.

In a database of its own (created, migrated with `alembic upgrade head`, dropped after),
with ``--contacts`` customers of whom every 10th opted out, it times in-process:

1. inviting every customer (the consent and fatigue checks, one invitation row and one
   outbox e-mail per contact, the commit);
2. the same invitation again (every contact skipped by the fatigue rule);
3. queueing the reminders once the first e-mails are marked sent and four days passed,
   and a second look that must queue none.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from sqlalchemy import func, select, update
from sqlalchemy.engine import make_url

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.invitations import InvitationPolicy, invite, queue_due_reminders
from kano.adapters.db.migrate import upgrade
from kano.adapters.db.orm import Customer, InvitationRow, OutboxMessageRow, Survey
from kano.adapters.db.survey_store import save_survey
from kano.adapters.web.survey_links import invitation_links
from kano.bootstrap import build_container
from kano.config import Settings
from kano.domain.feedback.surveys import checked_definition

DEFINITION = {"questions": [{"key": "nps", "type": "nps", "required": True,
                             "text": {"en": "How likely are you to recommend us?"}}]}


def _database(url: str) -> tuple[str, str | None]:
    if url == "sqlite":
        return f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}", None
    name = f"kano_bench_invite_{uuid.uuid4().hex[:8]}"
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    database_url, created = _database(args.url)
    try:
        upgrade(database_url)
        container = build_container(Settings(database_url=database_url,
                                             secret_key="bench-secret-0123456789"))
        with transaction(container.sessions) as session:
            workspace = accounts.ensure_workspace(session, "bench", name="Bench")
            workspace_id = workspace.id
            session.add(Survey(workspace_id=workspace_id, key="nps", name="NPS"))
            session.flush()
            save_survey(session, workspace_id, "nps", name="NPS", touchpoint=None,
                        definition=checked_definition(DEFINITION), actor="bench", user_id=None)
            session.add_all([Customer(workspace_id=workspace_id, external_id=f"C{i}",
                                      kind="person", name=f"Customer {i}",
                                      email=f"c{i}@example.com", consent_contact=i % 10 != 0)
                             for i in range(args.contacts)])
        links = invitation_links("bench-secret-0123456789", "https://feedback.example")
        policy = InvitationPolicy()
        timings = {}
        for label in ("first", "again"):
            started = time.perf_counter()
            with transaction(container.sessions) as session:
                report = invite(session, workspace_id, "nps", links(workspace_id, "nps"), policy)
            timings[label] = (time.perf_counter() - started, len(report.invited),
                              len(report.skipped))
        with transaction(container.sessions) as session:
            session.execute(update(OutboxMessageRow).values(status="sent"))
            for row in session.scalars(select(InvitationRow)):
                row.invited_at = row.invited_at.replace(year=row.invited_at.year - 1)
        reminders = []
        for _ in range(2):
            started = time.perf_counter()
            total = 0
            while True:
                with transaction(container.sessions) as session:
                    queued = queue_due_reminders(session, links, policy)
                total += queued
                if not queued:
                    break
            reminders.append((time.perf_counter() - started, total))
        with container.sessions() as session:
            outbox = session.scalar(select(func.count()).select_from(OutboxMessageRow))
        container.close()
        engine = "SQLite" if args.url == "sqlite" else "PostgreSQL"
        first, again = timings["first"], timings["again"]
        print(f"{engine}, {args.contacts:,} contacts")
        print(f"invite all:   {first[0]:.2f} s, {first[1]:,} invited, {first[2]:,} skipped "
              f"({first[1] / first[0]:,.0f} invitations/s)")
        print(f"invite again: {again[0]:.2f} s, {again[1]:,} invited, {again[2]:,} skipped "
              "(fatigue)")
        print(f"reminders:    {reminders[0][0]:.2f} s, {reminders[0][1]:,} queued; "
              f"second look {reminders[1][0]:.2f} s, {reminders[1][1]:,} queued")
        print(f"outbox rows:  {outbox:,}")
    finally:
        _drop(args.url, created)


if __name__ == "__main__":
    main()
