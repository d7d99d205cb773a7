"""A generated company whose one segment has only one-time buyers: the CLV models cannot
be fitted to it (no repeat purchase), while the other segments fit as before."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def with_one_time_buyers(source: Path, target: Path, segment: str) -> Path:
    """A copy of the company's files in ``target`` where each customer of ``segment``
    keeps only their first order."""
    shutil.copytree(source, target)
    segments = pq.read_table(source / "segments.parquet").to_pandas()
    segment_id = int(segments.loc[segments["key"] == segment, "segment_id"].iloc[0])
    customers = pq.read_table(source / "customers.parquet").to_pandas()
    members = set(customers.loc[customers["segment_id"] == segment_id, "customer_id"])
    table = pq.read_table(source / "transactions.parquet")
    orders = table.to_pandas()
    ranked = orders.sort_values(["customer_id", "occurred_at", "transaction_id"])
    later = ranked["customer_id"].duplicated() & ranked["customer_id"].isin(members)
    kept = orders.drop(index=ranked.index[later]).sort_index()
    pq.write_table(pa.Table.from_pandas(kept, schema=table.schema, preserve_index=False),
                   target / "transactions.parquet")  # fmt: skip
    return target
