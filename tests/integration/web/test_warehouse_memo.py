"""The pages' memo of warehouse analyses: reused while the data stay as loaded, computed
again after a load, never shared between workspaces or warehouses (real DuckDB)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest

from kano.adapters.warehouse.store import STATE_SCHEMA, STATE_TABLE
from kano.adapters.web.page_figures import PageFigures
from kano.adapters.web.warehouse_reads import WarehouseMemo
from kano.domain.shared.errors import InvalidInput
from kano.metrics.warehouse_errors import WarehouseNotLoaded


def _state(backend: object, rows: list[tuple[int, str, int, int]]) -> None:
    table = pa.Table.from_pylist(
        [{"workspace_id": w, "table_name": t, "source": "test", "high_water": h, "row_count": n,
          "min_date": None, "max_date": None} for w, t, h, n in rows],
        schema=STATE_SCHEMA,
    )  # fmt: skip
    backend.create_table(STATE_TABLE, table, overwrite=True)  # type: ignore[attr-defined]


def test_results_are_reused_until_a_load_changes_the_data() -> None:
    backend = ibis.duckdb.connect()
    _state(backend, [(1, "transactions", 100, 100), (2, "transactions", 7, 7)])
    memo, calls = WarehouseMemo(entries=8), []

    def work(tag: str) -> str:
        calls.append(tag)
        return f"result {len(calls)}"

    first = memo.bound(backend, "duckdb:///a", 1)(("rfm",), lambda: work("a1"))
    again = memo.bound(backend, "duckdb:///a", 1)(("rfm",), lambda: work("a1 again"))
    other_workspace = memo.bound(backend, "duckdb:///a", 2)(("rfm",), lambda: work("a2"))
    other_warehouse = memo.bound(backend, "duckdb:///b", 1)(("rfm",), lambda: work("b1"))
    _state(backend, [(1, "transactions", 150, 150), (2, "transactions", 7, 7)])  # a load
    after_load = memo.bound(backend, "duckdb:///a", 1)(("rfm",), lambda: work("a1 loaded"))

    assert first == again == "result 1"
    assert calls == ["a1", "a2", "b1", "a1 loaded"]
    assert after_load == "result 4" and other_workspace != first != other_warehouse


def test_the_oldest_entries_go_first() -> None:
    backend = ibis.duckdb.connect()
    memo = WarehouseMemo(entries=2)
    bound = memo.bound(backend, "duckdb:///a", 1)  # no load state yet: still works
    for key in ("x", "y", "z"):
        bound((key,), lambda k=key: k)  # type: ignore[misc]

    assert bound(("x",), lambda: "computed again") == "computed again"
    assert bound(("z",), lambda: "not kept?") == "z"


# --- the CX overview's and journey map's figures (PageFigures) ---------------------------


def _loaded(folder: Path, name: str, workspace_id: int, seed_rows: int) -> str:
    """A DuckDB warehouse file whose ``facts`` table holds ``seed_rows`` rows, loaded
    (with its load state) for ``workspace_id``."""
    url = f"duckdb:///{folder / name}"
    backend = ibis.duckdb.connect(str(folder / name))
    try:
        backend.create_table("facts", pa.table({"n": list(range(seed_rows))}), overwrite=True)
        _state(backend, [(workspace_id, "facts", seed_rows, seed_rows)])
    finally:
        backend.disconnect()
    return url


def _rows(backend: Any) -> int:
    return int(backend.table("facts").count().execute())


def test_page_figures_are_reused_until_the_warehouse_file_is_written(tmp_path: Path) -> None:
    url = _loaded(tmp_path, "w.duckdb", 1, 3)
    figures, calls = PageFigures(), []

    def count(backend: Any) -> int:
        calls.append(1)
        return _rows(backend)

    assert figures.figures(url, 1, ("cx",), count) == 3
    assert figures.figures(url, 1, ("cx",), count) == 3 and len(calls) == 1
    assert figures.figures(url, 2, ("cx",), count) == 3 and len(calls) == 2  # workspace
    assert figures.figures(url, 1, ("cx", "smb"), count) == 3 and len(calls) == 3  # question
    _loaded(tmp_path, "w.duckdb", 1, 5)  # a load
    assert figures.figures(url, 1, ("cx",), count) == 5
    # a file copied over it with the same load state but other rows: still read afresh
    other = _loaded(tmp_path, "other.duckdb", 1, 5)
    backend = ibis.duckdb.connect(str(tmp_path / "other.duckdb"))
    backend.raw_sql("insert into facts values (99)")  # type: ignore[attr-defined]
    backend.disconnect()
    shutil.copyfile(tmp_path / "other.duckdb", tmp_path / "w.duckdb")
    assert figures.figures(url, 1, ("cx",), count) == 6
    assert figures.figures(other, 1, ("cx",), count) == 6
    figures.enabled = False
    before = len(calls)
    assert figures.figures(url, 1, ("cx",), count) == 6 and len(calls) == before + 1


def test_page_figures_keep_no_errors_and_read_the_load_stamp_elsewhere(
    tmp_path: Path,
) -> None:
    figures, calls = PageFigures(), []

    def refuse(backend: Any) -> int:
        calls.append(1)
        raise InvalidInput("from", "not a date")

    url = _loaded(tmp_path, "w.duckdb", 1, 3)
    for _ in range(2):
        with pytest.raises(InvalidInput):
            figures.figures(url, 1, ("cx",), refuse)
    assert len(calls) == 2
    with pytest.raises(WarehouseNotLoaded):
        figures.figures(f"duckdb:///{tmp_path / 'none.duckdb'}", 1, ("cx",), _rows)

    # SQLite (no file state: the load stamp tells the versions apart)
    sqlite_url = f"sqlite:///{tmp_path / 'w.sqlite'}"

    def load(rows: int) -> None:
        backend = ibis.sqlite.connect(str(tmp_path / "w.sqlite"))
        backend.create_table("facts", pa.table({"n": list(range(rows))}), overwrite=True)
        _state(backend, [(1, "facts", rows, rows)])
        backend.disconnect()

    def count(backend: Any) -> int:
        calls.append(1)
        return _rows(backend)

    load(3)
    assert figures.figures(sqlite_url, 1, ("cx",), count) == 3
    assert figures.figures(sqlite_url, 1, ("cx",), count) == 3 and len(calls) == 3
    load(4)
    assert figures.figures(sqlite_url, 1, ("cx",), count) == 4 and len(calls) == 4
