"""DuckDB warehouses holding generated demo companies, for the metric API and explorer tests.

Each company (size S) is generated once per test session and loaded by the real loader
(``tests.warehouses.load_into``) into one template file per combination of workspace ids;
every test gets its own copy of that file at the path its settings name, so a test that
holds the file open (or deletes it) cannot disturb another, and a load costs one copy.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kano.adapters.warehouse import ParquetSource, connect, parse_warehouse_url
from kano.demo import generate_company
from kano.metrics import compute_metric
from tests.warehouses import load_into

SIZE = "S"


class DemoWarehouseFiles:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self._companies: dict[int, Path] = {}
        self._templates: dict[tuple[tuple[int, int], ...], Path] = {}

    def company(self, seed: int) -> Path:
        """The Parquet files of the demo company generated with ``seed``."""
        if seed not in self._companies:
            out = self.workdir / f"company-{SIZE}-{seed}"
            generate_company(SIZE, seed, out)
            self._companies[seed] = out
        return self._companies[seed]

    def install(self, url: str, companies: Mapping[int, int]) -> str:
        """Put a warehouse at ``url`` (a DuckDB file URL) holding, for each workspace id,
        the demo company of the given seed; returns ``url``."""
        key = tuple(sorted(companies.items()))
        if key not in self._templates:
            template = self.workdir / f"template-{len(self._templates)}.duckdb"
            for workspace_id, seed in key:
                load_into(f"duckdb:///{template}", ParquetSource(self.company(seed)),
                          workspace_id)
            self._templates[key] = template
        path = parse_warehouse_url(url).path
        assert path is not None, "a DuckDB file URL is needed"
        shutil.copyfile(self._templates[key], path)
        return url


def engine_rows(url: str, metric: Any, workspace_id: int, **request: Any) -> list[Any]:
    """``compute_metric`` straight on the warehouse file, as the reference to compare with."""
    backend = connect(url, read_only=True)
    try:
        return compute_metric(backend, metric, workspace_id=workspace_id, **request)
    finally:
        backend.disconnect()
