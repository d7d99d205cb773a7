"""Churn model on data with known drivers: ranking, reasons, calibration and errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kano.analytics.value.churn import Method, fit_churn

FEATURES = ("days_since_order", "nps", "decoy")


def customers(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "days_since_order": rng.exponential(60, n),
            "nps": rng.integers(0, 11, n).astype(float),
            "decoy": rng.normal(size=n),
        }
    )
    log_odds = -1.5 + 0.02 * (frame["days_since_order"] - 60) - 0.3 * (frame["nps"] - 7)
    frame["churned"] = (rng.random(n) < 1 / (1 + np.exp(-log_odds))).astype(int)
    return frame


@pytest.mark.parametrize("method", ["logistic", "boosting"])
def test_planted_drivers_rank_above_the_decoy(method: Method) -> None:
    model = fit_churn(customers(4000, 1), customers(4000, 2), features=FEATURES, method=method)
    assert [name for name, _ in model.drivers][-1] == "decoy"
    assert model.holdout_auc > 0.75
    # Reliability: predicted and observed churn agree within 8 points in every decile.
    for predicted, observed in model.reliability:
        assert predicted == pytest.approx(observed, abs=0.08)
    assert 0 < model.holdout_brier < model.holdout_base_rate


def test_reasons_name_what_raises_this_customers_risk() -> None:
    model = fit_churn(customers(4000, 1), customers(4000, 2), features=FEATURES, method="logistic")
    people = pd.DataFrame(
        {"days_since_order": [300.0, 10.0], "nps": [9.0, 1.0], "decoy": [0.0, 0.0]}
    )
    reasons = model.top_reasons(people, k=2)
    assert reasons[0][0][0] == "days_since_order"  # long silence, happy
    assert reasons[1][0][0] == "nps"  # recent order, unhappy
    risk = model.risk(people)
    assert risk[0] > 0.5 and 0 < risk[1] < 1


def test_too_few_churners_is_a_clear_error() -> None:
    data = customers(200, 3)
    data["churned"] = 0
    with pytest.raises(ValueError, match="training data has 0 churner"):
        fit_churn(data, data, features=FEATURES)
    with pytest.raises(ValueError, match="feature column 'age' is missing"):
        fit_churn(customers(500, 1), customers(500, 2), features=("age",))
