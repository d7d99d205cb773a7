"""Customer lifetime value: BG/NBD for how often, Gamma-Gamma for how much.

Why our own code and not the ``lifetimes`` library: lifetimes is unmaintained since 2020
(its dataset loaders import ``pkg_resources``, which recent setuptools dropped, and its
import sets a pandas option that pandas 3 deprecates), it pulls autograd and dill, and it
wants pandas Series where the warehouse hands us numpy arrays. The models are small: a
vectorised log-likelihood in numpy/scipy.special, maximised by L-BFGS-B on the
log-parameters (so they stay positive without bounds), is all that is needed. It is checked
against the published CDNOW estimates of Fader, Hardie & Lee (2005) in CI, and against
lifetimes itself (same parameters to 5 digits; speed ratio) in bench/value.py.

Inputs use the usual summary per customer, in one time unit (weeks, days …):

* ``frequency`` x — number of *repeat* purchases in the calibration period,
* ``recency`` t_x — time of the last purchase, measured from the first one,
* ``T`` — age: time from the first purchase to the end of calibration,
* ``monetary`` — mean value of the repeat purchases (0 when x = 0).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from threading import Lock

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special
from threadpoolctl import ThreadpoolController

FloatArray = NDArray[np.float64]

#: Below this many repeat buyers the purchase-rate and dropout parameters are not
#: identified well enough to be worth reporting (the likelihood surface is flat).
MIN_REPEAT_BUYERS = 5


#: What the limit p → ∞ of Gamma-Gamma means, in the words the CLI and API show (the pages
#: say it in the reader's language): :attr:`GammaGammaParams.own_average`.
OWN_AVERAGE_NOTE = "each customer's own average order value: the data show no spread per order"


#: BLAS threads while L-BFGS-B searches (None: the library's default, all cores). SciPy's
#: L-BFGS-B calls BLAS on vectors and matrices of a few parameters; OpenBLAS's threads then
#: cost far more than they do, most on a busy machine: one demo segment's two fits took
#: 0.40–0.64 s instead of 0.075–0.12 s under load (bench/RESULTS.md, session 15). One thread
#: finds the same parameters, bit for bit. ``bench/value.py --page`` sets None as baseline.
FIT_BLAS_THREADS: int | None = 1
_ONE_FIT_AT_A_TIME = Lock()  # the limit is process-wide: two fits must not undo each other's


@cache
def _blas() -> ThreadpoolController:
    """The BLAS libraries loaded with SciPy (found once: looking them up costs ~3 ms)."""
    return ThreadpoolController()


class CannotFitError(ValueError):
    """The data cannot support the model; the message says what is missing.

    ``reason`` says why in one word the pages can translate: ``few_repeat_buyers`` (with
    ``repeat_buyers``, how many there were), ``no_spread`` (every customer alike),
    ``not_converged`` (the likelihood has no finite maximum the search could reach),
    ``heavy_tail`` (mean spend infinite under the model) or ``data`` (bad input).
    """

    def __init__(
        self, message: str, reason: str = "data", repeat_buyers: int | None = None
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.repeat_buyers = repeat_buyers


@dataclass(frozen=True)
class BgNbdParams:
    """BG/NBD: purchase rate ~ Gamma(r, alpha), dropout probability ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    n_customers: int


@dataclass(frozen=True)
class GammaGammaParams:
    """Gamma-Gamma: spend per purchase ~ Gamma(p, nu), nu ~ Gamma(q, gamma)."""

    p: float
    q: float
    gamma: float
    log_likelihood: float
    n_customers: int
    #: Set in the limit p → ∞ (:data:`OWN_AVERAGE`): p is then ``inf`` and gamma 0, and this
    #: is the limit of p·gamma — the scale of the inverse gamma (shape q) that the customers'
    #: mean spends follow. None for an ordinary fit.
    mean_spend_scale: float | None = None

    @property
    def own_average(self) -> bool:
        """The limit p → ∞: each customer's expected spend is their own average order value
        (the data show no spread per order), not one shrunk towards the population's."""
        return self.mean_spend_scale is not None

    @property
    def population_mean_spend(self) -> float:
        """E[spend] for a customer with no repeat purchase yet: p·gamma / (q − 1)."""
        scale = self.p * self.gamma if self.mean_spend_scale is None else self.mean_spend_scale
        return scale / (self.q - 1.0)


def _as_float(values: ArrayLike, name: str) -> FloatArray:
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(array)):
        raise CannotFitError(f"{name}: contains missing or infinite values")
    return array


def _summary(
    frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    x = _as_float(frequency, "frequency")
    t_x = _as_float(recency, "recency")
    age = _as_float(T, "T")
    if not (x.shape == t_x.shape == age.shape):
        raise CannotFitError("frequency, recency and T must have the same length")
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise CannotFitError("frequency: must be whole numbers ≥ 0 (repeat purchases)")
    if np.any(t_x < 0) or np.any(t_x > age + 1e-9):
        raise CannotFitError("recency: must lie between 0 and T for every customer")
    if np.any((x == 0) & (t_x > 0)):
        raise CannotFitError("recency: must be 0 for customers with no repeat purchase")
    return x, t_x, age


#: Largest slope of the mean log-likelihood (per unit of a log-parameter) at which a search
#: that did not report convergence is still taken as a maximum: a parameter changed by a
#: factor e would move the log-likelihood by less than n × this. Central differences on the
#: mean log-likelihood are good to about 1e-9, true maxima on CDNOW subsets show 1e-7.
GRADIENT_TOLERANCE = 1e-6
_BOUND = 12.0  # log-parameters are searched in [-12, 12]: e^±12 is beyond any sensible value


def _search(
    negative_mean_ll: Callable[[FloatArray], float], start: FloatArray
) -> optimize.OptimizeResult:
    return optimize.minimize(
        negative_mean_ll,
        start,
        method="L-BFGS-B",
        bounds=[(-_BOUND, _BOUND)] * len(start),
        options={"ftol": 1e-14, "gtol": 1e-9, "maxiter": 2000},
    )


def _slope(negative_mean_ll: Callable[[FloatArray], float], at: FloatArray) -> float:
    """Largest absolute partial derivative at ``at`` (central differences, step 1e-5)."""
    steps = np.eye(len(at)) * 1e-5
    return max(
        abs(negative_mean_ll(at + step) - negative_mean_ll(at - step)) / 2e-5 for step in steps
    )


def _retried(
    negative_mean_ll: Callable[[FloatArray], float], first: optimize.OptimizeResult
) -> optimize.OptimizeResult:
    """The maximum after L-BFGS-B stopped without converging (e.g. SciPy's
    ``ABNORMAL_TERMINATION_IN_LNSRCH``: the line search found no better point).

    Why not take the stop as the answer: on small segments it mostly happens on a ridge
    where the likelihood still rises towards a parameter's 0 or infinity (Gamma-Gamma's p
    growing as gamma shrinks), so where the search stopped is arbitrary. Nelder-Mead, which
    needs no gradient, goes on from the stop and L-BFGS-B polishes its point; two more
    searches start elsewhere. The best point is kept if a search converged to it (the same
    log-likelihood) or the slope there is flat; otherwise the fit is not converged. The
    answer's ``success`` says which.
    """
    polished = optimize.minimize(
        negative_mean_ll,
        first.x,
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-15, "maxiter": 20_000, "maxfev": 20_000},
    )
    tries = [first, _search(negative_mean_ll, np.clip(polished.x, -_BOUND, _BOUND))]
    tries += [_search(negative_mean_ll, np.full(len(first.x), shift)) for shift in (1.0, -1.0)]
    tries = [t for t in tries if np.all(np.isfinite(t.x)) and np.isfinite(t.fun)]
    if not tries:
        return first
    best = min(tries, key=lambda t: float(t.fun))
    tolerance = 1e-10 * max(1.0, abs(float(best.fun)))
    converged = [t for t in tries if t.success and float(t.fun) <= float(best.fun) + tolerance]
    if converged:
        return min(converged, key=lambda t: float(t.fun))
    best.success = _slope(negative_mean_ll, np.asarray(best.x)) <= GRADIENT_TOLERANCE
    if not best.success:
        stop = str(first.message).strip(" :") or "stopped"
        best.message = f"{stop} at the first search and {len(tries) - 1} more"
    return best


def _searched(
    negative_mean_ll: Callable[[FloatArray], float], start: FloatArray
) -> optimize.OptimizeResult:
    """The best point the searches found (``success``: whether it is a maximum)."""
    with _ONE_FIT_AT_A_TIME, _blas().limit(limits=FIT_BLAS_THREADS, user_api="blas"):
        result = _search(negative_mean_ll, start)
        if not result.success:
            result = _retried(negative_mean_ll, result)
    return result


def _reached(result: optimize.OptimizeResult) -> bool:
    """Whether a search's answer is a finite maximum :func:`_maximise` would accept."""
    log_params = np.asarray(result.x, dtype=np.float64)
    return bool(
        result.success
        and np.all(np.isfinite(log_params))
        and np.isfinite(result.fun)
        and np.all(np.abs(log_params) <= _BOUND - 0.1)
    )


def _maximise(
    negative_mean_ll: Callable[[FloatArray], float],
    start: FloatArray,
    what: str,
    result: optimize.OptimizeResult | None = None,
) -> tuple[FloatArray, float]:
    """The most likely log-parameters and the negative mean log-likelihood there, or
    :class:`CannotFitError` (``not_converged``). ``result``: a search already run."""
    if result is None:
        result = _searched(negative_mean_ll, start)
    log_params = np.asarray(result.x, dtype=np.float64)
    if not np.all(np.isfinite(log_params)) or not np.isfinite(result.fun):
        raise CannotFitError(
            f"{what}: the likelihood could not be maximised ({result.message})", "not_converged"
        )
    if np.any(np.abs(log_params) > _BOUND - 0.1):
        raise CannotFitError(
            f"{what}: a parameter ran off to 0 or infinity — the data do not identify the "
            "model (too few customers, or no variation in purchase behaviour)",
            "not_converged",
        )
    if not result.success:
        raise CannotFitError(
            f"{what}: the search for the most likely parameters did not converge "
            f"(SciPy: {result.message}) — the data do not pin the model down",
            "not_converged",
        )
    return log_params, float(result.fun)


# --------------------------------------------------------------------------- BG/NBD


def bg_nbd_log_likelihood(
    params: tuple[float, float, float, float],
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
) -> FloatArray:
    """Per-customer log-likelihood, Fader, Hardie & Lee (2005) eq. 6, in log space."""
    x, t_x, age = _summary(frequency, recency, T)
    r, alpha, a, b = params
    return _bg_nbd_ll(r, alpha, a, b, x, t_x, age)


def _bg_nbd_ll(
    r: float, alpha: float, a: float, b: float, x: FloatArray, t_x: FloatArray, age: FloatArray
) -> FloatArray:
    a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    a2 = special.betaln(a, b + x) - special.betaln(a, b)
    a3 = -(r + x) * np.log(alpha + age)
    repeat = x > 0
    a4 = np.full_like(x, -np.inf)
    xr = x[repeat]
    a4[repeat] = np.log(a) - np.log(b + xr - 1.0) - (r + xr) * np.log(alpha + t_x[repeat])
    return np.asarray(a1 + a2 + np.logaddexp(a3, a4), dtype=np.float64)


#: Ridges where a likelihood rises for ever, by ever less, towards a limit with no spread:
#: BG/NBD's a and b growing together keep the mean dropout probability a/(a+b) and narrow
#: its spread (every customer drops out with the same probability: the demo's key accounts,
#: who all keep buying); Gamma-Gamma's q and gamma growing together keep the mean spend
#: rate q/gamma (every customer alike). Where L-BFGS-B stops on such a ridge depends on the
#: machine's floating point: on the same customers an AMD EPYC stalled where an Intel core
#: had reported convergence, and converged where it had stalled.
DROPOUT_RIDGE = np.array([0.0, 0.0, 1.0, 1.0])  # log r, log alpha, log a, log b
SPEND_RATE_RIDGE = np.array([0.0, 1.0, 1.0])  # log p, log q, log gamma
#: A stall on a ridge is the fit when walking on along it (e^4 and e^8 times further)
#: raises the likelihood-ratio statistic 2·n·Δ(mean log-likelihood) by less than this: the
#: rest of the ridge is then far inside the 95 % confidence region (χ²₁: 3.84) around the
#: stall, so the stall and the limit predict alike (33 key accounts: 2·33·4.6e-5 = 0.003).
RIDGE_LR_TOLERANCE = 0.1


def _stalled_on_ridge(
    negative_mean_ll: Callable[[FloatArray], float],
    result: optimize.OptimizeResult,
    n: int,
    ridge: FloatArray,
) -> bool:
    at = np.asarray(result.x, dtype=np.float64)
    if not (np.all(np.isfinite(at)) and np.isfinite(result.fun)):
        return False
    further = [negative_mean_ll(at + step * ridge) for step in (4.0, 8.0)]
    if not np.all(np.isfinite(further)):
        return False
    gain = float(result.fun) - min(further)
    if 2.0 * n * max(gain, 0.0) >= RIDGE_LR_TOLERANCE:
        return False
    return _inside_the_bounds_along(negative_mean_ll, result, n, ridge)


def _inside_the_bounds_along(
    negative_mean_ll: Callable[[FloatArray], float],
    result: optimize.OptimizeResult,
    n: int,
    ridge: FloatArray,
) -> bool:
    """A stall at the search's bound (seen on an Intel core: log q = 11.99 of 12) is moved
    back along the ridge to within it, where :func:`_maximise` takes it, if the likelihood
    there is as good to within ``RIDGE_LR_TOLERANCE``; False if it is not."""
    at = np.asarray(result.x, dtype=np.float64)
    along = ridge != 0.0
    over = float(np.max(np.abs(at[along]))) - (_BOUND - 1.0)
    if np.any(np.abs(at[~along]) > _BOUND - 1.0):
        return False
    if over <= 0.0:
        return True
    inside = at - over * np.sign(at[along][np.argmax(np.abs(at[along]))]) * ridge
    value = negative_mean_ll(inside)
    if not np.isfinite(value) or 2.0 * n * (value - float(result.fun)) >= RIDGE_LR_TOLERANCE:
        return False
    result.x, result.fun = inside, value
    return True


def fit_bg_nbd(frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> BgNbdParams:
    """Maximum-likelihood BG/NBD parameters.

    Terms that depend only on x (the gamma and beta functions) are evaluated once per
    distinct frequency and indexed back, which keeps a 1 M-customer fit to a few seconds.
    """
    x, t_x, age = _summary(frequency, recency, T)
    n = len(x)
    repeaters = int(np.count_nonzero(x))
    if repeaters < MIN_REPEAT_BUYERS:
        raise CannotFitError(
            f"BG/NBD: {repeaters} customer(s) with a repeat purchase among {n}; at least "
            f"{MIN_REPEAT_BUYERS} are needed to estimate purchase and dropout rates",
            "few_repeat_buyers",
            repeaters,
        )
    if np.all(t_x[x > 0] == age[x > 0]) and np.all(age == age[0]):
        raise CannotFitError(
            "BG/NBD: every customer looks identical; nothing to estimate", "no_spread"
        )
    distinct_x, index = np.unique(x, return_inverse=True)
    repeat = x > 0
    x_rep = x[repeat]
    tx_rep = t_x[repeat]

    def negative_mean_ll(log_params: FloatArray) -> float:
        r, alpha, a, b = np.exp(log_params)
        per_x = (
            special.gammaln(r + distinct_x)
            - special.gammaln(r)
            + special.betaln(a, b + distinct_x)
            - special.betaln(a, b)
        )
        a3 = -(r + x) * np.log(alpha + age)
        a4 = np.log(a) - np.log(b + x_rep - 1.0) - (r + x_rep) * np.log(alpha + tx_rep)
        last = a3.copy()
        last[repeat] = np.logaddexp(a3[repeat], a4)
        total = per_x[index].sum() + n * r * np.log(alpha) + last.sum()
        return float(-total / n)

    result = _searched(negative_mean_ll, np.zeros(4))
    if not result.success and _stalled_on_ridge(negative_mean_ll, result, n, DROPOUT_RIDGE):
        result.success = True
    log_params, value = _maximise(negative_mean_ll, np.zeros(4), "BG/NBD", result)
    r, alpha, a, b = (float(v) for v in np.exp(log_params))
    return BgNbdParams(r, alpha, a, b, log_likelihood=-value * n, n_customers=n)


def probability_alive(
    params: BgNbdParams, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> FloatArray:
    """P(still a customer at T | x, t_x) — FHL (2005) eq. 11, as a logistic of a log-odds."""
    x, t_x, age = _summary(frequency, recency, T)
    return _p_alive(params, x, t_x, age)


def _p_alive(params: BgNbdParams, x: FloatArray, t_x: FloatArray, age: FloatArray) -> FloatArray:
    repeat = x > 0
    log_odds_dead = np.full_like(x, -np.inf)
    xr = x[repeat]
    log_odds_dead[repeat] = (
        np.log(params.a)
        - np.log(params.b + xr - 1.0)
        + (params.r + xr)
        * (np.log(params.alpha + age[repeat]) - np.log(params.alpha + t_x[repeat]))
    )
    return np.asarray(special.expit(-log_odds_dead), dtype=np.float64)


def expected_purchases(
    params: BgNbdParams,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    horizon: float,
) -> FloatArray:
    """E[purchases in (T, T + horizon] | x, t_x, T] — FHL (2005) eq. 10."""
    x, t_x, age = _summary(frequency, recency, T)
    return _conditional_expectation(params, x, t_x, age, np.float64(horizon))


def _conditional_expectation(
    params: BgNbdParams, x: FloatArray, t_x: FloatArray, age: FloatArray, horizon: np.float64
) -> FloatArray:
    if horizon < 0:
        raise ValueError("horizon: must be ≥ 0")
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    # FHL's bracket is 1 − (1 − z)^(r+x) · ₂F₁(r+x, b+x; a+b+x−1; z). Far horizons (z → 1)
    # and frequent buyers made that ₂F₁ overflow while its factor underflowed (0 · inf = NaN:
    # the API answered null CLV at a horizon of 2,000 weeks). Euler's transformation,
    # ₂F₁(α, β; γ; z) = (1 − z)^(γ−α−β) ₂F₁(γ−α, γ−β; γ; z), folds the two into
    # (1 − z)^(a−1) · ₂F₁(a+b−1−r, a−1; a+b+x−1; z): the same value (checked against
    # mpmath at 60 digits), finite for every horizon.
    one_minus_z = (alpha + age) / (alpha + age + horizon)
    z = horizon / (alpha + age + horizon)
    bracket = 1.0 - one_minus_z ** (a - 1.0) * special.hyp2f1(
        a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, z
    )
    lead = (a + b + x - 1.0) / (a - 1.0)
    return np.asarray(lead * bracket * _p_alive(params, x, t_x, age), dtype=np.float64)


# ---------------------------------------------------------------------- Gamma-Gamma


def _spend(
    frequency: ArrayLike, monetary: ArrayLike, *, for_fit: bool = True
) -> tuple[FloatArray, FloatArray]:
    x = _as_float(frequency, "frequency")
    m = _as_float(monetary, "monetary")
    if x.shape != m.shape:
        raise CannotFitError("frequency and monetary must have the same length")
    if for_fit and np.any(m[x > 0] <= 0):
        raise CannotFitError(
            "monetary: must be > 0 for every customer with repeat purchases (leave out "
            "customers whose repeat purchases net to zero or less, e.g. returns)"
        )
    if np.any(m < 0):
        raise CannotFitError("monetary: must be ≥ 0")
    return x, m


def fit_gamma_gamma(frequency: ArrayLike, monetary: ArrayLike) -> GammaGammaParams:
    """Maximum-likelihood Gamma-Gamma parameters on the repeat buyers (x > 0).

    Fader & Hardie, "The Gamma-Gamma model of monetary value" (2013), eq. 3. The model
    assumes spend is independent of frequency; check the correlation before trusting it.
    """
    x_all, m_all = _spend(frequency, monetary)
    repeat = x_all > 0
    x, m = x_all[repeat], m_all[repeat]
    n = len(x)
    if n < MIN_REPEAT_BUYERS:
        raise CannotFitError(
            f"Gamma-Gamma: {n} repeat buyer(s); at least {MIN_REPEAT_BUYERS} are needed",
            "few_repeat_buyers",
            n,
        )
    if np.ptp(m) == 0:
        raise CannotFitError(
            "Gamma-Gamma: every repeat buyer spends the same; no spread to fit", "no_spread"
        )
    # Fitted in units of the mean spend: gamma is a scale (spend × c gives gamma × c, the
    # same p and q, and a log-likelihood lower by n·log c). In currency units gamma can be
    # e^11 and more — near the search's bound, where L-BFGS-B stalled at a point that a
    # change in the 16th digit of the spends moved (a key-account segment: p 0.52 or 181).
    scale = float(np.mean(m))
    m = m / scale
    log_m = np.log(m)
    log_x = np.log(x)
    xm = x * m

    def negative_mean_ll(log_params: FloatArray) -> float:
        p, q, gamma = np.exp(log_params)
        px = p * x
        ll = (
            special.gammaln(px + q)
            - special.gammaln(px)
            - special.gammaln(q)
            + q * np.log(gamma)
            + (px - 1.0) * log_m
            + px * log_x
            - (px + q) * np.log(gamma + xm)
        )
        return float(-ll.sum() / n)

    result = _searched(negative_mean_ll, np.zeros(3))
    limit = _own_average_limit(m)
    if limit is not None and _limit_is_the_maximum(limit[2], result):
        q, mean_scale, mean_ll = limit
        _finite_mean_spend(q)
        return GammaGammaParams(
            math.inf, q, 0.0, log_likelihood=n * (mean_ll - math.log(scale)), n_customers=n,
            mean_spend_scale=mean_scale * scale,
        )  # fmt: skip
    if not result.success and _stalled_on_ridge(negative_mean_ll, result, n, SPEND_RATE_RIDGE):
        result.success = True
    log_params, value = _maximise(negative_mean_ll, np.zeros(3), "Gamma-Gamma", result)
    p, q, gamma = (float(v) for v in np.exp(log_params))
    gamma *= scale
    _finite_mean_spend(q)
    log_likelihood = -value * n - n * float(np.log(scale))
    return GammaGammaParams(p, q, gamma, log_likelihood=log_likelihood, n_customers=n)


def _finite_mean_spend(q: float) -> None:
    if q <= 1.0:
        raise CannotFitError(
            f"Gamma-Gamma: q = {q:.3g} ≤ 1, so mean spend is infinite under the model; "
            "spend is too heavy-tailed (cap outliers or use a longer calibration period)",
            "heavy_tail",
        )


#: How much higher (per customer) the best finite point's mean log-likelihood may be than
#: the limit p → ∞ while the limit is still taken as the maximum, when the search for a
#: finite maximum failed: on a likelihood still rising with p the search stalls at a point
#: a hair *below* the limit; a failed search well above it is a real failure (another ridge).
LIMIT_TOLERANCE = 1e-7


def _own_average_limit(m: FloatArray) -> tuple[float, float, float] | None:
    """Gamma-Gamma's limit p → ∞ with p·gamma → s: q, s and the mean log-likelihood.

    Spend per purchase ~ Gamma(p, nu) has mean p/nu and a coefficient of variation 1/√p,
    so as p grows each customer's purchases all equal their own mean spend m = p/nu, and
    with nu ~ Gamma(q, gamma) the means m follow an inverse gamma of shape q and scale
    s = p·gamma: 1/m ~ Gamma(q, rate s), whose maximum likelihood is solved for here
    (log q − ψ(q) = log mean(1/m) − mean(log 1/m)). The Gamma-Gamma density of m tends to
    this inverse gamma's, so the two log-likelihoods compare. None when every m is equal.
    """
    y = 1.0 / m
    gap = float(np.log(np.mean(y)) - np.mean(np.log(y)))  # > 0 by Jensen unless all equal
    if not gap > 1e-12:
        return None
    q = float(optimize.brentq(lambda v: np.log(v) - special.digamma(v) - gap, 1e-10, 1e13))
    s = q / float(np.mean(y))
    ll = q * np.log(s) - special.gammaln(q) - (q + 1.0) * np.log(m) - s / m
    return q, s, float(np.mean(ll))


def _limit_is_the_maximum(limit_mean_ll: float, finite: optimize.OptimizeResult) -> bool:
    """The limit p → ∞ is the answer when no finite point is more likely: the search for a
    finite maximum failed and found nothing above the limit (the likelihood kept rising as
    p grew), or it found a maximum the limit still beats."""
    if not np.isfinite(finite.fun):
        return True
    finite_mean_ll = -float(finite.fun)
    if _reached(finite):
        return limit_mean_ll > finite_mean_ll + 1e-12
    return limit_mean_ll >= finite_mean_ll - LIMIT_TOLERANCE


def expected_spend(
    params: GammaGammaParams, frequency: ArrayLike, monetary: ArrayLike
) -> FloatArray:
    """E[spend per purchase | x, mean spend] — shrinks each customer's mean to the population's.

    In the limit p → ∞ (:attr:`GammaGammaParams.own_average`) p·(gamma + x·m) / (p·x + q − 1)
    tends to m: a repeat buyer's own average order value; a customer without repeat
    purchases gets the population's mean, s / (q − 1), as before.
    """
    x, m = _spend(frequency, monetary, for_fit=False)
    if params.own_average:
        return np.asarray(np.where(x > 0, m, params.population_mean_spend), dtype=np.float64)
    p, q, gamma = params.p, params.q, params.gamma
    return np.asarray(p * (gamma + x * m) / (p * x + q - 1.0), dtype=np.float64)


# ----------------------------------------------------------------------------- CLV


def discounted_clv(
    purchases: BgNbdParams,
    spend: GammaGammaParams,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    monetary: ArrayLike,
    *,
    horizon: float,
    steps: int,
    discount_rate: float,
    margin: float = 1.0,
) -> FloatArray:
    """Discounted margin over ``horizon`` time units, cut into ``steps`` equal periods.

    Expected purchases in each period (difference of the cumulative eq. 10) × expected
    spend × margin, discounted at ``discount_rate`` per period — the same discrete scheme
    consultants use in a spreadsheet (and lifetimes' ``customer_lifetime_value``).
    """
    if steps < 1 or horizon <= 0:
        raise ValueError("horizon and steps: must be positive")
    if discount_rate <= -1.0:
        raise ValueError("discount_rate: must be > -1")
    x, t_x, age = _summary(frequency, recency, T)
    value = expected_spend(spend, x, monetary) * margin
    total = np.zeros_like(x)
    previous = np.zeros_like(x)
    for k in range(1, steps + 1):
        cumulative = _conditional_expectation(
            purchases, x, t_x, age, np.float64(horizon * k / steps)
        )
        total += (cumulative - previous) / (1.0 + discount_rate) ** k
        previous = cumulative
    return np.asarray(total * value, dtype=np.float64)
