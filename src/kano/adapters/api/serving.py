"""``kano serve --workers N``: N server processes, each with its own listening socket.

Why not uvicorn's ``--workers``: its processes share one listening socket, and which one
accepts a connection is a race. In bench/ingest.py (32 keep-alive clients, 2 processes)
one process usually held ~25 connections and the other ~7. The fast intake path
(:mod:`kano.adapters.api.fast_intake`) writes what a process has in hand as one batch,
and a batch costs about the same whatever its size, so the process with few connections
paid about four times the CPU per response.

Here each process binds its own socket to the address with ``SO_REUSEPORT``, and Linux
spreads incoming connections over the listening sockets by a hash of the connection's
addresses, so each process gets about its share. A process only starts listening once
its app is built (uvicorn listens after start-up), so a process that is restarting gets
no connections until it can answer them.

The supervisor (this module, in the ``kano serve`` process) builds no app itself. It:

- holds the port with a bound, not listening, socket of its own (a bound socket never
  takes a connection): ``--port 0`` picks one free port for all processes, and a port
  that is taken fails at once, before any process is started;
- restarts a process that died (after a second if it died within a second of starting,
  so a broken configuration does not spin);
- on SIGTERM or SIGINT asks every process to stop (SIGTERM: uvicorn finishes the requests
  in hand) and waits up to ``STOP_SECONDS`` before killing what is left.

Each process asks the kernel for SIGTERM when the supervisor dies (``PR_SET_PDEATHSIG``),
so a ``kill -9`` of the supervisor alone does not leave orphans serving the port.

``--workers 1`` does not come here: it is uvicorn in the ``kano serve`` process itself.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any, Final

log = logging.getLogger("kano.serve")

APP: Final = "kano.app:create_app"
STOP_SECONDS: Final = 30.0
"""How long stopping processes may take to finish their requests before SIGKILL."""
QUICK_DEATH_SECONDS: Final = 1.0
"""A process that dies sooner than this after starting is restarted only after as long."""
_PR_SET_PDEATHSIG: Final = 1


@dataclass(frozen=True)
class ServeOptions:
    host: str
    port: int
    access_log: bool = True
    app: str = APP
    log_level: str = "info"


def run_server(options: ServeOptions, workers: int) -> None:
    """Serve ``options.app`` on one process (this one) or ``workers`` supervised ones."""
    if workers <= 1:
        _run_uvicorn(options)
        return
    Supervisor(options, workers).run()


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to (host, port) with SO_REUSEPORT, not yet listening."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    sock.set_inheritable(False)
    return sock


def _die_with_parent() -> None:
    """Ask Linux for SIGTERM when the supervisor goes (also by kill -9); elsewhere a no-op."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
        return


def _serve_one(options: ServeOptions, parent: int) -> None:
    """One server process: its own SO_REUSEPORT socket, uvicorn on it."""
    _die_with_parent()
    if os.getppid() != parent:  # the supervisor died before prctl took effect
        return
    sock = reuse_port_socket(options.host, options.port)
    _run_uvicorn(options, [sock])


def _run_uvicorn(options: ServeOptions, sockets: list[socket.socket] | None = None) -> None:
    """uvicorn serving the app; once it listens, the analysis pages warm up in the
    background unless ``KANO_WARM_UP`` is off (:mod:`kano.adapters.web.warm_up`)."""
    import uvicorn

    from kano.config import get_settings

    server = uvicorn.Server(_uvicorn_config(options))
    settings = get_settings()
    if settings.warm_up and options.app == APP:
        from kano.adapters.web.warm_up import warm_up_when_started

        warm_up_when_started(lambda: server.started, settings)
    server.run(sockets=sockets)


def _uvicorn_config(options: ServeOptions) -> Any:
    """The one uvicorn configuration, for a single process and for each worker."""
    import uvicorn

    return uvicorn.Config(
        options.app,
        factory=True,
        host=options.host,
        port=options.port,
        proxy_headers=True,
        log_level=options.log_level,
        access_log=options.access_log,
    )


class Supervisor:
    def __init__(self, options: ServeOptions, workers: int) -> None:
        self.options = options
        self.workers = workers
        self._context = multiprocessing.get_context("spawn")
        self._processes: dict[int, tuple[BaseProcess, float]] = {}  # slot → (process, start)
        self._stopping = False

    def _start(self, slot: int) -> None:
        process = self._context.Process(
            target=_serve_one,
            args=(self.options, os.getpid()),
            name=f"kano-serve-{slot}",
        )
        process.start()
        self._processes[slot] = (process, time.monotonic())
        log.info("server process %s started (pid %s)", slot, process.pid)

    def _stop(self, signum: int, _frame: FrameType | None) -> None:
        if not self._stopping:
            log.info("stopping %s server processes (%s)", self.workers, signal.strsignal(signum))
        self._stopping = True

    def run(self) -> None:
        if not logging.getLogger().handlers:  # uvicorn configures logging in each process
            logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
        holder = reuse_port_socket(self.options.host, self.options.port)
        port = int(holder.getsockname()[1])
        if port != self.options.port:  # --port 0: one free port for every process
            self.options = ServeOptions(**{**self.options.__dict__, "port": port})
        previous = {
            signum: signal.signal(signum, self._stop) for signum in (signal.SIGTERM, signal.SIGINT)
        }
        log.info(
            "serving on http://%s:%s with %s processes (SO_REUSEPORT)",
            self.options.host,
            port,
            self.workers,
        )
        try:
            for slot in range(self.workers):
                self._start(slot)
            self._watch()
        finally:
            self._stop_all()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            holder.close()

    def _watch(self) -> None:
        restart_at: dict[int, float] = {}
        while not self._stopping:
            sentinels: list[Any] = [
                p.sentinel for slot, (p, _) in self._processes.items() if slot not in restart_at
            ]
            wait(sentinels, timeout=0.2)  # at most 0.2 s: a signal sets _stopping
            now = time.monotonic()
            for slot, (process, started) in list(self._processes.items()):
                if process.is_alive() or self._stopping or slot in restart_at:
                    continue
                quick = now - started < QUICK_DEATH_SECONDS
                log.warning(
                    "server process %s (pid %s) exited with %s; restarting",
                    slot,
                    process.pid,
                    process.exitcode,
                )
                restart_at[slot] = now + (QUICK_DEATH_SECONDS if quick else 0.0)
            for slot, when in list(restart_at.items()):
                if when <= now and not self._stopping:
                    del restart_at[slot]
                    self._start(slot)

    def _stop_all(self) -> None:
        processes = [p for p, _ in self._processes.values()]
        for process in processes:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                log.warning("server process pid %s did not stop; killing it", process.pid)
                process.kill()
                process.join(5)
