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
from kano.domain.shared.errors import InvalidInput

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


def test_clv_summary_names_its_own_parameters_not_an_interfaces(value_company: Company) -> None:
    """The CLI says --calibration-end and the API time_unit; the analysis names neither
    interface's spelling but its own parameter (each door renames it to its own)."""
    reader = ValueReader(value_company.backend, WORKSPACE)
    with pytest.raises(InvalidInput) as early:
        clv_summary(reader, calibration_end=datetime(1990, 1, 1))
    with pytest.raises(InvalidInput) as unit:
        clv_summary(reader, calibration_end=datetime(2026, 1, 1), time_unit="fortnight")

    assert (early.value.field, early.value.message) == (
        "calibration_end",
        "no order on or before 1990-01-01",
    )
    assert unit.value.field == "time_unit"


def test_key_accounts_spend_varies_from_order_day_to_order_day(value_company: Company) -> None:
    """Why the demo's key accounts take Gamma-Gamma's limit p → ∞ is not their data: their
    spend per order day (what CLV's monetary averages) varies within an account at least as
    much as in the other segments (log spread ~0.9, the planted lognormal 0.8 plus NPS
    shifts). It is that each account's average runs over ~100 order days, which leaves too
    little of that spread in the averages for the likelihood to place p."""
    raw = orders(value_company)
    raw["day"] = raw["occurred_at"].dt.date
    customers = pd.read_parquet(value_company.folder / "customers.parquet")
    segments = pd.read_parquet(value_company.folder / "segments.parquet")
    keys = customers.merge(segments, on="segment_id").set_index("customer_id")["key"]
    daily = raw.groupby(["customer_id", "day"])["amount"].sum().reset_index()
    daily["log_amount"] = np.log(daily["amount"])
    within = daily.groupby("customer_id")["log_amount"].agg(["std", "size"])
    within["key"] = keys.reindex(within.index)
    spread = within[within["size"] >= 3].groupby("key")["std"].median()
    days = within.groupby("key")["size"].median()

    assert spread["key_account"] > 0.75
    assert spread["key_account"] >= spread["smb"] - 0.05
    assert spread["key_account"] >= spread["consumer"]
    assert days["key_account"] > 4 * days["smb"]


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
