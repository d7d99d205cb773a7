"""The value analyses give the same numbers, bit for bit, every time they run on one
warehouse — with DuckDB adding up in parallel threads, in an order that varies by run."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pandas as pd
import pytest

from kano.analytics.value import views
from kano.analytics.value.inputs import ValueReader, customer_features, rfm_inputs

from .conftest import WORKSPACE, Company

RUNS = 3


@pytest.fixture
def threaded(value_company: Company) -> Iterator[Any]:
    """The company's DuckDB warehouse with four threads (on two cores they still interleave)."""
    backend = value_company.backend
    before = backend.raw_sql("SELECT current_setting('threads')").fetchone()[0]
    backend.raw_sql("SET threads TO 4")
    try:
        yield backend
    finally:
        backend.raw_sql(f"SET threads TO {int(before)}")


def test_clv_parameters_and_values_are_identical_run_after_run(threaded: Any) -> None:
    """Before the money was summed as DECIMAL, Gamma-Gamma's p on this warehouse came out
    1.887926, 1.887945, 1.887950, 1.887963 in four runs (and q 21.5554–21.5554 likewise)."""
    runs = [views.clv_view(threaded, WORKSPACE) for _ in range(RUNS)]
    first = runs[0]
    assert [f["segment"] for f in first.parameters()] == ["consumer", "key_account", "smb"]
    for again in runs[1:]:
        assert again.parameters() == first.parameters()  # floats compared with ==
        assert again.customers == first.customers


def test_rfm_and_churn_inputs_are_identical_run_after_run(threaded: Any) -> None:
    reader = ValueReader(threaded, WORKSPACE)
    as_of = datetime(2026, 7, 1)
    rfm = [rfm_inputs(reader, as_of=as_of) for _ in range(RUNS)]
    features = [customer_features(reader, as_of=as_of) for _ in range(RUNS)]
    for i in range(1, RUNS):
        pd.testing.assert_frame_equal(rfm[i], rfm[0], check_exact=True)
        pd.testing.assert_frame_equal(features[i], features[0], check_exact=True)


def test_the_profit_levers_are_identical_run_after_run(threaded: Any) -> None:
    reports = [views.profit_view(threaded, WORKSPACE) for _ in range(RUNS)]
    assert reports[1] == reports[0] and reports[2] == reports[0]
