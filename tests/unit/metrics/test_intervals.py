"""The interval module against independent implementations (statsmodels, scipy, numpy)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from kano.metrics.intervals import mean_t, net_score, ratio, wilson, z_value


def close(a: float | None, b: float, tol: float = 1e-9) -> bool:
    return a is not None and math.isclose(a, b, rel_tol=tol, abs_tol=tol)


@settings(max_examples=300)
@given(st.integers(1, 100_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_equals_statsmodels(hits_n: tuple[int, int]) -> None:
    hits, n = hits_n
    low, high = proportion_confint(hits, n, alpha=0.05, method="wilson")
    estimate = wilson(hits, n, scale=100.0)
    assert close(estimate.value, 100.0 * hits / n)
    assert close(estimate.low, 100.0 * low, 1e-7) and close(estimate.high, 100.0 * high, 1e-7)
    assert estimate.n == n


@settings(max_examples=200)
@given(st.lists(st.floats(-1e4, 1e4, allow_nan=False), min_size=2, max_size=300))
def test_mean_t_interval_equals_statsmodels(values: list[float]) -> None:
    data = np.asarray(values)
    estimate = mean_t(float(data.mean()), float(data.var(ddof=1)), len(data))
    low, high = DescrStatsW(data).tconfint_mean(alpha=0.05)
    scale = max(1.0, float(abs(data).max()))
    assert estimate.low is not None and estimate.high is not None
    assert math.isclose(estimate.low, low, rel_tol=1e-9, abs_tol=1e-12 * scale)
    assert math.isclose(estimate.high, high, rel_tol=1e-9, abs_tol=1e-12 * scale)


@settings(max_examples=300)
@given(st.lists(st.integers(0, 10), min_size=1, max_size=500))
def test_net_score_is_the_mean_of_plus_minus_hundred_with_its_standard_error(
    scores: list[int],
) -> None:
    data = np.asarray(scores)
    x = np.where(data >= 9, 100.0, np.where(data <= 6, -100.0, 0.0))
    estimate = net_score(int((data >= 9).sum()), int((data <= 6).sum()), len(data))
    half = stats.norm.ppf(0.975) * x.std(ddof=0) / math.sqrt(len(x))
    assert close(estimate.value, float(x.mean()))
    assert close(estimate.low, max(float(x.mean() - half), -100.0), 1e-7)
    assert close(estimate.high, min(float(x.mean() + half), 100.0), 1e-7)
    assert -100.0 <= (estimate.low or 0) <= (estimate.value or 0) <= (estimate.high or 0) <= 100.0


def test_textbook_nps_example() -> None:
    # 50 promoters, 20 detractors, 30 passives: NPS 30, Var = 100² (0.7 − 0.09) / 100 = 61.
    estimate = net_score(50, 20, 100)
    assert estimate.value == pytest.approx(30.0)
    assert estimate.high - estimate.value == pytest.approx(1.959964 * math.sqrt(61.0), rel=1e-6)


def test_undefined_quantities_are_none_not_invented() -> None:
    assert net_score(0, 0, 0).value is None
    assert wilson(0, 0).value is None
    single = mean_t(4.0, None, 1)
    assert single.value == 4.0 and single.low is None and single.high is None
    assert ratio(1.0, 0.0, 3).value is None
    assert ratio(1.0, 4.0, 3, scale=100).value == 25.0
    assert z_value() == pytest.approx(1.959963984540054)
