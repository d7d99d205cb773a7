"""The hand-written cluster-robust slope equals statsmodels' ``cov_type="cluster"`` fit."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from kano.analytics.linkage.estimate import clustered_slope


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 100_000), clusters=st.integers(5, 60), slope=st.floats(-5, 5))
def test_matches_statsmodels_cluster_covariance(seed: int, clusters: int, slope: float) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(40, 400))
    groups = rng.integers(0, clusters, n)
    shared = rng.normal(size=clusters)[groups]  # correlated errors within a cluster
    x = rng.normal(size=n) + 0.5 * shared
    y = 1.0 + slope * x + shared + rng.normal(size=n)

    estimate, low, high, p_value = clustered_slope(x, y, groups)

    fit = sm.OLS(y, sm.add_constant(x)).fit(cov_type="cluster", cov_kwds={"groups": groups})
    assert estimate == pytest.approx(fit.params[1], rel=1e-9, abs=1e-12)
    assert (low, high) == pytest.approx(tuple(fit.conf_int(0.05)[1]), rel=1e-9, abs=1e-12)
    assert p_value == pytest.approx(fit.pvalues[1], rel=1e-6, abs=1e-12)
