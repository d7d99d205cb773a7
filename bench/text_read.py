"""The first read of the Themes page's figures after a warehouse load: computed on read
(before) against rolled up from the analysis the worker stored (after).

Usage: python bench/text_read.py [SIZE] [--distinct] [--engine duckdb|postgres|sqlite|spark]
  SIZE        demo company size (S: `kano demo`'s default; M: ~25k comments)
  --distinct  make every comment distinct (append an order number), as real feedback is
  --engine    the warehouse: a DuckDB file (default), a fresh PostgreSQL schema
              (postgresql://postgres@127.0.0.1:5432/test, schema kano_bench_text), a
              SQLite file or Spark local mode (Parquet in a temporary folder)

Each figure is what one request does: open the warehouse read-only, build the report for
/text?by=touchpoint (roll-ups, ranking with examples, distribution, topics), close.
- before: nothing stored, cache empty: the analysis computed on read (the old path);
- worker: the worker's step after the load (read, analyse, write; off the read path);
- after: the first read once stored, in this process and in a fresh Python process
  (imports included, as a new `kano serve` copy would pay them), then repeated reads;
- worker again: after a load of 100 unscored comments (the model learns from the same
  labelled comments: its CV figures are kept, one fit instead of six).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

WORKSPACE = 1
FRESH_READ = """
import sys, time
t = time.perf_counter()
from kano.adapters.warehouse.reading import read_only_warehouse
from kano.analytics.text.stored_results import text_report
with read_only_warehouse(sys.argv[1]) as backend:
    report = text_report(backend, 1, "touchpoint", warehouse=sys.argv[1])
assert report.freshness.source == "stored"
print(time.perf_counter() - t)
"""


def _read(url: str) -> tuple[float, str]:
    from kano.adapters.warehouse.reading import read_only_warehouse
    from kano.analytics.text.stored_results import text_report

    start = time.perf_counter()
    with read_only_warehouse(url) as backend:
        report = text_report(backend, WORKSPACE, "touchpoint", warehouse=url)
    return time.perf_counter() - start, report.freshness.source


def _warehouse_url(engine: str, folder: Path) -> str:
    if engine == "duckdb":
        return f"duckdb:///{folder / 'warehouse.duckdb'}"
    if engine == "sqlite":
        return f"sqlite:///{folder / 'warehouse.sqlite'}"
    if engine == "spark":
        return f"spark://local?path={folder / 'spark'}"
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as c:
        c.execute("DROP SCHEMA IF EXISTS kano_bench_text CASCADE")
    return "postgresql://postgres@127.0.0.1:5432/test?schema=kano_bench_text"


def main() -> None:
    from kano.adapters.jobs.text_insights import analyse_and_store
    from kano.adapters.warehouse import ParquetSource, load_warehouse, open_store
    from kano.analytics.text.cache import clear_cache
    from kano.demo import generate_company

    args = sys.argv[1:]
    engines = ("duckdb", "postgres", "sqlite", "spark")
    size = next((a for a in args if not a.startswith("--") and a not in engines), "S")
    engine = args[args.index("--engine") + 1] if "--engine" in args else "duckdb"
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "company"
        generate_company(size, 1, out)
        if "--distinct" in args:
            path = out / "responses.parquet"
            table = pq.read_table(path)
            numbers = pc.cast(pc.add(pc.cumulative_sum(pc.if_else(
                pc.is_valid(table["comment"]), 1, 0)), 0), "string")  # fmt: skip
            distinct = pc.binary_join_element_wise(table["comment"], numbers, " #")
            table = table.set_column(table.schema.get_field_index("comment"), "comment",
                                     distinct)  # fmt: skip
            pq.write_table(table, path)
        url = _warehouse_url(engine, Path(folder))
        store = open_store(url)
        try:
            load_warehouse(store, ParquetSource(out), WORKSPACE)
        finally:
            store.close()

        clear_cache()
        before, source = _read(url)
        assert source == "computed"
        run = analyse_and_store(url, WORKSPACE)
        first, source = _read(url)
        assert source == "stored"
        fresh = float(subprocess.run([sys.executable, "-c", FRESH_READ, url], check=True,
                                     capture_output=True, text=True).stdout)  # fmt: skip
        repeated = sorted(_read(url)[0] for _ in range(5))
        _add_unscored(url, 100)
        again = analyse_and_store(url, WORKSPACE)
    print(f"size {size}{' --distinct' if '--distinct' in args else ''}, {engine}: "
          f"{run.comments} comments")
    print(f"before (computed on read):        {before:6.2f} s")
    print(f"worker (analyse + store):         {run.seconds:6.2f} s")
    print(f"after, first read in this process: {first:6.3f} s  ({before / first:,.0f}x faster)")
    print(f"after, first read, fresh process:  {fresh:6.3f} s  ({before / fresh:,.0f}x faster; "
          "imports included)")
    print(f"after, repeated reads (median of 5): {repeated[2]:6.3f} s")
    print(f"worker again, 100 unscored comments: {again.seconds:6.2f} s "
          f"(CV figures kept: {again.cv_reused})")


def _add_unscored(url: str, n: int) -> None:
    """``n`` new commented responses without scores, as a later load would append them."""
    import pyarrow as pa

    from kano.adapters.warehouse import open_store
    from kano.adapters.warehouse.reading import read_only_warehouse
    from kano.metrics.warehouse_schema import RESPONSES

    with read_only_warehouse(url) as backend:  # leaves Spark's session running
        t = backend.table("responses")
        t = t.filter(t.workspace_id == WORKSPACE)
        last = int(t.response_id.max().to_pyarrow().as_py())
        rows = t.filter(t.comment.notnull()).order_by("response_id").limit(n).to_pyarrow()
    rows = rows.select(list(RESPONSES.schema.names)).cast(RESPONSES.schema)
    rows = rows.set_column(rows.schema.get_field_index("response_id"), "response_id",
                           pa.array(range(last + 1, last + 1 + rows.num_rows), pa.int64()))
    rows = rows.set_column(rows.schema.get_field_index("comment"), "comment", pa.array(
        [f"Later comment {i}: nobody called back." for i in range(rows.num_rows)]))
    for score in ("nps", "csat", "ces", "rating"):
        index = rows.schema.get_field_index(score)
        rows = rows.set_column(index, score, pa.nulls(rows.num_rows, rows.schema.field(index).type))
    store = open_store(url)
    try:
        with store.transaction() as writer:
            writer.append("responses", rows)
    finally:
        store.close()


if __name__ == "__main__":
    main()
