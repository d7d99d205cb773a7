"""Throughput of the demo-company generator.

    python bench/generate.py --size L|XL [--out DIR] [--seed N]

Generates the company (into a temporary directory, removed afterwards, unless ``--out``
is given), then prints rows per second, peak RSS, and -- as a floor to compare against --
the rate of a plain pyarrow write of as many random rows in a transactions-like schema.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from kano.demo import SIZES, generate_company

_FLOOR_BATCH = 1 << 20
_FLOOR_PRODUCTS = pa.array([f"product-{i}" for i in range(12)])


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def plain_write_rate(rows: int, out_dir: Path) -> float:
    """Rows/s of writing ``rows`` random rows (ids, timestamp, two floats, a dictionary
    string, an int32) with pyarrow's ParquetWriter, zstd level 1 -- no logic at all."""
    rng = np.random.default_rng(0)
    schema = pa.schema(
        [
            ("id", pa.int64()),
            ("customer_id", pa.int64()),
            ("occurred_at", pa.timestamp("us")),
            ("amount", pa.float64()),
            ("margin", pa.float64()),
            ("product", pa.dictionary(pa.int32(), pa.string())),
            ("team_id", pa.int32()),
        ]
    )
    started = time.perf_counter()
    with pq.ParquetWriter(
        out_dir / "floor.parquet",
        schema,
        compression="zstd",
        compression_level=1,
        store_schema=False,
    ) as writer:
        for first in range(0, rows, _FLOOR_BATCH):
            n = min(_FLOOR_BATCH, rows - first)
            amount = rng.lognormal(6.0, 1.0, n)
            writer.write_table(
                pa.Table.from_arrays(
                    [
                        pa.array(np.arange(first, first + n, dtype=np.int64)),
                        pa.array(rng.integers(0, 1 << 30, n)),
                        pa.array(rng.integers(1 << 50, 1 << 51, n), type=pa.timestamp("us")),
                        pa.array(amount),
                        pa.array(amount * 0.3),
                        pa.DictionaryArray.from_arrays(
                            pa.array(rng.integers(0, 12, n).astype(np.int32)), _FLOOR_PRODUCTS
                        ),
                        pa.array(rng.integers(1, 15, n).astype(np.int32)),
                    ],
                    schema=schema,
                )
            )
    return rows / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="L")
    parser.add_argument("--out", type=Path, help="keep the files here instead of a temp dir")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kano-bench-"))
    out = args.out or work / "company"
    try:
        report = generate_company(args.size, args.seed, out)
        peak = _peak_rss_mib()
        print(
            f"size {args.size}: {report.total_rows:,} rows in {report.seconds:.1f} s "
            f"= {report.rows_per_second:,.0f} rows/s; peak RSS {peak:,.0f} MiB"
        )
        for table, rows in report.rows.items():
            print(f"  {table:<15} {rows:>13,}")
        floor = plain_write_rate(report.total_rows, work)
        print(
            f"plain pyarrow write of {report.total_rows:,} random rows: {floor:,.0f} rows/s "
            f"(generator = {report.rows_per_second / floor:.2f} x plain write)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
