"""Segments of any source slice metrics and narrow the value analyses by their *current*
members, on every engine, checked against plain pandas on the same spans.

The demo company gets a rule-like segment, ``north-keys``, on top of its filed (manual)
segments: some customers are members now (an open span), others were and left (a closed
span), so a customer can be in two segments at once, and a past member must not count.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from kano.adapters.warehouse import ParquetSource
from kano.analytics.value.inputs import ValueReader, rfm_inputs
from kano.domain.shared.errors import InvalidInput
from kano.metrics import built_in_catalogue, compute_metric, load_custom_metrics
from kano.metrics.warehouse_schema import SEGMENT_MEMBERSHIPS, SEGMENTS, WarehouseTable
from tests.integration.warehouse.conftest import DEMO_WORKSPACE, DemoWarehouses
from tests.warehouses import ENGINE_PARAMS, WarehouseFactory

CATALOGUE = built_in_catalogue()
NORTH_KEYS = 9_001  # a segment id the generator does not use
KEY = "north-keys"
JOINED, LEFT = datetime(2024, 1, 1), datetime(2024, 6, 1)
(OUTSIDE_NORTH_KEYS,) = load_custom_metrics(f"""
metrics:
  - id: revenue_outside_north_keys
    name: Revenue outside the northern key accounts
    layer: financial
    unit: money
    direction: higher
    source: transactions
    aggregate: sum
    value: amount
    filter: "segment not in ('{KEY}')"
""")


def read(folder: Path, table: str) -> pd.DataFrame:
    return pd.read_parquet(folder / f"{table}.parquet")


def span_rows(folder: Path) -> list[tuple[int, int, datetime, datetime | None]]:
    """``north-keys``: accounts with an even id are members now; every fifth customer
    with an odd id was a member until ``LEFT`` and is no longer."""
    customers = read(folder, "customers")
    ids = customers.customer_id.astype("int64")
    now = customers[(customers.kind == "account") & (ids % 2 == 0)].customer_id
    before = customers[(ids % 2 == 1) & (ids % 5 == 0)].customer_id
    rows: list[tuple[int, int, datetime, datetime | None]] = [
        (NORTH_KEYS, int(c), JOINED, None) for c in now
    ]
    return rows + [(NORTH_KEYS, int(c), JOINED, LEFT) for c in before]


def extra_spans(folder: Path) -> pd.DataFrame:
    return pd.DataFrame(span_rows(folder),
                        columns=["segment_id", "customer_id", "valid_from", "valid_to"])


class SegmentSource(ParquetSource):
    """The generated company plus the ``north-keys`` segment and its spans."""

    def _extra(self, table: WarehouseTable, workspace_id: int) -> pa.Table | None:
        if table.name == SEGMENTS.name:
            rows = {"segment_id": [NORTH_KEYS], "key": [KEY], "name": ["Key accounts, north"]}
        elif table.name == SEGMENT_MEMBERSHIPS.name:
            names = ("segment_id", "customer_id", "valid_from", "valid_to")
            rows = {name: list(column) for name, column
                    in zip(names, zip(*span_rows(self.folder), strict=True), strict=True)}
        else:
            return None
        count = len(next(iter(rows.values())))
        return pa.table({"workspace_id": [workspace_id] * count, **rows}, schema=table.schema)

    def count(
        self, table: WarehouseTable, workspace_id: int, after: int | None = None,
        up_to: int | None = None,
    ) -> int:  # fmt: skip
        extra = self._extra(table, workspace_id)
        return super().count(table, workspace_id, after, up_to) + (extra.num_rows if extra else 0)

    def batches(
        self, table: WarehouseTable, workspace_id: int, after: int | None
    ) -> Iterator[pa.Table]:
        yield from super().batches(table, workspace_id, after)
        extra = self._extra(table, workspace_id)
        if extra is not None and after is None:
            yield extra


@pytest.fixture(scope="module")
def warehouses(
    warehouse_factory: WarehouseFactory, demo_dir: Path, other_dir: Path
) -> DemoWarehouses:
    return DemoWarehouses(warehouse_factory, demo_dir, other_dir, demo_source=SegmentSource)


def memberships_now(folder: Path) -> pd.DataFrame:
    """``customer_id, segment`` of every current membership, computed independently: each
    customer's filed segment plus the open extra spans."""
    customers = read(folder, "customers")[["customer_id", "segment_id"]].dropna()
    spans = extra_spans(folder)
    current = spans[spans.valid_to.isna()][["customer_id", "segment_id"]]
    both = pd.concat([customers, current], ignore_index=True).astype("int64")
    keys = read(folder, "segments")[["segment_id", "key"]]
    keys = pd.concat([keys, pd.DataFrame({"segment_id": [NORTH_KEYS], "key": [KEY]})])
    return both.merge(keys, on="segment_id").rename(columns={"key": "segment"})


def nps(scores: pd.Series) -> float:
    return 100.0 * ((scores >= 9).mean() - (scores <= 6).mean())


@pytest.mark.parametrize("engine", ENGINE_PARAMS)
def test_nps_filtered_and_sliced_by_any_segment_counts_its_current_members(
    warehouses: DemoWarehouses, demo_dir: Path, engine: str
) -> None:
    backend = warehouses.backend(engine)
    responses = read(demo_dir, "responses").dropna(subset=["nps"])
    members = memberships_now(demo_dir)
    north = set(members[members.segment == KEY].customer_id)
    assert north and len(north) < responses.customer_id.nunique()

    filtered = compute_metric(backend, CATALOGUE.get("nps"), filters={"segment": [KEY]},
                              workspace_id=DEMO_WORKSPACE)  # fmt: skip
    mine = responses[responses.customer_id.isin(north)]
    assert len(filtered) == 1 and filtered[0].n == len(mine)
    assert math.isclose(filtered[0].value, nps(mine.nps), abs_tol=1e-9)

    # Sliced by segment, a customer in two segments counts in both.
    exploded = responses.merge(members, on="customer_id", how="left")
    rows = compute_metric(backend, CATALOGUE.get("nps"), by=["segment"],
                          workspace_id=DEMO_WORKSPACE)  # fmt: skip
    got = {row.key("segment"): (row.n, row.value) for row in rows}
    expected = {(None if pd.isna(k) else k): (len(g), nps(g.nps))
                for k, g in exploded.groupby("segment", dropna=False)}  # fmt: skip
    assert set(got) == set(expected) and KEY in got
    for key, (n, value) in expected.items():
        assert got[key][0] == n, key
        assert math.isclose(got[key][1], value, abs_tol=1e-9), key
    assert sum(n for n, _ in got.values()) == len(responses) + len(mine)

    # Two segments at once: each response once, however many of them its customer is in.
    primary = str(members[(members.segment != KEY) & members.customer_id.isin(north)]
                  .segment.iloc[0])  # fmt: skip
    either = north | set(members[members.segment == primary].customer_id)
    both = compute_metric(backend, CATALOGUE.get("nps"), filters={"segment": [KEY, primary]},
                          workspace_id=DEMO_WORKSPACE)  # fmt: skip
    assert both[0].n == int(responses.customer_id.isin(either).sum())


@pytest.mark.parametrize("engine", ENGINE_PARAMS)
def test_value_reader_narrows_to_current_members_of_any_segment(
    warehouses: DemoWarehouses, demo_dir: Path, engine: str
) -> None:
    backend = warehouses.backend(engine)
    members = memberships_now(demo_dir)
    north = set(members[members.segment == KEY].customer_id)
    orders = read(demo_dir, "transactions")
    as_of = pd.Timestamp(orders.occurred_at.max()).to_pydatetime()
    window = orders[(orders.occurred_at < as_of)
                    & (orders.occurred_at >= as_of - pd.Timedelta(days=365))]  # fmt: skip
    window = window[window.customer_id.isin(north)]
    expected = window.groupby("customer_id").agg(frequency=("amount", "size"),
                                                 monetary=("amount", "sum"))  # fmt: skip

    rows = rfm_inputs(ValueReader(backend, DEMO_WORKSPACE, KEY), as_of=as_of)
    assert list(rows.customer_id.astype("int64")) == list(expected.index.astype("int64"))
    assert list(rows.frequency) == list(expected.frequency)
    assert np.allclose(rows.monetary.to_numpy(float), expected.monetary.to_numpy(float))
    # Past members (closed spans) are not in it.
    spans = extra_spans(demo_dir)
    gone = set(spans[spans.valid_to.notna()].customer_id)
    assert gone and not gone & set(rows.customer_id.astype("int64"))

    with pytest.raises(InvalidInput) as error:
        ValueReader(backend, DEMO_WORKSPACE, "no-such-segment")
    assert error.value.field == "segment"


@pytest.mark.parametrize("engine", ENGINE_PARAMS)
def test_negative_segment_conditions_count_each_fact_once(
    warehouses: DemoWarehouses, demo_dir: Path, engine: str
) -> None:
    """``segment != 'x'`` keeps every response of a customer not in ``x`` now, once, even
    when the customer is in two other segments; never once per other membership."""
    backend = warehouses.backend(engine)
    responses = read(demo_dir, "responses").dropna(subset=["nps"])
    members = memberships_now(demo_dir)
    north = set(members[members.segment == KEY].customer_id)
    primary = str(members[(members.segment != KEY) & members.customer_id.isin(north)]
                  .segment.iloc[0])  # fmt: skip
    in_primary = set(members[members.segment == primary].customer_id)
    segmented = set(members.customer_id)
    assert north - in_primary and in_primary - north  # overlapping, neither inside the other

    def nps_where(where: str) -> tuple[int, float]:
        rows = compute_metric(backend, CATALOGUE.get("nps"), where=where,
                              workspace_id=DEMO_WORKSPACE)  # fmt: skip
        return (rows[0].n, rows[0].value) if rows else (0, math.nan)

    customer = responses.customer_id
    cases = {
        f"segment != '{KEY}'": ~customer.isin(north),
        f"not segment = '{KEY}'": ~customer.isin(north),
        f"segment not in ('{KEY}', '{primary}')": ~customer.isin(north | in_primary),
        f"'{primary}' != segment and nps >= 7": ~customer.isin(in_primary) & (responses.nps >= 7),
        f"segment = '{KEY}' or nps >= 9": customer.isin(north) | (responses.nps >= 9),
        f"segment in ('{KEY}', '{primary}')": customer.isin(north | in_primary),
        "segment is null": ~customer.isin(segmented),
        "segment is not null": customer.isin(segmented),
    }
    for where, chosen in cases.items():
        expected = responses[chosen]
        n, value = nps_where(where)
        assert n == len(expected), where
        assert not n or math.isclose(value, nps(expected.nps), abs_tol=1e-9), where

    # A metric's own filter (custom metric YAML) counts each order once too.
    orders = read(demo_dir, "transactions")
    (row,) = compute_metric(backend, OUTSIDE_NORTH_KEYS, workspace_id=DEMO_WORKSPACE)
    outside = orders[~orders.customer_id.isin(north)]
    assert math.isclose(row.value, float(outside.amount.sum()), rel_tol=1e-9)

    # Sliced by segment as well: a slice's facts once each, without the excluded members.
    sliced = compute_metric(backend, CATALOGUE.get("nps"), by=["segment"],
                            where=f"segment != '{KEY}'", workspace_id=DEMO_WORKSPACE)  # fmt: skip
    got = {row.key("segment"): row.n for row in sliced}
    assert KEY not in got
    others = responses.merge(members[members.segment != KEY], on="customer_id", how="left")
    expected_n = {(None if pd.isna(k) else k): len(g)
                  for k, g in others.groupby("segment", dropna=False)}  # fmt: skip
    assert got == expected_n
