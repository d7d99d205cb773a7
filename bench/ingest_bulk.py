"""``POST /api/v1/responses:bulk`` alone, with where the CPU went (issue 6: ≥ 50,000/s).

Run: `.venv/bin/python bench/ingest_bulk.py [--seconds 20] [--clients 2] [--no-worker]
[--backfill] [--sentiment-rule]`.

The same set-up as ``bench/ingest.py`` (its own database, ``kano serve --workers 2``, a
local SMTP server, ``kano worker``; the clients, bodies and services are that script's),
but only the bulk phase, measured like its singles phase: the CPU seconds of the server,
PostgreSQL's backends, the worker, the SMTP server and the load client are read from
``/proc`` at both ends of the run. Each accepted response queues its acknowledgement
e-mail in the outbox in the same transaction; the worker delivering them competes for
the same two cores, so ``--no-worker`` measures the intake alone (the e-mails stay queued
and are counted). After the run the responses and outbox messages stored are counted
against what the clients saw accepted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).parent))
import ingest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2, help="kano serve --workers")
    parser.add_argument("--no-worker", action="store_true", help="leave acknowledgements queued")
    parser.add_argument(
        "--backfill",
        action="store_true",
        help='send {"acknowledge": false, "open_cases": false}: old responses stored without '
        "acknowledgements or cases, as `kano feedback import` stores them",
    )
    parser.add_argument(
        "--sentiment-rule",
        action="store_true",
        help="give the workspace a trained sentiment model and a case rule of kind sentiment "
        "beside the default score rules: every comment of every batch is then scored",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=15,
        help="seconds to wait after the server answers: `--workers 2` builds the app in "
        "each process (~5 s of CPU each), which would count as the intake's CPU",
    )
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="kano_ingest_bulk")
    args = parser.parse_args()
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()
    database_url = f"{args.pg.replace('postgresql://', 'postgresql+psycopg://')}/{args.database}"
    logs = Path(tempfile.mkdtemp(prefix="kano-bulk-"))
    mail_log = logs / "mail.log"
    smtp_port, http_port = ingest.free_port(), ingest.free_port()
    ingest.admin(args.pg, f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
    ingest.admin(args.pg, f"CREATE DATABASE {args.database}")
    env = {
        **os.environ,
        "KANO_DATABASE_URL": database_url,
        "KANO_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "KANO_SECRET_KEY": "bench-secret-key-0123456789abcdef",
        "KANO_WAREHOUSE_URL": f"duckdb:///{logs / 'warehouse.duckdb'}",
        "KANO_WARM_UP": "false",  # intake servers: no analysis pages to warm up
        "BENCH_POLL": "0.2",
    }
    ready = multiprocessing.Event()
    smtp = multiprocessing.Process(
        target=ingest._smtp_server, args=(smtp_port, str(mail_log), ready), daemon=True
    )
    smtp.start()
    ready.wait(30)
    services = ingest.Services(env=env, port=http_port, workers=args.workers, logs=logs)
    try:
        import subprocess

        subprocess.run([*ingest.KANO, "db", "upgrade"], env=env, check=True, capture_output=True)
        token = ingest.seed(database_url, args.customers)
        if args.sentiment_rule:
            add_sentiment_rule(database_url)
        services.start_server()
        if not args.no_worker:
            services.start_worker(wait=True)
        time.sleep(args.settle)
        warm_up(http_port, token)
        print(f"sentiment rule: {'on' if args.sentiment_rule else 'off'}; load average "
              f"before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
              f"{os.cpu_count()} cores; worker {'off' if args.no_worker else 'on'}; "
              f"logs in {logs}", flush=True)  # fmt: skip

        def sample() -> ingest.CpuSample:
            return ingest.cpu_sample(services, smtp.pid or -1, database_url, mail_log)

        async def run() -> tuple[ingest.Load, float, ingest.CpuSample, ingest.CpuSample]:
            load = ingest.Load()
            before = await asyncio.to_thread(sample)
            started = time.monotonic()
            stop_at = started + args.seconds
            await asyncio.gather(
                *(
                    ingest.bulk_client(
                        http_port,
                        token,
                        load,
                        5000 + n,
                        args.customers,
                        stop_at,
                        {"acknowledge": False, "open_cases": False} if args.backfill else None,
                    )
                    for n in range(args.clients)
                )
            )
            seconds = time.monotonic() - started
            return load, seconds, before, await asyncio.to_thread(sample)

        load, seconds, before, after = asyncio.run(run())
        print(f"bulk: {args.clients} clients × batches of 1,000 for {seconds:.1f} s: "
              f"{load.counted:,} accepted = {load.counted / seconds:,.0f}/s; per batch "
              f"{ingest.milliseconds(load.latencies)}; statuses {dict(load.statuses)}",
              flush=True)  # fmt: skip
        print(ingest.cpu_report(before, after, load.counted), flush=True)
        with psycopg.connect(database_url.replace("+psycopg", "")) as connection:
            stored = connection.execute("SELECT count(*) FROM feedback_responses").fetchone()
            queued = connection.execute(
                "SELECT count(*) FROM outbox WHERE purpose = 'acknowledgement'"
            ).fetchone()
            cases = connection.execute(
                "SELECT rule, count(*) FROM cases GROUP BY rule ORDER BY rule"
            ).fetchall()
        print(f"cases opened by rule: {dict(cases)}", flush=True)
        print(f"stored: {stored[0] if stored else 0:,} responses, "
              f"{queued[0] if queued else 0:,} acknowledgements in the outbox "
              f"(clients saw {load.counted:,} accepted); load average after: "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)  # fmt: skip
    finally:
        services.stop()
        smtp.terminate()
        smtp.join(10)
        ingest.admin(args.pg, f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
    return 0


def add_sentiment_rule(database_url: str) -> None:
    """A sentiment model trained on comments like the clients' (complaints labelled by an
    NPS of 2, praise by 10, as the workspace's own scored comments would teach it), and a
    sentiment rule ahead of the default score rules."""
    import numpy as np
    from sqlalchemy import select

    from kano.adapters.db.case_rules import replace_policy
    from kano.adapters.db.engine import make_engine, make_session_factory, transaction
    from kano.adapters.db.orm import Workspace
    from kano.adapters.db.sentiment_models import save_model
    from kano.analytics.text.sentiment import labels_from_scores
    from kano.analytics.text.stored import train_storable
    from kano.domain.feedback.cases import DEFAULT_RULES, CaseRule

    texts, scores = [], []
    for comments in ingest.COMMENTS.values():
        for n in range(200):
            for comment, nps in zip(comments, (2, 10, 2), strict=True):
                texts.append(f"{comment} [key {n}]")
                scores.append(nps)
    none = [None] * len(scores)
    model = train_storable(texts, np.asarray(labels_from_scores(scores, none, none, none)))
    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            workspace_id = session.scalar(select(Workspace.id).where(Workspace.slug == "bench"))
            assert workspace_id is not None
            save_model(session, workspace_id, model)
            rule = CaseRule("negative", kind="sentiment", threshold_probability=0.8, priority=1)
            replace_policy(session, workspace_id, [rule, *DEFAULT_RULES], [])
    finally:
        engine.dispose()


def warm_up(port: int, token: str, connections: int = 16) -> None:
    """One refused bulk request on each of ``connections`` new connections, so that every
    server process (the kernel spreads connections over them) has answered once before
    the measured window: FastAPI builds an included router's routes on its first request
    (~0.6 s of CPU a process), which a long-running server pays once."""
    import http.client

    for _ in range(connections):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request(
            "POST", "/api/v1/responses:bulk", body=b'{"responses": []}',
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )  # fmt: skip
        connection.getresponse().read()
        connection.close()


if __name__ == "__main__":
    sys.exit(main())
