"""The Themes page in a real browser: reached from the menu, regrouped by segment, the
ranking with example comments, switched to Russian, the CSV downloaded -- with no CSP
violation or script error. Computed on read while nothing is stored; after ``kano text
analyze`` (another process, the server running) it reads the stored analysis."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import RunningServer, SeededDatabase, WatchedPage, server_env
from tests.e2e.test_journey_map import demo_loaded
from tests.servers import kano_executable

__all__ = ["demo_loaded"]
pytestmark = pytest.mark.browser


def test_themes_page_from_the_menu_to_the_csv(
    demo_loaded: None,
    kano_server: RunningServer,
    seeded_database: SeededDatabase,
    watched_page: WatchedPage,
    tmp_path: Path,
) -> None:
    page = watched_page.page
    page.goto(kano_server.url("/?lang=en"))
    page.get_by_label("E-mail address").fill(seeded_database.showcase.email)
    page.get_by_label("Password").fill(seeded_database.showcase.password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Themes", exact=True).first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Themes in the comments")
    expect(page.locator("#text-freshness")).to_have_attribute("data-source", "computed")
    expect(page.locator("#model-accuracy")).to_have_text(re.compile(r"^0\.9\d\d|1\.000$"))
    page.get_by_label("Group by").select_option("segment")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/text\?by=segment"))
    first = page.locator("#negative-themes tbody tr").first
    expect(first.locator("ul.examples li").first).to_be_visible()

    with page.expect_download() as download:
        page.locator("#text-csv").click()
    assert download.value.suggested_filename.endswith("-themes-segment.csv")

    analyze = subprocess.run(
        [kano_executable(), "text", "analyze", "--workspace", "northwind", "--json"],
        cwd=tmp_path, env=server_env(seeded_database, tmp_path, {}), capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip
    assert analyze.returncode == 0, analyze.stderr
    page.goto(kano_server.url("/text?by=segment&lang=ru"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Темы в комментариях")
    expect(page.locator("#text-freshness")).to_have_attribute("data-source", "stored")
    expect(page.locator("#text-freshness")).to_contain_text("Анализ от")
    assert watched_page.problems == []
