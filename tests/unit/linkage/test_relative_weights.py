"""Johnson's relative weights against an independent route to the same numbers.

Kano computes the weights from the correlation matrix (one symmetric eigendecomposition).
The reference below follows Johnson's (2000) own construction on the *data*: the closest
orthonormal approximation Z of the standardised drivers from their singular value
decomposition, then two sets of least-squares regressions (the outcome on Z, and each
driver on Z) fitted with numpy's ``lstsq``, and the squared coefficients combined. Nothing
is shared with the product code but the definition, so agreement to 1e-6 means both are
right. R² itself is checked against statsmodels' OLS.
"""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from kano.analytics.linkage import relative_weights
from kano.analytics.linkage.drivers import raw_relative_weights
from kano.domain.shared.errors import InvalidInput


def johnson_from_data(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    xs = (x - x.mean(0)) / x.std(0)
    ys = (y - y.mean()) / y.std()
    u, _s, vt = np.linalg.svd(xs, full_matrices=False)
    z = u @ vt * np.sqrt(len(y))  # orthogonal columns with the drivers' variance
    beta = np.linalg.lstsq(z, ys, rcond=None)[0]
    lam = np.linalg.lstsq(z, xs, rcond=None)[0]  # lam[k, j]: driver j on z_k
    return (lam.T**2) @ (beta**2)


def correlated_data(seed: int, n: int = 400, p: int = 5) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(p, p)) + np.eye(p) * 2
    x = rng.normal(size=(n, p)) @ mixing
    y = x @ rng.normal(size=p) + rng.normal(scale=3.0, size=n)
    return x, y


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_weights_agree_with_johnsons_construction_on_the_data(seed: int) -> None:
    x, y = correlated_data(seed)

    assert raw_relative_weights(x, y) == pytest.approx(johnson_from_data(x, y), abs=1e-6)


def test_weights_add_up_to_the_regressions_r_squared() -> None:
    x, y = correlated_data(4)
    ols = sm.OLS(y, sm.add_constant(x)).fit()

    result = relative_weights(x, y, [f"d{i}" for i in range(5)], bootstrap=50)

    assert result.r_squared == pytest.approx(ols.rsquared, abs=1e-9)
    assert sum(result.shares) == pytest.approx(1.0)


def test_uncorrelated_drivers_get_their_squared_correlations() -> None:
    rng = np.random.default_rng(5)
    raw = rng.normal(size=(300, 3))
    q, _ = np.linalg.qr(raw - raw.mean(0))  # exactly uncorrelated, centred columns
    y = q @ np.array([3.0, 1.0, 0.5]) + rng.normal(scale=0.05, size=300)
    r = [np.corrcoef(q[:, j], y)[0, 1] for j in range(3)]

    assert raw_relative_weights(q, y) == pytest.approx(np.square(r), abs=1e-9)


def test_the_strongest_driver_ranks_first_with_an_interval_around_it() -> None:
    rng = np.random.default_rng(6)
    x = rng.normal(size=(1_000, 3))
    x[:, 1] += 0.6 * x[:, 0]  # correlated drivers
    y = 2.0 * x[:, 0] + 0.5 * x[:, 1] + rng.normal(size=1_000)

    result = relative_weights(x, y, ["delivery", "price", "web"], bootstrap=200)

    assert max(result.rows(), key=lambda row: row["weight"])["driver"] == "delivery"
    for low, weight, high in zip(result.ci_low, result.weights, result.ci_high, strict=True):
        assert low <= weight <= high
    assert result.ci_high[2] < result.ci_low[0], "a noise driver is clearly below the main one"


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    scales=st.lists(st.floats(0.01, 100.0), min_size=3, max_size=3),
)
def test_weights_are_nonnegative_and_ignore_the_units_of_the_drivers(
    seed: int, scales: list[float]
) -> None:
    x, y = correlated_data(seed, n=120, p=3)
    weights = raw_relative_weights(x, y)

    assert (weights >= -1e-12).all()
    assert raw_relative_weights(x * np.array(scales), y) == pytest.approx(weights, abs=1e-9)


def test_collinear_or_constant_drivers_get_a_clear_error() -> None:
    x, y = correlated_data(7, p=2)
    with pytest.raises(InvalidInput, match="collinear"):
        relative_weights(np.column_stack([x, x[:, 0] * 2]), y, ["a", "b", "c"], bootstrap=0)
    with pytest.raises(InvalidInput, match="no variation in b"):
        relative_weights(np.column_stack([x[:, 0], np.ones(len(y))]), y, ["a", "b"])
    with pytest.raises(InvalidInput, match="too few"):
        relative_weights(x[:5], y[:5], ["a", "b"])
