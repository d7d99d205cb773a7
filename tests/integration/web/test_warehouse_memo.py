"""The pages' memo of warehouse analyses: reused while the data stay as loaded, computed
again after a load, never shared between workspaces or warehouses (real DuckDB)."""

from __future__ import annotations

import ibis
import pyarrow as pa

from kano.adapters.warehouse.store import STATE_SCHEMA, STATE_TABLE
from kano.adapters.web.warehouse_reads import WarehouseMemo


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
