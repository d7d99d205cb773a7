"""The pre-trend check's wild cluster restricted bootstrap of the joint Wald test.

* A plain loop written from the textbook algorithm (Cameron, Gelbach & Miller 2008;
  Roodman et al. 2019 §5): impose "all leads zero", for each draw rebuild y*, refit with
  statsmodels and take its own CR1 ``f_test`` — Webb weights, enumerated Rademacher signs,
  and an unbalanced panel of many clusters (many X_g'X_g patterns).
* ``wildboottest`` tests one restriction only: with two baseline months there is one lead,
  W = t², and its WCR t statistics squared must be the bootstrap's W*.
* A size simulation: parallel trends that hold, 2 pilot vs 6 control units.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from kano.analytics.pilots.did import difference_in_differences, pre_trend_test
from kano.analytics.pilots.joint_bootstrap import WildClusterJointBootstrap
from kano.analytics.pilots.wild_bootstrap import WildClusterBootstrap, weight_blocks
from tests.unit.pilots.synthetic import panel
from tests.unit.pilots.test_wild_bootstrap import wildboottest_run

Floats = npt.NDArray[np.float64]


def baseline_panel(
    units: int, pilot: int, months: int, seed: int, *, drift: float = 0.0, keep: float = 1.0
) -> pd.DataFrame:
    """Baseline months (and one test month) with parallel trends unless ``drift``: unit
    effects, a common trend, AR(1) errors whose scale differs by unit (what makes CR1 with
    few clusters over-reject), the pilot units drifting by ``drift`` a month."""
    rng = np.random.default_rng(seed)
    periods = months + 1
    shocks = rng.normal(size=(units, periods))
    errors = np.zeros((units, periods))
    for t in range(periods):
        errors[:, t] = (0.5 * errors[:, t - 1] if t else 0.0) + shocks[:, t]
    scale = np.exp(rng.normal(0.0, 0.5, size=units))
    treated = np.arange(units) < pilot
    trend = np.linspace(0.0, 1.0, periods)[None, :] + drift * np.outer(treated, np.arange(periods))
    y = rng.normal(size=units)[:, None] + trend + scale[:, None] * errors
    frame = pd.DataFrame({
        "unit": np.repeat(np.arange(units), periods), "period": np.tile(np.arange(periods), units),
        "y": y.ravel(), "treated": np.repeat(treated, periods),
        "post": np.tile(np.arange(periods) >= months, units),
    })  # fmt: skip
    if keep < 1.0:
        frame = frame[rng.random(len(frame)) < keep].reset_index(drop=True)
    return frame


def lead_design(frame: pd.DataFrame) -> tuple[Floats, Floats, npt.NDArray[np.intp], list[int]]:
    """The pre-trend regression as pre_trend_test builds it: baseline rows of units seen
    twice, within-unit demeaned leads (pilot × month, last month the reference) and month
    dummies."""
    before = frame[~frame["post"]]
    before = before[before.groupby("unit")["unit"].transform("size") > 1].reset_index(drop=True)
    months = sorted(before["period"].unique())
    columns = {f"lead{p}": (before["treated"] & (before["period"] == p)).astype(float)
               for p in months[:-1]}  # fmt: skip
    columns |= {f"month{p}": (before["period"] == p).astype(float) for p in months[1:]}
    x = pd.DataFrame(columns)
    x = x - x.groupby(before["unit"]).transform("mean")
    y = before["y"] - before.groupby("unit")["y"].transform("mean")
    units = pd.factorize(before["unit"])[0]
    return y.to_numpy(), x.to_numpy(), units, list(range(len(months) - 1))


def textbook_wald_stars(
    y: Floats, x: Floats, units: npt.NDArray[np.intp], tested: list[int], weights: Floats
) -> tuple[float, Floats]:
    """(W, W*) by the plain algorithm, statsmodels' CR1 f_test for every draw."""
    restriction = np.eye(x.shape[1])[tested]

    def wald_of(target: Floats) -> float:
        fit = sm.OLS(target, x).fit(cov_type="cluster", cov_kwds={"groups": units})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            test = fit.f_test(restriction)
        return float(np.squeeze(test.fvalue)) * float(test.df_num)

    others = np.delete(x, tested, axis=1)
    fitted = others @ np.linalg.lstsq(others, y, rcond=None)[0]
    restricted = y - fitted
    stars = [wald_of(fitted + restricted * weights[units, b]) for b in range(weights.shape[1])]
    return wald_of(y), np.array(stars)


@pytest.mark.parametrize(
    ("units", "pilot", "months", "keep", "weights", "draws"),
    [(8, 3, 6, 1.0, "webb", 200),          # Webb's six points, below 12 units
     (8, 2, 5, 1.0, "rademacher", 256),    # all 2^8 sign vectors
     (40, 4, 6, 0.8, "rademacher", 150)],  # unbalanced: many X_g'X_g patterns
)  # fmt: skip
def test_bootstrap_wald_statistics_are_the_textbook_loops(
    units: int, pilot: int, months: int, keep: float, weights: str, draws: int
) -> None:
    y, x, clusters, tested = lead_design(baseline_panel(units, pilot, months, seed=4, keep=keep))
    boot = WildClusterJointBootstrap(y, x, clusters, tested, draws=draws, seed=5,
                                     weights=weights)  # type: ignore[arg-type]  # fmt: skip
    assert boot.draws == draws and boot.enumerated == (weights == "rademacher" and units == 8)
    v = np.concatenate(list(weight_blocks(boot.clusters, draws, boot.weights, 5)), axis=1)
    observed, stars = textbook_wald_stars(y, x, clusters, tested, v)
    assert boot.statistic == pytest.approx(observed, rel=1e-10)
    assert boot.statistics() == pytest.approx(stars, rel=1e-8)
    assert boot.p_value() == np.mean(stars >= observed * (1 - 1e-9))
    if boot.enumerated:  # the identity draw and its mirror reproduce W
        assert boot.p_value() >= 2 / draws


def test_observed_f_is_statsmodels_cr1_f_and_the_verdict_names_the_bootstrap() -> None:
    frame = baseline_panel(8, 2, 6, seed=1)
    boot, cr1 = pre_trend_test(frame), pre_trend_test(frame, inference="cr1")
    assert boot.inference == "wild-cluster-bootstrap" and cr1.inference == "cr1"
    assert (boot.bootstrap_weights, boot.bootstrap_draws) == ("webb", 9_999)
    assert (cr1.bootstrap_weights, cr1.bootstrap_draws) == (None, None)
    assert boot.f_statistic == pytest.approx(cr1.f_statistic, rel=1e-9)
    assert boot.leads == cr1.leads and len(boot.leads) == 5
    assert cr1.p_value == pytest.approx(stats.f.sf(cr1.f_statistic, 5, 8 - 1), rel=1e-9)
    assert boot.p_value != cr1.p_value and boot.rejected == (boot.p_value < 0.05)


def test_one_lead_is_wildboottests_t_squared() -> None:
    # Two baseline months: one lead, so W = t² and the joint bootstrap is the t bootstrap.
    frame = baseline_panel(10, 4, 2, seed=8)
    y, x, clusters, tested = lead_design(frame)
    joint = WildClusterJointBootstrap(y, x, clusters, tested, weights="rademacher")
    single = WildClusterBootstrap(y, x, clusters, tested[0], weights="rademacher")
    t, theirs, _p = wildboottest_run(y, x, clusters, tested[0], 9_999, "rademacher")
    assert joint.enumerated and joint.draws == 2**10
    assert joint.statistic == pytest.approx(t * t, rel=1e-10)
    assert np.sort(joint.statistics()) == pytest.approx(np.sort(theirs**2), rel=1e-8)
    assert joint.p_value() == single.p_value() == np.mean(theirs**2 >= t * t * (1 - 1e-9))
    # The pilot path (10 units: Webb weights, drawn) matches the t bootstrap draw for draw.
    verdict = pre_trend_test(frame)
    webb = WildClusterBootstrap(y, x, clusters, tested[0])
    assert (verdict.inference, verdict.bootstrap_weights) == ("wild-cluster-bootstrap", "webb")
    assert verdict.p_value == webb.p_value()


def test_bootstrap_keeps_its_size_where_cr1_over_rejects() -> None:
    # 200 pilots of 2 units vs 6, six baseline months (five leads), trends truly parallel:
    # how often does each method flag the pre-trends at 5 %?
    started = time.perf_counter()
    simulations, boot_rejects, cr1_rejects = 200, 0, 0
    for seed in range(simulations):
        frame = baseline_panel(8, 2, 6, seed=2_000 + seed)
        verdict = pre_trend_test(frame, draws=399)
        assert verdict.inference == "wild-cluster-bootstrap"
        assert verdict.f_statistic is not None and verdict.p_value is not None
        boot_rejects += verdict.p_value < 0.05
        cr1_rejects += stats.f.sf(verdict.f_statistic, 5, 8 - 1) < 0.05
    boot_rate, cr1_rate = boot_rejects / simulations, cr1_rejects / simulations
    message = (f"parallel trends flagged: bootstrap {boot_rate:.1%}, CR1 F {cr1_rate:.1%} "
               f"({time.perf_counter() - started:.1f} s)")  # fmt: skip
    print(message)
    assert 0.015 <= boot_rate <= 0.09, message
    assert cr1_rate >= 0.3, message


def test_a_real_drift_is_still_flagged_with_few_units() -> None:
    # The bootstrap is not just conservative: pilot units drifting away by 3 a month (the
    # noisy, heteroskedastic panels above) or by 1.5 (synthetic.panel, 4 vs 4) are flagged.
    noisy = [pre_trend_test(baseline_panel(8, 3, 6, seed=s, drift=3.0), draws=399).rejected
             for s in range(20)]  # fmt: skip
    smooth = [pre_trend_test(panel(units_per_group=4, pilot_trend=1.5, seed=s), draws=399)
              for s in range(10)]  # fmt: skip
    assert all(v.inference == "wild-cluster-bootstrap" for v in smooth)
    assert np.mean(noisy) >= 0.7, noisy
    assert np.mean([v.rejected for v in smooth]) >= 0.9


def test_the_rule_weights_and_seed_are_the_effects() -> None:
    small = panel(units_per_group=4, seed=3)
    effect, trend = difference_in_differences(small), pre_trend_test(small)
    named = ("inference", "bootstrap_weights", "bootstrap_draws")
    assert [getattr(trend, n) for n in named] == [getattr(effect, n) for n in named]
    assert pre_trend_test(small) == trend, "the fixed seed gives the same p-value"
    other = pre_trend_test(small, seed=2)
    assert other.p_value != trend.p_value and abs(other.p_value - trend.p_value) < 0.03
    twelve = panel(units_per_group=6, seed=3)  # 12 units: Rademacher, 4,096 enumerated
    assert pre_trend_test(twelve).bootstrap_draws == 4_096
    assert pre_trend_test(panel(units_per_group=40, seed=3)).inference == "cr1"
    few_pilots = panel(units_per_group=40, seed=3)
    few_pilots = few_pilots[~few_pilots["treated"] | (few_pilots["unit"] < 5)]
    verdict = pre_trend_test(few_pilots)
    assert (verdict.inference, verdict.bootstrap_weights) == ("wild-cluster-bootstrap",
                                                              "rademacher")  # fmt: skip
    forced = pre_trend_test(panel(units_per_group=40, seed=3), inference="wild-cluster-bootstrap")
    assert forced.inference == "wild-cluster-bootstrap" and forced.rejected is False


def test_more_leads_than_clusters_can_show_still_give_a_p_value() -> None:
    # 3 vs 3 units, twelve baseline months: eleven leads, a CR1 variance of rank ≤ 5.
    verdict = pre_trend_test(baseline_panel(6, 3, 12, seed=2), draws=999)
    assert verdict.inference == "wild-cluster-bootstrap"
    assert verdict.p_value is not None and 0 < verdict.p_value <= 1
    assert verdict.f_statistic is not None and np.isfinite(verdict.f_statistic)


def test_ten_thousand_customers_with_five_in_the_pilot_take_seconds_not_minutes() -> None:
    frame = baseline_panel(10_000, 5, 6, seed=1, keep=0.8)
    started = time.perf_counter()
    verdict = pre_trend_test(frame)
    seconds = time.perf_counter() - started
    print(f"10,000 customers, 5 in the pilot, 6 baseline months: {seconds:.2f} s")
    assert verdict.inference == "wild-cluster-bootstrap" and verdict.bootstrap_draws == 9_999
    assert seconds < 20
