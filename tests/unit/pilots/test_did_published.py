"""The DiD estimator against published results and an independent computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from kano.analytics.pilots.did import (
    Columns,
    difference_in_differences,
    pre_trend_test,
    two_by_two_means,
)
from tests.unit.pilots.published import kielmc, organ_donations

KIELMC = Columns(unit="rownames", period="year", outcome="rprice", treated="nearinc", post="y81")
ORGANS = Columns(unit="State", period="Quarter_Num", outcome="Rate")


def test_kielmc_is_the_data_of_wooldridge_example_13_3() -> None:
    frame = kielmc()
    assert len(frame) == 321
    assert sorted(frame["year"].unique()) == [1978, 1981]


def test_incinerator_effect_reproduces_wooldridge_example_13_3() -> None:
    # Wooldridge, Introductory Econometrics, Example 13.3, eq. (13.12): the coefficient on
    # y81·nearinc is −11,863.90 with the (usual OLS) standard error 7,456.65, n = 321.
    estimate = difference_in_differences(kielmc(), KIELMC, cov_type="classical")
    assert estimate.method == "2x2"
    assert estimate.effect == pytest.approx(-11_863.90, abs=0.01)
    assert estimate.std_error == pytest.approx(7_456.65, abs=0.01)
    assert estimate.n_observations == 321
    # t = −1.59: not significant at 5 % (Wooldridge: "the p-value ... is about .112").
    assert estimate.p_value == pytest.approx(0.112, abs=0.001)
    assert estimate.ci_low < 0 < estimate.ci_high


def test_incinerator_effect_equals_the_difference_of_the_four_means() -> None:
    # Example 13.3 (the 2×2 way): δ = (1981 near − 1981 far) − (1978 near − 1978 far)
    # = −30,688.27 − (−18,824.37) = −11,863.90.
    frame = kielmc()
    cell = frame.groupby(["nearinc", "y81"])["rprice"].mean()
    by_hand = (cell[(1, 1)] - cell[(0, 1)]) - (cell[(1, 0)] - cell[(0, 0)])
    assert cell[(1, 1)] - cell[(0, 1)] == pytest.approx(-30_688.27, abs=0.01)
    assert cell[(1, 0)] - cell[(0, 0)] == pytest.approx(-18_824.37, abs=0.01)
    table = two_by_two_means(frame, KIELMC)
    assert table.effect == pytest.approx(by_hand, abs=1e-6)
    assert table.effect == pytest.approx(-11_863.90, abs=0.01)


def test_organ_donation_effect_reproduces_the_published_twfe_estimate() -> None:
    # Kessler & Roth's California policy; Huntington-Klein, The Effect, ch. 18: the TWFE
    # DiD with state and quarter fixed effects is −0.0225 (a 2.25-point drop in the rate),
    # significant with errors clustered by state (CR1, as published: one treated state
    # makes that p-value untrustworthy, see test_wild_bootstrap.py).
    estimate = difference_in_differences(organ_donations(), ORGANS, inference="cr1")
    assert estimate.method == "two-way fixed effects"
    assert round(estimate.effect, 4) == -0.0225
    assert estimate.n_units == 27
    assert estimate.p_value < 0.01
    assert estimate.ci_high < 0


def test_organ_donation_standard_error_matches_full_dummy_regression() -> None:
    # Independent: OLS with all 27 state and 6 quarter dummies, clustered by state. Its CR1
    # correction counts the 26 absorbed state dummies in K; fixest and Stata's xtreg do
    # not (they are nested in the clusters), which is what the demeaned estimator does.
    frame = organ_donations()
    frame["effect"] = (frame["treated"] & frame["post"]).astype(float)
    groups = pd.factorize(frame["State"])[0]
    full = smf.ols("Rate ~ effect + C(State) + C(Quarter_Num)", data=frame).fit(
        cov_type="cluster", cov_kwds={"groups": groups}
    )
    n, k_full, k_nested = len(frame), len(full.params), 1 + 5
    rescale = np.sqrt((n - k_full) / (n - k_nested))
    estimate = difference_in_differences(frame, ORGANS, inference="cr1")
    assert estimate.effect == pytest.approx(full.params["effect"], abs=1e-12)
    assert estimate.std_error == pytest.approx(full.bse["effect"] * rescale, rel=1e-9)
    assert estimate.std_error == pytest.approx(0.0061, abs=0.00005)


def test_organ_donation_leads_match_an_event_study_with_all_dummies() -> None:
    frame = organ_donations()
    before = frame[~frame["post"]].copy()
    for quarter in (1, 2):
        before[f"lead{quarter}"] = (before["treated"] & (before["Quarter_Num"] == quarter)) * 1.0
    full = smf.ols("Rate ~ lead1 + lead2 + C(State) + C(Quarter_Num)", data=before).fit()
    result = pre_trend_test(frame, ORGANS)
    assert result.testable
    assert [lead.period for lead in result.leads] == [1, 2]
    assert result.leads[0].coefficient == pytest.approx(full.params["lead1"], abs=1e-12)
    assert result.leads[1].coefficient == pytest.approx(full.params["lead2"], abs=1e-12)
    assert result.p_value is not None and 0 < result.p_value < 1
