"""Customer 360 on a workspace whose CLV cannot be fitted (nobody bought twice): the page
says there is no CLV, and the failed fit is kept with the other figures for the data as
loaded, so the next visit neither fits again nor opens the warehouse; after a load it is
tried again.

The app database is SQLite and PostgreSQL (the ``live`` fixture), the warehouse a real
DuckDB file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

import kano.analytics.value.views.lifetime_value as lifetime_value
from kano.adapters.warehouse import ParquetSource, connect
from kano.analytics.value import views
from kano.app import create_app
from kano.bootstrap import Container, build_container
from kano.config import Settings
from tests.integration.jobs.test_live_binding import demo_data, live, workspace_id
from tests.integration.value.degenerate_orders import with_degenerate_orders
from tests.integration.web.browsing import Browser
from tests.integration.web.test_warehouse_memo import opened_warehouses
from tests.warehouses import load_into

__all__ = ["demo_data", "live"]


@pytest.fixture
def no_repeat_buyers(
    live: Container, demo_data: Path, tmp_path: Path
) -> Iterator[tuple[Browser, str, Path]]:
    """Helen on the demo workspace, whose warehouse holds one order per customer."""
    files = with_degenerate_orders(demo_data, tmp_path / "files", "no_repeat_buyers")
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    load_into(url, ParquetSource(files), workspace_id(live.sessions))
    container = build_container(Settings(
        database_url=live.settings.database_url, warehouse_url=url,
        secret_key="test-secret-key-0123456789abcdef", demo_data_dir=str(demo_data)))  # fmt: skip
    try:
        browser = Browser(TestClient(create_app(container=container), follow_redirects=False))
        browser.log_in("helen.carter@northwind.example", "demo")
        yield browser, url, files
    finally:
        container.close()


def _a_customer(url: str, workspace: int) -> int:
    backend = connect(url, read_only=True)
    try:
        return int(views.rfm_view(backend, workspace).customers[0]["customer_id"])
    finally:
        backend.disconnect()


def test_a_clv_that_cannot_be_fitted_is_tried_once_per_load(
    live: Container, no_repeat_buyers: tuple[Browser, str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    browser, url, files = no_repeat_buyers
    workspace = workspace_id(live.sessions)
    path = f"/customers/{_a_customer(url, workspace)}?lang=en"
    fits: list[int] = []
    real = lifetime_value.fit_segments

    def counted(groups: Any) -> Any:
        fits.append(len(groups))
        return real(groups)

    monkeypatch.setattr(lifetime_value, "fit_segments", counted)
    first = browser.page(path).text
    assert len(fits) == 1  # CLV tried on the customer's segment, and refused
    assert 'id="customer-clv"' not in first and 'id="customer-rfm"' in first
    opened = opened_warehouses(monkeypatch)
    assert browser.page(path).text == first
    assert fits == [fits[0]] and opened == []  # not fitted again, warehouse not opened

    load_into(url, ParquetSource(files), workspace)  # a load: the data may have changed
    assert browser.page(path).text == first  # the same orders: still no CLV
    assert len(fits) == 2 and len(opened) == 1
