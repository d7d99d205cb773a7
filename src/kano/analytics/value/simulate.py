"""Customers drawn from the BG/NBD and Gamma-Gamma processes themselves.

Used to check the fitter against the story it models (it must recover the parameters it
was given and predict the holdout it has not seen) and to generate the million customers
of bench/value.py. The process is simulated directly — Poisson purchases at a Gamma rate,
dropout after each repeat purchase with a Beta probability — not through the formulas
under test.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class SimulatedCustomers:
    """Calibration summary, holdout purchases and the true spend of simulated customers."""

    frequency: FloatArray
    recency: FloatArray
    T: FloatArray
    monetary: FloatArray
    holdout_frequency: FloatArray
    holdout_length: float


def simulate_customers(
    n: int,
    *,
    r: float,
    alpha: float,
    a: float,
    b: float,
    p: float = 6.0,
    q: float = 4.0,
    gamma: float = 15.0,
    max_age: float = 52.0,
    holdout_length: float = 39.0,
    seed: int = 0,
) -> SimulatedCustomers:
    """``n`` customers whose first purchase falls uniformly in the last ``max_age`` units."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(r, 1.0 / alpha, n)
    dropout = rng.beta(a, b, n)
    age = rng.uniform(1.0, max_age, n)
    window = age + holdout_length
    # Repeat purchases made before dropping out (dropout follows the j-th repeat purchase).
    lives = rng.geometric(np.clip(dropout, 1e-12, 1.0))
    arrivals = rng.poisson(rate * window)
    owner = np.repeat(np.arange(n), arrivals)
    when = rng.uniform(0.0, 1.0, owner.size) * window[owner]
    order = np.lexsort((when, owner))
    owner, when = owner[order], when[order]
    starts = np.cumsum(arrivals) - arrivals
    rank = np.arange(owner.size) - starts[owner]
    made = rank < lives[owner]
    owner, when = owner[made], when[made]
    in_calibration = when <= age[owner]
    frequency = np.bincount(owner[in_calibration], minlength=n).astype(np.float64)
    holdout = np.bincount(owner[~in_calibration], minlength=n).astype(np.float64)
    recency = np.zeros(n)
    np.maximum.at(recency, owner[in_calibration], when[in_calibration])
    # Spend: nu ~ Gamma(q, gamma); the mean of x purchases ~ Gamma(p x, nu x).
    nu = rng.gamma(q, 1.0 / gamma, n)
    shape = np.where(frequency > 0, p * frequency, 1.0)
    monetary = np.where(frequency > 0, rng.gamma(shape, 1.0 / (nu * np.maximum(frequency, 1))), 0.0)
    return SimulatedCustomers(frequency, recency, age, monetary, holdout, holdout_length)
