"""The journey map in a real browser: the demo company's SMB journey opens with the
planted bad touchpoint (site delivery) at the top of the pain points, its revenue at risk
shown, and the emotion curve drawn -- with no CSP violation or script error."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kano.adapters.db.engine import make_engine, make_session_factory
from kano.adapters.db.orm import Workspace
from kano.adapters.importers.company_parquet import load_company
from kano.adapters.warehouse import ParquetSource
from kano.demo import generate_company
from tests.e2e.conftest import RunningServer, SeededDatabase, WatchedPage
from tests.warehouses import load_into

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_loaded(seeded_database: SeededDatabase, tmp_path: Path) -> None:
    """The demo company (size S, seed 1) in the showcase workspace and in the warehouse
    that ``kano_server`` opens (``tmp_path/warehouse.duckdb``)."""
    data = tmp_path / "company"
    generate_company("S", 1, data)
    engine = make_engine(seeded_database.url)
    try:
        sessions = make_session_factory(engine)
        load_company(sessions, data, "northwind")
        with sessions() as session:
            ws = session.scalars(select(Workspace.id).where(Workspace.slug == "northwind")).one()
    finally:
        engine.dispose()
    load_into(f"duckdb:///{tmp_path / 'warehouse.duckdb'}", ParquetSource(data), ws)


def test_the_map_opens_with_the_top_pain_point(
    demo_loaded: None,
    kano_server: RunningServer,
    seeded_database: SeededDatabase,
    watched_page: WatchedPage,
) -> None:
    page = watched_page.page
    page.goto(kano_server.url("/journeys?journey=smb&segment=*"))
    page.get_by_label("E-mail address").fill(seeded_database.showcase.email)
    page.get_by_label("Password").fill(seeded_database.showcase.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Customer journey map")

    top = page.locator("#pain-point-table tbody tr").first
    expect(top).to_have_attribute("data-touchpoint", "delivery-field")
    expect(top).to_contain_text("CSAT")
    expect(page.locator(".journey-curve svg polyline")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Delivery and use")).to_be_visible()

    page.get_by_label("Journey", exact=True).select_option("key-account")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#pain-point-table tbody tr").first).to_have_attribute(
        "data-touchpoint", "delivery-field"
    )
    assert watched_page.problems == []
