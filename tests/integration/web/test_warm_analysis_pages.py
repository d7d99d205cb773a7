"""Warm visits of the value pages, linkage, key drivers and customer 360: the warehouse
figures are kept until the warehouse changes, so a warm visit of a DuckDB warehouse does
not open it, yet shows what a fresh computation shows; after a load the next visit shows
the new figures, and what the app database holds (names) is always read afresh.

The app database is SQLite and PostgreSQL (the ``live`` fixture), the warehouse a real
DuckDB file."""

from __future__ import annotations

import html
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from starlette.testclient import TestClient

from kano.adapters.db.orm import Customer
from kano.adapters.warehouse import ParquetSource, connect
from kano.adapters.web.page_figures import PAGE_FIGURES
from kano.analytics.value import views
from kano.app import create_app
from kano.bootstrap import Container, build_container
from kano.config import Settings
from tests.integration.jobs.test_live_binding import demo_data, live, workspace_id
from tests.integration.web.browsing import Browser
from tests.integration.web.demo_session import browser
from tests.integration.web.test_warehouse_memo import opened_warehouses
from tests.warehouses import load_into

__all__ = ["browser", "demo_data", "live"]

PAGES = ("/value/rfm", "/value/matrix?cell=high-high", "/value/profit", "/value/clv",
         "/value/churn", "/value/clv.csv", "/linkage", "/drivers",
         "/drivers?outcome=csat")  # fmt: skip


def _en(path: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang=en"


def _an_account(url: str, workspace: int) -> int:
    """A key account the client matrix places (its 360 page shows every analysis)."""
    backend = connect(url, read_only=True)
    try:
        return int(views.matrix_view(backend, workspace).accounts[0]["customer_id"])
    finally:
        backend.disconnect()


def test_warm_visits_open_no_warehouse_and_show_a_fresh_computation(
    live: Container, browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = _an_account(live.settings.resolved_warehouse_url(), workspace_id(live.sessions))
    paths = [_en(path) for path in (*PAGES, f"/customers/{customer}")]
    first = {path: browser.page(path).text for path in paths}
    opened = opened_warehouses(monkeypatch)

    warm = {path: browser.page(path).text for path in paths}
    assert opened == []
    monkeypatch.setattr(PAGE_FIGURES, "enabled", False)
    computed = {path: browser.page(path).text for path in paths}
    assert len(opened) >= len(paths)
    for path in paths:
        assert warm[path] == computed[path] == first[path], path


@pytest.fixture
def reloaded(live: Container, demo_data: Path, tmp_path: Path) -> Iterator[tuple[Browser, str]]:
    """A server whose own warehouse holds the demo's orders up to September only; the
    test loads the rest (``load_into(url, ParquetSource(demo_data), …)``)."""
    earlier = tmp_path / "earlier"
    shutil.copytree(demo_data, earlier)
    orders = pq.read_table(demo_data / "transactions.parquet")
    cut = pc.less(orders["occurred_at"], pa.scalar(datetime(2026, 9, 1), pa.timestamp("us")))
    pq.write_table(orders.filter(cut), earlier / "transactions.parquet")
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    load_into(url, ParquetSource(earlier), workspace_id(live.sessions))
    container = build_container(Settings(
        database_url=live.settings.database_url, warehouse_url=url,
        secret_key="test-secret-key-0123456789abcdef", demo_data_dir=str(demo_data)))  # fmt: skip
    try:
        reader = Browser(TestClient(create_app(container=container), follow_redirects=False))
        reader.log_in("helen.carter@northwind.example", "demo")
        yield reader, url
    finally:
        container.close()


def test_a_load_after_a_visit_shows_the_new_figures_and_names_stay_fresh(
    live: Container, demo_data: Path, reloaded: tuple[Browser, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    reader, url = reloaded
    workspace = workspace_id(live.sessions)
    customer = _an_account(url, workspace)
    pages = ("/value/rfm", "/value/matrix", "/value/churn", "/drivers?outcome=revenue",
             "/linkage", f"/customers/{customer}")  # fmt: skip
    paths = [_en(path) for path in pages]
    before = {path: reader.page(path).text for path in paths}
    with live.sessions() as session:  # a name changed after the visit shows on the next
        row = session.get(Customer, customer)
        assert row is not None
        old_name, row.name = row.name, "Renamed After The Visit Ltd"
        session.commit()
    try:
        opened = opened_warehouses(monkeypatch)
        renamed = reader.page(f"/customers/{customer}?lang=en").text
        listed = reader.page("/value/matrix?lang=en").text
        assert opened == []
    finally:
        with live.sessions() as session:
            row = session.get(Customer, customer)
            assert row is not None
            row.name = old_name
            session.commit()
    assert "Renamed After The Visit Ltd" in html.unescape(renamed)
    assert "Renamed After The Visit Ltd" in html.unescape(listed)

    load_into(url, ParquetSource(demo_data), workspace)  # September and October arrive
    after = {path: reader.page(path).text for path in paths}
    assert opened  # the new version is computed from the warehouse
    monkeypatch.setattr(PAGE_FIGURES, "enabled", False)
    computed = {path: reader.page(path).text for path in paths}
    for path in paths:
        assert after[path] == computed[path], path
        assert after[path] != before[path], path
