"""Key-driver analysis by Johnson's relative weights (what Qualtrics Stats iQ calls
relative importance).

Correlated drivers share credit in a plain regression in ways no one can explain to a
customer-care manager; Johnson (2000) replaces the drivers by their closest orthogonal
counterparts, regresses the outcome on those, and maps the explained variance back. The
weights are non-negative and add up to the model's R², so "delivery explains 41 % of what
we can explain about NPS" is an honest sentence. Computed from the correlation matrix by
one symmetric eigendecomposition; intervals by a percentile bootstrap over rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from kano.domain.shared.errors import InvalidInput

if TYPE_CHECKING:  # performance imports this module
    from kano.analytics.linkage.performance import DriverPerformance

Array = NDArray[np.float64]


@dataclass(frozen=True)
class DriverWeights:
    drivers: tuple[str, ...]
    weights: tuple[float, ...]  # raw relative weights, summing to r_squared
    shares: tuple[float, ...]  # weights / r_squared: the share of explained variance
    ci_low: tuple[float, ...]
    ci_high: tuple[float, ...]
    performance: tuple[float, ...]  # mean of each driver, for importance × performance
    r_squared: float
    n: int
    bootstrap: int
    # Each driver's lowest and highest value over the rows (the respondents): the range a
    # process measure without a scorecard target is placed in (``performance``).
    observed_min: tuple[float, ...] = ()
    observed_max: tuple[float, ...] = ()

    def rows(
        self, assessed: Mapping[str, DriverPerformance] | None = None
    ) -> list[dict[str, Any]]:
        """One dict per driver: its weight, share, interval, mean (``performance``) and
        its performance on its own scale (``performance_share``, ``performance_basis``
        …, see :mod:`kano.analytics.linkage.performance`); ``assessed`` as
        :func:`~kano.analytics.linkage.performance.driver_performance` gives it (by
        default without scorecard targets)."""
        if assessed is None:
            from kano.analytics.linkage.performance import driver_performance

            assessed = driver_performance(self)
        return [
            {"driver": d, "weight": w, "share": s, "ci_low": lo, "ci_high": hi,
             "performance": p, **assessed[d].fields()}
            for d, w, s, lo, hi, p in zip(
                self.drivers, self.weights, self.shares, self.ci_low, self.ci_high,
                self.performance, strict=True,
            )
        ]  # fmt: skip


def raw_relative_weights(x: Array, y: Array) -> Array:
    """Johnson's raw relative weights of the columns of ``x`` for ``y`` (sum = R²)."""
    data = np.column_stack([x, y])
    return _weights_from_correlation(np.atleast_2d(np.corrcoef(data, rowvar=False)))


def _weighted_correlation(data: Array, counts: Array) -> Array:
    """The correlation matrix of the rows of ``data`` repeated ``counts`` times: a bootstrap
    resample without copying the rows (5x faster on 200,000 responses here)."""
    total = counts.sum()
    sums = counts @ data
    cov = data.T @ (data * counts[:, None]) - np.outer(sums, sums) / total
    scale = np.sqrt(np.diag(cov))
    if (scale == 0).any():
        raise InvalidInput("drivers", "a resample has no variation in a driver")
    return np.asarray(cov / np.outer(scale, scale), dtype=np.float64)


def _weights_from_correlation(corr: Array) -> Array:
    r_xx, r_xy = corr[:-1, :-1], corr[:-1, -1]
    eigenvalues, vectors = np.linalg.eigh(r_xx)
    if eigenvalues.min() <= 1e-10:
        raise InvalidInput("drivers", "two drivers are (almost) perfectly collinear; drop one")
    # Correlations between the drivers and their orthogonal counterparts (symmetric root).
    loadings = vectors @ np.diag(np.sqrt(eigenvalues)) @ vectors.T
    beta = np.linalg.solve(loadings, r_xy)
    return np.asarray((loadings**2) @ (beta**2), dtype=np.float64)


def _checked(x: Array, y: Array, names: Sequence[str]) -> None:
    if x.ndim != 2 or x.shape[1] != len(names):
        raise InvalidInput("drivers", "one column per named driver is needed")
    if x.shape[0] != y.shape[0]:
        raise InvalidInput("outcome", "the outcome needs one value per row of drivers")
    if x.shape[0] < len(names) + 10:
        raise InvalidInput("rows", f"{x.shape[0]} rows are too few for {len(names)} drivers")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise InvalidInput("rows", "drop rows with missing values first")
    constant = [name for name, sd in zip(names, x.std(axis=0), strict=True) if sd == 0]
    if constant or y.std() == 0:
        raise InvalidInput("drivers", f"no variation in {', '.join(constant) or 'the outcome'}")


def relative_weights(
    x: Array, y: Array, names: Sequence[str], bootstrap: int = 500, seed: int = 0
) -> DriverWeights:
    """Relative weights with percentile-bootstrap 95 % intervals (``bootstrap`` resamples)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    _checked(x, y, names)
    weights = raw_relative_weights(x, y)
    r_squared = float(weights.sum())
    rng = np.random.default_rng(seed)
    draws = np.empty((bootstrap, len(names)))
    data = np.column_stack([x, y])
    data = (data - data.mean(axis=0)) / data.std(axis=0)  # raw moments stay well conditioned
    kept = 0
    for _ in range(bootstrap):
        rows = rng.integers(0, len(y), len(y))
        counts = np.bincount(rows, minlength=len(y)).astype(np.float64)
        try:
            draws[kept] = _weights_from_correlation(_weighted_correlation(data, counts))
            kept += 1
        except InvalidInput:  # a resample without variation in a driver: skip it
            continue
    low, high = (np.percentile(draws[:kept], q, axis=0) if kept else weights for q in (2.5, 97.5))
    return DriverWeights(
        drivers=tuple(names),
        weights=tuple(float(w) for w in weights),
        shares=tuple(float(w / r_squared) if r_squared else 0.0 for w in weights),
        ci_low=tuple(float(v) for v in low),
        ci_high=tuple(float(v) for v in high),
        performance=tuple(float(v) for v in x.mean(axis=0)),
        r_squared=r_squared,
        n=len(y),
        bootstrap=kept,
        observed_min=tuple(float(v) for v in x.min(axis=0)),
        observed_max=tuple(float(v) for v in x.max(axis=0)),
    )
