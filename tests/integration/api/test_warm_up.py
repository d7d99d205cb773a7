"""``kano serve`` warms the analysis pages up once it listens (KANO_WARM_UP, default on).

A real ``kano serve`` subprocess on a fresh, migrated SQLite database. That the libraries
are really in the server process is read from its memory map (Linux): DuckDB's and
SciPy's shared objects are mapped once they are imported, and not before.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.databases import DatabaseFactory
from tests.servers import free_port, health, kano_env, kano_serving, wait_until

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

HEAVY_LIBRARIES = ("_duckdb", "scipy/")  # paths in /proc/PID/maps once imported


def _mapped(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


@contextmanager
def _serve(database_url: str, tmp_path: Path, warm_up: str) -> Iterator[tuple[int, str, Path]]:
    port = free_port()
    env = kano_env(database_url, tmp_path, "warm-up-test-secret-key-0123456789",
                   {"KANO_WARM_UP": warm_up})
    arguments = ["serve", "--no-migrate", "--host", "127.0.0.1", "--port", str(port)]
    with kano_serving(arguments, env, tmp_path) as (process, log):
        yield process.pid, f"http://127.0.0.1:{port}", log


@pytest.fixture
def database_url(database_factory: DatabaseFactory) -> Iterator[str]:
    url = database_factory.fresh("sqlite")
    yield url
    database_factory.drop(url)


def test_the_server_imports_the_analysis_libraries_once_it_listens(
    database_url: str, tmp_path: Path
) -> None:
    with _serve(database_url, tmp_path, "true") as (pid, base_url, log):
        wait_until("the server answering", lambda: health(base_url) is not None, log)
        wait_until("the warm-up done",
                   lambda: (health(base_url) or {}).get("warm_up") == "done", log)  # fmt: skip
        maps = _mapped(pid)
        assert all(library in maps for library in HEAVY_LIBRARIES), log.read_text()
        assert "analysis pages warmed up in" in log.read_text()


def test_warm_up_off_leaves_the_libraries_to_the_first_page(
    database_url: str, tmp_path: Path
) -> None:
    with _serve(database_url, tmp_path, "false") as (pid, base_url, log):
        wait_until("the server answering", lambda: health(base_url) is not None, log)
        time.sleep(3)  # what a warm-up would have done by now, with time to spare
        assert (health(base_url) or {}).get("warm_up") == "off"
        maps = _mapped(pid)
        assert not any(library in maps for library in HEAVY_LIBRARIES)
