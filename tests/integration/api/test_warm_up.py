"""``kano serve`` warms the analysis pages up once it listens (KANO_WARM_UP, default on).

A real ``kano serve`` subprocess on a fresh, migrated SQLite database. That the libraries
are really in the server process is read from its memory map (Linux): DuckDB's and
SciPy's shared objects are mapped once they are imported, and not before.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.databases import DatabaseFactory
from tests.integration.api.test_serving import STARTUP_SECONDS, free_port, kano_executable

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

HEAVY_LIBRARIES = ("_duckdb", "scipy/")  # paths in /proc/PID/maps once imported


def _health(base_url: str) -> dict[str, str] | None:
    try:
        answer = httpx.get(base_url + "/healthz", timeout=2)
    except httpx.TransportError:
        return None
    return answer.json() if answer.status_code == 200 else None


def _mapped(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


@contextmanager
def _serve(database_url: str, tmp_path: Path, warm_up: str) -> Iterator[tuple[int, str, Path]]:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("KANO_")}
    env.update({
        "KANO_DATABASE_URL": database_url,
        "KANO_WAREHOUSE_URL": f"duckdb:///{tmp_path / 'warehouse.duckdb'}",
        "KANO_SECRET_KEY": "warm-up-test-secret-key-0123456789",
        "KANO_WARM_UP": warm_up,
    })  # fmt: skip
    log = tmp_path / "kano-serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [kano_executable(), "serve", "--no-migrate", "--host", "127.0.0.1",
             "--port", str(port)],
            cwd=tmp_path, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        yield process.pid, f"http://127.0.0.1:{port}", log
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(what: str, check: object, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if callable(check) and check():
            return
        time.sleep(0.1)
    pytest.fail(f"{what} within {STARTUP_SECONDS} s:\n{log.read_text()}")


@pytest.fixture
def database_url(database_factory: DatabaseFactory) -> Iterator[str]:
    url = database_factory.fresh("sqlite")
    yield url
    database_factory.drop(url)


def test_the_server_imports_the_analysis_libraries_once_it_listens(
    database_url: str, tmp_path: Path
) -> None:
    with _serve(database_url, tmp_path, "true") as (pid, base_url, log):
        _wait_for("the server answering", lambda: _health(base_url) is not None, log)
        _wait_for("the warm-up done",
                  lambda: (_health(base_url) or {}).get("warm_up") == "done", log)  # fmt: skip
        maps = _mapped(pid)
        assert all(library in maps for library in HEAVY_LIBRARIES), log.read_text()
        assert "analysis pages warmed up in" in log.read_text()


def test_warm_up_off_leaves_the_libraries_to_the_first_page(
    database_url: str, tmp_path: Path
) -> None:
    with _serve(database_url, tmp_path, "false") as (pid, base_url, log):
        _wait_for("the server answering", lambda: _health(base_url) is not None, log)
        time.sleep(3)  # what a warm-up would have done by now, with time to spare
        assert (_health(base_url) or {}).get("warm_up") == "off"
        maps = _mapped(pid)
        assert not any(library in maps for library in HEAVY_LIBRARIES)
