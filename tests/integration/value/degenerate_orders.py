"""A generated company whose orders are degenerate in one way — one customer, everyone
spending the same, nobody buying twice — for checking that the value analyses answer with
a named problem (or a plain result), never a server error."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


def _one_customer(orders: pd.DataFrame) -> pd.DataFrame:
    busiest = orders["customer_id"].value_counts().index[0]
    return orders[orders["customer_id"] == busiest]


def _same_spend(orders: pd.DataFrame) -> pd.DataFrame:
    return orders.assign(amount=100.0, margin=30.0)


def _no_repeat_buyers(orders: pd.DataFrame) -> pd.DataFrame:
    ranked = orders.sort_values(["customer_id", "occurred_at", "transaction_id"])
    return ranked.drop_duplicates("customer_id")


DEGENERATE: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    "one_customer": _one_customer,
    "same_spend": _same_spend,
    "no_repeat_buyers": _no_repeat_buyers,
}


def with_degenerate_orders(source: Path, target: Path, kind: str) -> Path:
    """A copy of the company's files in ``target`` with its orders made ``kind``."""
    shutil.copytree(source, target)
    table = pq.read_table(source / "transactions.parquet")
    orders = DEGENERATE[kind](table.to_pandas())
    pq.write_table(pa.Table.from_pandas(orders, schema=table.schema, preserve_index=False),
                   target / "transactions.parquet")  # fmt: skip
    return target
