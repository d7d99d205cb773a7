"""``kano serve --workers 2`` (issue 6, performance): two server processes with a
SO_REUSEPORT socket each, under a supervisor that restarts a dead one and stops both.

A real ``kano serve`` subprocess on a fresh, migrated SQLite database; which process holds
which connection is read from /proc (Linux).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.databases import DatabaseFactory
from tests.servers import STARTUP_SECONDS, free_port, healthy, kano_env, kano_serving, wait_until

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def children(self) -> set[int]:
        return children_of(self.process.pid)

    def wait_for(self, condition: str, check: Callable[[], bool],
                 seconds: float = STARTUP_SECONDS) -> None:
        wait_until(condition, check, self.log, seconds=seconds)


def children_of(parent: int) -> set[int]:
    """Live child processes of ``parent`` (from /proc/<pid>/stat; zombies left out)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == parent and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def server_side_connections(pid: int, port: int, state: str = "01") -> int:
    """How many TCP sockets on ``port`` in ``state`` (01 established, 0A listening)
    process ``pid`` holds."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    held = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rpartition(":")[2], 16)
            if local_port == port and fields[3] == state and fields[9] in inodes:
                held += 1
    return held


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def served(database_factory: DatabaseFactory, tmp_path: Path) -> Iterator[Served]:
    url = database_factory.fresh("sqlite")
    port = free_port()
    env = kano_env(url, tmp_path, "serving-test-secret-key-0123456789")
    arguments = ["serve", "--no-migrate", "--no-access-log", "--workers", "2",
                 "--host", "127.0.0.1", "--port", str(port)]
    try:
        with kano_serving(arguments, env, tmp_path) as (process, log):
            running = Served(process, port, log)
            try:
                running.wait_for("two server processes listening",
                                 lambda: both_listening(running))
                yield running
            finally:
                children = children_of(process.pid)
        for child in children:
            with contextlib.suppress(ProcessLookupError):  # a worker the supervisor left
                os.kill(child, signal.SIGKILL)
    finally:
        database_factory.drop(url)


def open_connections(port: int, count: int) -> list[socket.socket]:
    """``count`` keep-alive connections, each having had one request answered.

    Blocking sockets, not asyncio: earlier tests in the same session (Playwright's sync
    API) leave an event loop running in this thread, where ``asyncio.run`` refuses."""
    connections = []
    for _ in range(count):
        connection = socket.create_connection(("127.0.0.1", port), timeout=60)
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        with connection.makefile("rb") as reader:  # closed, so close() ends the socket
            status = reader.readline()
            assert status.startswith(b"HTTP/1.1 200"), status
            while reader.readline() not in (b"\r\n", b""):
                pass
        connections.append(connection)
    return connections


def python_children(served: Served) -> set[int]:
    """The server processes (spawn also starts a resource tracker in some versions)."""
    servers = set()
    for pid in served.children():
        try:
            command = Path(f"/proc/{pid}/cmdline").read_text()
        except OSError:  # gone meanwhile
            continue
        if "multiprocessing.resource_tracker" not in command:
            servers.add(pid)
    return servers


def both_listening(served: Served) -> bool:
    """Two server processes, each listening (a process listens once its app is built)."""
    servers = python_children(served)
    return (
        len(servers) == 2
        and all(server_side_connections(pid, served.port, "0A") == 1 for pid in servers)
        and healthy(served.base_url)
    )


def test_two_processes_share_the_connections_and_a_killed_one_is_restarted(
    served: Served,
) -> None:
    servers = python_children(served)
    assert len(servers) == 2

    connections = open_connections(served.port, 32)
    try:
        held = {pid: server_side_connections(pid, served.port) for pid in servers}
    finally:
        for connection in connections:
            connection.close()
    assert sum(held.values()) == 32, held
    # Linux hashes connections over the two sockets: both get some (all 32 on one
    # process by chance: 2 in 2**31).
    assert min(held.values()) >= 1, held

    victim = min(servers)
    os.kill(victim, signal.SIGKILL)
    served.wait_for(
        "a new server process in place of the killed one",
        lambda: victim not in python_children(served) and both_listening(served),
    )
    assert served.process.poll() is None, "the supervisor keeps running"

    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=60) == 0
    remaining = python_children(served) & (servers | children_of(served.process.pid))
    assert not remaining
    assert not healthy(served.base_url)


def test_server_processes_stop_when_the_supervisor_is_killed(served: Served) -> None:
    servers = python_children(served)
    served.process.kill()
    served.process.wait()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(running(pid) for pid in servers):
        time.sleep(0.1)
    assert not [pid for pid in servers if running(pid)], "orphaned server processes still run"
    assert not healthy(served.base_url)
