"""A generated company (size M, seed 1) in a DuckDB warehouse, with a second company
(size S, seed 2) under another workspace id so a forgotten workspace filter would show."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kano.adapters.warehouse import ParquetSource, connect
from kano.demo import generate_company
from tests.integration.api.conftest import acme, api, globex, host_app
from tests.integration.api.test_metrics_api import demo_files, warehouse
from tests.warehouses import WarehouseFactory, load_into

# The API tests of /value use the API suite's app, seeded workspaces and loaded warehouse.
__all__ = ["acme", "api", "demo_files", "globex", "host_app", "warehouse"]

WORKSPACE, OTHER = 21, 22


class Company:
    def __init__(self, folder: Path, backend: Any, other: Path, factory: WarehouseFactory) -> None:
        self.folder = folder
        self.backend = backend
        self.other = other
        self.factory = factory


@pytest.fixture(scope="session")
def value_company(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Company]:
    root = tmp_path_factory.mktemp("value")
    main, other = root / "M-1", root / "S-2"
    generate_company("M", 1, main)
    generate_company("S", 2, other)
    factory = WarehouseFactory(tmp_path_factory.mktemp("value-warehouses"))
    url = factory.new_url("duckdb")
    load_into(url, ParquetSource(other), OTHER)
    load_into(url, ParquetSource(main), WORKSPACE)
    backend = connect(url)
    yield Company(main, backend, other, factory)
    backend.disconnect()
    factory.close()
