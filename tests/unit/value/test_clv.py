"""BG/NBD and Gamma-Gamma against the published CDNOW estimates and against simulation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kano.analytics.value import clv
from kano.analytics.value.simulate import simulate_customers
from kano.analytics.value.transactions import calibration_check, summarise_transactions

from .cdnow import sample_transactions, summary


def three_sf(value: float) -> float:
    return float(f"{value:.3g}")


def test_bg_nbd_reproduces_fader_hardie_lee_2005() -> None:
    data = summary()
    params = clv.fit_bg_nbd(data["x"], data["t_x"], data["T"])
    assert params.n_customers == 2357
    assert three_sf(params.r) == 0.243
    assert three_sf(params.alpha) == 4.41
    assert three_sf(params.a) == 0.793
    assert three_sf(params.b) == 2.43
    assert round(params.log_likelihood, 1) == -9582.4


def test_gamma_gamma_reproduces_published_spend_parameters() -> None:
    data = summary()
    params = clv.fit_gamma_gamma(data["x"], data["zbar"])
    assert params.n_customers == 946
    assert three_sf(params.p) == 6.25
    assert three_sf(params.q) == 3.74
    assert three_sf(params.gamma) == 15.4


def test_conditional_expectation_of_the_papers_worked_example() -> None:
    """FHL (2005) §5: x = 2, t_x = 30.43, T = 38.86 → 1.226 purchases in the next 39 weeks."""
    params = clv.BgNbdParams(0.243, 4.414, 0.793, 2.426, 0.0, 0)
    expected = clv.expected_purchases(params, [2], [30.43], [38.86], 39.0)
    assert expected[0] == pytest.approx(1.226, abs=0.001)


def test_summary_from_the_transaction_log_matches_the_published_summary() -> None:
    log = sample_transactions()
    built = summarise_transactions(
        log["customer"],
        log["date"],
        log["amount"],
        calibration_end="1997-09-30",
        observation_end="1998-06-30",
        time_unit="week",
    )
    published = summary()
    # The published file renumbers the sample's customers 1..2357 (not in the sample's
    # order), so compare the two as sets of rows rounded to the file's two decimals.
    ours = np.column_stack([built.frequency, built.recency, built.T, built.monetary]).round(2)
    theirs = published[["x", "t_x", "T", "zbar"]].to_numpy().round(2)
    assert len(ours) == len(theirs) == 2357
    np.testing.assert_allclose(  # half-cent rounding of the published means
        ours[np.lexsort(ours.T[::-1])], theirs[np.lexsort(theirs.T[::-1])], atol=0.0101
    )
    assert built.holdout_length == 39.0


def test_calibration_check_on_cdnow_tracks_the_holdout() -> None:
    log = sample_transactions()
    built = summarise_transactions(
        log["customer"],
        log["date"],
        log["amount"],
        calibration_end="1997-09-30",
        observation_end="1998-06-30",
    )
    params = clv.fit_bg_nbd(built.frequency, built.recency, built.T)
    buckets = calibration_check(params, built)
    assert [b.frequency for b in buckets] == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert sum(b.customers for b in buckets) == 2357
    assert buckets[0].customers == 1411
    # Zero-frequency customers bought 0.237 times on average in the holdout (FHL fig. 4).
    assert buckets[0].actual == pytest.approx(0.237, abs=0.001)
    for bucket in buckets:
        assert bucket.predicted == pytest.approx(bucket.actual, rel=0.3)
    predicted_total = sum(b.predicted * b.customers for b in buckets)
    actual_total = sum(b.actual * b.customers for b in buckets)
    assert predicted_total == pytest.approx(actual_total, rel=0.15)


def test_fit_recovers_simulated_parameters_and_predicts_the_holdout() -> None:
    truth = {"r": 0.3, "alpha": 5.0, "a": 0.9, "b": 2.5}
    customers = simulate_customers(200_000, **truth, p=6.0, q=4.0, gamma=15.0, seed=7)
    params = clv.fit_bg_nbd(customers.frequency, customers.recency, customers.T)
    for name, value in truth.items():
        assert getattr(params, name) == pytest.approx(value, rel=0.1), name
    spend = clv.fit_gamma_gamma(customers.frequency, customers.monetary)
    assert spend.p == pytest.approx(6.0, rel=0.1)
    assert spend.q == pytest.approx(4.0, rel=0.1)
    assert spend.gamma == pytest.approx(15.0, rel=0.15)
    predicted = clv.expected_purchases(
        params, customers.frequency, customers.recency, customers.T, customers.holdout_length
    )
    for low, high in [(0, 0), (1, 1), (2, 3), (4, 1000)]:
        members = (customers.frequency >= low) & (customers.frequency <= high)
        assert predicted[members].mean() == pytest.approx(
            customers.holdout_frequency[members].mean(), rel=0.05
        ), (low, high)


def test_discounted_clv_is_purchases_times_spend_without_discounting() -> None:
    data = summary()
    bg = clv.fit_bg_nbd(data["x"], data["t_x"], data["T"])
    gg = clv.fit_gamma_gamma(data["x"], data["zbar"])
    purchases = clv.expected_purchases(bg, data["x"], data["t_x"], data["T"], 52.0)
    spend = clv.expected_spend(gg, data["x"], data["zbar"])
    flat = clv.discounted_clv(
        bg,
        gg,
        data["x"],
        data["t_x"],
        data["T"],
        data["zbar"],
        horizon=52.0,
        steps=12,
        discount_rate=0.0,
    )
    np.testing.assert_allclose(flat, purchases * spend, rtol=1e-9)
    discounted = clv.discounted_clv(
        bg,
        gg,
        data["x"],
        data["t_x"],
        data["T"],
        data["zbar"],
        horizon=52.0,
        steps=12,
        discount_rate=0.01,
        margin=0.3,
    )
    assert np.all(discounted < flat * 0.3 + 1e-12)
    assert np.all(discounted > 0)
    # A customer with no repeat purchase is valued at the population's mean spend.
    assert spend[data["x"].to_numpy() == 0][0] == pytest.approx(gg.population_mean_spend)


@settings(max_examples=60, deadline=None)
@given(
    x=st.integers(0, 60),
    share=st.floats(0.0, 1.0),
    age=st.floats(0.5, 200.0),
    horizon=st.floats(0.1, 300.0),
)
def test_predictions_are_probabilities_and_grow_with_the_horizon(
    x: int, share: float, age: float, horizon: float
) -> None:
    params = clv.BgNbdParams(0.243, 4.414, 0.793, 2.426, 0.0, 0)
    recency = share * age if x > 0 else 0.0
    alive = clv.probability_alive(params, [x], [recency], [age])[0]
    assert 0.0 <= alive <= 1.0
    shorter = clv.expected_purchases(params, [x], [recency], [age], horizon)[0]
    longer = clv.expected_purchases(params, [x], [recency], [age], horizon * 2)[0]
    assert 0.0 <= shorter <= longer


def test_no_repeat_buyers_is_a_clear_error() -> None:
    with pytest.raises(clv.CannotFitError, match="repeat purchase"):
        clv.fit_bg_nbd([0] * 100, [0] * 100, [10.0] * 100)


@pytest.mark.parametrize(
    ("frequency", "recency", "age", "message"),
    [
        ([1, 2], [5.0, 12.0], [10.0, 10.0], "recency: must lie between 0 and T"),
        ([1.5, 2], [5.0, 6.0], [10.0, 10.0], "frequency: must be whole numbers"),
        ([0, 2], [3.0, 6.0], [10.0, 10.0], "recency: must be 0"),
        ([1, float("nan")], [5.0, 6.0], [10.0, 10.0], "frequency: contains missing"),
    ],
)
def test_bad_summaries_name_the_field(
    frequency: list[float], recency: list[float], age: list[float], message: str
) -> None:
    with pytest.raises(clv.CannotFitError, match=message):
        clv.fit_bg_nbd(frequency, recency, age)


def test_gamma_gamma_needs_spread_and_positive_spend() -> None:
    with pytest.raises(clv.CannotFitError, match="spends the same"):
        clv.fit_gamma_gamma([1, 2, 3, 1, 2, 0], [10.0] * 5 + [0.0])
    with pytest.raises(clv.CannotFitError, match="monetary: must be > 0"):
        clv.fit_gamma_gamma([1, 2], [10.0, 0.0])


def test_fits_find_the_same_parameters_on_one_blas_thread_as_on_all(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fits run L-BFGS-B on one BLAS thread (five times faster on a busy machine); the
    parameters must be those the library's default threads find, bit for bit."""
    data = summary()
    spenders = data["x"] > 0

    def both() -> tuple[clv.BgNbdParams, clv.GammaGammaParams]:
        return (clv.fit_bg_nbd(data["x"], data["t_x"], data["T"]),
                clv.fit_gamma_gamma(data["x"][spenders], data["zbar"][spenders]))  # fmt: skip

    one_thread = both()
    monkeypatch.setattr(clv, "FIT_BLAS_THREADS", None)
    default_threads = both()

    assert one_thread == default_threads
    assert clv.FIT_BLAS_THREADS is None and one_thread[0].n_customers == 2357


def test_the_clv_analysis_does_not_load_scikit_learn() -> None:
    """scikit-learn is the churn model's alone; importing it cost the first CLV, RFM or
    profit page of a server about two seconds (more under load)."""
    import subprocess
    import sys

    probe = ("import sys, kano.analytics.value.views, kano.analytics.value.report; "
             "print('sklearn' in sys.modules)")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True)  # fmt: skip
    assert result.stdout.strip() == "False"
