"""Churn risk per customer from behaviour and experience, with reasons a manager can act on.

Validation is *time-based*: the model learns on customers as they looked at an earlier
cut-off (label: no purchase in the window after it) and is judged on a later cut-off it
never saw — a random split would leak the future into the past. We report the holdout AUC,
the Brier score and a reliability table (predicted vs observed churn by risk decile).

Drivers are ranked by permutation importance on the holdout (scikit-learn's, model
agnostic). A customer's reasons are the features that raise *their* risk most: the drop in
predicted risk when that one feature is set to the training median (an occlusion
explanation — simple, works for either model, and needs no extra library such as SHAP).

A logistic fit that did not converge is not used. scikit-learn says so only with a
``ConvergenceWarning`` (the coefficients it returns are wherever the search stopped), so
the warning is caught; the fit is tried again on the same standardised features with ten
times the iterations, then with Newton's method (a Cholesky solve per step, which needs a
few steps where L-BFGS crawls); if none converges the answer is
:class:`ChurnNotConverged`, which the pages, the API and the CLI report as they report a
CLV model that could not be fitted. (With scikit-learn's L2 penalty on standardised
features the problem is strongly convex, so separable or collinear features still have a
finite optimum and converge; the check is for what the default budget cannot reach.)
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from threading import Lock
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.calibration import calibration_curve
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

Method = Literal["logistic", "boosting"]
MIN_CHURNERS = 10

#: (solver, iteration limit) tried in turn on the standardised features until a fit
#: converges: scikit-learn's default L-BFGS, the same with ten times the iterations, then
#: Newton's method with a Cholesky solve.
LOGISTIC_ATTEMPTS: tuple[tuple[str, int], ...] = (
    ("lbfgs", 1000),
    ("lbfgs", 10_000),
    ("newton-cholesky", 1000),
)


# ``warnings.catch_warnings`` swaps process-wide state: two fits in two request threads
# could each catch the other's warning (or miss their own), so they take turns.
_ONE_FIT_AT_A_TIME = Lock()


class ChurnNotConverged(ValueError):
    """No logistic fit converged; ``attempts`` says each try (solver, iteration limit,
    iterations run) and ``message`` scikit-learn's last words. ``reason`` is
    ``not_converged``, as :class:`~kano.analytics.value.clv.CannotFitError`'s is."""

    reason = "not_converged"

    def __init__(self, attempts: list[tuple[str, int, int]], message: str) -> None:
        tried = ", ".join(f"{solver} ({ran} of {limit} iterations)"
                          for solver, limit, ran in attempts)  # fmt: skip
        super().__init__(
            f"the logistic regression did not converge (tried {tried}): {message}"
        )
        self.attempts = attempts
        self.message = message


@dataclass(frozen=True)
class ChurnModel:
    """A fitted churn model with its holdout quality and ranked drivers."""

    pipeline: Pipeline | HistGradientBoostingClassifier
    features: tuple[str, ...]
    medians: NDArray[np.float64]
    method: str
    holdout_auc: float
    holdout_brier: float
    holdout_base_rate: float
    reliability: list[tuple[float, float]]
    """(mean predicted, observed share) per risk decile of the holdout."""
    drivers: list[tuple[str, float]]
    """Features by permutation importance (drop in holdout AUC), largest first."""

    def risk(self, frame: pd.DataFrame) -> NDArray[np.float64]:
        """P(churn) for each row of ``frame``."""
        matrix = self._prepared(frame)
        return np.asarray(self.pipeline.predict_proba(matrix)[:, 1], dtype=np.float64)

    def _prepared(self, frame: pd.DataFrame) -> NDArray[np.float64]:
        matrix = _matrix(frame, self.features)
        if self.method == "logistic":
            matrix = np.where(np.isnan(matrix), self.medians, matrix)
        return matrix

    def top_reasons(self, frame: pd.DataFrame, k: int = 3) -> list[list[tuple[str, float]]]:
        """Per row, up to ``k`` (feature, added risk) pairs with a positive effect."""
        matrix = self._prepared(frame)
        base = np.asarray(self.pipeline.predict_proba(matrix)[:, 1])
        effects = np.empty((len(matrix), len(self.features)))
        for j in range(len(self.features)):
            typical = matrix.copy()
            typical[:, j] = self.medians[j]
            effects[:, j] = base - self.pipeline.predict_proba(typical)[:, 1]
        order = np.argsort(-effects, axis=1, kind="stable")[:, :k]
        return [
            [(self.features[j], float(effects[i, j])) for j in order[i] if effects[i, j] > 1e-6]
            for i in range(len(matrix))
        ]


def _matrix(frame: pd.DataFrame, features: tuple[str, ...]) -> NDArray[np.float64]:
    missing = [name for name in features if name not in frame.columns]
    if missing:
        raise ValueError(f"churn: feature column {missing[0]!r} is missing")
    matrix = frame.loc[:, list(features)].to_numpy(dtype=np.float64)
    return matrix


def _converged_logistic(x: NDArray[np.float64], y: NDArray[np.int64]) -> Pipeline:
    """A logistic regression on the standardised features whose search converged, trying
    :data:`LOGISTIC_ATTEMPTS` in turn; :class:`ChurnNotConverged` when none did."""
    attempts: list[tuple[str, int, int]] = []
    message = ""
    for solver, limit in LOGISTIC_ATTEMPTS:
        model = make_pipeline(StandardScaler(), LogisticRegression(solver=solver, max_iter=limit))
        with _ONE_FIT_AT_A_TIME, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            model.fit(x, y)
        refusals = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
        ran = int(np.max(model[-1].n_iter_))
        if not refusals and ran < limit:  # (the limit reached is a stop, whatever was said)
            return model
        attempts.append((solver, limit, ran))
        said = str(refusals[-1].message) if refusals else "the iteration limit was reached"
        message = " ".join(said.split())
    raise ChurnNotConverged(attempts, message)


def fit_churn(
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    *,
    features: tuple[str, ...],
    label: str = "churned",
    method: Method = "boosting",
    seed: int = 0,
) -> ChurnModel:
    """Fit on ``train`` (the earlier cut-off) and judge on ``holdout`` (the later one)."""
    for name, frame in (("training", train), ("holdout", holdout)):
        if label not in frame.columns:
            raise ValueError(f"churn: {name} data has no {label!r} column")
        churners = int(frame[label].sum())
        if churners < MIN_CHURNERS or len(frame) - churners < MIN_CHURNERS:
            raise ValueError(
                f"churn: {name} data has {churners} churner(s) among {len(frame)} customers; "
                f"at least {MIN_CHURNERS} of each outcome are needed"
            )
    x_train = _matrix(train, features)
    y_train = train[label].to_numpy(dtype=np.int64)
    x_test = _matrix(holdout, features)
    y_test = holdout[label].to_numpy(dtype=np.int64)
    medians = np.nanmedian(x_train, axis=0)
    model: Pipeline | HistGradientBoostingClassifier
    if method == "logistic":
        # Logistic regression cannot take NaN: fill with the training medians.
        x_train = np.where(np.isnan(x_train), medians, x_train)
        x_test = np.where(np.isnan(x_test), medians, x_test)
        model = _converged_logistic(x_train, y_train)
    elif method == "boosting":
        model = HistGradientBoostingClassifier(
            max_iter=200, learning_rate=0.05, max_leaf_nodes=15, random_state=seed
        )
        model.fit(x_train, y_train)
    else:
        raise ValueError(f"churn: method {method!r} is not 'logistic' or 'boosting'")
    predicted = model.predict_proba(x_test)[:, 1]
    observed, mean_predicted = calibration_curve(y_test, predicted, n_bins=10, strategy="quantile")
    importance = permutation_importance(
        model, x_test, y_test, scoring="roc_auc", n_repeats=5, random_state=seed
    )
    ranked = sorted(
        zip(features, importance.importances_mean, strict=True), key=lambda item: -item[1]
    )
    return ChurnModel(
        pipeline=model,
        features=features,
        medians=np.asarray(medians, dtype=np.float64),
        method=method,
        holdout_auc=float(roc_auc_score(y_test, predicted)),
        holdout_brier=float(brier_score_loss(y_test, predicted)),
        holdout_base_rate=float(y_test.mean()),
        reliability=[(float(p), float(o)) for p, o in zip(mean_predicted, observed, strict=True)],
        drivers=[(name, float(value)) for name, value in ranked],
    )
