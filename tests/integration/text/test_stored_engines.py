"""The stored text analysis on the other warehouse engines (SPEC §2.6, §3: the analysis is
kept where the data lives, a distributed engine included): the worker's step after a load
writes the same ``comment_insights`` and ``text_analyses`` rows on SQLite and Spark as on
DuckDB for the same comments, and the roll-ups read back through Ibis are the same.
DuckDB's roll-ups are checked against the analysis computed in pandas in
``test_stored_analysis.py``; here DuckDB is the reference.

Also: a SQLite read finds each response's stored row by index (without one it scanned the
workspace's stored rows once per response: minutes at 25k comments), and a Spark
warehouse of an older text-table shape loses those rows (re-analysed) as SQL stores drop
the table.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kano.adapters.jobs.text_insights import analyse_after_load, analyse_and_store
from kano.adapters.warehouse import ParquetSource, open_store
from kano.adapters.warehouse.reading import read_only_warehouse
from kano.adapters.warehouse.spark import SparkParquetStore, _read_manifest
from kano.analytics.text.report import TextReport
from kano.analytics.text.stored_results import report_from_store
from kano.metrics.warehouse_schema import COMMENT_INSIGHTS, RESPONSES, TEXT_ANALYSES
from tests.integration.jobs.test_live_binding import demo_data
from tests.integration.text.test_stored_analysis import LATE, assert_same
from tests.warehouses import WarehouseFactory, load_into, require_engine

__all__ = ["demo_data"]
WORKSPACE_ID = 3
OTHER_ENGINES = ["sqlite", "spark"]


@pytest.fixture(scope="module")
def factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WarehouseFactory]:
    made = WarehouseFactory(tmp_path_factory.mktemp("text-engines"))
    yield made
    made.close()


class Analysed:
    """The demo company loaded into one warehouse per engine (on first use) and analysed
    there by the worker's step after a load."""

    def __init__(self, factory: WarehouseFactory, demo: Path) -> None:
        self.factory, self.demo = factory, demo
        self.urls: dict[str, str] = {}
        self.outcomes: dict[str, list[str]] = {}

    def url(self, engine: str) -> str:
        require_engine(engine)
        if engine not in self.urls:
            url = self.factory.new_url(engine)
            load_into(url, ParquetSource(self.demo), WORKSPACE_ID)
            self.outcomes[engine] = analyse_after_load(url, [WORKSPACE_ID])
            self.urls[engine] = url
        return self.urls[engine]


@pytest.fixture(scope="module")
def analysed(factory: WarehouseFactory, demo_data: Path) -> Analysed:
    return Analysed(factory, demo_data)


def _rows(url: str, table: str) -> list[dict[str, Any]]:
    with read_only_warehouse(url) as backend:
        t = backend.table(table)
        rows = t.filter(t.workspace_id == WORKSPACE_ID).to_pyarrow().to_pylist()
    return sorted(rows, key=lambda row: row.get("response_id") or 0)


def _report(url: str, by: Any) -> TextReport:
    with read_only_warehouse(url) as backend:
        report = report_from_store(backend, WORKSPACE_ID, by)
    assert report is not None
    return report


@pytest.mark.parametrize("engine", OTHER_ENGINES)
def test_the_worker_stores_the_same_rows_as_on_duckdb(analysed: Analysed, engine: str) -> None:
    url, reference = analysed.url(engine), analysed.url("duckdb")

    (line,) = analysed.outcomes[engine]
    got, want = _rows(url, COMMENT_INSIGHTS.name), _rows(reference, COMMENT_INSIGHTS.name)
    assert f"{len(want)} comments analysed" in line and len(want) > 500
    assert [r["response_id"] for r in got] == [r["response_id"] for r in want]
    for got_row, want_row in zip(got, want, strict=True):
        assert_same(got_row, want_row)
    (summary,), (expected,) = _rows(url, TEXT_ANALYSES.name), _rows(reference, TEXT_ANALYSES.name)
    for name in ("comments", "method_version", "taxonomy_version", "model_version", "model",
                 "topics"):  # fmt: skip
        assert summary[name] == expected[name], name
    assert analyse_and_store(url, WORKSPACE_ID).status == "current", "nothing changed"


@pytest.mark.parametrize("by", [None, "touchpoint", "segment"])
@pytest.mark.parametrize("engine", OTHER_ENGINES)
def test_stored_rollups_equal_duckdbs(analysed: Analysed, engine: str, by: Any) -> None:
    got, want = _report(analysed.url(engine), by), _report(analysed.url("duckdb"), by)

    assert got.comments == want.comments > 500
    assert got.languages == want.languages and got.model == want.model
    assert len(got.themes) == len(want.themes) > 0
    for got_row, want_row in zip(got.themes, want.themes, strict=True):
        assert_same(got_row.as_dict(), want_row.as_dict())
    assert [(r.group, r.theme) for r in got.ranking] == [(r.group, r.theme) for r in want.ranking]
    assert got.examples == want.examples and any(got.examples.values())
    for got_group, want_group in zip(got.distribution, want.distribution, strict=True):
        assert_same(got_group, want_group)
    assert [(t.index, t.terms, t.method, t.comments) for t in got.topics] == [
        (t.index, t.terms, t.method, t.comments) for t in want.topics]
    assert got.freshness.source == "stored" and got.freshness.current


def test_a_sqlite_read_finds_each_responses_stored_row_by_index(analysed: Analysed) -> None:
    """Every statement of a read, as SQLite plans it: the stored rows are looked up by
    (workspace, response id), and a read is three queries (summary, roll-up, examples)."""
    url = analysed.url("sqlite")
    statements: list[str] = []
    with read_only_warehouse(url) as backend:
        backend.con.set_trace_callback(statements.append)
        report_from_store(backend, WORKSPACE_ID, "touchpoint")
        backend.con.set_trace_callback(None)
        selects = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))
                   and "PRAGMA_TABLE_INFO" not in s]  # Ibis reading a table's columns
        plans = [[str(row[3]) for row in backend.con.execute(f"EXPLAIN QUERY PLAN {sql}")]
                 for sql in selects]  # fmt: skip (the examples' memtable lives here)
    assert len(selects) == 3, selects
    lookups = [step for plan in plans for step in plan if "ix_comment_insights" in step]
    assert lookups, plans
    assert all("response_id=?" in step for step in lookups), lookups


@pytest.mark.parametrize("engine", OTHER_ENGINES)
def test_a_comment_loaded_later_is_reported_until_the_worker_runs_again(
    analysed: Analysed, engine: str
) -> None:
    url = analysed.url(engine)
    before = _report(url, None)
    with read_only_warehouse(url) as backend:
        t = backend.table("responses")
        mine = t.filter(t.workspace_id == WORKSPACE_ID)
        new_id = int(mine.response_id.max().to_pyarrow().as_py()) + 1
        row = mine.filter(mine.comment.notnull()).order_by("response_id").limit(1).to_pyarrow()
    row = row.select(list(RESPONSES.schema.names)).cast(RESPONSES.schema)
    row = row.set_column(row.schema.get_field_index("response_id"), "response_id",
                         pa.array([new_id], pa.int64()))  # fmt: skip
    row = row.set_column(row.schema.get_field_index("comment"), "comment", pa.array([LATE]))
    store = open_store(url)
    try:
        with store.transaction() as writer:
            writer.append("responses", row)
    finally:
        store.close()

    stale = _report(url, None)
    assert stale.freshness.not_analysed == 1 and stale.comments == before.comments
    (line,) = analyse_after_load(url, [WORKSPACE_ID])
    assert f"{before.comments + 1} comments analysed" in line
    again = _report(url, None)
    assert again.freshness.current and again.comments == before.comments + 1
    assert any(r["response_id"] == new_id and r["comment"] == LATE
               for r in _rows(url, COMMENT_INSIGHTS.name))  # fmt: skip


def test_spark_text_tables_of_an_older_shape_are_emptied_for_re_analysis(
    tmp_path: Path,
) -> None:
    store = SparkParquetStore(tmp_path)
    store.ensure_tables()
    insights = [{
        "workspace_id": 1, "response_id": 7, "comment": "Late again.", "language": "en",
        "label": 0, "p_positive": 0.1, "sentiment": "negative", "themes": "|lateness|",
        "topic": 0,
    }]  # fmt: skip
    with store.transaction() as writer:
        writer.append(COMMENT_INSIGHTS.name,
                      pa.Table.from_pylist(insights, schema=COMMENT_INSIGHTS.schema))  # fmt: skip
    (part,) = _read_manifest(tmp_path)["tables"][COMMENT_INSIGHTS.name]["1"]
    older = COMMENT_INSIGHTS.schema.remove(COMMENT_INSIGHTS.schema.get_field_index("topic"))
    pq.write_table(older.empty_table(), tmp_path / COMMENT_INSIGHTS.name / "_empty.parquet")

    store.ensure_tables()

    assert _read_manifest(tmp_path)["tables"][COMMENT_INSIGHTS.name]["1"] == []
    assert not (tmp_path / part).exists()
    empty = pq.read_schema(tmp_path / COMMENT_INSIGHTS.name / "_empty.parquet")
    assert empty == COMMENT_INSIGHTS.schema
