"""Spark reads: views made once per session and table version, never stale.

A Spark connection no longer registers the warehouse's 18 views (``spark_views``): a
table's view is made when a query first names it and kept while the manifest lists the
same files. These tests hold the other half of that bargain — whatever a load or the text
worker writes is what the next read returns, on a new connection and on one kept open —
and check that the views answer as Spark's own reading of the files would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from kano.adapters.warehouse import ParquetSource, connect, open_store
from kano.adapters.warehouse.spark import _read_manifest, spark_session, view_prefix
from kano.adapters.warehouse.store import STATE_TABLE
from kano.adapters.web.page_figures import load_stamp
from kano.metrics import built_in_catalogue, compute_metric
from kano.metrics.warehouse_schema import RESPONSES, TABLES, TEXT_TABLES
from tests.integration.warehouse.sources import GrowingSource
from tests.warehouses import WarehouseFactory, load_into, require_engine

WORKSPACE = 3
NPS = built_in_catalogue().get("nps")


@pytest.fixture(autouse=True)
def _spark() -> None:
    require_engine("spark")


def _root(url: str) -> Path:
    return Path(url.split("path=")[1].split("&")[0])


def _views(url: str) -> set[str]:
    """The warehouse's views registered in the shared session, by name."""
    prefix = view_prefix(_root(url))
    catalog = spark_session("local[2]").catalog
    return {t.name for t in catalog.listTables() if t.name.startswith(prefix)}


def _rows(backend: Any, table: str = "responses") -> int:
    t = backend.table(table)
    return int(t.filter(t.workspace_id == WORKSPACE).count().execute())


def _source_rows(folder: Path, table: str = "responses") -> int:
    return int(pq.read_metadata(folder / f"{table}.parquet").num_rows)


def _first_responses(folder: Path, count: int) -> tuple[int, int]:
    """The id that caps a growing company's responses near ``count``, and how many it keeps."""
    ids = pq.read_table(folder / "responses.parquet", columns=["response_id"])["response_id"]
    cap = int(pc.min(ids).as_py()) + count - 1
    return cap, int(pc.sum(pc.less_equal(ids, cap)).as_py())


def test_rows_loaded_after_a_read_are_in_the_next_read(
    warehouse_factory: WarehouseFactory, demo_dir: Path, other_dir: Path
) -> None:
    """Incremental appends, a replacement by another company and rows the store appends
    directly: each is in the next read, on a new connection and on the kept one."""
    url = warehouse_factory.new_url("spark")
    all_rows = _source_rows(demo_dir)
    cap, kept_rows = _first_responses(demo_dir, 100)
    load_into(url, GrowingSource(ParquetSource(demo_dir), {"responses": cap}), WORKSPACE)
    kept = connect(url)
    assert _rows(kept) == kept_rows < all_rows

    load_into(url, ParquetSource(demo_dir), WORKSPACE)  # appends the rest
    assert _rows(connect(url)) == _rows(kept) == all_rows
    everything = compute_metric(connect(url), NPS, by=["segment"], workspace_id=WORKSPACE)
    assert sum(row.n for row in everything) > kept_rows
    assert compute_metric(kept, NPS, by=["segment"], workspace_id=WORKSPACE) == everything

    load_into(url, ParquetSource(other_dir), WORKSPACE)  # another company replaces it
    assert _rows(connect(url)) == _rows(kept) == _source_rows(other_dir)
    assert compute_metric(kept, NPS, by=["segment"], workspace_id=WORKSPACE) != everything

    extra = pq.read_table(other_dir / "responses.parquet").slice(0, 7)
    batch = pa.table({"workspace_id": pa.array([WORKSPACE] * 7, pa.int64()), **{
        name: extra[name].cast(kind) for name, kind in RESPONSES.columns}})  # fmt: skip
    batch = batch.set_column(1, "response_id", pc.add(batch["response_id"], 10**9))
    with open_store(url).transaction() as writer:
        writer.append("responses", batch)
    assert _rows(connect(url)) == _rows(kept) == _source_rows(other_dir) + 7

    responses = {v for v in _views(url) if v.startswith(f"{view_prefix(_root(url))}responses__")}
    assert len(responses) == 2, responses  # the current version and the one it replaced


def test_a_connection_makes_views_only_for_the_tables_a_query_names(
    warehouse_factory: WarehouseFactory, demo_dir: Path
) -> None:
    url = warehouse_factory.new_url("spark")
    load_into(url, ParquetSource(demo_dir), WORKSPACE)
    backend = connect(url)
    assert _views(url) == set()

    first = compute_metric(backend, NPS, by=["segment"], workspace_id=WORKSPACE)
    named = {v.split("__")[0].removeprefix(view_prefix(_root(url))) for v in _views(url)}
    assert {"responses", "customers"} <= named
    assert not named & {"payments", "pulses", "process_events", "comment_insights"}

    registered = _views(url)
    again = compute_metric(connect(url), NPS, by=["segment"], workspace_id=WORKSPACE)
    assert again == first
    assert _views(url) == registered  # the second connection reused every view


def test_views_read_the_schema_spark_infers_from_the_files(
    warehouse_factory: WarehouseFactory, demo_dir: Path
) -> None:
    """The views skip Spark's schema inference (a job per table): the schema they give
    Spark must be the one it would have inferred, table by table."""
    url = warehouse_factory.new_url("spark")
    load_into(url, ParquetSource(demo_dir), WORKSPACE)
    session = spark_session("local[2]")
    backend = connect(url)
    root = _root(url)
    manifest = _read_manifest(root)
    checked = 0
    for table in (*TABLES, *TEXT_TABLES):
        files = [str(root / p) for ps in manifest["tables"].get(table.name, {}).values()
                 for p in ps]  # fmt: skip
        view = backend.warehouse.view(table.name)
        if files:
            assert session.table(view).schema == session.read.parquet(*files).schema, table
            checked += 1
        else:
            assert session.table(view).columns == list(table.schema.names), table
    assert checked >= 10


def test_pages_see_a_new_load_state_after_a_load(
    warehouse_factory: WarehouseFactory, demo_dir: Path
) -> None:
    """Pages keep figures per load state (``PageFigures``): on Spark the state comes from
    the manifest, so a load makes the remembered answers unreachable as on SQL engines."""
    url = warehouse_factory.new_url("spark")
    cap, kept_rows = _first_responses(demo_dir, 10)
    load_into(url, GrowingSource(ParquetSource(demo_dir), {"responses": cap}), WORKSPACE)
    before = load_stamp(connect(url), WORKSPACE)
    state = open_store(url).read_state(WORKSPACE)
    assert before == tuple(sorted((name, s.high_water, s.row_count) for name, s in state.items()))
    assert ("responses", cap, kept_rows) in before

    load_into(url, ParquetSource(demo_dir), WORKSPACE)
    after = load_stamp(connect(url), WORKSPACE)
    assert after != before
    assert ("responses", cap, kept_rows) not in after
    assert load_stamp(connect(url), WORKSPACE + 1) == ()
    assert connect(url).table(STATE_TABLE).count().execute() == len(state)


def test_disconnecting_leaves_the_shared_session_running(
    warehouse_factory: WarehouseFactory, demo_dir: Path
) -> None:
    """``kano compute`` closes its connection after a refresh; the worker's next read on
    Spark must still find the process's session running."""
    url = warehouse_factory.new_url("spark")
    load_into(url, ParquetSource(demo_dir), WORKSPACE)
    connect(url).disconnect()
    assert _rows(connect(url)) == _source_rows(demo_dir)
