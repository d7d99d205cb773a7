"""Correctness against an independent implementation: plain pandas on the Parquet files.

Each check recomputes a metric from the generator's files with straightforward pandas
(and statsmodels / numpy for intervals and percentiles) and compares every slice with
Kano's result on every engine. Engines agree with each other in test_conformance.py;
this shows the shared answer is the right one.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from kano.metrics import built_in_catalogue, compute_metric
from tests.integration.warehouse.conftest import DEMO_WORKSPACE, DemoWarehouses
from tests.warehouses import ENGINE_PARAMS

CATALOGUE = built_in_catalogue()
Z95 = 1.959963984540054


def read(folder: Path, table: str) -> pd.DataFrame:
    return pd.read_parquet(folder / f"{table}.parquet")


def with_segment(frame: pd.DataFrame, folder: Path) -> pd.DataFrame:
    customers = read(folder, "customers")[["customer_id", "segment_id"]]
    segments = read(folder, "segments")[["segment_id", "key"]].rename(columns={"key": "segment"})
    joined = frame.merge(customers, on="customer_id", how="left")
    return joined.merge(segments, on="segment_id", how="left")


def month_label(stamps: pd.Series) -> pd.Series:
    return stamps.dt.strftime("%Y-%m")


def kano_rows(
    warehouses: DemoWarehouses, engine: str, metric_id: str
) -> dict[tuple[Any, ...], Any]:
    rows = compute_metric(
        warehouses.backend(engine), CATALOGUE.get(metric_id), by=["month", "segment"],
        workspace_id=DEMO_WORKSPACE,
    )  # fmt: skip
    return {(row.key("month"), row.key("segment")): row for row in rows}


def assert_matches(
    kano: dict[tuple[Any, ...], Any], expected: dict[tuple[Any, ...], tuple[Any, ...]]
) -> None:
    assert set(kano) == set(expected)
    for key, (value, n, low, high) in expected.items():
        row = kano[key]
        assert row.n == n, key
        assert math.isclose(row.value, value, rel_tol=1e-9, abs_tol=1e-9), (key, row.value, value)
        for mine, theirs in ((row.ci_low, low), (row.ci_high, high)):
            if theirs is None:
                assert mine is None, key
            else:
                assert math.isclose(mine, theirs, rel_tol=1e-9, abs_tol=1e-9), (key, mine, theirs)


@pytest.mark.parametrize("engine", ENGINE_PARAMS)
def test_nps_by_month_and_segment_matches_pandas(
    demo_warehouses: DemoWarehouses, demo_dir: Path, engine: str
) -> None:
    responses = with_segment(read(demo_dir, "responses").dropna(subset=["nps"]), demo_dir)
    responses["month"] = month_label(responses.submitted_at)
    # The score variable: +100 promoter, −100 detractor, 0 passive; NPS is its mean. The
    # interval is the adjusted Wald one (Rocks 2016): the same mean and standard error
    # after ¾ of a promoter, ¾ of a detractor and 1½ passives are added as weights.
    responses["score"] = np.where(
        responses.nps >= 9, 100.0, np.where(responses.nps <= 6, -100.0, 0.0)
    )
    pseudo = np.array([100.0, -100.0, 0.0]), np.array([0.75, 0.75, 1.5])
    expected = {}
    for key, group in responses.groupby(["month", "segment"]):
        n = len(group)
        mean = group.score.mean()
        values = np.concatenate([group.score.to_numpy(), pseudo[0]])
        weights = np.concatenate([np.ones(n), pseudo[1]])
        centre = np.average(values, weights=weights)
        spread = np.average((values - centre) ** 2, weights=weights)
        half = Z95 * math.sqrt(spread / weights.sum())
        expected[key] = (mean, n, max(min(centre - half, mean), -100.0),
                         min(max(centre + half, mean), 100.0))  # fmt: skip
    assert_matches(kano_rows(demo_warehouses, engine, "nps"), expected)


@pytest.mark.parametrize("engine", ENGINE_PARAMS)
def test_csat_top_two_box_matches_pandas_and_statsmodels_wilson(
    demo_warehouses: DemoWarehouses, demo_dir: Path, engine: str
) -> None:
    responses = with_segment(read(demo_dir, "responses").dropna(subset=["csat"]), demo_dir)
    responses["month"] = month_label(responses.submitted_at)
    expected = {}
    for key, group in responses.groupby(["month", "segment"]):
        hits, n = int((group.csat >= 4).sum()), len(group)
        low, high = proportion_confint(hits, n, alpha=0.05, method="wilson")
        expected[key] = (100.0 * hits / n, n, 100.0 * low, 100.0 * high)
    assert_matches(kano_rows(demo_warehouses, engine, "csat"), expected)


@pytest.mark.parametrize("engine", ENGINE_PARAMS)
def test_p90_delivery_delay_matches_numpy_inverted_cdf(
    demo_warehouses: DemoWarehouses, demo_dir: Path, engine: str
) -> None:
    events = read(demo_dir, "process_events")
    events = with_segment(events[events.measure == "delivery_delay_days"], demo_dir)
    events["month"] = month_label(events.occurred_at)
    expected = {}
    for (month, segment), group in events.groupby(["month", "segment"], dropna=False):
        value = float(np.percentile(group.value, 90, method="inverted_cdf"))
        key = (month, None if pd.isna(segment) else segment)
        expected[key] = (value, len(group), None, None)
    assert_matches(kano_rows(demo_warehouses, engine, "delivery_delay_p90"), expected)


@pytest.mark.parametrize("months", [1, 3, 12])
@pytest.mark.parametrize("engine", ENGINE_PARAMS)
def test_retention_by_cohort_matches_pandas(
    demo_warehouses: DemoWarehouses, demo_dir: Path, engine: str, months: int
) -> None:
    orders = read(demo_dir, "transactions")[["customer_id", "occurred_at"]]
    orders["index"] = orders.occurred_at.dt.year * 12 + orders.occurred_at.dt.month - 1
    active = orders.groupby("customer_id")["index"].apply(set)
    first = orders.groupby("customer_id")["index"].min()
    last_month = orders["index"].max()
    cohort = pd.DataFrame({"customer_id": first.index, "first": first.to_numpy()})
    cohort = cohort[cohort["first"] + months <= last_month]
    cohort["retained"] = [
        (f + months) in active[c] for c, f in zip(cohort.customer_id, cohort["first"], strict=True)
    ]
    cohort["month"] = [f"{f // 12}-{f % 12 + 1:02d}" for f in cohort["first"]]
    cohort = with_segment(cohort, demo_dir)
    expected = {}
    for key, group in cohort.groupby(["month", "segment"]):
        hits, n = int(group.retained.sum()), len(group)
        low, high = proportion_confint(hits, n, alpha=0.05, method="wilson")
        expected[key] = (100.0 * hits / n, n, 100.0 * low, 100.0 * high)
    assert_matches(kano_rows(demo_warehouses, engine, f"retention_m{months}"), expected)
