"""Wild cluster restricted bootstrap (WCR) for one coefficient of a linear regression.

**Why.** A pilot is often run in a few stores, regions or accounts. Cluster-robust (CR1)
standard errors then come out too small, and t(G−1) intervals reject a true null far more
often than they should (Cameron, Gelbach & Miller 2008, *Rev. Econ. Stat.* 90(3);
MacKinnon & Webb 2017, *J. Appl. Econometrics* 32(2)). What matters is not only the
number of clusters G but how many of them are treated: with a handful of pilot (or
control) clusters CR1 over-rejects however large G is. The wild cluster bootstrap with the
null imposed is the remedy those papers recommend (and MacKinnon, Nielsen & Webb 2023,
*J. Econometrics* 232(2), "Cluster-robust inference: a guide to empirical practice").

**When** (:func:`bootstrap_is_needed`): fewer than 50 clusters (Cameron & Miller 2015,
*J. Human Resources* 50(2), put "few clusters" at roughly 20–50), or fewer than 10
clusters on either side of the comparison (MacKinnon & Webb 2017: CR1's over-rejection is
driven by the number of treated clusters; the DiD is symmetric in which group is called
the pilot, so the smaller side counts).

**What.** The WCR bootstrap of Cameron, Gelbach & Miller, computed the "fast and wild" way
of Roodman, MacKinnon, Nielsen & Webb (2019, *Stata Journal* 19(1), Stata's ``boottest``):

* impose H0: β_j = δ0 (regress y − δ0·x_j on the other columns: restricted residuals ũ);
* for draw b, y*_b = Xβ̃ + ũ·v_{g,b} with one weight per cluster; re-estimate and form
  the CR1 t statistic t*_b of β*_j − δ0;
* the symmetric p-value is the share of draws with |t*_b| ≥ |t| (ties count: with full
  enumeration this is the exact randomisation p-value, which includes the identity draw).

Every cluster-level quantity is affine in δ0, so each draw is summarised by five numbers
(numerator a − δ0·b, squared CR1 denominator a quadratic in δ0) and the 95 % interval is
found by inverting the test (the δ0 where the p-value crosses 5 %) by bisection on those
numbers, without re-drawing.

**Weights.** Rademacher (±1) for 12 clusters and more, enumerated exactly (all 2^G sign
vectors) when 2^G ≤ the number of draws; with 11 clusters or fewer Rademacher weights give
at most 2^(G−1) distinct |t*| (1,024 at G = 11, 16 at G = 5: a p-value below 6 % is then
impossible), so Webb's six-point weights ±√½, ±1, ±√(3⁄2) are drawn instead (Webb 2023,
*Canadian J. Econ.* 56(3), "Reworking wild bootstrap-based inference for clustered
errors"). Draws use a fixed seed: the same data always give the same p-value.

**Fixed effects** nested in the clusters (unit effects with clusters = units) may be
partialled out before the bootstrap (Roodman et al. 2019): pass the within-unit
demeaned y and X.

Checked against ``wildboottest`` (the Python port of ``boottest``/``fwildclusterboot``) and
a plain-loop textbook implementation in ``tests/unit/pilots/test_wild_bootstrap.py``. The
pre-trend check's joint test of several leads, with the same rule, weights and seed, is
:mod:`.joint_bootstrap`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

Weights = Literal["rademacher", "webb"]
FloatArray = npt.NDArray[np.float64]

DRAWS = 9_999
SEED = 20_081_001  # fixed: Cameron, Gelbach & Miller's bootstrap, RESTAT 2008
FEW_CLUSTERS = 50
FEW_CLUSTERS_PER_GROUP = 10
WEBB_BELOW = 12
WEBB_POINTS = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])
_CHUNK = 2_000_000  # weights held at once (clusters × draws), about 16 MB
_TIE = 1e-9


def bootstrap_is_needed(clusters: int, pilot_clusters: int, control_clusters: int) -> bool:
    """True when CR1 inference is unreliable (see the module doc for the rule's sources)."""
    return clusters < FEW_CLUSTERS or min(pilot_clusters, control_clusters) < FEW_CLUSTERS_PER_GROUP


def weights_for(clusters: int) -> Weights:
    """Webb's six-point weights below 12 clusters, Rademacher from 12 on."""
    return "webb" if clusters < WEBB_BELOW else "rademacher"


@dataclass(frozen=True)
class WildBootstrap:
    estimate: float
    std_error: float
    """CR1 standard error of the original fit (the bootstrap gives a p-value, not an SE)."""
    t_statistic: float
    p_value: float
    ci_low: float
    ci_high: float
    weights: Weights
    draws: int
    enumerated: bool
    clusters: int


def _cluster_sums(codes: npt.NDArray[np.intp], values: FloatArray, clusters: int) -> FloatArray:
    """Row g: the sum of ``values``' rows in cluster g."""
    out = np.zeros((clusters, values.shape[1]))
    np.add.at(out, codes, values)
    return out


def enumerates(clusters: int, draws: int, weights: Weights) -> bool:
    """True when every Rademacher sign vector is used instead of ``draws`` random ones."""
    return weights == "rademacher" and clusters < 63 and 2**clusters <= draws


def weight_blocks(clusters: int, draws: int, weights: Weights, seed: int) -> Iterator[FloatArray]:
    """The bootstrap weights, clusters × draws, in blocks of columns (all 2^G sign vectors
    when :func:`enumerates`); the same seed gives the same weights."""
    enumerated = enumerates(clusters, draws, weights)
    total = 2**clusters if enumerated else draws
    step = max(1, min(total, _CHUNK // max(clusters, 1)))
    rng = np.random.default_rng(seed)
    for start in range(0, total, step):
        stop = min(start + step, total)
        if enumerated:
            codes = np.arange(start, stop, dtype=np.int64)
            bits = (codes[None, :] >> np.arange(clusters, dtype=np.int64)[:, None]) & 1
            yield 2.0 * bits.astype(float) - 1.0
        elif weights == "webb":
            yield WEBB_POINTS[rng.integers(0, 6, size=(clusters, stop - start))]
        else:
            count = clusters * (stop - start)
            packed = np.frombuffer(rng.bytes((count + 7) // 8), dtype=np.uint8)
            signs = np.unpackbits(packed)[:count].reshape(clusters, stop - start)
            yield 2.0 * signs.astype(float) - 1.0


@dataclass(frozen=True)
class _Draws:
    """Per draw: numerator n_y − δ0·n_x, squared denominator d_yy − 2δ0·d_yx + δ0²·d_xx."""

    n_y: FloatArray
    n_x: FloatArray
    d_yy: FloatArray
    d_yx: FloatArray
    d_xx: FloatArray

    def t_stars(self, delta0: float) -> FloatArray:
        numerator = self.n_y - delta0 * self.n_x
        squared = self.d_yy - 2.0 * delta0 * self.d_yx + delta0 * delta0 * self.d_xx
        with np.errstate(divide="ignore", invalid="ignore"):
            return numerator / np.sqrt(np.maximum(squared, 0.0))


class WildClusterBootstrap:
    """The WCR bootstrap of ``x[:, column]``'s coefficient in the OLS of y on x, clustered
    by ``clusters``; x must have full column rank (a constant, if any, is a column)."""

    def __init__(
        self,
        y: npt.ArrayLike,
        x: npt.ArrayLike,
        clusters: npt.ArrayLike,
        column: int,
        *,
        draws: int = DRAWS,
        weights: Weights | None = None,
        seed: int = SEED,
    ) -> None:
        y_ = np.asarray(y, dtype=float)
        x_ = np.asarray(x, dtype=float)
        if x_.ndim != 2 or y_.shape != (x_.shape[0],):
            raise ValueError("x must be n × k and y of length n")
        codes, uniques = _codes(np.asarray(clusters))
        n, k = x_.shape
        g = len(uniques)
        if g < 2:
            raise ValueError("clusters: the bootstrap needs at least 2 clusters")
        if draws < 1:
            raise ValueError("draws must be positive")
        self.clusters = g
        self.weights: Weights = weights or weights_for(g)
        inverse = np.linalg.inv(x_.T @ x_)
        beta = inverse @ (x_.T @ y_)
        q = inverse[:, column]
        self.ssc = g / (g - 1) * (n - 1) / (n - k)
        residual = y_ - x_ @ beta
        xi = _cluster_sums(codes, x_ * residual[:, None], g) @ q
        self.estimate = float(beta[column])
        self.std_error = float(np.sqrt(self.ssc * np.sum(xi * xi)))
        # The restricted fit for H0: β_j = δ0 is β̂ − q·(β̂_j − δ0)/q_j, so its residuals are
        # affine in δ0: ũ(δ0) = ũ_y − δ0·ũ_x with ũ_x = Xq/q_j (= x_j net of the others).
        xq = x_ @ q
        u_x = xq / q[column]
        u_y = residual + beta[column] * u_x
        s_y = _cluster_sums(codes, x_ * u_y[:, None], g)  # G × k scores under H0
        s_x = _cluster_sums(codes, x_ * u_x[:, None], g)
        a = _cluster_sums(codes, x_ * xq[:, None], g)  # a_g = X_g'X_g q
        c_y, c_x = s_y @ q, s_x @ q
        self.enumerated = enumerates(g, draws, self.weights)
        self.draws = 2**g if self.enumerated else draws
        # Per draw v: w = P S'v (β* − β̃), Z_g = v_g c_g − a_g'w the cluster's CR1 score, and
        # Σ_g Z_g² = Σ v_g² c_g² − 2 w'Σ_g v_g c_g a_g + w'(A'A)w: one product V'M per block
        # (G·k per draw) instead of a G × G matrix.
        m = np.column_stack([c_y, c_x, c_y[:, None] * a, c_x[:, None] * a,
                             s_y @ inverse, s_x @ inverse])  # fmt: skip
        squares = np.column_stack([c_y * c_y, c_y * c_x, c_x * c_x])
        gram = a.T @ a
        parts: list[FloatArray] = []
        for v in weight_blocks(g, draws, self.weights, seed):
            u = v.T @ m
            e_y, e_x = u[:, 2 : 2 + k], u[:, 2 + k : 2 + 2 * k]
            w_y, w_x = u[:, 2 + 2 * k : 2 + 3 * k], u[:, 2 + 3 * k :]
            if self.weights == "rademacher":  # v² = 1
                q2 = np.broadcast_to(squares.sum(axis=0), (v.shape[1], 3))
            else:
                q2 = (v * v).T @ squares
            kw_y, kw_x = w_y @ gram, w_x @ gram
            d_yy = q2[:, 0] - 2.0 * _rows(e_y, w_y) + _rows(kw_y, w_y)
            d_yx = q2[:, 1] - _rows(e_y, w_x) - _rows(e_x, w_y) + _rows(kw_y, w_x)
            d_xx = q2[:, 2] - 2.0 * _rows(e_x, w_x) + _rows(kw_x, w_x)
            parts.append(np.column_stack([u[:, 0], u[:, 1], d_yy, d_yx, d_xx]))
        table = np.concatenate(parts)
        self._draws = _Draws(table[:, 0], table[:, 1], *(self.ssc * table[:, i] for i in (2, 3, 4)))

    def t_statistic(self, delta0: float = 0.0) -> float:
        """The CR1 t statistic of H0: β_j = δ0 (NaN when the fit is exact)."""
        if not self.std_error > 0:
            return float("nan")
        return (self.estimate - delta0) / self.std_error

    def t_stars(self, delta0: float = 0.0) -> FloatArray:
        """The bootstrap t statistics under H0: β_j = δ0, one per draw."""
        return self._draws.t_stars(delta0)

    def p_value(self, delta0: float = 0.0) -> float:
        """Symmetric bootstrap p-value of H0: β_j = δ0 (ties and undefined t* count)."""
        observed = abs(self.t_statistic(delta0))
        if not np.isfinite(observed):
            return float("nan")
        stars = np.abs(self.t_stars(delta0))
        extreme = ~(stars < observed * (1.0 - _TIE))  # NaN counts as extreme: conservative
        return float(np.mean(extreme))

    def confidence_interval(self, alpha: float = 0.05) -> tuple[float, float]:
        """{δ0 : p(δ0) > α} by test inversion: bisection on each side of the estimate."""
        if not (np.isfinite(self.std_error) and self.std_error > 0):
            return (float("nan"), float("nan"))
        return (self._bound(-1.0, alpha), self._bound(1.0, alpha))

    def _bound(self, side: float, alpha: float) -> float:
        inside, step = self.estimate, self.std_error
        outside = self.estimate + side * step
        for _ in range(60):  # widen until the null is rejected (|t| grows, t* stays bounded)
            if self.p_value(outside) <= alpha:
                break
            inside, step = outside, 2.0 * step
            outside = self.estimate + side * step
        else:
            return side * float("inf")
        for _ in range(80):
            middle = 0.5 * (inside + outside)
            if middle in (inside, outside):
                break
            if self.p_value(middle) > alpha:
                inside = middle
            else:
                outside = middle
            if abs(outside - inside) <= 1e-9 * self.std_error:
                break
        return 0.5 * (inside + outside)

    def result(self, alpha: float = 0.05) -> WildBootstrap:
        low, high = self.confidence_interval(alpha)
        return WildBootstrap(
            estimate=self.estimate,
            std_error=self.std_error,
            t_statistic=self.t_statistic(),
            p_value=self.p_value(),
            ci_low=low,
            ci_high=high,
            weights=self.weights,
            draws=self.draws,
            enumerated=self.enumerated,
            clusters=self.clusters,
        )


def _rows(left: FloatArray, right: FloatArray) -> FloatArray:
    """Row-wise dot products."""
    return np.einsum("bk,bk->b", left, right)


def _codes(
    clusters: npt.NDArray[np.generic],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.generic]]:
    uniques, codes = np.unique(clusters, return_inverse=True)
    return codes.astype(np.intp).ravel(), uniques


def wild_cluster_bootstrap(
    y: npt.ArrayLike,
    x: npt.ArrayLike,
    clusters: npt.ArrayLike,
    column: int,
    *,
    draws: int = DRAWS,
    weights: Weights | None = None,
    seed: int = SEED,
    alpha: float = 0.05,
) -> WildBootstrap:
    """p-value of β_j = 0 and the (1 − α) interval by test inversion (see the module doc)."""
    boot = WildClusterBootstrap(y, x, clusters, column, draws=draws, weights=weights, seed=seed)
    return boot.result(alpha)
