"""End-to-end fixtures: a real ``kano serve`` subprocess and Debian's Chromium via Playwright.

The server runs on a free port of 127.0.0.1 against a fresh, migrated SQLite database that
the test seeds first; it reads its settings from KANO_* variables like any deployment.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from kano.adapters.db.engine import make_engine, make_session_factory
from tests.databases import DatabaseFactory
from tests.e2e.showcase import Showcase, seed_showcase
from tests.servers import free_port, healthy, kano_env, kano_serving, wait_until

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update",
]
STARTUP_SECONDS = 60


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


@pytest.fixture
def kano_server_env() -> dict[str, str]:
    """More KANO_* settings for the server (a test overrides this, e.g. with SMTP)."""
    return {}


def server_env(seeded_database: SeededDatabase, tmp_path: Path,
               extra: dict[str, str]) -> dict[str, str]:
    """The environment ``kano serve`` (or another ``kano`` command of the test) runs in."""
    return kano_env(seeded_database.url, tmp_path, "browser-test-secret-key-0123456789", {
        "KANO_DEMO_DATA_DIR": str(tmp_path / "demo-data"),
        # each test starts its own server: importing the analysis libraries in every one
        # costs the suite CPU for nothing (test_warm_up.py tests the warm-up itself)
        "KANO_WARM_UP": "false",
        **extra,
    })  # fmt: skip


@pytest.fixture
def kano_server(seeded_database: SeededDatabase, tmp_path: Path,
                kano_server_env: dict[str, str]) -> Iterator[RunningServer]:
    port = free_port()
    env = server_env(seeded_database, tmp_path, kano_server_env)
    base_url = f"http://127.0.0.1:{port}"
    arguments = ["serve", "--host", "127.0.0.1", "--port", str(port)]
    with kano_serving(arguments, env, tmp_path) as (process, log):
        wait_until("an answer on /healthz", lambda: healthy(base_url), log, process=process,
                   seconds=STARTUP_SECONDS)
        yield RunningServer(base_url, log)


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
