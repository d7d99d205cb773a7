"""Session fixtures: the demo company (size S, seed 1) loaded once into each engine.

Workspace ids are deliberately not 1, and a second, different company (seed 2) shares
every warehouse as another workspace, so a query that forgot its workspace filter
would show in every comparison with the Parquet files.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from kano.adapters.warehouse import ParquetSource, connect
from kano.demo import generate_company
from kano.metrics.warehouse_schema import WarehouseTable
from tests.warehouses import WarehouseFactory, load_into, require_engine

DEMO_WORKSPACE = 7
OTHER_WORKSPACE = 8


class WalletSource(ParquetSource):
    """The generated company plus a deterministic monthly wallet estimate per customer
    (the generator has none), so share of wallet has data to agree on."""

    def batches(
        self, table: WarehouseTable, workspace_id: int, after: int | None
    ) -> Iterator[pa.Table]:
        for batch in super().batches(table, workspace_id, after):
            if table.name == "customers":
                ids = batch["customer_id"].to_pylist()
                wallets = [None if i % 5 == 0 else 2_000.0 + 750.0 * (i % 11) for i in ids]
                index = batch.schema.get_field_index("wallet_estimate")
                batch = batch.set_column(index, "wallet_estimate", pa.array(wallets, pa.float64()))
            yield batch


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo-s1")
    generate_company("S", 1, out)
    return out


@pytest.fixture(scope="session")
def other_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo-s2")
    generate_company("S", 2, out)
    return out


@pytest.fixture(scope="session")
def warehouse_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WarehouseFactory]:
    factory = WarehouseFactory(tmp_path_factory.mktemp("warehouses"))
    yield factory
    factory.close()


class DemoWarehouses:
    """Builds each engine's shared demo warehouse on first use."""

    def __init__(self, factory: WarehouseFactory, demo: Path, other: Path,
                 demo_source: type[ParquetSource] | None = None) -> None:
        self.factory = factory
        self.demo = demo
        self.other = other
        self.demo_source = demo_source or WalletSource  # a test module may read more
        self._backends: dict[str, Any] = {}

    def backend(self, engine: str) -> Any:
        require_engine(engine)
        if engine not in self._backends:
            url = self.factory.new_url(engine)
            load_into(url, ParquetSource(self.other), OTHER_WORKSPACE)
            load_into(url, self.demo_source(self.demo), DEMO_WORKSPACE)
            self._backends[engine] = connect(url)
        return self._backends[engine]


@pytest.fixture(scope="session")
def demo_warehouses(
    warehouse_factory: WarehouseFactory, demo_dir: Path, other_dir: Path
) -> DemoWarehouses:
    return DemoWarehouses(warehouse_factory, demo_dir, other_dir)
