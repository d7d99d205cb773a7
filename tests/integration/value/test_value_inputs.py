"""The warehouse side of customer value: Ibis aggregates against pandas on the raw files,
and the churn model on the generated company's planted drivers."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from kano.analytics.value import clv
from kano.analytics.value.churn import fit_churn
from kano.analytics.value.inputs import (
    CHURN_FEATURES,
    ValueReader,
    churn_datasets,
    clv_summary,
    rfm_inputs,
)
from kano.analytics.value.transactions import calibration_check, summarise_transactions

from .conftest import WORKSPACE, Company


def orders(company: Company) -> pd.DataFrame:
    return pd.read_parquet(company.folder / "transactions.parquet")


def test_clv_summary_in_the_warehouse_matches_pandas_on_the_files(value_company: Company) -> None:
    reader = ValueReader(value_company.backend, WORKSPACE)
    end = reader.data_end()
    calibration_end = (end - pd.Timedelta(days=182)).date()
    built = clv_summary(reader, calibration_end=calibration_end, observation_end=end.date())
    raw = orders(value_company)
    expected = summarise_transactions(
        raw["customer_id"], raw["occurred_at"], raw["amount"],
        calibration_end=calibration_end, observation_end=end.date(),
    )  # fmt: skip
    assert list(built.customer) == list(expected.customer)
    for name in ("frequency", "recency", "T", "monetary", "holdout_frequency"):
        np.testing.assert_allclose(getattr(built, name), getattr(expected, name), err_msg=name)
    assert built.holdout_length == pytest.approx(26.0)


def test_rfm_inputs_match_pandas(value_company: Company) -> None:
    reader = ValueReader(value_company.backend, WORKSPACE)
    as_of = datetime(2026, 7, 1)
    rows = rfm_inputs(reader, as_of=as_of, lookback_days=365)
    raw = orders(value_company)
    window = raw[(raw["occurred_at"] < as_of) & (raw["occurred_at"] >= as_of - timedelta(days=365))]
    grouped = window.groupby("customer_id")
    np.testing.assert_array_equal(rows["customer_id"], grouped.size().index)
    np.testing.assert_array_equal(rows["frequency"], grouped.size().to_numpy())
    np.testing.assert_allclose(rows["monetary"], grouped["amount"].sum().to_numpy())
    recency = (pd.Timestamp(as_of) - grouped["occurred_at"].max()) / pd.Timedelta(days=1)
    np.testing.assert_allclose(rows["recency_days"], recency.to_numpy())


@pytest.mark.parametrize("segment", ["smb", "consumer"])
def test_clv_per_segment_fits_and_tracks_the_holdout(value_company: Company, segment: str) -> None:
    reader = ValueReader(value_company.backend, WORKSPACE, segment)
    end = reader.data_end()
    summary = clv_summary(
        reader, calibration_end=(end - pd.Timedelta(days=182)).date(), observation_end=end.date()
    )
    params = clv.fit_bg_nbd(summary.frequency, summary.recency, summary.T)
    spend = clv.fit_gamma_gamma(summary.frequency, summary.monetary)
    assert spend.q > 1
    buckets = calibration_check(params, summary)
    predicted = sum(b.predicted * b.customers for b in buckets)
    actual = sum(b.actual * b.customers for b in buckets)
    assert predicted == pytest.approx(actual, rel=0.2)


def test_churn_model_ranks_the_planted_drivers(value_company: Company) -> None:
    """The generator makes churn depend on segment and relationship NPS (which late
    deliveries lower); web CES and hotline wait are decoys with no effect."""
    train, holdout, current = churn_datasets(ValueReader(value_company.backend, WORKSPACE))
    model = fit_churn(train, holdout, features=CHURN_FEATURES, method="logistic")
    importance = dict(model.drivers)
    ranked = [name for name, _ in model.drivers]
    assert "segment_churn_rate" in ranked[:3]
    planted = max(importance["last_nps"], importance["delivery_delay_days"])
    assert planted > 0
    assert planted > max(importance["ces_recent"], importance["call_wait_seconds"])
    assert model.holdout_auc > 0.65
    risk = model.risk(current)
    assert len(risk) == len(current) and np.all((risk > 0) & (risk < 1))
