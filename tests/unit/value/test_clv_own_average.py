"""Gamma-Gamma's limit p → ∞: when spend shows no spread within customers, the most likely
model is "each customer's own average order value" — reported as such, not as a failed fit.

Spend per purchase ~ Gamma(p, nu) has a coefficient of variation 1/√p, so a segment whose
customers each spend the same on every order has its likelihood rising for ever with p.
The limit is checked against direct computations: the customers' mean spends then follow an
inverse gamma (shape q, scale s = lim p·gamma), fitted here by SciPy's own maximum
likelihood, and the conditional expected spend p(gamma + x m)/(p x + q − 1) evaluated at
a huge finite p.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from kano.analytics.value import clv


def _no_spread_per_order(seed: int = 7, customers: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Repeat purchases and mean spend of customers who each pay their own fixed amount on
    every order (the amounts differ between customers)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 40, size=customers).astype(float)
    own_amount = np.round(np.exp(np.log(500.0) + 0.6 * rng.normal(size=customers)), 2)
    orders = [np.full(int(k), amount) for k, amount in zip(x, own_amount, strict=True)]
    return x, np.array([o.mean() for o in orders])


def test_spend_without_spread_per_order_is_each_customers_own_average() -> None:
    x, m = _no_spread_per_order()

    params = clv.fit_gamma_gamma(x, m)

    assert params.own_average and params.p == np.inf and params.gamma == 0.0
    shape, location, scale = stats.invgamma.fit(m, floc=0)  # the limit, fitted directly
    assert location == 0
    assert params.q == pytest.approx(shape, rel=1e-5)
    assert params.mean_spend_scale == pytest.approx(scale, rel=1e-5)
    assert params.log_likelihood == pytest.approx(
        stats.invgamma.logpdf(m, shape, scale=scale).sum(), rel=1e-6
    )
    assert params.population_mean_spend == pytest.approx(scale / (shape - 1.0), rel=1e-5)


def test_the_limits_expected_spend_is_the_formulas_value_at_a_huge_p() -> None:
    x, m = _no_spread_per_order()
    params = clv.fit_gamma_gamma(x, m)
    near = clv.GammaGammaParams(
        p=1e9, q=params.q, gamma=params.mean_spend_scale / 1e9, log_likelihood=0.0,
        n_customers=len(x),
    )  # fmt: skip
    with_newcomer = (np.r_[x, 0.0], np.r_[m, 0.0])

    spend = clv.expected_spend(params, *with_newcomer)

    assert spend[:-1] == pytest.approx(m, rel=1e-12)  # a repeat buyer's own average
    assert spend[-1] == pytest.approx(params.population_mean_spend, rel=1e-12)
    assert spend == pytest.approx(clv.expected_spend(near, *with_newcomer), rel=1e-6)


def test_the_limit_is_not_taken_where_a_finite_maximum_exists() -> None:
    """Real spread per order (Gamma with p = 2): an ordinary fit, close to the truth."""
    rng = np.random.default_rng(3)
    x = rng.integers(1, 30, size=400).astype(float)
    nu = rng.gamma(4.0, 1.0 / 40.0, size=400)
    m = np.array([rng.gamma(2.0, 1.0 / v, size=int(k)).mean() for k, v in zip(x, nu, strict=True)])

    params = clv.fit_gamma_gamma(x, m)

    assert not params.own_average and params.mean_spend_scale is None
    assert params.p == pytest.approx(2.0, rel=0.25)


def test_customers_all_alike_are_fitted_as_one_spend_rate_on_every_machine() -> None:
    """Customers who are all alike (one nu for everyone) push q and gamma to infinity
    together, not p: no own-average limit. L-BFGS-B reports convergence somewhere on that
    ridge on one machine and stalls on it on another; both are the limit of one spend rate
    for all (clv.SPEND_RATE_RIDGE), so each repeat buyer's expected spend is the shrunk mean
    it would be there: close to the population's mean, and not their own average."""
    rng = np.random.default_rng(0)
    x = rng.integers(1, 12, size=40)
    m = np.array([rng.gamma(2.0, 10.0, size=k).mean() for k in x])

    params = clv.fit_gamma_gamma(x, m)

    assert not params.own_average
    assert params.q > 100 and params.p == pytest.approx(2.0, rel=0.25)
    spend = clv.expected_spend(params, x, m)
    population = params.p * params.gamma / (params.q - 1.0)
    assert spend == pytest.approx(np.full(len(x), population), rel=0.02)
    assert population == pytest.approx(float(np.mean(m)), rel=0.1)
