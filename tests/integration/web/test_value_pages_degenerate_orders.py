"""The value pages on degenerate orders (one customer, everyone spending the same, nobody
buying twice): each page shows its figures or says what is missing — never a server error.
CLV with nobody buying twice says so in the page's language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from kano.adapters.warehouse import ParquetSource
from kano.app import create_app
from kano.bootstrap import Container, build_container
from kano.config import Settings
from tests.integration.jobs.test_live_binding import demo_data, live, workspace_id
from tests.integration.value.degenerate_orders import DEGENERATE, with_degenerate_orders
from tests.integration.web.browsing import Browser, text_of
from tests.warehouses import load_into

__all__ = ["demo_data", "live"]

PAGES = ("/value/rfm", "/value/churn", "/value/churn?method=boosting", "/value/matrix",
         "/value/profit", "/value/clv", "/value/clv?pooled=true")  # fmt: skip


@pytest.fixture(scope="module", params=sorted(DEGENERATE))
def reader(
    request: pytest.FixtureRequest, live: Container, demo_data: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, Browser]]:  # fmt: skip
    """Helen, on the demo workspace with a warehouse of degenerate orders."""
    kind = str(request.param)
    folder = tmp_path_factory.mktemp(kind)
    files = with_degenerate_orders(demo_data, folder / "files", kind)
    url = f"duckdb:///{folder / 'warehouse.duckdb'}"
    load_into(url, ParquetSource(files), workspace_id(live.sessions))
    container = build_container(Settings(
        database_url=live.settings.database_url, warehouse_url=url,
        secret_key="test-secret-key-0123456789abcdef", demo_data_dir=str(demo_data)))  # fmt: skip
    try:
        browser = Browser(TestClient(create_app(container=container), follow_redirects=False))
        browser.log_in("helen.carter@northwind.example", "demo")
        yield kind, browser
    finally:
        container.close()


def test_value_pages_show_figures_or_say_what_is_missing(reader: tuple[str, Browser]) -> None:
    kind, browser = reader
    for path in PAGES:
        response = browser.client.get(f"{path}{'&' if '?' in path else '?'}lang=en")
        assert response.status_code == 200, (kind, path, response.text[-2000:])
        assert "Traceback" not in response.text
    rfm = browser.client.get("/value/rfm?lang=en").text
    assert 'id="value-problem"' not in rfm  # RFM scores any customers who ordered
    if kind == "no_repeat_buyers":
        hungarian = browser.client.get("/value/clv?lang=hu&pooled=true").text
        note = text_of(hungarian, "clv-none-fitted")
        assert "Nincs megjeleníthető CLV" in note and "Várjon további ismételt" in note
