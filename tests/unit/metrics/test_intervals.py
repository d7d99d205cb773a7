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
def test_net_score_interval_is_the_weighted_mean_with_pseudo_observations(
    scores: list[int],
) -> None:
    """Adjusted Wald (Rocks 2016) computed another way: the ±100 scores with ¾ of a
    promoter, ¾ of a detractor and 1½ passives added as weights, mean ± z·SE."""
    data = np.asarray(scores)
    x = np.where(data >= 9, 100.0, np.where(data <= 6, -100.0, 0.0))
    values = np.concatenate([x, [100.0, -100.0, 0.0]])
    weights = np.concatenate([np.ones(len(x)), [0.75, 0.75, 1.5]])
    centre = float(np.average(values, weights=weights))
    spread = float(np.average((values - centre) ** 2, weights=weights))
    half = stats.norm.ppf(0.975) * math.sqrt(spread / weights.sum())
    estimate = net_score(int((data >= 9).sum()), int((data <= 6).sum()), len(data))
    assert close(estimate.value, float(x.mean()))
    assert estimate.low is not None and estimate.high is not None
    expected_low = max(min(centre - half, float(x.mean())), -100.0)
    expected_high = min(max(centre + half, float(x.mean())), 100.0)
    assert close(estimate.low, expected_low, 1e-7) and close(estimate.high, expected_high, 1e-7)
    assert -100.0 <= estimate.low <= (estimate.value or 0) <= estimate.high <= 100.0
    assert estimate.high > estimate.low  # never "100 ± 0"


def test_textbook_nps_example() -> None:
    # 50 promoters, 20 detractors, 30 passives: NPS 30. Adjusted: p = 50.75/103,
    # d = 20.75/103, centre 100·30/103 = 29.13, Var = 100² [p + d − (p − d)²] / 103.
    estimate = net_score(50, 20, 100)
    assert estimate.value == pytest.approx(30.0)
    p, d = 50.75 / 103, 20.75 / 103
    half = 1.959964 * 100 * math.sqrt((p + d - (p - d) ** 2) / 103)
    assert estimate.low == pytest.approx(100 * 30 / 103 - half, rel=1e-6)
    assert estimate.high == pytest.approx(100 * 30 / 103 + half, rel=1e-6)


def test_two_promoters_get_an_interval_not_a_point() -> None:
    """The month that read "NPS 100, interval 100–100" on the home page."""
    estimate = net_score(2, 0, 2)
    assert estimate.value == 100.0 and estimate.high == 100.0
    assert estimate.low is not None and estimate.low < 0.0


@pytest.mark.parametrize("n", [10, 20, 50])
@pytest.mark.parametrize(
    ("promoters", "detractors"), [(0.9, 0.02), (0.6, 0.1), (0.3, 0.3), (0.1, 0.8), (0.95, 0.0)]
)
def test_net_score_interval_covers_the_true_score_near_95_percent(
    n: int, promoters: float, detractors: float
) -> None:
    """Exact coverage over every possible sample (the trinomial enumerated), where the
    plain normal interval falls to 40–65 % at n = 10 for a true NPS near ±90."""
    true_score = 100.0 * (promoters - detractors)
    counts = [(p, d) for p in range(n + 1) for d in range(n + 1 - p)]
    probability = stats.multinomial.pmf(
        [[p, d, n - p - d] for p, d in counts], n, [promoters, detractors,
                                                   1 - promoters - detractors]
    )
    covered = 0.0
    for (p, d), chance in zip(counts, probability, strict=True):
        estimate = net_score(p, d, n)
        assert estimate.low is not None and estimate.high is not None
        covered += chance * (estimate.low <= true_score <= estimate.high)
    assert 0.91 <= covered <= 0.99


def test_undefined_quantities_are_none_not_invented() -> None:
    assert net_score(0, 0, 0).value is None
    assert wilson(0, 0).value is None
    single = mean_t(4.0, None, 1)
    assert single.value == 4.0 and single.low is None and single.high is None
    assert ratio(1.0, 0.0, 3).value is None
    assert ratio(1.0, 4.0, 3, scale=100).value == 25.0
    assert z_value() == pytest.approx(1.959963984540054)
