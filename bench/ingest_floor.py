"""How far the bulk intake is from the least work its contract needs (issue 6: ≥ 50,000/s).

Run: `.venv/bin/python bench/ingest_floor.py [--batches 20] [--rounds 3]`.

Why: ``bench/ingest_bulk.py`` measures the whole service (HTTP, two server processes, the
load client, PostgreSQL, all on the same two cores) at about 0.08 ms of CPU a response,
where 50,000/s on two cores leaves 0.040 ms for everything. This script asks what the
*floor* is: in one process, against one PostgreSQL database (Kano's schema, every index
and trigger), it alternates two ways of storing the same batches of 1,000 responses
(``bench/ingest.py``'s bodies, 20 % detractors, customers from a pool of 20,000 that all
exist):

- **kano** — the bulk route's work without HTTP: orjson, the body check, the idempotency
  key and fingerprint, ``accept_columns`` (customers by external id and e-mail, the
  responses, their acknowledgement e-mails in the outbox, the cases of the rules and their
  events, foreign keys locked once per batch), the commit;
- **floor** — the least that still meets the contract, with nothing checked: orjson, one
  query for the customers' ids, ids from the sequences, ``COPY`` of the responses, one
  outbox row each (subject and body formatted by an f-string), a case row for each
  detractor, foreign-key triggers switched off for the transaction (unsafe; a floor only),
  the commit. No idempotency key, no e-mail look-up, no rules, no audit.

It prints the CPU a response of this process (Python) and of its PostgreSQL backend for
each, and their ratio. The floor plus the load client's ~0.005 ms (``ingest_bulk.py``)
bounds what any implementation on this design could reach on two cores.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import orjson
import psycopg

sys.path.insert(0, str(Path(__file__).parent))
import ingest

PG = "postgresql://postgres@127.0.0.1:5432"
CUSTOMERS = 20_000
BATCH = 1_000
CLIENT_MS = 0.005  # the load client's CPU a response in bench/ingest_bulk.py runs


def bodies(rng: random.Random, count: int) -> list[tuple[str, bytes]]:
    made = []
    for _ in range(count):
        key = f"{rng.getrandbits(64):016x}"
        items = b",".join(ingest.single_body(f"{key}-{i}", rng, CUSTOMERS) for i in range(BATCH))
        made.append((key, b'{"responses":[' + items + b"]}"))
    return made


class Kano:
    """The bulk route's work (routers/responses.py) on a SQLAlchemy session."""

    def __init__(self, database_url: str) -> None:
        from pydantic import TypeAdapter
        from sqlalchemy import text

        from kano.adapters.api.schemas.feedback_bulk import BulkResponsesBody
        from kano.adapters.db.engine import make_engine, make_session_factory

        self.engine = make_engine(database_url)
        self.session = make_session_factory(self.engine)()
        self.adapter = TypeAdapter(BulkResponsesBody)
        self.workspace_id = self.session.execute(
            text("SELECT id FROM workspaces WHERE slug = 'bench'")
        ).scalar_one()
        self.backend = self.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        self.session.commit()

    def store(self, key: str, raw: bytes) -> None:
        from kano.adapters import json_codec
        from kano.adapters.api.idempotency import run_once
        from kano.adapters.api.routers.responses import _checked_columns
        from kano.adapters.db import feedback_bulk
        from kano.adapters.db.survey_store import definitions_of

        session, workspace_id = self.session, self.workspace_id
        given = self.adapter.validate_python(json_codec.loads(raw))

        def accept_all() -> tuple[int, object]:
            definitions = definitions_of(session, workspace_id, given.survey)
            batch, answers = _checked_columns(given, definitions)
            ids = feedback_bulk.accept_columns(
                session, workspace_id, batch, email_enabled=True, answers=answers
            ).ids
            return 201, {"accepted": len(ids), "ids": ids}

        run_once(session, workspace_id, key, given.dumped(), accept_all)

    def close(self) -> None:
        self.session.close()
        self.engine.dispose()


class Floor:
    """The least work: see the module docstring."""

    def __init__(self, dsn: str) -> None:
        self.connection = psycopg.connect(dsn)
        cursor = self.connection.cursor()
        cursor.execute("SELECT id FROM workspaces WHERE slug = 'bench'")
        self.workspace_id = cursor.fetchone()[0]
        cursor.execute(
            "SELECT id, touchpoint_id FROM surveys WHERE workspace_id = %s", (self.workspace_id,)
        )
        self.survey_id, self.touchpoint_id = cursor.fetchone()
        cursor.execute("SELECT pg_backend_pid()")
        self.backend = cursor.fetchone()[0]
        self.connection.commit()

    def store(self, key: str, raw: bytes) -> None:
        items = orjson.loads(raw)["responses"]
        cursor = self.connection.cursor()
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "SELECT c.external_id, c.id FROM customers c JOIN json_array_elements_text(%s::json)"
            " w ON c.external_id = w.value WHERE c.workspace_id = %s",
            (
                orjson.dumps(list({i["customer"]["external_id"] for i in items})).decode(),
                self.workspace_id,
            ),
        )
        customer_of = dict(cursor.fetchall())
        cursor.execute(
            "SELECT nextval('feedback_responses_id_seq') FROM generate_series(1, %s)",
            (len(items),),
        )
        ids = [row[0] for row in cursor.fetchall()]
        now = datetime.utcnow()
        workspace_id, survey_id, touchpoint_id = (
            self.workspace_id,
            self.survey_id,
            self.touchpoint_id,
        )
        customers = [customer_of[i["customer"]["external_id"]] for i in items]
        with cursor.copy(
            "COPY feedback_responses (id, workspace_id, survey_id, customer_id, touchpoint_id,"
            " channel, submitted_at, nps, comment, language, created_at) FROM STDIN"
        ) as copy:
            for response_id, item, customer_id in zip(ids, items, customers, strict=True):
                answers = item["answers"]
                copy.write_row(
                    (
                        response_id,
                        workspace_id,
                        survey_id,
                        customer_id,
                        touchpoint_id,
                        item["channel"],
                        now,
                        answers["nps"],
                        answers["comment"],
                        item["language"],
                        now,
                    )
                )
        with cursor.copy(
            "COPY outbox (workspace_id, purpose, response_id, status, attempts,"
            " next_attempt_at, created_at, kind, dedupe_key, recipient, payload) FROM STDIN"
        ) as copy:
            for response_id, item in zip(ids, items, strict=True):
                customer = item["customer"]
                payload = orjson.dumps(
                    {
                        "subject": f"We received your feedback (R-{response_id})",
                        "body": f"Dear {customer['name']},\n\nthank you: we received your answer"
                        f" R-{response_id}. Here is what happens next.",
                        "language": item["language"],
                    }
                ).decode()
                copy.write_row(
                    (
                        workspace_id,
                        "acknowledgement",
                        response_id,
                        "pending",
                        0,
                        now,
                        now,
                        "email",
                        f"ack-email-{response_id}",
                        customer["email"],
                        payload,
                    )
                )
        due = now + timedelta(hours=8)
        with cursor.copy(
            "COPY cases (workspace_id, response_id, customer_id, touchpoint_id, rule, title,"
            " priority, status, opened_at, first_response_due_at, resolution_due_at,"
            " escalation_level) FROM STDIN"
        ) as copy:
            for response_id, item, customer_id in zip(ids, items, customers, strict=True):
                if item["answers"]["nps"] <= 6:
                    copy.write_row(
                        (
                            workspace_id,
                            response_id,
                            customer_id,
                            touchpoint_id,
                            "detractor",
                            "Detractor",
                            2,
                            "new",
                            now,
                            due,
                            due,
                            0,
                        )
                    )
        self.connection.commit()

    def close(self) -> None:
        self.connection.close()


def backend_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    store: Callable[[str, bytes], None], backend: int, batches: list[tuple[str, bytes]]
) -> tuple[float, float]:
    """Python and backend CPU ms a response."""
    python0, backend0 = time.process_time(), backend_seconds(backend)
    for key, raw in batches:
        store(key, raw)
    python1, backend1 = time.process_time(), backend_seconds(backend)
    count = BATCH * len(batches)
    return 1000 * (python1 - python0) / count, 1000 * (backend1 - backend0) / count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=20, help="batches of 1,000 a round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", default="kano_ingest_floor")
    args = parser.parse_args()
    dsn = f"{PG}/{args.database}"
    url = dsn.replace("postgresql://", "postgresql+psycopg://")
    ingest.admin(PG, f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
    ingest.admin(PG, f"CREATE DATABASE {args.database}")
    env = {**os.environ, "KANO_DATABASE_URL": url, "KANO_SECRET_KEY": "bench-" * 6}
    subprocess.run([*ingest.KANO, "db", "upgrade"], env=env, check=True, capture_output=True)
    ingest.seed(url, CUSTOMERS)
    with psycopg.connect(dsn, autocommit=True) as connection:  # every customer exists
        connection.execute(
            "INSERT INTO customers (workspace_id, external_id, kind, name, email,"
            " consent_contact, created_at) SELECT w.id, format('C-%%s', lpad(n::text, 6, '0')),"
            " 'person', format('Customer %%s', n), format('customer%%s@bench.example', n), true,"
            " now() FROM workspaces w, generate_series(0, %s) n WHERE w.slug = 'bench'",
            (CUSTOMERS - 1,),
        )
    rng = random.Random(6)
    kano, floor = Kano(url), Floor(dsn)
    try:
        for key, raw in bodies(rng, 5):  # warm: caches, prepared statements
            kano.store(key, raw)
        print(
            f"load average before: {os.getloadavg()[0]:.2f}; {args.rounds} rounds × "
            f"{args.batches} batches of {BATCH:,} each way, alternated"
        )
        results: dict[str, list[tuple[float, float]]] = {"kano": [], "floor": []}
        for _ in range(args.rounds):
            for name, way in (("kano", kano), ("floor", floor)):
                results[name].append(measure(way.store, way.backend, bodies(rng, args.batches)))
        print(
            f"{'':6} {'Python ms':>10} {'PostgreSQL ms':>14} {'total + client':>15}"
            f" {'≈ on 2 cores':>13}"
        )
        totals = {}
        for name, runs in results.items():
            python = sorted(p for p, _ in runs)[len(runs) // 2]
            backend = sorted(b for _, b in runs)[len(runs) // 2]
            totals[name] = python + backend + CLIENT_MS
            print(
                f"{name:6} {python:10.4f} {backend:14.4f} {totals[name]:15.4f} "
                f"{2 / totals[name] * 1000:12,.0f}/s"
            )
        print(
            f"kano / floor (CPU a response, medians of the rounds): "
            f"{totals['kano'] / totals['floor']:.2f}×; 50,000/s on 2 cores needs ≤ 0.040 ms"
        )
    finally:
        kano.close()
        floor.close()
        ingest.admin(PG, f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
