"""Generated companies at size M (three seeds) loaded into DuckDB warehouses, once per session.

Each warehouse also holds a second company under another workspace id, so a query that
forgot its workspace filter would blur every estimate.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kano.adapters.warehouse import ParquetSource, connect
from kano.demo import generate_company
from tests.warehouses import WarehouseFactory, load_into

WORKSPACE, OTHER = 11, 12


class Companies:
    def __init__(self, workdir: Path, factory: WarehouseFactory) -> None:
        self.workdir, self.factory = workdir, factory
        self._folders: dict[tuple[str, int], Path] = {}
        self._backends: dict[tuple[str, str, int], Any] = {}

    def folder(self, size: str, seed: int) -> Path:
        if (size, seed) not in self._folders:
            out = self.workdir / f"{size}-{seed}"
            generate_company(size, seed, out)
            self._folders[(size, seed)] = out
        return self._folders[(size, seed)]

    def truth(self, size: str, seed: int) -> list[dict[str, Any]]:
        text = (self.folder(size, seed) / "ground_truth.yaml").read_text(encoding="utf-8")
        effects: list[dict[str, Any]] = yaml.safe_load(text)["effects"]
        return effects

    def backend(self, size: str, seed: int, engine: str = "duckdb") -> Any:
        key = (engine, size, seed)
        if key not in self._backends:
            url = self.factory.new_url(engine)
            load_into(url, ParquetSource(self.folder("S", seed + 100)), OTHER)
            load_into(url, ParquetSource(self.folder(size, seed)), WORKSPACE)
            self._backends[key] = connect(url)
        return self._backends[key]


@pytest.fixture(scope="session")
def companies(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Companies]:
    factory = WarehouseFactory(tmp_path_factory.mktemp("linkage-warehouses"))
    yield Companies(tmp_path_factory.mktemp("linkage-companies"), factory)
    factory.close()
