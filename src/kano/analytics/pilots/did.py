"""Evaluate a pilot by difference in differences (DiD), with the pre-trend check.

Input is a long panel, one row per unit (customer, store) × period (month) with the KPI,
whether the unit is in the pilot group (``treated``) and whether the period is in the test
period (``post``).

* **Effect.** With one baseline and one test period, or when no unit appears twice (a
  repeated cross-section such as Wooldridge's house sales), the classic 2×2 regression
  ``y = a + b·treated + c·post + δ·treated·post``. Otherwise two-way fixed effects
  ``y = unit + period + δ·treated·post``: unit effects are absorbed by demeaning within
  unit (exact for unbalanced panels too, by Frisch–Waugh–Lovell) and the periods enter as
  dummies. Standard errors are cluster-robust by unit (CR1: statsmodels' G/(G−1)·(N−1)/(N−K)
  with K the non-absorbed regressors, as Stata's ``xtreg, fe vce(cluster)`` and fixest do),
  and the CI and p-value use t with G−1 degrees of freedom.
* **Few clusters.** With fewer than 50 units, or fewer than 10 on either side (a pilot in
  a few stores), CR1 errors are too small and t(G−1) over-rejects; the p-value and the CI
  then come from the wild cluster restricted bootstrap (:mod:`.wild_bootstrap`, where the
  rule's sources are), and ``inference`` says which of the two was used. The reported
  ``std_error`` stays the CR1 one (the bootstrap tests, it gives no standard error).
* **Pre-trend.** On the baseline periods only, the same regression with one lead per
  baseline period (pilot × that period, the last baseline period as reference): if the
  groups moved in parallel before the pilot, every lead is zero. Their joint Wald F test
  (cluster-robust) rejecting at 5 % flags the parallel-trends assumption as doubtful. Its
  p-value comes from F(q, G−1), or, by the effect's rule with few units (counted in the
  baseline regression), from the wild cluster restricted bootstrap of the Wald statistic
  (:mod:`.joint_bootstrap`); ``inference`` says which. With a single baseline period
  there is nothing to test, and the verdict says so.
* **Means.** The raw mean KPI of each group in each period, for the chart, and the 2×2
  table of means (pilot/control × baseline/test) whose difference of differences equals
  the 2×2 regression's δ exactly.

Checked against published results in ``tests/unit/pilots/test_did_published.py``
(Wooldridge Example 13.3; Kessler & Roth's organ donations as in Huntington-Klein's
*The Effect*, ch. 18).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm

from kano.analytics.pilots.joint_bootstrap import joint_wild_cluster_bootstrap
from kano.analytics.pilots.wild_bootstrap import (
    DRAWS,
    SEED,
    Weights,
    WildClusterBootstrap,
    bootstrap_is_needed,
)

CovType = Literal["cluster", "classical"]
Inference = Literal["cr1", "wild-cluster-bootstrap"]
InferenceChoice = Literal["auto", "cr1", "wild-cluster-bootstrap"]
PRE_TREND_ALPHA = 0.05


@dataclass(frozen=True)
class DidEstimate:
    effect: float
    std_error: float
    ci_low: float
    ci_high: float
    p_value: float
    n_units: int
    n_observations: int
    method: Literal["2x2", "two-way fixed effects"]
    cov_type: CovType
    inference: Inference = "cr1"
    """Where the CI and p-value come from: t(G−1) with CR1 errors, or the bootstrap."""
    bootstrap_weights: Weights | None = None
    bootstrap_draws: int | None = None
    """2^G when every sign vector was enumerated."""


@dataclass(frozen=True)
class Lead:
    period: Any
    coefficient: float
    std_error: float


@dataclass(frozen=True)
class PreTrend:
    testable: bool
    leads: tuple[Lead, ...]
    f_statistic: float | None
    p_value: float | None
    rejected: bool | None
    """True when parallel pre-trends are rejected at 5 %; None when not testable."""
    inference: Inference = "cr1"
    """Where the p-value comes from: F(q, G−1) with CR1 errors, or the bootstrap."""
    bootstrap_weights: Weights | None = None
    bootstrap_draws: int | None = None


@dataclass(frozen=True)
class GroupMean:
    period: Any
    pilot: bool
    mean: float
    n: int


@dataclass(frozen=True)
class TwoByTwo:
    pilot_before: float
    pilot_after: float
    control_before: float
    control_after: float

    @property
    def effect(self) -> float:
        return (self.pilot_after - self.pilot_before) - (self.control_after - self.control_before)


@dataclass(frozen=True)
class PilotEvaluation:
    estimate: DidEstimate
    pre_trend: PreTrend
    means: tuple[GroupMean, ...]
    two_by_two: TwoByTwo


@dataclass(frozen=True)
class Columns:
    unit: str = "unit"
    period: str = "period"
    outcome: str = "y"
    treated: str = "treated"
    post: str = "post"


def _prepared(panel: pd.DataFrame, cols: Columns) -> pd.DataFrame:
    for name in (cols.unit, cols.period, cols.outcome, cols.treated, cols.post):
        if name not in panel.columns:
            raise ValueError(f"panel: column {name!r} is missing")
    frame = pd.DataFrame(
        {
            "unit": panel[cols.unit].to_numpy(),
            "period": panel[cols.period].to_numpy(),
            "y": pd.to_numeric(panel[cols.outcome], errors="coerce").to_numpy(dtype=float),
            "treated": panel[cols.treated].astype(bool).to_numpy(),
            "post": panel[cols.post].astype(bool).to_numpy(),
        }
    )
    frame = frame[np.isfinite(frame["y"])].reset_index(drop=True)
    if frame.empty:
        raise ValueError("panel: no rows with a KPI value")
    if (frame.groupby("unit")["treated"].nunique() > 1).any():
        raise ValueError("treated: a unit is in both the pilot and the control group")
    if (frame.groupby("period")["post"].nunique() > 1).any():
        raise ValueError("post: a period is both baseline and test")
    cells = frame.groupby(["treated", "post"]).size()
    for treated in (True, False):
        for post in (False, True):
            if cells.get((treated, post), 0) == 0:
                group = "pilot" if treated else "control"
                when = "test" if post else "baseline"
                raise ValueError(f"panel: no {group} data in the {when} period")
    return frame


def _period_dummies(periods: pd.Series, drop: Any) -> pd.DataFrame:
    dummies = pd.get_dummies(periods, prefix="p", prefix_sep="=", dtype=float)
    return dummies.drop(columns=[f"p={drop}"])


def _fit(y: pd.Series, x: pd.DataFrame, frame: pd.DataFrame, cov_type: CovType) -> Any:
    model = sm.OLS(y.to_numpy(), x.to_numpy())
    if cov_type == "classical":
        return model.fit()
    groups = pd.factorize(frame["unit"])[0]
    return model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)


def _independent(x: pd.DataFrame) -> pd.DataFrame:
    """The columns in order, each kept only when it is not a linear combination of those
    kept before it (a period with no within-unit variation, a lead no unit can show)."""
    gram = x.to_numpy().T @ x.to_numpy()
    scale = max(float(np.abs(np.diag(gram)).max()), 1e-300)
    kept: list[int] = []
    for j in range(len(x.columns)):
        trial = [*kept, j]
        sub = gram[np.ix_(trial, trial)] / scale
        if np.linalg.matrix_rank(sub, tol=1e-10) == len(trial):
            kept.append(j)
    return x.iloc[:, kept]


def _design(frame: pd.DataFrame, regressors: pd.DataFrame, panel_fe: bool) -> tuple[Any, Any]:
    """(y, X): demeaned within unit when units repeat, else with a constant and the group."""
    if panel_fe:
        by_unit = frame["unit"]
        y = frame["y"] - frame.groupby(by_unit)["y"].transform("mean")
        x = regressors - regressors.groupby(by_unit.to_numpy()).transform("mean")
        return y, _independent(x)
    x = regressors.copy()
    x.insert(0, "treated", frame["treated"].astype(float))
    x.insert(0, "const", 1.0)
    return frame["y"], _independent(x)


def _uses_bootstrap(frame: pd.DataFrame, cov_type: CovType, inference: InferenceChoice) -> bool:
    if cov_type == "classical":
        if inference == "wild-cluster-bootstrap":
            raise ValueError("inference: the cluster bootstrap needs cov_type cluster")
        return False
    if inference != "auto":
        return inference == "wild-cluster-bootstrap"
    pilot = frame.groupby("unit")["treated"].first()
    return bootstrap_is_needed(len(pilot), int(pilot.sum()), int((~pilot).sum()))


def difference_in_differences(
    panel: pd.DataFrame,
    columns: Columns | None = None,
    *,
    cov_type: CovType = "cluster",
    inference: InferenceChoice = "auto",
    draws: int = DRAWS,
    seed: int = SEED,
) -> DidEstimate:
    """δ, the pilot's effect on the KPI, with its 95 % CI and p-value: from t(G−1) and CR1
    errors, or (``auto`` with few units, see the module doc) the wild cluster bootstrap."""
    frame = _prepared(panel, columns or Columns())
    repeated = bool(frame["unit"].duplicated().any())
    if repeated and cov_type == "classical":
        raise ValueError("cov_type: classical errors only for a repeated cross-section")
    periods = sorted(frame["period"].unique())
    two_by_two = not repeated or (
        frame.loc[~frame["post"], "period"].nunique() == 1
        and frame.loc[frame["post"], "period"].nunique() == 1
    )
    effect_col = (frame["treated"] & frame["post"]).astype(float).rename("effect")
    if two_by_two:
        x = pd.DataFrame(
            {
                "const": 1.0,
                "treated": frame["treated"].astype(float),
                "post": frame["post"].astype(float),
                "effect": effect_col,
            }
        )
        y = frame["y"]
        method: Literal["2x2", "two-way fixed effects"] = "2x2"
    else:
        # A unit seen once carries no within-unit information (reghdfe drops these
        # "singletons" too); keeping it would only inflate the cluster count.
        frame = frame[frame.groupby("unit")["unit"].transform("size") > 1].reset_index(drop=True)
        if frame.empty or frame.groupby(["treated", "post"]).ngroups < 4:
            raise ValueError("panel: too few units with a value both before and during the test")
        periods = sorted(frame["period"].unique())
        effect_col = (frame["treated"] & frame["post"]).astype(float).rename("effect")
        regressors = pd.concat([effect_col, _period_dummies(frame["period"], periods[0])], axis=1)
        y, x = _design(frame, regressors, panel_fe=True)
        method = "two-way fixed effects"
    if len(frame) <= x.shape[1]:  # statsmodels' CR1 factor would divide by zero
        raise ValueError(
            f"panel: {len(frame)} observations leave nothing to estimate the error of "
            f"{x.shape[1]} parameters with; add units or periods"
        )
    result = _fit(y, x, frame, cov_type)
    if "effect" not in x.columns:
        raise ValueError("panel: the test period's change cannot be told apart from the periods")
    j = list(x.columns).index("effect")
    low, high = result.conf_int(alpha=0.05)[j]
    p_value = float(result.pvalues[j])
    weights: Weights | None = None
    used: int | None = None
    if _uses_bootstrap(frame, cov_type, inference):
        boot = WildClusterBootstrap(y.to_numpy(dtype=float), x.to_numpy(dtype=float),
                                    pd.factorize(frame["unit"])[0], j, draws=draws,
                                    seed=seed).result()  # fmt: skip
        low, high, p_value = boot.ci_low, boot.ci_high, boot.p_value
        weights, used = boot.weights, boot.draws
    return DidEstimate(
        effect=float(result.params[j]),
        std_error=float(result.bse[j]),
        ci_low=float(low),
        ci_high=float(high),
        p_value=p_value,
        n_units=int(frame["unit"].nunique()),
        n_observations=len(frame),
        method=method,
        cov_type=cov_type,
        inference="wild-cluster-bootstrap" if weights else "cr1",
        bootstrap_weights=weights,
        bootstrap_draws=used,
    )


def pre_trend_test(
    panel: pd.DataFrame,
    columns: Columns | None = None,
    *,
    inference: InferenceChoice = "auto",
    draws: int = DRAWS,
    seed: int = SEED,
) -> PreTrend:
    """Placebo leads on the baseline periods and their joint test (see the module doc):
    the CR1 Wald F, its p-value from F(q, G−1) or, with few units (the effect's rule), the
    wild cluster restricted bootstrap of the Wald statistic (:mod:`.joint_bootstrap`)."""
    frame = _prepared(panel, columns or Columns())
    before = frame[~frame["post"]].reset_index(drop=True)
    periods = sorted(before["period"].unique())
    if len(periods) < 2:
        return PreTrend(False, (), None, None, None)
    leads = pd.DataFrame(
        {
            f"lead={p}": (before["treated"] & (before["period"] == p)).astype(float)
            for p in periods[:-1]
        }
    )
    regressors = pd.concat([leads, _period_dummies(before["period"], periods[0])], axis=1)
    repeated = bool(before["unit"].duplicated().any())
    if repeated:
        seen = before.groupby("unit")["unit"].transform("size") > 1
        before, regressors = before[seen].reset_index(drop=True), regressors[seen.to_numpy()]
        regressors = regressors.reset_index(drop=True)
    y, x = _design(before, regressors, panel_fe=repeated)
    lead_names = [c for c in x.columns if c.startswith("lead=")]
    if not lead_names:
        return PreTrend(False, (), None, None, None)
    result = _fit(y, x, before, "cluster")
    names = list(x.columns)
    tested = [names.index(name) for name in lead_names]
    weights: Weights | None = None
    used: int | None = None
    if _uses_bootstrap(before, "cluster", inference):
        boot = joint_wild_cluster_bootstrap(y.to_numpy(dtype=float), x.to_numpy(dtype=float),
                                            pd.factorize(before["unit"])[0], tested,
                                            draws=draws, seed=seed)  # fmt: skip
        f_value, p_value = boot.f_statistic, boot.p_value
        weights, used = boot.weights, boot.draws
    else:
        test = result.f_test(np.eye(len(names))[tested])
        f_value = float(np.squeeze(test.fvalue))
        p_value = float(np.squeeze(test.pvalue))
    by_name = dict(zip(names, zip(result.params, result.bse, strict=True), strict=True))
    return PreTrend(
        testable=True,
        leads=tuple(
            Lead(p, float(by_name[f"lead={p}"][0]), float(by_name[f"lead={p}"][1]))
            for p in periods[:-1]
            if f"lead={p}" in by_name
        ),
        f_statistic=f_value,
        p_value=p_value,
        rejected=bool(p_value < PRE_TREND_ALPHA),
        inference="wild-cluster-bootstrap" if weights else "cr1",
        bootstrap_weights=weights,
        bootstrap_draws=used,
    )


def group_means(panel: pd.DataFrame, columns: Columns | None = None) -> tuple[GroupMean, ...]:
    """The mean KPI of the pilot and the control group in every period, in period order."""
    frame = _prepared(panel, columns or Columns())
    table = frame.groupby(["period", "treated"])["y"].agg(["mean", "size"]).reset_index()
    table = table.sort_values(["period", "treated"], ascending=[True, False])
    return tuple(
        GroupMean(row.period, bool(row.treated), float(row.mean), int(row.size))
        for row in table.itertuples(index=False)
    )


def two_by_two_means(panel: pd.DataFrame, columns: Columns | None = None) -> TwoByTwo:
    """Mean KPI per group, baseline vs test period: the DiD by hand."""
    frame = _prepared(panel, columns or Columns())
    cell = frame.groupby(["treated", "post"])["y"].mean()
    return TwoByTwo(
        pilot_before=float(cell[(True, False)]),
        pilot_after=float(cell[(True, True)]),
        control_before=float(cell[(False, False)]),
        control_after=float(cell[(False, True)]),
    )


def evaluate_pilot(
    panel: pd.DataFrame, columns: Columns | None = None, *, inference: InferenceChoice = "auto"
) -> PilotEvaluation:
    """Effect, pre-trend verdict, means per period and the 2×2 table, in one call."""
    return PilotEvaluation(
        estimate=difference_in_differences(panel, columns, inference=inference),
        pre_trend=pre_trend_test(panel, columns, inference=inference),
        means=group_means(panel, columns),
        two_by_two=two_by_two_means(panel, columns),
    )
