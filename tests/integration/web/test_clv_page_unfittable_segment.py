"""The CLV page when one segment cannot be fitted (its customers bought once each): the
other segments' figures show, with a note that names the segment, says why and what to do
— in the page's language — instead of one error for the whole page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from kano.adapters.warehouse import ParquetSource
from kano.app import create_app
from kano.bootstrap import Container, build_container
from kano.config import Settings
from tests.integration.jobs.test_live_binding import demo_data, live, workspace_id
from tests.integration.value.one_time_buyers import with_one_time_buyers
from tests.integration.web.browsing import Browser, text_of
from tests.warehouses import load_into

__all__ = ["demo_data", "live"]


@pytest.fixture(scope="module")
def reader(
    live: Container, demo_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Browser]:
    """Helen, on the demo workspace with a warehouse where key accounts bought only once."""
    folder = tmp_path_factory.mktemp("one-time")
    files = with_one_time_buyers(demo_data, folder / "files", "key_account")
    url = f"duckdb:///{folder / 'warehouse.duckdb'}"
    load_into(url, ParquetSource(files), workspace_id(live.sessions))
    container = build_container(Settings(
        database_url=live.settings.database_url, warehouse_url=url,
        secret_key="test-secret-key-0123456789abcdef", demo_data_dir=str(demo_data)))  # fmt: skip
    try:
        browser = Browser(TestClient(create_app(container=container), follow_redirects=False))
        browser.log_in("helen.carter@northwind.example", "demo")
        yield browser
    finally:
        container.close()


def _fitted_segments(page: str) -> list[str]:
    table = page[page.index('<table id="clv-fits">'):]
    table = table[:table.index("</table>")]
    return re.findall(r"<tr><td>([^<]*)</td>", table)


def test_the_other_segments_show_and_the_failing_one_is_explained(reader: Browser) -> None:
    page = reader.page("/value/clv?lang=en").text

    assert 'id="value-problem"' not in page
    assert _fitted_segments(page) == ["Consumers", "Small and medium businesses"]
    note = text_of(page, "clv-not-fitted")
    assert "Key accounts: too few repeat buyers (0; the models need at least 5)." in note
    assert "Tick “One fit for all segments”" in note
    assert "Key accounts" in text_of(page, "clv-holdout-not-fitted")
    customers = page[page.index('<table id="clv-customers">'):]
    assert "Key accounts" not in customers[:customers.index("</table>")]


def test_the_note_reads_in_hungarian(reader: Browser) -> None:
    page = reader.page("/value/clv?lang=hu").text

    note = text_of(page, "clv-not-fitted")
    assert "too few repeat buyers" not in note and "Tick" not in note
    assert "túl kevés visszatérő vásárló (0; a modellekhez legalább 5 kell)." in note


def test_one_fit_for_all_segments_values_every_customer(reader: Browser) -> None:
    page = reader.page("/value/clv?lang=en&pooled=true").text

    assert 'id="clv-not-fitted"' not in page
    assert _fitted_segments(page) == ["All customers"]


def test_the_failing_segment_alone_is_explained_in_the_page_language(reader: Browser) -> None:
    page = reader.page("/value/clv?lang=en&segment=key_account").text

    assert 'id="value-problem"' not in page and 'id="clv-fits"' not in page
    note = text_of(page, "clv-none-fitted")
    assert "No CLV to show: the models could not be fitted to the customers asked for." in note
    assert "Key accounts: too few repeat buyers (0; the models need at least 5)." in note
    assert "Show all segments and tick “One fit for all segments”" in note
    assert "BG/NBD" not in note  # the model's own English words stay out of the page

    hungarian = text_of(reader.page("/value/clv?lang=hu&segment=key_account").text,
                        "clv-none-fitted")  # fmt: skip
    assert "Nincs megjeleníthető CLV" in hungarian
    assert "túl kevés visszatérő vásárló (0; a modellekhez legalább 5 kell)." in hungarian
    assert "Válassza az összes szegmenst" in hungarian and "Show" not in hungarian
