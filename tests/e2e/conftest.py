"""End-to-end fixtures: a real ``kano serve`` subprocess and Debian's Chromium via Playwright.

The server runs on a free port of 127.0.0.1 against a fresh, migrated SQLite database that
the test seeds first; it reads its settings from KANO_* variables like any deployment.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from kano.adapters.db.engine import make_engine, make_session_factory
from tests.databases import DatabaseFactory
from tests.e2e.showcase import Showcase, seed_showcase

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update",
]
STARTUP_SECONDS = 60


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


@dataclass
class RunningServer:
    base_url: str
    log: Path

    def url(self, path: str) -> str:
        return self.base_url + path


@dataclass
class SeededDatabase:
    url: str
    showcase: Showcase


@pytest.fixture
def seeded_database(database_factory: DatabaseFactory) -> Iterator[SeededDatabase]:
    url = database_factory.fresh("sqlite")
    engine = make_engine(url)
    try:
        showcase = seed_showcase(make_session_factory(engine))
    finally:
        engine.dispose()
    yield SeededDatabase(url, showcase)
    database_factory.drop(url)


def _wait_until_healthy(process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"kano serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(base_url + "/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"no answer on /healthz within {STARTUP_SECONDS} s:\n{log.read_text()}")


@pytest.fixture
def kano_server_env() -> dict[str, str]:
    """More KANO_* settings for the server (a test overrides this, e.g. with SMTP)."""
    return {}


def server_env(seeded_database: SeededDatabase, tmp_path: Path,
               extra: dict[str, str]) -> dict[str, str]:
    """The environment ``kano serve`` (or another ``kano`` command of the test) runs in."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("KANO_")}
    env.update({
        "KANO_DATABASE_URL": seeded_database.url,
        "KANO_WAREHOUSE_URL": f"duckdb:///{tmp_path / 'warehouse.duckdb'}",
        "KANO_SECRET_KEY": "browser-test-secret-key-0123456789",
        "KANO_DEMO_DATA_DIR": str(tmp_path / "demo-data"),
        # each test starts its own server: importing the analysis libraries in every one
        # costs the suite CPU for nothing (test_warm_up.py tests the warm-up itself)
        "KANO_WARM_UP": "false",
        **extra,
    })
    return env


@pytest.fixture
def kano_server(seeded_database: SeededDatabase, tmp_path: Path,
                kano_server_env: dict[str, str]) -> Iterator[RunningServer]:
    port = free_port()
    env = server_env(seeded_database, tmp_path, kano_server_env)
    log = tmp_path / "kano-serve.log"
    base_url = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        # cwd is the temporary folder, so no stray .env file is read.
        process = subprocess.Popen(
            [kano_executable(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp_path, env=env, stdout=output, stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(process, base_url, log)
        yield RunningServer(base_url, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's Chromium is missing at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class WatchedPage:
    """A browser tab, and the console errors and uncaught exceptions it produced.

    A Content-Security-Policy violation is reported as a console error, so a test can
    assert that the page ran within the policy.
    """

    page: Page
    problems: list[str] = field(default_factory=list)

    def note_console(self, kind: str, text: str) -> None:
        if kind == "error":
            self.problems.append(text)


@pytest.fixture
def watched_page(chromium: Browser) -> Iterator[WatchedPage]:
    context = chromium.new_context(viewport={"width": 1360, "height": 860}, locale="en-GB")
    watched = WatchedPage(context.new_page())
    watched.page.on("console", lambda message: watched.note_console(message.type, message.text))
    watched.page.on("pageerror", lambda error: watched.problems.append(str(error)))
    yield watched
    context.close()
