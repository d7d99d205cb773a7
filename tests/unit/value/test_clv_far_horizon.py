"""Expected purchases at far horizons and for frequent buyers, against an independent
60-digit evaluation of Fader, Hardie & Lee (2005) eq. 10 with mpmath.

The API allows horizons up to 10,000 time units; the direct formula overflowed there
(its ₂F₁ went to inf while its factor went to 0) and answered null expected purchases.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

from kano.analytics.value import clv

# The CDNOW parameters FHL (2005) publish (r, α, a, b).
CDNOW = clv.BgNbdParams(0.243, 4.414, 0.793, 2.426, log_likelihood=0.0, n_customers=2357)
# A fit with a > 1 (few drop-outs), as on data where customers rarely leave.
LOYAL = clv.BgNbdParams(1.8, 12.0, 3.5, 9.0, log_likelihood=0.0, n_customers=1000)


def _reference(params: clv.BgNbdParams, x: float, t_x: float, age: float, horizon: float) -> float:
    mpmath.mp.dps = 60
    r, alpha, a, b = (mpmath.mpf(v) for v in (params.r, params.alpha, params.a, params.b))
    x_, t_x_, age_, h = (mpmath.mpf(v) for v in (x, t_x, age, horizon))
    z = h / (alpha + age_ + h)
    bracket = 1 - ((alpha + age_) / (alpha + age_ + h)) ** (r + x_) * mpmath.hyp2f1(
        r + x_, b + x_, a + b + x_ - 1, z
    )
    alive = (1 / (1 + a / (b + x_ - 1) * ((alpha + age_) / (alpha + t_x_)) ** (r + x_))
             if x > 0 else mpmath.mpf(1))  # fmt: skip
    return float((a + b + x_ - 1) / (a - 1) * bracket * alive)


@pytest.mark.parametrize("params", [CDNOW, LOYAL], ids=["cdnow", "loyal"])
@pytest.mark.parametrize("horizon", [1.0, 52.0, 2_000.0, 6_308.0, 10_000.0])
def test_expected_purchases_match_a_60_digit_reference(
    params: clv.BgNbdParams, horizon: float
) -> None:
    customers = [(0.0, 0.0, 38.86), (2.0, 30.43, 38.86), (50.0, 100.0, 104.0),
                 (150.0, 100.0, 104.0), (300.0, 100.0, 104.0)]  # fmt: skip
    x, t_x, age = (np.array(column) for column in zip(*customers, strict=True))
    got = clv.expected_purchases(params, x, t_x, age, horizon)
    assert np.all(np.isfinite(got)), got
    want = [_reference(params, *customer, horizon) for customer in customers]
    np.testing.assert_allclose(got, want, rtol=1e-9)
