"""Wild cluster restricted bootstrap of a joint Wald test (several coefficients zero).

**Why.** The pre-trend check tests that every lead of a pilot is zero at once. Its
cluster-robust (CR1) Wald F test has the same weakness as a CR1 t test with few clusters,
or few on one side: the CR1 variance of the leads is too small, and F(q, G − 1) rejects
parallel trends that hold (MacKinnon & Webb 2017; the size figures are in docs/pilots.md).
So with few units the p-value comes from this bootstrap, under the rule and with the
weights, enumeration and seed of the effect's (:mod:`.wild_bootstrap`).

**What.** The WCR bootstrap of a Wald statistic with the CR1 variance recomputed in every
draw, for q restrictions Rβ = 0 selecting q coefficients (Cameron, Gelbach & Miller 2008,
§III; Roodman, MacKinnon, Nielsen & Webb 2019, *Stata Journal* 19(1) "Fast and wild",
§3.3–3.4 and §5 on multiple hypotheses, Stata's ``boottest`` with several constraints):

* impose H0 (regress y on the other columns: β̃ with Rβ̃ = 0, residuals ũ);
* draw b: y* = Xβ̃ + ũ·v_g, one weight per cluster; re-estimate β*, and the CR1 variance
  V* of Rβ* from the residuals of y* — not the original V;
* W*_b = (Rβ*)'(V*)⁺(Rβ*), and the p-value is the share of draws with W*_b ≥ W (ties
  count, as for the effect: with every sign vector enumerated it is the exact
  randomisation p-value, which holds the identity draw).

``⁺`` is the pseudo-inverse, as statsmodels' ``f_test`` uses: with fewer clusters than
leads the CR1 variance of the leads is singular and the F test's degrees of freedom are
wrong, but W is still a statistic, and the bootstrap computes its distribution the same
way for every draw. ``f_statistic`` is W divided by the variance's rank (statsmodels' F).

**How, fast.** With w_b = (X'X)⁻¹S'v_b (S: the clusters' scores X_g'ũ_g), Rβ* = Rw_b and
cluster g's CR1 score of Rβ* is Z_g = v_g·c_g − B_g·w_b with c_g = R(X'X)⁻¹S_g and
B_g = R(X'X)⁻¹X_g'X_g. Clusters with the same X_g'X_g share B_g (in a pilot panel, units
seen in the same months on the same side: at most 2·2^T patterns, however many units), so
ΣZ_gZ_g' = Σv_g²c_gc_g' − Σ_p(E_p m_p' + m_p E_p') + Σ_p n_p m_p m_p' with m_p = B_p w_b and
E_p = Σ_{g∈p} v_g c_g: G·(k + q) work per draw plus q·k per pattern, instead of refitting.

Checked against a plain loop (rebuild y*, refit with statsmodels, its CR1 ``f_test`` per
draw), against ``wildboottest`` through the one-restriction case (W = t²; the package tests
one restriction only), and by a size simulation, in
``tests/unit/pilots/test_joint_bootstrap.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from kano.analytics.pilots.wild_bootstrap import (
    DRAWS,
    SEED,
    FloatArray,
    Weights,
    enumerates,
    weight_blocks,
    weights_for,
)

_RANK_TOL = 1e-10  # eigenvalues below this share of the largest count as zero
_TIE = 1e-9
_PATTERN_DIGITS = 12  # X_g'X_g equal to 12 significant digits: one pattern


@dataclass(frozen=True)
class JointBootstrap:
    f_statistic: float
    """W / rank of the CR1 variance of the restricted coefficients (statsmodels' F)."""
    rank: int
    p_value: float
    weights: Weights
    draws: int
    enumerated: bool
    clusters: int


def wald(numerators: FloatArray, variances: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(n'V⁺n, rank V) for stacks of q-vectors n and q × q symmetric V."""
    values, vectors = np.linalg.eigh(variances)
    top = np.max(np.abs(values), axis=-1, keepdims=True)
    kept = values > _RANK_TOL * np.maximum(top, 1e-300)
    projected = np.einsum("...ij,...i->...j", vectors, numerators)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(kept, projected * projected / np.where(kept, values, 1.0), 0.0)
    return terms.sum(axis=-1), kept.sum(axis=-1)


def _cluster_codes(clusters: npt.ArrayLike) -> tuple[npt.NDArray[np.intp], int]:
    uniques, codes = np.unique(np.asarray(clusters), return_inverse=True)
    return codes.astype(np.intp).ravel(), len(uniques)


def _patterns(
    x: FloatArray, codes: npt.NDArray[np.intp], g: int
) -> tuple[npt.NDArray[np.intp], FloatArray]:
    """Each cluster's pattern and one X_g'X_g per pattern (clusters whose X_g'X_g agree)."""
    k = x.shape[1]
    grams = np.zeros((g, k * k))
    step = max(1, 2_000_000 // max(k * k, 1))  # rows at once: about 16 MB of outer products
    for begin in range(0, len(x), step):
        rows = x[begin : begin + step]
        outer = (rows[:, :, None] * rows[:, None, :]).reshape(len(rows), k * k)
        member = sparse.csr_matrix(
            (np.ones(len(rows)), (codes[begin : begin + step], np.arange(len(rows)))),
            shape=(g, len(rows)),
        )
        grams += member @ outer
    scale = max(float(np.abs(grams).max()), 1e-300)
    keys = np.round(grams / scale, _PATTERN_DIGITS)
    _, first, pattern = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    return pattern.astype(np.intp).ravel(), grams[first].reshape(-1, k, k)


class WildClusterJointBootstrap:
    """The WCR bootstrap of H0: the coefficients of ``columns`` are all zero, in the OLS
    of y on x clustered by ``clusters`` (x of full column rank)."""

    def __init__(
        self,
        y: npt.ArrayLike,
        x: npt.ArrayLike,
        clusters: npt.ArrayLike,
        columns: Sequence[int],
        *,
        draws: int = DRAWS,
        weights: Weights | None = None,
        seed: int = SEED,
    ) -> None:
        y_ = np.asarray(y, dtype=float)
        x_ = np.asarray(x, dtype=float)
        if x_.ndim != 2 or y_.shape != (x_.shape[0],):
            raise ValueError("x must be n × k and y of length n")
        tested = list(columns)
        if not tested or len(set(tested)) != len(tested):
            raise ValueError("columns: name each tested coefficient once")
        codes, g = _cluster_codes(clusters)
        if g < 2:
            raise ValueError("clusters: the bootstrap needs at least 2 clusters")
        if draws < 1:
            raise ValueError("draws must be positive")
        n, k = x_.shape
        self.clusters = g
        self.weights: Weights = weights or weights_for(g)
        self.enumerated = enumerates(g, draws, self.weights)
        self.draws = 2**g if self.enumerated else draws
        ssc = g / (g - 1) * (n - 1) / (n - k)
        inverse = np.linalg.inv(x_.T @ x_)
        beta = inverse @ (x_.T @ y_)
        p = inverse[tested, :]  # R(X'X)⁻¹
        # Observed: CR1 Wald of Rβ̂ from the unrestricted residuals.
        residual = y_ - x_ @ beta
        scores = _sums(codes, x_ * residual[:, None], g) @ p.T  # G × q
        observed, rank = wald(beta[tested], ssc * (scores.T @ scores))
        self.statistic, self.rank = float(observed), int(rank)
        # Restricted fit: β̃ = β̂ − (X'X)⁻¹R'(R(X'X)⁻¹R')⁻¹Rβ̂, so Rβ̃ = 0.
        restricted = beta - p.T @ np.linalg.solve(p[:, tested], beta[tested])
        u = y_ - x_ @ restricted
        s = _sums(codes, x_ * u[:, None], g)  # G × k: X_g'ũ_g
        c = s @ p.T  # G × q
        pattern, grams = _patterns(x_, codes, g)
        flat_b = np.einsum("qk,pkl->pql", p, grams).reshape(-1, k)  # B_p stacked: P·q × k
        count = np.bincount(pattern, minlength=len(grams)).astype(float)
        q, patterns = len(tested), len(grams)
        # E_p = Σ_{g∈p} v_g c_g for every draw: one sparse product (G·q non-zeros).
        spread = sparse.csr_matrix(
            (c.ravel(), (np.repeat(pattern * q, q) + np.tile(np.arange(q), g),
                         np.repeat(np.arange(g), q))),
            shape=(patterns * q, g),
        )  # fmt: skip
        squares = (c[:, :, None] * c[:, None, :]).reshape(g, q * q)
        statistics: list[FloatArray] = []
        for v in weight_blocks(g, draws, self.weights, seed):
            w = (v.T @ s) @ inverse  # draws × k: β* − β̃
            m = (w @ flat_b.T).reshape(-1, patterns, q)  # m_p = B_p w, draws × P × q
            e = np.asarray(spread @ v).T.reshape(-1, patterns, q)
            if self.weights == "rademacher":  # v² = 1
                first = (c.T @ c)[None]
            else:
                first = ((v * v).T @ squares).reshape(-1, q, q)
            cross = np.swapaxes(e, 1, 2) @ m  # Σ_p E_p m_p'
            last = np.swapaxes(m * count[None, :, None], 1, 2) @ m  # Σ_p n_p m_p m_p'
            variance = ssc * (first - cross - np.swapaxes(cross, 1, 2) + last)
            numerator = w[:, tested]
            statistics.append(wald(numerator, variance)[0])
        self._stars = np.concatenate(statistics)

    def statistics(self) -> FloatArray:
        """W*, one per draw (the observed W is :attr:`statistic`)."""
        return self._stars

    def p_value(self) -> float:
        """The share of draws with W* ≥ W (ties and undefined W* count)."""
        if not (np.isfinite(self.statistic) and self.rank > 0):
            return float("nan")
        extreme = ~(self._stars < self.statistic * (1.0 - _TIE))
        return float(np.mean(extreme))

    def result(self) -> JointBootstrap:
        return JointBootstrap(
            f_statistic=self.statistic / self.rank if self.rank else float("nan"),
            rank=self.rank,
            p_value=self.p_value(),
            weights=self.weights,
            draws=self.draws,
            enumerated=self.enumerated,
            clusters=self.clusters,
        )


def _sums(codes: npt.NDArray[np.intp], values: FloatArray, clusters: int) -> FloatArray:
    out = np.zeros((clusters, values.shape[1]))
    np.add.at(out, codes, values)
    return out


def joint_wild_cluster_bootstrap(
    y: npt.ArrayLike,
    x: npt.ArrayLike,
    clusters: npt.ArrayLike,
    columns: Sequence[int],
    *,
    draws: int = DRAWS,
    weights: Weights | None = None,
    seed: int = SEED,
) -> JointBootstrap:
    """F and the bootstrap p-value of H0: x[:, columns]'s coefficients are all zero."""
    boot = WildClusterJointBootstrap(y, x, clusters, columns, draws=draws, weights=weights,
                                     seed=seed)  # fmt: skip
    return boot.result()
