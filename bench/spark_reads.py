"""Reads from a Spark warehouse as a page does them: open, query, close; first and warm.

Usage: python bench/spark_reads.py [SIZE] [--rounds N] [--warehouse DIR] [--no-fresh]
  SIZE         demo company size (default S, seed 1)
  --rounds     warm reads per question (default 5; the median is printed)
  --warehouse  build the warehouse in DIR once and reuse it on later runs (default: a
               temporary folder); the stored text analysis is part of the build
  --no-fresh   skip the two fresh processes (first reads)

Each Kano read is one ``read_only_warehouse(url)`` block around one question, as a page
or an API request does it: NPS by segment, revenue by month and the Themes page's stored
text read (``text_report(…, "touchpoint")``). The connection alone is timed too.

The baseline asks the same questions in the same Spark session through plain
``spark.read.parquet`` views of only the tables each question needs, registered once at
its first read: hand-written Spark SQL for the two metrics (whose answers must equal
Kano's), the same Ibis text read on a plain ``ibis.pyspark`` backend for the third.
``Kano / baseline`` near 1 means the warehouse connection costs next to nothing.

- first reads: one fresh process per side (Kano, then the baseline), each starting Spark
  and asking the three questions once, in the same order; before this process starts
  its own Spark, so the two never share the machine's cores;
- warm reads: in this process, after one untimed read each, Kano and the baseline asked
  in turn, question by question, ``--rounds`` times (a load from other work on the
  machine then hits both sides alike).

To compare code versions, run this script with ``PYTHONPATH`` set to an older ``src``
(``git archive COMMIT src | tar -x -C DIR``) on the same ``--warehouse``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

WORKSPACE = 1
SEED = 1

NPS_BY_SEGMENT = """
SELECT s.key AS segment,
       100.0D * (AVG(CASE WHEN r.nps >= 9 THEN 1.0D ELSE 0.0D END)
              - AVG(CASE WHEN r.nps <= 6 THEN 1.0D ELSE 0.0D END)) AS value,
       COUNT(*) AS n
FROM {responses} r
JOIN {customers} c ON c.workspace_id = r.workspace_id AND c.customer_id = r.customer_id
JOIN {segments} s ON s.workspace_id = c.workspace_id AND s.segment_id = c.segment_id
WHERE r.workspace_id = {ws} AND r.nps IS NOT NULL
GROUP BY s.key
"""
REVENUE_BY_MONTH = """
SELECT DATE_TRUNC('MONTH', occurred_at) AS month, SUM(amount) AS value, COUNT(*) AS n
FROM {transactions} WHERE workspace_id = {ws}
GROUP BY DATE_TRUNC('MONTH', occurred_at)
"""

Answer = dict[str, tuple[float, int]]  # slice → (value, n)
TEXT_READ_TABLES = (
    "comment_insights", "customers", "responses", "segments", "text_analyses", "touchpoints",
)  # fmt: skip
"""The warehouse tables the text read names (checked against a recording on every run)."""


def build(folder: Path, size: str) -> str:
    """The warehouse URL, loaded from the demo company with its text analysis stored."""
    from kano.adapters.jobs.text_insights import analyse_and_store
    from kano.adapters.warehouse import ParquetSource, load_warehouse, open_store
    from kano.demo import generate_company

    url = f"spark://local?path={folder / 'spark'}"
    if (folder / "built.json").exists():
        return url
    generate_company(size, SEED, folder / "company")
    store = open_store(url)
    try:
        load_warehouse(store, ParquetSource(folder / "company"), WORKSPACE)
    finally:
        store.close()
    run = analyse_and_store(url, WORKSPACE)
    assert run.status == "stored", run
    (folder / "built.json").write_text(json.dumps({"size": size, "seed": SEED}))
    return url


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


class KanoReads:
    """The questions as Kano's pages ask them: one read-only connection per question."""

    def __init__(self, url: str) -> None:
        from kano.metrics import built_in_catalogue

        self.url = url
        self.catalogue = built_in_catalogue()

    def connect(self) -> None:
        from kano.adapters.warehouse.reading import read_only_warehouse

        with read_only_warehouse(self.url):
            pass

    def metric(self, metric_id: str, by: str) -> Answer:
        from kano.adapters.warehouse.reading import read_only_warehouse
        from kano.metrics import compute_metric

        with read_only_warehouse(self.url) as backend:
            rows = compute_metric(backend, self.catalogue.get(metric_id), by=[by],
                                  workspace_id=WORKSPACE)  # fmt: skip
        return {slice_key(row.keys[0][1]): (float(row.value or 0), row.n) for row in rows}

    def text(self) -> Any:
        from kano.adapters.warehouse.reading import read_only_warehouse
        from kano.analytics.text.stored_results import text_report

        with read_only_warehouse(self.url) as backend:
            report = text_report(backend, WORKSPACE, "touchpoint", warehouse=self.url)
        assert report.freshness.source == "stored"
        return report


class BaselineReads:
    """The same questions on plain views of only the tables they need, registered once."""

    def __init__(self, root: Path) -> None:
        from kano.adapters.warehouse.spark import _read_manifest, spark_session

        self.root = root
        self.manifest = _read_manifest(root)
        self.session = spark_session("local[2]")
        self.registered: set[str] = set()

    def _views(self, *tables: str) -> None:
        for table in tables:
            if table in self.registered:
                continue
            files = [str(self.root / part) for parts in self.manifest["tables"][table].values()
                     for part in parts]  # fmt: skip
            self.session.read.parquet(*files).createOrReplaceTempView(f"plain_{table}")
            self.registered.add(table)

    def _sql(self, query: str, *tables: str) -> Answer:
        self._views(*tables)
        names = {table: f"plain_{table}" for table in tables}
        rows = self.session.sql(query.format(ws=WORKSPACE, **names)).collect()
        return {slice_key(r[0]): (float(r["value"]), int(r["n"])) for r in rows}

    def nps_by_segment(self) -> Answer:
        return self._sql(NPS_BY_SEGMENT, "responses", "customers", "segments")

    def revenue_by_month(self) -> Answer:
        return self._sql(REVENUE_BY_MONTH, "transactions")

    def text(self, tables: tuple[str, ...]) -> Any:
        import ibis

        from kano.analytics.text.stored_results import text_report

        self._views(*tables)
        backend = ibis.pyspark.connect(self.session)
        plain = backend.table

        def table(name: str, /, **options: Any) -> Any:
            return plain(f"plain_{name}" if name in tables else name, **options)

        backend.table = table  # type: ignore[method-assign]
        report = text_report(backend, WORKSPACE, "touchpoint", warehouse="spark://baseline")
        assert report.freshness.source == "stored"
        return report


def text_tables(url: str) -> tuple[str, ...]:
    """The warehouse tables the text read names (recorded on one Kano connection)."""
    from kano.adapters.warehouse.reading import read_only_warehouse
    from kano.analytics.text.stored_results import text_report
    from kano.metrics.warehouse_schema import TABLES, TEXT_TABLES

    known = {t.name for t in (*TABLES, *TEXT_TABLES)}
    names: list[str] = []
    with read_only_warehouse(url) as backend:
        kano_table = backend.table

        def table(name: str, /, **options: Any) -> Any:
            names.append(name)
            return kano_table(name, **options)

        backend.table = table
        text_report(backend, WORKSPACE, "touchpoint", warehouse=url)
    return tuple(sorted({n for n in names if n in known}))


def slice_key(value: Any) -> str:
    """A segment's key as is; a month (a date or a timestamp) as ``YYYY-MM``."""
    return str(value)[:7] if hasattr(value, "year") else str(value)


def agree(kano: Answer, plain: Answer) -> bool:
    return kano.keys() == plain.keys() and all(
        abs(kano[k][0] - plain[k][0]) <= 1e-6 * max(1.0, abs(plain[k][0]))
        and kano[k][1] == plain[k][1] for k in kano)  # fmt: skip


def questions(side: str, url: str, root: Path) -> dict[str, Callable[[], Any]]:
    """The three questions as ``side`` (kano or baseline) asks them, in the order timed."""
    if side == "kano":
        kano = KanoReads(url)
        return {
            "nps by segment": lambda: kano.metric("nps", "segment"),
            "revenue by month": lambda: kano.metric("revenue", "month"),
            "text read": kano.text,
        }
    plain = BaselineReads(root)
    return {
        "nps by segment": plain.nps_by_segment,
        "revenue by month": plain.revenue_by_month,
        "text read": lambda: plain.text(TEXT_READ_TABLES),
    }


def first_reads(side: str, url: str, root: Path) -> dict[str, float]:
    """In a fresh process: each question's first read once Spark has started."""
    from kano.adapters.warehouse.location import parse_warehouse_url
    from kano.adapters.warehouse.spark import spark_session

    started, _ = timed(lambda: spark_session(parse_warehouse_url(url).master))
    asked = questions(side, url, root)
    return {"spark start": started, **{name: timed(ask)[0] for name, ask in asked.items()}}


def fresh_process(side: str, folder: Path) -> dict[str, float]:
    command = [sys.executable, __file__, "--first", side, "--warehouse", str(folder)]
    started = time.perf_counter()
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    figures: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    figures["whole process"] = time.perf_counter() - started
    return figures


def warm_reads(url: str, root: Path, rounds: int) -> dict[str, tuple[list[float], list[float]]]:
    """Per question, Kano's and the baseline's times, asked in turn in each round (after
    one untimed read each, whose answers must agree)."""
    kano, plain = questions("kano", url, root), questions("baseline", url, root)
    for name in kano:
        ours, theirs = kano[name](), plain[name]()
        assert name == "text read" or agree(ours, theirs), (name, ours, theirs)
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in kano}
    for _ in range(rounds):
        for name in kano:
            times[name][0].append(timed(kano[name])[0])
            times[name][1].append(timed(plain[name])[0])
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", nargs="?", default="S")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warehouse", type=Path)
    parser.add_argument("--no-fresh", action="store_true")
    parser.add_argument("--first", choices=("kano", "baseline"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.first:  # the fresh process of fresh_process()
        url = f"spark://local?path={args.warehouse / 'spark'}"
        print(json.dumps(first_reads(args.first, url, args.warehouse / "spark")))
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.warehouse or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        built, url = timed(lambda: build(folder, args.size))
        fresh = {}
        if not args.no_fresh:  # before this process starts its own Spark
            fresh = {side: fresh_process(side, folder) for side in ("kano", "baseline")}
        report(url, folder / "spark", args, built, fresh)


def report(url: str, root: Path, args: argparse.Namespace, built: float,
           fresh: dict[str, dict[str, float]]) -> None:  # fmt: skip
    import kano
    from kano.adapters.warehouse.spark import spark_session

    started, _ = timed(lambda: spark_session("local[2]"))
    recorded = text_tables(url)
    times = warm_reads(url, root, args.rounds)
    kano_reads = KanoReads(url)
    connecting = statistics.median(timed(kano_reads.connect)[0] for _ in range(args.rounds))

    print(f"Spark warehouse, demo {args.size} seed {SEED}; kano from "
          f"{Path(kano.__file__).parent}")  # fmt: skip
    print(f"build (generate, load, analyse; only imports when reused): {built:.1f} s; "
          f"Spark start in this process: {started:.1f} s")  # fmt: skip
    if recorded != TEXT_READ_TABLES:
        print(f"NOTE: the text read now names {recorded}; the baseline registers "
              f"{TEXT_READ_TABLES}")  # fmt: skip
    if fresh:
        print("first read in a fresh process, once Spark has started (questions in this order):")
        for side, figures in fresh.items():
            print(f"  {side:<8} " + ", ".join(f"{k} {v:.2f} s" for k, v in figures.items()))
        for name in times:
            ours, theirs = fresh["kano"][name], fresh["baseline"][name]
            print(f"  {name:<18} Kano {ours:7.3f} s  baseline {theirs:7.3f} s  "
                  f"Kano / baseline {ours / theirs:5.2f}x")  # fmt: skip
    print(f"warm reads in this process, median of {args.rounds} (asked in turn):")
    print(f"  connection alone (open + close): {connecting:.4f} s")
    for name, (ours, theirs) in times.items():
        mine, base = statistics.median(ours), statistics.median(theirs)
        print(f"  {name:<18} Kano {mine:7.3f} s  baseline {base:7.3f} s  "
              f"Kano / baseline {mine / base:5.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
