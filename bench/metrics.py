"""Speed of the metrics engine: the full built-in catalogue by month × segment.

    python bench/metrics.py --size S|M|L [--engine duckdb|postgres] [--repeat N]
                            [--data DIR | --cache DIR] [--seed N] [--one-by-one]

Generates the demo company (or reuses ``--data DIR``; ``--cache DIR`` keeps one folder
per size and seed so repeated runs skip generation), loads it into a fresh warehouse
(a DuckDB file in a temporary directory, or the schema ``kano_bench`` of PostgreSQL at
127.0.0.1:5432/test) and times, each as the median of ``--repeat`` runs:

- Kano computing all 44 built-in metrics by month × segment (month × team for the
  pulse and staff metrics, which have no customer): ``compute_metrics``, one call per
  slicing (the whole catalogue asked for at once), or with ``--one-by-one``
  ``compute_metric`` for each metric in turn; the first run of a fresh process is the
  one timed (DuckDB's buffers cold), the same questions asked again in that process are
  reported beside it;
- a straightforward pandas implementation of the same catalogue on the Parquet files
  (``bench/metrics_pandas.py``), reading included; its rows are compared with Kano's
  for every metric and slice (value within 1e-9 relative, n, and the interval), and
  any difference fails the run;
- hand-written SQL (``bench/metrics_sql.py``) for NPS, retention m1/m3/m12 and p90
  delivery delay, against Kano computing the same five metrics, also checked.

The load is timed once and reported apart: it is paid once per data refresh, not per
question. Kano and pandas take turns, one fresh process per run, so both meet the same
load from whatever else runs on the machine and each run's peak RSS (``getrusage``) is
its own; the SQL race runs Kano and the queries in turns in one process. The last two
lines are ``ratio pandas/kano: X`` (pandas reading included) and
``ratio kano/duckdb-sql: Y``; with ``--engine postgres`` the hand-written SQL runs on
PostgreSQL too, so Y compares like with like.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from kano.demo import SIZES, generate_company

WORKSPACE = 1
POSTGRES_URL = "postgresql://127.0.0.1:5432/test?schema=kano_bench"
REL_TOL = 1e-9
ABS_TOL = 1e-9  # values that are exactly 0 on one side and 1e-15 on the other
# Metrics whose facts carry no customer; sliced by team instead of segment.
TEAM_SOURCES = {"pulses", "employees"}

Key = tuple[str, str | None]  # (month label, segment or team)
Row = tuple[float | None, int, float | None, float | None]  # value, n, ci_low, ci_high


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def in_fresh_process(function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)`` in a new interpreter, so its peak RSS is its own."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(function, *args).result()


# --- data and warehouse ----------------------------------------------------------------------


def company_folder(args: argparse.Namespace, scratch: Path) -> Path:
    """The generated company: ``--data``, a cached folder, or a fresh temporary one."""
    if args.data:
        return args.data
    folder = (args.cache or scratch) / f"{args.size}-seed{args.seed}"
    if (folder / "ground_truth.yaml").exists():
        print(f"company: reusing {folder}")
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    report = generate_company(args.size, args.seed, folder)
    print(f"company: generated size {args.size} ({report.total_rows:,} rows) in "
          f"{report.seconds:.1f} s into {folder}")  # fmt: skip
    return folder


def warehouse_url(engine: str, scratch: Path) -> str:
    if engine == "duckdb":
        return f"duckdb:///{scratch / 'warehouse.duckdb'}"
    return POSTGRES_URL


def drop_postgres_schema(url: str) -> None:
    """A fresh schema, so the load is a full one and not an (empty) incremental one."""
    import psycopg
    from psycopg import sql

    from kano.adapters.warehouse import parse_warehouse_url

    location = parse_warehouse_url(url)
    statement = sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(location.schema))
    with psycopg.connect(location.psycopg_conninfo(), autocommit=True) as connection:
        connection.execute(statement)


def load_phase(url: str, folder: Path) -> dict[str, Any]:
    from kano.adapters.warehouse import ParquetSource, load_warehouse, open_store

    started = time.perf_counter()
    store = open_store(url)
    try:
        report = load_warehouse(store, ParquetSource(folder), WORKSPACE)
    finally:
        store.close()
    return {
        "seconds": time.perf_counter() - started,
        "rows": report.total_rows,
        "rss": peak_rss_mib(),
    }


# --- the three contestants ------------------------------------------------------------------


def slices_of(metric: Any) -> list[str]:
    return ["month", "team" if metric.source in TEAM_SOURCES else "segment"]


def kano_rows(rows: list[Any]) -> dict[Key, Row]:
    return {
        (str(row.keys[0][1]), row.keys[1][1]): (row.value, row.n, row.ci_low, row.ci_high)
        for row in rows
    }


def kano_catalogue_run(url: str, one_by_one: bool = False) -> dict[str, Any]:
    """One run of the whole catalogue: with ``compute_metrics`` (one call per slicing;
    per-metric times are then unknown, NaN) or metric after metric (``compute_metric``)."""
    from kano.adapters.warehouse import connect
    from kano.metrics import built_in_catalogue, compute_metric, compute_metrics

    backend = connect(url, read_only=True) if url.startswith("duckdb") else connect(url)
    catalogue = list(built_in_catalogue())
    per_metric: dict[str, float] = {metric.id: math.nan for metric in catalogue}
    results: dict[str, dict[Key, Row]] = {}
    started = time.perf_counter()
    if one_by_one:
        for metric in catalogue:
            begun = time.perf_counter()
            rows = compute_metric(backend, metric, by=slices_of(metric), workspace_id=WORKSPACE)
            per_metric[metric.id] = time.perf_counter() - begun
            results[metric.id] = kano_rows(rows)
    else:
        by_slicing: dict[tuple[str, ...], list[Any]] = {}
        for metric in catalogue:
            by_slicing.setdefault(tuple(slices_of(metric)), []).append(metric)
        for by, metrics in by_slicing.items():
            computed = compute_metrics(backend, metrics, by=by, workspace_id=WORKSPACE)
            results |= {metric_id: kano_rows(rows) for metric_id, rows in computed.items()}
    total = time.perf_counter() - started
    warm = math.nan
    if not one_by_one:  # the same questions again: what a running `kano serve` would take
        started = time.perf_counter()
        for by, metrics in by_slicing.items():
            compute_metrics(backend, metrics, by=by, workspace_id=WORKSPACE)
        warm = time.perf_counter() - started
    return {
        "total": total,
        "warm": warm,
        "per_metric": per_metric,
        "results": results,
        "rss": peak_rss_mib(),
    }


def pandas_catalogue_run(folder: Path) -> dict[str, Any]:
    """One run of the pandas catalogue, reading the Parquet files included."""
    import metrics_pandas

    per_metric: dict[str, float] = {}
    results: dict[str, dict[Key, Row]] = {}
    started = time.perf_counter()
    company = metrics_pandas.read_company(folder)
    read = time.perf_counter() - started
    for metric_id, compute in metrics_pandas.catalogue(company).items():
        begun = time.perf_counter()
        frame = compute()
        per_metric[metric_id] = time.perf_counter() - begun
        results[metric_id] = metrics_pandas.as_rows(frame)
    total = time.perf_counter() - started
    return {
        "total": total,
        "read": read,
        "per_metric": per_metric,
        "results": results,
        "rss": peak_rss_mib(),
    }


def _sql_cursor(engine: str, url: str) -> tuple[Any, Any]:
    """A raw connection (duckdb module or psycopg) to the warehouse, and its cursor."""
    from kano.adapters.warehouse import parse_warehouse_url

    location = parse_warehouse_url(url)
    if engine == "duckdb":
        import duckdb

        connection = duckdb.connect(location.path, read_only=True)
        return connection, connection
    import psycopg

    connection = psycopg.connect(location.psycopg_conninfo(), autocommit=True)
    cursor = connection.cursor()
    cursor.execute(f'SET search_path TO "{location.schema}"')
    return connection, cursor


def sql_race(engine: str, url: str, repeat: int) -> dict[str, Any]:
    """Kano and the hand-written SQL on the same five metrics, taking turns each round so
    that both meet the same load from whatever else runs on the machine."""
    import metrics_sql

    from kano.adapters.warehouse import connect
    from kano.metrics import built_in_catalogue, compute_metric

    backend = connect(url, read_only=True) if engine == "duckdb" else connect(url)
    catalogue = built_in_catalogue()
    connection, cursor = _sql_cursor(engine, url)
    queries = metrics_sql.queries(engine, WORKSPACE)
    kano: dict[str, list[float]] = {metric_id: [] for metric_id in queries}
    sql: dict[str, list[float]] = {metric_id: [] for metric_id in queries}
    kano_totals: list[float] = []
    sql_totals: list[float] = []
    results: dict[str, dict[Key, tuple[float, int]]] = {}
    for _ in range(repeat):
        for metric_id in queries:
            metric = catalogue.get(metric_id)
            begun = time.perf_counter()
            compute_metric(backend, metric, by=slices_of(metric), workspace_id=WORKSPACE)
            kano[metric_id].append(time.perf_counter() - begun)
        kano_totals.append(sum(times[-1] for times in kano.values()))
        for metric_id, query in queries.items():
            begun = time.perf_counter()
            results[metric_id] = metrics_sql.run(cursor, query)
            sql[metric_id].append(time.perf_counter() - begun)
        sql_totals.append(sum(times[-1] for times in sql.values()))
    connection.close()
    return {
        "kano_total": statistics.median(kano_totals),
        "sql_total": statistics.median(sql_totals),
        "kano": {k: statistics.median(v) for k, v in kano.items()},
        "sql": {k: statistics.median(v) for k, v in sql.items()},
        "results": results,
        "rss": peak_rss_mib(),
    }


def medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median total and per-metric times of several runs; the last run's rows; the
    highest peak RSS."""
    summary = {
        "total": statistics.median(run["total"] for run in runs),
        "runs": [run["total"] for run in runs],
        "per_metric": {
            metric_id: statistics.median(run["per_metric"][metric_id] for run in runs)
            for metric_id in runs[0]["per_metric"]
        },
        "results": runs[-1]["results"],
        "rss": max(run["rss"] for run in runs),
    }
    for optional in ("read", "warm"):
        if optional in runs[0]:
            summary[optional] = statistics.median(run[optional] for run in runs)
    return summary


# --- checking -------------------------------------------------------------------------------


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def differences(
    kano: dict[str, dict[Key, Row]],
    other: dict[str, dict[Key, Any]],
    other_name: str,
    with_intervals: bool,
) -> list[str]:
    """Every slice where ``other`` disagrees with Kano, named by metric and keys."""
    found = []
    for metric_id, theirs in other.items():
        mine = kano[metric_id]
        for key in sorted(set(mine) ^ set(theirs), key=str):
            side = "Kano" if key in mine else other_name
            found.append(f"{metric_id} {key}: only {side} has this slice")
        for key in sorted(set(mine) & set(theirs), key=str):
            value, n, *interval = mine[key]
            their_value, their_n, *their_interval = theirs[key]
            if n != their_n:
                found.append(f"{metric_id} {key}: n {n} (Kano) != {their_n} ({other_name})")
            if not _close(value, their_value):
                found.append(
                    f"{metric_id} {key}: value {value!r} (Kano) != {their_value!r} ({other_name})"
                )
            if with_intervals:
                for name, a, b in zip(("ci_low", "ci_high"), interval, their_interval, strict=True):
                    if not _close(a, b):
                        found.append(f"{metric_id} {key}: {name} {a!r} (Kano) != {b!r} (other)")
    return found


# --- report ---------------------------------------------------------------------------------


def report(
    args: argparse.Namespace,
    load: dict[str, Any],
    kano: dict[str, Any],
    pandas_: dict[str, Any],
    race: dict[str, Any],
) -> None:
    print()
    header = f"{'metric':<22} {'rows':>5} {'kano s':>8} {'pandas s':>9}"
    print(f"{header}   {'race: kano s':>12} {'sql s':>7}")
    for metric_id, seconds in kano["per_metric"].items():
        line = (
            f"{metric_id:<22} {len(kano['results'][metric_id]):>5} {seconds:>8.3f} "
            f"{pandas_['per_metric'][metric_id]:>9.3f}"
        )
        if metric_id in race["sql"]:
            line += f"   {race['kano'][metric_id]:>12.3f} {race['sql'][metric_id]:>7.3f}"
        print(line)
    print(f"{'(pandas: read Parquet, attach month and slice)':<47} {pandas_['read']:>9.3f}")
    load_avg = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print()
    print(f"size {args.size}, engine {args.engine}, median of {args.repeat}; "
          f"load average now {load_avg}")  # fmt: skip
    print(f"load into warehouse:    {load['seconds']:8.2f} s  ({load['rows']:,} rows, "
          f"peak RSS {load['rss']:,.0f} MiB)")  # fmt: skip
    mode = "compute_metric one by one" if args.one_by_one else "compute_metrics"
    print(f"kano, full catalogue:   {kano['total']:8.2f} s  ({mode}; runs "
          f"{', '.join(f'{t:.2f}' for t in kano['runs'])}; "
          f"peak RSS {kano['rss']:,.0f} MiB)")  # fmt: skip
    if not math.isnan(kano.get("warm", math.nan)):
        print(f"kano, again in-process: {kano['warm']:8.2f} s  (the same process asks again, "
              "caches warm, as in a running server; not used for the ratio)")  # fmt: skip
    print(f"pandas, full catalogue: {pandas_['total']:8.2f} s  (runs "
          f"{', '.join(f'{t:.2f}' for t in pandas_['runs'])}; of which reading "
          f"{pandas_['read']:.2f} s; peak RSS {pandas_['rss']:,.0f} MiB)")  # fmt: skip
    print(f"kano, {'/'.join(race['sql'])}: {race['kano_total']:.3f} s")
    print(f"hand-written {args.engine} SQL, same five: {race['sql_total']:.3f} s "
          f"(peak RSS of the race {race['rss']:,.0f} MiB)")  # fmt: skip
    compute_only = pandas_["total"] - pandas_["read"]
    print(f"ratio pandas (without reading)/kano: {compute_only / kano['total']:.2f}")
    print(f"ratio pandas/kano: {pandas_['total'] / kano['total']:.2f}")
    print(f"ratio kano/duckdb-sql: {race['kano_total'] / race['sql_total']:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--engine", choices=("duckdb", "postgres"), default="duckdb")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=Path, help="an already generated company folder")
    parser.add_argument("--cache", type=Path, help="keep generated companies here, reuse them")
    parser.add_argument(
        "--one-by-one", action="store_true", help="time compute_metric per metric instead"
    )
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="kano-bench-metrics-"))
    try:
        folder = company_folder(args, scratch)
        url = warehouse_url(args.engine, scratch)
        if args.engine == "postgres":
            drop_postgres_schema(url)
        load = in_fresh_process(load_phase, url, folder)
        print(f"loaded {load['rows']:,} rows into {args.engine} in {load['seconds']:.1f} s")
        kano_runs, pandas_runs = [], []
        for round_ in range(1, args.repeat + 1):  # alternate, so both meet the same load
            kano_runs.append(in_fresh_process(kano_catalogue_run, url, args.one_by_one))
            pandas_runs.append(in_fresh_process(pandas_catalogue_run, folder))
            print(f"round {round_}: kano {kano_runs[-1]['total']:.2f} s "
                  f"(again in-process {kano_runs[-1]['warm']:.2f} s), "
                  f"pandas {pandas_runs[-1]['total']:.2f} s")  # fmt: skip
        race = in_fresh_process(sql_race, args.engine, url, args.repeat)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    kano, pandas_ = medians(kano_runs), medians(pandas_runs)

    problems = differences(kano["results"], pandas_["results"], "pandas", with_intervals=True)
    problems += differences(kano["results"], race["results"], "SQL", with_intervals=False)
    if problems:
        print(f"RESULTS DIFFER in {len(problems)} places:", file=sys.stderr)
        for line in problems[:50]:
            print(f"  {line}", file=sys.stderr)
        return 1
    print(f"checked: pandas agrees with Kano on all {len(pandas_['results'])} metrics, "
          f"hand-written SQL on {len(race['results'])}")  # fmt: skip
    report(args, load, kano, pandas_, race)
    return 0


if __name__ == "__main__":
    sys.exit(main())
