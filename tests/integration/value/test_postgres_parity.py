"""The value inputs are Ibis expressions: PostgreSQL must give DuckDB's numbers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import pytest

from kano.adapters.warehouse import ParquetSource, connect
from kano.analytics.value.inputs import ValueReader, clv_summary, customer_features, rfm_inputs
from tests.warehouses import load_into, require_engine

from .conftest import OTHER, Company

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def postgres(value_company: Company) -> Iterator[Any]:
    require_engine("postgres")
    url = value_company.factory.new_url("postgres")
    load_into(url, ParquetSource(value_company.other), OTHER)
    backend = connect(url)
    yield backend
    backend.disconnect()


def test_same_inputs_on_postgres_and_duckdb(value_company: Company, postgres: Any) -> None:
    duck, pg = ValueReader(value_company.backend, OTHER), ValueReader(postgres, OTHER)
    end = duck.data_end()
    assert pg.data_end() == end
    cal_end = (end - pd.Timedelta(days=182)).date()
    a = clv_summary(duck, calibration_end=cal_end, observation_end=end.date())
    b = clv_summary(pg, calibration_end=cal_end, observation_end=end.date())
    assert list(a.customer) == list(b.customer)
    for name in ("frequency", "recency", "T", "monetary", "holdout_frequency"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), err_msg=name)
    as_of = datetime(2026, 5, 1)
    pd.testing.assert_frame_equal(
        rfm_inputs(duck, as_of=as_of), rfm_inputs(pg, as_of=as_of), check_dtype=False
    )
    duck_features = customer_features(duck, as_of=as_of)
    pg_features = customer_features(pg, as_of=as_of)
    numeric = [c for c in duck_features.columns if c != "kind"]
    pd.testing.assert_frame_equal(
        duck_features[numeric].astype(float), pg_features[numeric].astype(float), rtol=1e-9
    )
