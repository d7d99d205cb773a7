"""Response intake on PostgreSQL: throughput, latency, acknowledgement delay, crash test.

Run: `.venv/bin/python bench/ingest.py [--seconds 60] [--bulk-seconds 20]` or
`.venv/bin/python bench/ingest.py --crash [--seconds 40]`.

The script creates its own database (``kano_ingest`` on 127.0.0.1:5432, dropped at the
end unless ``--keep``), migrates it, seeds a workspace with the survey
``relationship-nps`` and a write token, starts a local aiosmtpd SMTP server (in a child
process, so it does not share the load client's interpreter lock), then ``kano serve
--workers 2`` and ``kano worker`` as real subprocesses on loopback.

1. Singles: ``--clients`` (32) concurrent keep-alive clients post one response each time
   (own ``Idempotency-Key``, customers drawn from a pool of ``--customers``, ~20 %
   detractors, which open cases) for ``--seconds``; the first ``--warmup`` seconds are not
   counted. Prints accepted/s and p50/p95/p99 latency (request written → response read).
2. Acknowledgement delay: for every response accepted in (1), the arrival of its e-mail
   (Message-ID ``<ack-email-<id>.<signature>@kano>``) at the SMTP server minus the moment
   the client read the 2xx. Prints p50/p99 and how many never arrived.
3. Bulk: batches of 1,000 for ``--bulk-seconds`` with ``--bulk-clients`` clients.
4. ``--crash`` (instead of 1–3): the same load as (1); at 40 % of the run ``kill -9`` the
   whole server process group and the worker, restart both a second later; at 70 % kill
   and restart the worker alone. Clients retry with the same key after a connection error
   or a 5xx, as a real client would, until they get a 2xx. After the load the worker
   drains; then every key that got a 2xx must be stored exactly once (the key is in the
   response's comment) and have exactly one acknowledgement at the SMTP server, counted
   by dedupe key (the Message-ID's ``ack-email-<id>``). Exits 1 on any loss or duplicate; a
   message that went out twice under the same key (the worker killed between the SMTP
   server's 250 and recording the send) is reported, and fails the run with ``--strict``.

The load client is a minimal HTTP/1.1 keep-alive client on asyncio (uvloop when present):
httpx would spend more of the two shared cores than the server it measures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

KANO = [sys.executable, "-m", "kano"]
# <dedupe key.signature@kano> (kano.adapters.messaging.email.message_id): counted by key
MESSAGE_ID = re.compile(rb"Message-ID: <(ack-email-\d+)\.[a-z2-7]+@kano>", re.IGNORECASE)
KEY_IN_COMMENT = re.compile(r"\[key (\S+)\]")
COMMENTS = {
    "en": ["Delivery was late again", "Great service, thank you", "The invoice was wrong"],
    "ru": ["Доставка снова опоздала", "Отличный сервис, спасибо", "Счёт был неверным"],
    "hu": ["A szállítás megint késett", "Remek szolgáltatás, köszönöm", "A számla hibás volt"],
}


# --- the SMTP server (child process) -------------------------------------------------


def _smtp_server(port: int, log_path: str, ready: Any) -> None:
    """Record ``<arrival time> <message id>`` for every message, until terminated."""
    from aiosmtpd.controller import Controller

    log = open(log_path, "a", buffering=1)  # noqa: SIM115 - lives as long as the process

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            arrived = time.time()
            found = MESSAGE_ID.search(envelope.content)
            log.write(f"{arrived:.6f} {found.group(1).decode() if found else '-'}\n")
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:  # until terminated; the log is line-buffered, so nothing is lost
        time.sleep(3600)


def read_mail_log(path: Path) -> dict[str, list[float]]:
    """Message id → arrival times (more than one: the same message delivered again)."""
    arrivals: dict[str, list[float]] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            stamp, _, message_id = line.partition(" ")
            arrivals.setdefault(message_id, []).append(float(stamp))
    return arrivals


# --- database, processes -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def admin(pg: str, sql: str) -> None:
    with psycopg.connect(f"{pg}/test", autocommit=True) as connection:
        connection.execute(sql.encode())


def seed(database_url: str, customers: int) -> str:
    """Workspace ``bench`` with the survey ``relationship-nps``; a write token."""
    from kano.adapters.db import accounts
    from kano.adapters.db.engine import make_engine, make_session_factory, transaction
    from kano.adapters.db.orm import JourneyStage, Survey, Team, Touchpoint
    from kano.domain.workspaces import Scope

    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            workspace = accounts.ensure_workspace(session, "bench", name="Bench")
            token = accounts.create_api_token(session, workspace, Scope.WRITE, "bench").token
            team = Team(workspace_id=workspace.id, key="care", name="Customer care")
            stage = JourneyStage(workspace_id=workspace.id, key="use", name="Use", position=5)
            session.add_all([team, stage])
            session.flush()
            touchpoint = Touchpoint(
                workspace_id=workspace.id, key="relationship", name="Relationship",
                stage_id=stage.id, channel="email", owner_team_id=team.id,
            )
            session.add(touchpoint)
            session.flush()
            session.add(
                Survey(
                    workspace_id=workspace.id, key="relationship-nps",
                    name="Relationship NPS", touchpoint_id=touchpoint.id,
                )
            )
        return token
    finally:
        engine.dispose()


@dataclass
class Services:
    env: dict[str, str]
    port: int
    workers: int
    logs: Path
    access_log: bool = False
    server: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    restarts: int = 0

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        log = open(self.logs / f"{name}-{self.restarts}.log", "wb")  # noqa: SIM115
        # A session of its own: kill -9 reaches the uvicorn supervisor and its children.
        return subprocess.Popen(
            KANO + args, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_server(self) -> None:
        self.server = self._spawn(
            "serve",
            ["serve", "--no-migrate", "--port", str(self.port), "--workers", str(self.workers),
             "--access-log" if self.access_log else "--no-access-log"],
        )
        deadline = time.monotonic() + 120
        log = self.logs / f"serve-{self.restarts}.log"
        while time.monotonic() < deadline:
            # Every server process started, not just the first: a process still building
            # its app takes no connections, so the clients' would all go to the others.
            started = log.read_text(errors="replace").count("Application startup complete")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2):
                    if started >= self.workers:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"kano serve did not answer; see {self.logs}")

    def start_worker(self, wait: bool = False) -> None:
        self.worker = self._spawn("worker", ["worker", "--poll", self.env["BENCH_POLL"]])
        log = self.logs / f"worker-{self.restarts}.log"
        deadline = time.monotonic() + 120
        while wait and time.monotonic() < deadline:
            # Started, and done with its first look at the schedule: the compute job runs
            # at start-up (and fails on an empty warehouse); it is not what is measured.
            if "job compute-bound-metrics" in log.read_text(errors="replace"):
                return
            time.sleep(0.2)

    @staticmethod
    def kill(process: subprocess.Popen[bytes] | None) -> None:
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop(self) -> None:
        for process in (self.server, self.worker):
            if process is not None and process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    self.kill(process)


# --- where the CPU went --------------------------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class CpuSample:
    """CPU seconds so far of each part of the system, and of the whole machine."""

    parts: dict[str, float]
    machine_busy: float
    machine_total: float
    mails: int
    connections: int  # PostgreSQL sessions ever opened on the database


def cpu_sample(services: Services, smtp_pid: int, database_url: str, mail_log: Path) -> CpuSample:
    with psycopg.connect(database_url.replace("+psycopg", "")) as connection:
        backends = {
            pid for (pid,) in connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            )
        }
        (connections,) = connection.execute(
            "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone() or (0,)
    groups = {
        services.server.pid if services.server else -1: "server",
        services.worker.pid if services.worker else -1: "worker",
    }
    parts = dict.fromkeys(("server", "PostgreSQL", "worker", "SMTP", "client"), 0.0)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        pid, group = int(entry.name), int(fields[2])
        seconds = (int(fields[11]) + int(fields[12])) / TICKS
        if group in groups:
            parts[groups[group]] += seconds
        elif pid in backends:
            parts["PostgreSQL"] += seconds
        elif pid == smtp_pid:
            parts["SMTP"] += seconds
        elif pid == os.getpid():
            parts["client"] += seconds
    with open("/proc/stat") as stat:
        ticks = [int(value) for value in stat.readline().split()[1:]]
    idle = ticks[3] + ticks[4]
    mails = sum(len(times) for times in read_mail_log(mail_log).values())
    return CpuSample(
        parts, (sum(ticks) - idle) / TICKS, sum(ticks) / TICKS, mails, int(connections)
    )


def cpu_report(before: CpuSample, after: CpuSample, accepted: int) -> str:
    """CPU per accepted response by part, who else used the machine, what that implies."""
    cores = os.cpu_count() or 1
    wall = (after.machine_total - before.machine_total) / cores
    used = {part: after.parts[part] - before.parts.get(part, 0.0) for part in after.parts}
    ours = sum(used.values())
    others = (after.machine_busy - before.machine_busy) - ours
    mails = max(after.mails - before.mails, 1)
    per_response = {part: 1000 * seconds / max(accepted, 1) for part, seconds in used.items()}
    # The worker and the SMTP server per e-mail they handled (they may lag behind).
    for part in ("worker", "SMTP"):
        per_response[part] = 1000 * used[part] / mails
    total = sum(per_response.values())
    return (
        "CPU per accepted response: "
        + ", ".join(f"{part} {ms:.3f} ms" for part, ms in per_response.items())
        + f" (worker and SMTP per e-mail, {after.mails - before.mails} e-mails); total "
        f"{total:.3f} ms → on {cores} otherwise idle cores ≈ {cores * 1000 / total:,.0f}/s. "
        f"In this window the machine was busy {100 * (ours + others) / (wall * cores):.0f} %, "
        f"other sessions used {others / wall:.2f} of the {cores} cores; "
        f"{after.connections - before.connections} new PostgreSQL connections"
    )


# --- the load client -----------------------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection; raises ConnectionError when it breaks."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.head = (
            f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\n"
        )
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, path: str, key: str, body: bytes) -> tuple[int, bytes]:
        try:
            if self.streams is None:
                self.streams = await asyncio.open_connection("127.0.0.1", self.port)
            reader, writer = self.streams
            writer.write(
                f"POST {path} HTTP/1.1\r\n{self.head}Idempotency-Key: {key}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            status_line = await reader.readline()
            if not status_line:
                raise ConnectionError("closed")
            length, closing = 0, False
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    closing = True
            content = await reader.readexactly(length)
            if closing:
                self.close()
            return int(status_line.split()[1]), content
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
            self.close()
            raise ConnectionError(str(error)) from error

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


@dataclass
class Load:
    """What the clients saw."""

    accepted: dict[str, tuple[int, float]] = field(default_factory=dict)  # key → (id, time)
    latencies: list[float] = field(default_factory=list)  # seconds, counted window only
    counted: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    connection_errors: int = 0
    retries: int = 0
    unanswered: int = 0  # keys given up on (never got a 2xx)
    cpu_before: CpuSample | None = None
    cpu_after: CpuSample | None = None
    stop_at: float = 0.0  # monotonic time the clients stop starting new responses


def single_body(key: str, rng: random.Random, customers: int) -> bytes:
    language = rng.choice(("en", "en", "ru", "hu"))
    number = rng.randrange(customers)
    nps = rng.randint(0, 6) if rng.random() < 0.2 else rng.randint(7, 10)
    return json.dumps(
        {
            "survey": "relationship-nps",
            "channel": "api",
            "customer": {
                "external_id": f"C-{number:06d}",
                "email": f"customer{number}@bench.example",
                "name": f"Customer {number}",
            },
            "answers": {"nps": nps, "comment": f"{rng.choice(COMMENTS[language])} [key {key}]"},
            "language": language,
        },
        separators=(",", ":"),
    ).encode()


async def post_until_accepted(
    connection: Connection, path: str, key: str, body: bytes, load: Load, give_up: float
) -> tuple[int, bytes, float] | None:
    """Post until a 2xx (retrying with the same key); None when given up on."""
    while True:
        started = time.perf_counter()
        try:
            status, content = await connection.post(path, key, body)
        except ConnectionError:
            load.connection_errors += 1
            status, content = 0, b""
        else:
            load.statuses[status] += 1
            if 200 <= status < 300:
                return status, content, time.perf_counter() - started
            if status < 500 and status != 429:
                return None  # a client error: retrying cannot help
        if time.monotonic() > give_up:
            load.unanswered += 1
            return None
        load.retries += 1
        await asyncio.sleep(0.05 if status else 0.2)


async def single_client(
    port: int, token: str, load: Load, seed_: int, customers: int, count_from: float
) -> None:
    """Post responses until ``load.stop_at`` (the crash test moves it on)."""
    rng = random.Random(seed_)
    connection = Connection(port, token)
    while time.monotonic() < load.stop_at:
        key = str(uuid.UUID(int=rng.getrandbits(128)))
        outcome = await post_until_accepted(
            connection, "/api/v1/responses", key,
            single_body(key, rng, customers), load, load.stop_at + 120,
        )
        if outcome is None:
            continue
        _, content, latency = outcome
        load.accepted[key] = (int(json.loads(content)["id"]), time.time())
        if count_from <= time.monotonic() < load.stop_at:
            load.latencies.append(latency)
            load.counted += 1
    connection.close()


async def bulk_client(
    port: int,
    token: str,
    load: Load,
    seed_: int,
    customers: int,
    stop_at: float,
    options: dict[str, bool] | None = None,
) -> None:
    """Batches of 1,000 until ``stop_at``; ``options`` go beside ``"responses"`` (the
    backfill's ``{"acknowledge": false, "open_cases": false}``)."""
    rng = random.Random(seed_)
    options_json = json.dumps(options or {}, separators=(",", ":")).encode()[1:-1]
    options_json = b"," + options_json if options_json else b""
    connection = Connection(port, token)
    while time.monotonic() < stop_at:
        key = str(uuid.UUID(int=rng.getrandbits(128)))
        # The single bodies joined as they are: parsing and dumping them again cost the
        # load client a sixth of the CPU of a bulk run, taken from the server it measures.
        items = b",".join(single_body(f"{key}-{i}", rng, customers) for i in range(1000))
        body = b'{"responses":[' + items + b"]" + options_json + b"}"
        outcome = await post_until_accepted(
            connection, "/api/v1/responses:bulk", key, body, load, stop_at + 60
        )
        if outcome is not None:
            load.latencies.append(outcome[2])
            load.counted += len(json.loads(outcome[1])["ids"])
    connection.close()


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def milliseconds(values: list[float]) -> str:
    return " ".join(
        f"p{int(q * 100)} {percentile(values, q) * 1000:.1f} ms" for q in (0.5, 0.95, 0.99)
    )


# --- phases --------------------------------------------------------------------------


async def crash_and_restart(
    args: argparse.Namespace, services: Services, load: Load, start: float
) -> None:
    """At 40 % of the run kill -9 the server group and the worker, restart both; keep
    the load on for half a run after the server answers again; a quarter of a run after
    the restart kill -9 the worker alone and restart it."""

    def say(what: str) -> None:
        print(f"  t={time.monotonic() - start:.1f} s: {what} ({len(load.accepted)} accepted "
              f"so far)", flush=True)

    await asyncio.sleep(args.seconds * 0.4)
    say("kill -9 the server's process group and the worker")
    # Clients keep going while the server is down: a client whose retry got through before
    # this task saw the server answer would otherwise find the first stop time passed
    # and quit (seen when the restart took longer than the run's remaining 60 %).
    load.stop_at = float("inf")
    services.kill(services.server)
    services.kill(services.worker)
    await asyncio.sleep(1)
    services.restarts += 1
    services.start_worker()
    await asyncio.to_thread(services.start_server)
    restarted = time.monotonic()
    load.stop_at = restarted + args.seconds * 0.5
    say("server answers again, worker restarted; load goes on")
    await asyncio.sleep(args.seconds * 0.25)
    say("kill -9 the worker, restart it")
    services.kill(services.worker)
    services.restarts += 1
    services.start_worker()


def run_singles(args: argparse.Namespace, port: int, token: str, services: Services,
                crash: bool, sample: Any = None) -> Load:
    async def main() -> Load:
        load = Load()
        start = time.monotonic()
        count_from = start + (0 if crash else args.warmup)
        load.stop_at = start + args.seconds
        clients = [
            asyncio.create_task(
                single_client(port, token, load, 1000 + n, args.customers, count_from)
            )
            for n in range(args.clients)
        ]
        if sample is not None:
            await asyncio.sleep(max(0.0, count_from - time.monotonic()))
            load.cpu_before = await asyncio.to_thread(sample)
            load.counted = 0
            load.latencies.clear()
            await asyncio.sleep(max(0.0, load.stop_at - time.monotonic()))
            counted = load.counted
            load.cpu_after = await asyncio.to_thread(sample)
            load.counted = counted
        if crash:
            await crash_and_restart(args, services, load, start)
        await asyncio.gather(*clients)
        return load

    return asyncio.run(main())


def run_bulk(args: argparse.Namespace, port: int, token: str) -> tuple[Load, float]:
    async def main() -> tuple[Load, float]:
        load = Load()
        started = time.monotonic()
        stop_at = started + args.bulk_seconds
        await asyncio.gather(
            *(
                bulk_client(port, token, load, 5000 + n, args.customers, stop_at)
                for n in range(args.bulk_clients)
            )
        )
        return load, time.monotonic() - started

    return asyncio.run(main())


def wait_for_mail(
    mail_log: Path, wanted: set[str], database_url: str, timeout: float
) -> dict[str, list[float]]:
    """Until every wanted message has arrived and nothing is pending, or the timeout."""
    deadline = time.monotonic() + timeout
    while True:
        arrivals = read_mail_log(mail_log)
        missing = wanted - arrivals.keys()
        pending = pending_messages(database_url)
        if (not missing and pending == 0) or time.monotonic() > deadline:
            return arrivals
        time.sleep(0.5)


def pending_messages(database_url: str) -> int:
    with psycopg.connect(database_url.replace("+psycopg", "")) as connection:
        row = connection.execute("SELECT count(*) FROM outbox WHERE status = 'pending'")
        return int(row.fetchone()[0])  # type: ignore[index]


def report_singles(args: argparse.Namespace, load: Load, mail_log: Path, database_url: str) -> None:
    window = args.seconds - args.warmup
    print(f"singles: {args.clients} clients, {args.seconds} s ({args.warmup} s warm-up "
          f"not counted): {load.counted} accepted in {window} s = "
          f"{load.counted / window:,.0f}/s; latency {milliseconds(load.latencies)}; "
          f"statuses {dict(load.statuses)}, connection errors {load.connection_errors}",
          flush=True)
    if load.cpu_before is not None and load.cpu_after is not None:
        print(cpu_report(load.cpu_before, load.cpu_after, load.counted), flush=True)
    wanted = {f"ack-email-{response_id}": at for response_id, at in load.accepted.values()}
    arrivals = wait_for_mail(mail_log, set(wanted), database_url, args.drain_timeout)
    delays = [arrivals[m][0] - at for m, at in wanted.items() if m in arrivals]
    missing = len(wanted) - len(delays)
    print(f"acknowledgement delay (e-mail at SMTP − 2xx at client), {len(delays)} e-mails: "
          f"{milliseconds(delays)}, max {max(delays, default=0):.2f} s; "
          f"missing after {args.drain_timeout:.0f} s: {missing}", flush=True)


def crash_check(
    load: Load, mail_log: Path, database_url: str, timeout: float, strict: bool
) -> bool:
    """Counts of the crash test; True when nothing was lost or duplicated."""
    wanted = {f"ack-email-{response_id}" for response_id, _ in load.accepted.values()}
    arrivals = wait_for_mail(mail_log, wanted, database_url, timeout)
    with psycopg.connect(database_url.replace("+psycopg", "")) as connection:
        rows = connection.execute("SELECT id, comment FROM feedback_responses").fetchall()
    stored: dict[str, list[int]] = {}
    for response_id, comment in rows:
        found = KEY_IN_COMMENT.search(comment or "")
        if found:
            stored.setdefault(found.group(1), []).append(response_id)
    accepted = load.accepted
    lost = [key for key in accepted if key not in stored]
    duplicated = [key for key, ids in stored.items() if len(ids) > 1]
    wrong_id = [key for key, (rid, _) in accepted.items() if key in stored
                and stored[key] != [rid]]
    mailed = [m for m in wanted if m in arrivals]
    redelivered = [m for m in mailed if len(arrivals[m]) > 1]
    strays = [m for m in arrivals if m not in wanted and m != "-"]
    print(
        f"crash test: accepted (2xx) {len(accepted)}; stored {len(stored)} keys in "
        f"{len(rows)} rows (stored without a 2xx reaching the client: "
        f"{len(stored.keys() - accepted.keys())}); lost {len(lost)}; duplicated keys "
        f"{len(duplicated)}; 2xx id ≠ stored id {len(wrong_id)}\n"
        f"  e-mails: {sum(len(a) for a in arrivals.values())} received, "
        f"{len(mailed)} of {len(wanted)} accepted responses acknowledged, missing "
        f"{len(wanted) - len(mailed)}, delivered twice (same Message-ID) {len(redelivered)}, "
        f"for responses the clients never saw accepted {len(strays)}; still pending in the "
        f"outbox {pending_messages(database_url)}\n"
        f"  clients: connection errors {load.connection_errors}, retries {load.retries}, "
        f"statuses {dict(load.statuses)}, given up {load.unanswered}",
        flush=True,
    )
    if redelivered:
        print(f"  {len(redelivered)} e-mail(s) went out twice with one Message-ID (the worker "
              "was killed between the SMTP server's 250 and recording the send): the dedupe "
              "key lets the receiver drop the copy; --strict counts it as a failure", flush=True)
    return not (lost or duplicated or wrong_id or len(mailed) < len(wanted)
                or (strict and redelivered))


# --- main ----------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--bulk-seconds", type=float, default=20)
    parser.add_argument("--bulk-clients", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="kano serve --workers")
    parser.add_argument("--poll", default="0.2", help="kano worker --poll")
    parser.add_argument("--access-log", action="store_true", help="kano serve --access-log")
    parser.add_argument("--drain-timeout", type=float, default=180)
    parser.add_argument("--crash", action="store_true")
    parser.add_argument(
        "--strict", action="store_true",
        help="crash test: also fail when one e-mail went out twice with the same Message-ID",
    )
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="kano_ingest")
    parser.add_argument("--keep", action="store_true", help="keep the database and logs")
    args = parser.parse_args()
    if args.seconds <= 0:
        parser.error("--seconds must be positive")
    if not args.crash and args.warmup >= args.seconds:
        # Nothing would be counted (and accepted/s would divide by zero): keep a warm-up
        # of at most a fifth of the run.
        warmup = args.seconds / 5
        print(f"--warmup {args.warmup:g} s leaves nothing of a {args.seconds:g} s run to "
              f"count; using {warmup:g} s", flush=True)
        args.warmup = warmup
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()

    database_url = f"{args.pg.replace('postgresql://', 'postgresql+psycopg://')}/{args.database}"
    logs = Path(tempfile.mkdtemp(prefix="kano-ingest-"))
    mail_log = logs / "mail.log"
    smtp_port, http_port = free_port(), free_port()
    admin(args.pg, f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
    admin(args.pg, f"CREATE DATABASE {args.database}")
    env = {
        **os.environ,
        "KANO_DATABASE_URL": database_url,
        "KANO_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "KANO_SECRET_KEY": "bench-secret-key-0123456789abcdef",
        "KANO_WAREHOUSE_URL": f"duckdb:///{logs / 'warehouse.duckdb'}",
        "KANO_WARM_UP": "false",  # intake servers: no analysis pages to warm up
        "BENCH_POLL": args.poll,
    }
    ready = multiprocessing.Event()
    smtp = multiprocessing.Process(
        target=_smtp_server, args=(smtp_port, str(mail_log), ready), daemon=True
    )
    smtp.start()
    ready.wait(30)
    services = Services(
        env=env, port=http_port, workers=args.workers, logs=logs, access_log=args.access_log
    )
    ok = True
    try:
        subprocess.run([*KANO, "db", "upgrade"], env=env, check=True, capture_output=True)
        token = seed(database_url, args.customers)
        services.start_server()
        services.start_worker(wait=True)
        with open("/proc/loadavg") as loadavg:
            print(f"load average before: {' '.join(loadavg.read().split()[:3])}; "
                  f"{os.cpu_count()} cores; logs in {logs}", flush=True)
        if args.crash:
            load = run_singles(args, http_port, token, services, crash=True)
            ok = crash_check(load, mail_log, database_url, args.drain_timeout, args.strict)
        else:
            def sample() -> CpuSample:
                return cpu_sample(services, smtp.pid or -1, database_url, mail_log)

            load = run_singles(args, http_port, token, services, crash=False, sample=sample)
            report_singles(args, load, mail_log, database_url)
            bulk, seconds = run_bulk(args, http_port, token)
            print(f"bulk: {args.bulk_clients} clients × batches of 1,000 for {seconds:.1f} s: "
                  f"{bulk.counted:,} accepted = {bulk.counted / seconds:,.0f}/s; per batch "
                  f"{milliseconds(bulk.latencies)}; statuses {dict(bulk.statuses)}", flush=True)
        with open("/proc/loadavg") as loadavg:
            print(f"load average after: {' '.join(loadavg.read().split()[:3])}", flush=True)
    finally:
        services.stop()
        smtp.terminate()
        smtp.join(10)
        if not args.keep:
            admin(args.pg, f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
    print("OK" if ok else "FAILED: a response was lost or duplicated", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
