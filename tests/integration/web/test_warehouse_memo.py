"""The pages' kept warehouse figures: reused while the data stay as loaded, computed
again after a load, never shared between workspaces or warehouses (real DuckDB, SQLite
and PostgreSQL warehouses); a warm visit of a DuckDB warehouse does not open it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest

import kano.adapters.warehouse.reading as reading
from kano.adapters.warehouse import connect
from kano.adapters.warehouse.store import STATE_SCHEMA, STATE_TABLE
from kano.adapters.web.page_figures import PageFigures
from kano.domain.shared.errors import InvalidInput
from kano.metrics.warehouse_errors import WarehouseNotLoaded
from tests.warehouses import WarehouseFactory, require_engine


def _state(backend: object, rows: list[tuple[int, str, int, int]]) -> None:
    table = pa.Table.from_pylist(
        [{"workspace_id": w, "table_name": t, "source": "test", "high_water": h, "row_count": n,
          "min_date": None, "max_date": None} for w, t, h, n in rows],
        schema=STATE_SCHEMA,
    )  # fmt: skip
    backend.create_table(STATE_TABLE, table, overwrite=True)  # type: ignore[attr-defined]


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


def test_a_figure_the_data_cannot_give_is_computed_once_per_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An analysis that refuses the data (as CLV does when no model fits) fails the same
    way until the data change: the second visit gets the same error without computing
    or opening the warehouse; after a load it is computed again (and may now succeed)."""
    url = _loaded(tmp_path, "w.duckdb", 1, 3)
    figures, calls, opened = PageFigures(), [], opened_warehouses(monkeypatch)

    def clv(backend: Any) -> int:
        calls.append(1)
        rows = _rows(backend)
        if rows < 5:
            raise InvalidInput("segment", f"too few repeat buyers ({rows})")
        return rows

    def refused() -> str:
        with pytest.raises(InvalidInput) as refusal:
            figures.figures(url, 1, ("clv",), clv)
        return str(refusal.value)

    assert refused() == refused() == "segment: too few repeat buyers (3)"
    assert len(calls) == 1 and len(opened) == 1
    # a visit whose other figures are kept
    with figures.visit(url, 1) as visit, pytest.raises(InvalidInput, match="too few"):
        visit.figure(("clv",), lambda: clv(visit.backend_on_use))
    assert len(calls) == 1 and len(opened) == 1
    with pytest.raises(InvalidInput):  # another workspace asks anew
        figures.figures(url, 2, ("clv",), clv)
    assert len(calls) == 2
    calls.clear()
    _loaded(tmp_path, "w.duckdb", 1, 4)  # a load: still refused, but computed again
    assert refused() == "segment: too few repeat buyers (4)" and len(calls) == 1
    _loaded(tmp_path, "w.duckdb", 1, 5)  # enough data now
    assert figures.figures(url, 1, ("clv",), clv) == 5 and len(calls) == 2
    assert figures.figures(url, 1, ("clv",), clv) == 5 and len(calls) == 2

    def engine_error(backend: Any) -> int:  # the engine's own error is not the data's
        calls.append(1)
        return int(backend.raw_sql("select * from no_such_table").fetchone()[0])

    for _ in range(2):
        with pytest.raises(Exception, match="no_such_table"):
            figures.figures(url, 1, ("broken",), engine_error)
    assert len(calls) == 4


def test_page_figures_keep_no_opening_errors_and_read_the_load_stamp_elsewhere(
    tmp_path: Path,
) -> None:
    figures, calls = PageFigures(), []
    missing = tmp_path / "none.duckdb"
    for _ in range(2):
        with pytest.raises(WarehouseNotLoaded):
            figures.figures(f"duckdb:///{missing}", 1, ("cx",), _rows)
    _loaded(tmp_path, "none.duckdb", 1, 2)  # loaded since: read at once
    assert figures.figures(f"duckdb:///{missing}", 1, ("cx",), _rows) == 2

    # A writer holds the file: the visit cannot open it, even where the analysis words
    # what it met as bad input; nothing is kept, and once the writer is done it is read.
    url = _loaded(tmp_path, "w.duckdb", 1, 3)

    def worded(backend: Any) -> int:
        calls.append(1)
        try:
            return _rows(backend)
        except Exception as error:
            raise InvalidInput("segment", f"cannot be read: {error}") from error

    with figures.visit(url, 1) as visit:
        writer = ibis.duckdb.connect(str(tmp_path / "w.duckdb"))
        try:
            with pytest.raises(InvalidInput, match="cannot open the warehouse"):
                visit.figure(("cx",), lambda: worded(visit.backend_on_use))
        finally:
            writer.disconnect()
        calls.clear()
    assert figures.figures(url, 1, ("cx",), worded) == 3 and calls == [1]

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
    calls.clear()
    assert figures.figures(sqlite_url, 1, ("cx",), count) == 3
    assert figures.figures(sqlite_url, 1, ("cx",), count) == 3 and len(calls) == 1
    load(4)
    assert figures.figures(sqlite_url, 1, ("cx",), count) == 4 and len(calls) == 2


# --- a visit: the warehouse opened only for what is not kept -----------------------------


def opened_warehouses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs of the warehouses opened from now on (every page's read opens through
    ``reading.connect``); the warehouse itself is real."""
    opened: list[str] = []
    real = reading.connect

    def counting(url: str, read_only: bool = False) -> Any:
        opened.append(url)
        return real(url, read_only=read_only)

    monkeypatch.setattr(reading, "connect", counting)
    return opened


def test_a_warm_visit_does_not_open_the_warehouse_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _loaded(tmp_path, "w.duckdb", 1, 3)
    figures, opened = PageFigures(), opened_warehouses(monkeypatch)

    with figures.visit(url, 1) as visit:
        on_use = visit.backend_on_use
        assert opened == []  # the stand-in opens nothing until it is used
        assert visit.figure(("rows",), lambda: _rows(on_use)) == 3
        assert visit.figure(("double",), lambda: 2 * _rows(visit.backend)) == 6
    assert len(opened) == 1  # once for the whole visit
    with figures.visit(url, 1) as visit:
        assert visit.figure(("rows",), lambda: -1) == 3
        assert visit.figure(("double",), lambda: -1) == 6
    assert len(opened) == 1
    with figures.visit(url, 2) as visit:  # another workspace asks anew
        assert visit.figure(("rows",), lambda: _rows(visit.backend)) == 3
    assert len(opened) == 2
    _loaded(tmp_path, "w.duckdb", 1, 5)  # a load
    with figures.visit(url, 1) as visit:
        assert visit.figure(("rows",), lambda: _rows(visit.backend)) == 5
        assert visit.figure(("double",), lambda: 2 * _rows(visit.backend)) == 10
    assert len(opened) == 3


def test_the_oldest_figures_go_first(tmp_path: Path) -> None:
    url = _loaded(tmp_path, "w.duckdb", 1, 3)
    figures = PageFigures(entries=2)
    with figures.visit(url, 1) as visit:
        for key in ("x", "y", "z"):
            visit.figure((key,), lambda k=key: k)  # type: ignore[misc]
        assert visit.figure(("x",), lambda: "computed again") == "computed again"
        assert visit.figure(("z",), lambda: "not kept?") == "z"


@pytest.mark.postgres
def test_on_a_postgresql_warehouse_the_load_stamp_is_the_version(tmp_path: Path) -> None:
    """No file to look at: each visit opens the warehouse and reads the workspace's load
    state; figures are reused while it is the same and computed again after a load."""
    require_engine("postgres")
    factory = WarehouseFactory(tmp_path)
    try:
        url = factory.new_url("postgres")

        def load(rows: int) -> None:
            backend = connect(url)
            try:
                backend.create_table("facts", pa.table({"n": list(range(rows))}),
                                     overwrite=True)  # fmt: skip
                _state(backend, [(1, "facts", rows, rows)])
            finally:
                backend.disconnect()

        figures, calls = PageFigures(), []

        def count(backend: Any) -> int:
            calls.append(1)
            return _rows(backend)

        load(3)
        assert figures.figures(url, 1, ("cx",), count) == 3
        assert figures.figures(url, 1, ("cx",), count) == 3 and len(calls) == 1
        assert figures.figures(url, 2, ("cx",), count) == 3 and len(calls) == 2
        load(4)
        assert figures.figures(url, 1, ("cx",), count) == 4 and len(calls) == 3
        assert figures.figures(url, 1, ("cx",), count) == 4 and len(calls) == 3
    finally:
        factory.close()
