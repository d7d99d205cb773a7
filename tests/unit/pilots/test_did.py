"""DiD on pilot panels: the effect, its interval, the pre-trend verdict, the chart means."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kano.analytics.pilots.did import (
    difference_in_differences,
    evaluate_pilot,
    group_means,
    pre_trend_test,
)
from tests.unit.pilots.synthetic import panel


def test_planted_effect_lies_in_the_confidence_interval() -> None:
    estimate = difference_in_differences(panel(effect=2.0))
    assert estimate.method == "two-way fixed effects"
    assert estimate.ci_low < 2.0 < estimate.ci_high
    assert estimate.p_value < 0.001
    assert estimate.n_units == 80


def test_no_effect_is_not_significant() -> None:
    estimate = difference_in_differences(panel(effect=0.0, seed=3))
    assert estimate.ci_low < 0 < estimate.ci_high
    assert estimate.p_value > 0.05


def test_balanced_panel_effect_is_the_difference_of_group_means() -> None:
    frame = panel()
    estimate = difference_in_differences(frame)
    means = frame.groupby(["treated", "post"])["y"].mean()
    by_hand = (means[(True, True)] - means[(True, False)]) - (
        means[(False, True)] - means[(False, False)]
    )
    assert estimate.effect == pytest.approx(by_hand, abs=1e-9)


def test_one_baseline_and_one_test_period_use_the_two_by_two_regression() -> None:
    frame = panel(baseline=1, test=1)
    estimate = difference_in_differences(frame)
    assert estimate.method == "2x2"
    assert estimate.ci_low < 2.0 < estimate.ci_high


def test_parallel_trends_are_not_rejected_when_groups_move_together() -> None:
    result = pre_trend_test(panel(seed=1))
    assert result.testable
    assert len(result.leads) == 3
    assert result.rejected is False


def test_diverging_pre_trend_is_flagged() -> None:
    result = pre_trend_test(panel(pilot_trend=0.8, seed=1))
    assert result.rejected is True
    assert result.p_value is not None and result.p_value < 0.001


def test_single_baseline_period_cannot_test_trends() -> None:
    result = pre_trend_test(panel(baseline=1))
    assert not result.testable
    assert result.rejected is None


def test_means_per_group_and_period_for_the_chart() -> None:
    frame = panel(units_per_group=5, baseline=2, test=2)
    means = group_means(frame)
    assert [(m.period, m.pilot) for m in means[:2]] == [(0, True), (0, False)]
    assert len(means) == 8
    assert all(m.n == 5 for m in means)
    pilot_first = frame[(frame.period == 0) & frame.treated]["y"].mean()
    assert means[0].mean == pytest.approx(pilot_first)


def test_evaluation_bundles_estimate_trend_and_means() -> None:
    result = evaluate_pilot(panel())
    assert result.two_by_two.effect == pytest.approx(result.estimate.effect, abs=1e-9)
    assert result.pre_trend.testable


def test_unbalanced_panel_still_recovers_the_effect() -> None:
    frame = panel(units_per_group=60, seed=5).sample(frac=0.8, random_state=1)
    estimate = difference_in_differences(frame)
    assert estimate.ci_low < 2.0 < estimate.ci_high


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns=["y"]), "column 'y' is missing"),
        (lambda f: f[~f.treated], "no pilot data in the baseline period"),
        (lambda f: f[~f.post], "no pilot data in the test period"),
        (lambda f: f.assign(treated=f.period % 2 == 0), "both the pilot and the control"),
    ],
)
def test_unusable_panels_are_refused_with_the_reason(change, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        difference_in_differences(change(panel()))


def test_kpi_gaps_are_dropped_not_fatal() -> None:
    frame = panel()
    frame.loc[frame.index[:10], "y"] = float("nan")
    assert difference_in_differences(frame).n_observations == len(frame) - 10
    assert isinstance(frame, pd.DataFrame)


def test_customers_seen_once_and_empty_periods_do_not_break_the_estimate() -> None:
    import warnings

    frame = panel(units_per_group=40, seed=7)
    once = pd.DataFrame({"unit": [1000, 1001], "period": [0, 5], "y": [3.0, 4.0],
                         "treated": [True, False], "post": [False, True]})  # fmt: skip
    # period 1 is seen only by the control group
    frame = frame[~((frame.period == 1) & frame.treated)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        estimate = difference_in_differences(pd.concat([frame, once], ignore_index=True))
        trend = pre_trend_test(pd.concat([frame, once], ignore_index=True))
    assert estimate.n_units == 80  # the two singletons carry no within-unit information
    assert estimate.ci_low < 2.0 < estimate.ci_high
    assert trend.testable and [lead.period for lead in trend.leads] == [0, 2]


@settings(max_examples=40)
@given(
    unit_shift=st.lists(st.floats(-1e3, 1e3), min_size=80, max_size=80),
    period_shift=st.lists(st.floats(-1e3, 1e3), min_size=7, max_size=7),
    seed=st.integers(0, 10_000),
)
def test_effect_ignores_anything_common_to_a_unit_or_to_a_period(
    unit_shift: list[float], period_shift: list[float], seed: int
) -> None:
    # Parallel trends are exactly what two-way fixed effects take out: shifting every
    # customer by its own constant and every month by its own constant leaves δ alone.
    frame = panel(seed=seed)
    shifted = frame.assign(y=frame.y + np.array(unit_shift)[frame.unit]
                           + np.array(period_shift)[frame.period])  # fmt: skip
    before, after = difference_in_differences(frame), difference_in_differences(shifted)
    assert after.effect == pytest.approx(before.effect, abs=1e-6)
    assert after.std_error == pytest.approx(before.std_error, rel=1e-6, abs=1e-9)


def test_a_panel_with_as_many_parameters_as_observations_is_refused_by_name() -> None:
    """One unit a group and one period a side: the 2×2 fits exactly, with no error left
    to estimate (statsmodels divided by zero: a 500 on the API before)."""
    panel = pd.DataFrame({
        "unit": ["a", "a", "b", "b"], "period": [1, 2, 1, 2], "y": [1.0, 2.0, 1.5, 1.7],
        "treated": [True, True, False, False], "post": [False, True, False, True],
    })  # fmt: skip
    with pytest.raises(ValueError, match="4 observations leave nothing to estimate"):
        difference_in_differences(panel)
