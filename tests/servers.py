"""Real ``kano`` subprocesses for the tests: one way to start, wait for and stop them.

The server tests (test_serving.py, test_warm_up.py) and the browser tests (tests/e2e) all run
``kano serve`` as a deployment would: a free port of 127.0.0.1, settings only from KANO_*
variables (none inherited from the developer's shell), the working directory a temporary
folder so that no stray .env file is read, and the output in a log that a failure prints.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

STARTUP_SECONDS = 90


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def kano_executable() -> str:
    """The ``kano`` script of the interpreter running the tests (the project's venv)."""
    beside_python = Path(sys.executable).parent / "kano"
    found = str(beside_python) if beside_python.exists() else shutil.which("kano")
    if not found:
        pytest.fail("the kano command is not installed (pip install -e .)")
    return found


def kano_env(database_url: str, tmp_path: Path, secret_key: str,
             extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a ``kano`` command runs in: this process's, minus every KANO_*
    setting, plus the database, a warehouse in ``tmp_path`` and the secret key."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("KANO_")}
    env.update({
        "KANO_DATABASE_URL": database_url,
        "KANO_WAREHOUSE_URL": f"duckdb:///{tmp_path / 'warehouse.duckdb'}",
        "KANO_SECRET_KEY": secret_key,
        **(extra or {}),
    })  # fmt: skip
    return env


@contextmanager
def kano_serving(
    arguments: list[str], env: Mapping[str, str], tmp_path: Path, log_name: str = "kano-serve.log"
) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """``kano <arguments>`` running in ``tmp_path``, its output in a log there; stopped
    (terminated, killed after 10 s) on the way out."""
    log = tmp_path / log_name
    with log.open("wb") as output:
        process = subprocess.Popen(
            [kano_executable(), *arguments], cwd=tmp_path, env=dict(env),
            stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        yield process, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until(what: str, check: Callable[[], bool], log: Path, *,
               process: subprocess.Popen[bytes] | None = None,
               seconds: float = STARTUP_SECONDS) -> None:
    """Poll ``check`` until it holds; fail with the log if it does not within ``seconds``
    or if ``process`` exits meanwhile."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            pytest.fail(f"kano exited with {process.returncode}:\n{log.read_text()}")
        if check():
            return
        time.sleep(0.1)
    pytest.fail(f"{what} within {seconds} s:\n{log.read_text()}")


def health(base_url: str) -> dict[str, str] | None:
    """The server's /healthz answer, or None while it does not answer 200."""
    try:
        answer = httpx.get(base_url + "/healthz", timeout=2)
    except httpx.TransportError:
        return None
    return answer.json() if answer.status_code == 200 else None


def healthy(base_url: str) -> bool:
    return health(base_url) is not None
