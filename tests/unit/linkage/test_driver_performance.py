"""Each key driver's performance on its own scale (the x of importance × performance).

The expected numbers are worked out by hand from the definitions (a score's place on its
question's scale; the scorecard's published anchors 3.33 / 6.67 / 10 at amber, green and
target; the place between the worst and the best respondent), not by the code under test.
The old x, each driver's mean min–max scaled across the drivers, put any two drivers at 0
and 1 whatever they were: the first test fails on it.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kano.analytics.linkage import relative_weights
from kano.analytics.linkage.performance import (
    PERFORMANCE_MARK,
    ScorecardTarget,
    driver_performance,
    process_mean_metrics,
)
from kano.domain.strategy.scoring import Direction, Thresholds
from kano.metrics import built_in_catalogue

DELAY_TARGET = ScorecardTarget(
    "delivery-delay", "Mean delivery delay",
    Thresholds(Direction.LOWER_IS_BETTER, amber_from=1.0, green_from=0.7, target=0.5),
    "delivery_delay_mean", "days",
)  # fmt: skip


def survey_and_process(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A stage's CSAT (1–5, mean exactly 4.2) and a delivery delay in days (mean 0.85)."""
    rng = np.random.default_rng(seed)
    csat = rng.permutation(np.repeat([5.0, 4.0, 3.0], [n * 2 // 5, n * 2 // 5, n // 5]))
    delay = rng.permutation(np.repeat([0.0, 0.5, 1.0, 1.9], n // 4))
    x = np.column_stack([csat, delay])
    y = 0.5 * csat - 0.4 * delay + rng.normal(size=n)
    return x, y


def test_two_drivers_on_different_scales_are_placed_on_their_own_not_at_0_and_1() -> None:
    x, y = survey_and_process()
    weights = relative_weights(x, y, ["delivery csat", "delivery_delay_days"], bootstrap=0)

    assessed = driver_performance(weights, {"delivery_delay_days": DELAY_TARGET})
    rows = {row["driver"]: row for row in weights.rows(assessed)}

    csat, delay = rows["delivery csat"], rows["delivery_delay_days"]
    assert csat["performance"] == pytest.approx(4.2)  # the raw mean stays
    assert csat["performance_share"] == pytest.approx(0.8)  # (4.2 − 1) / (5 − 1)
    assert (csat["performance_basis"], csat["performance_low"], csat["performance_high"]) == (
        "scale", 1.0, 5.0)
    # 0.85 days lies half way from amber (1.0 → 3.33) to green (0.7 → 6.67): 5 of 10
    assert delay["performance"] == pytest.approx(0.85)
    assert delay["performance_share"] == pytest.approx(0.5)
    assert delay["performance_basis"] == "target"
    assert delay["performance_target"] == 0.5 and delay["performance_measure"] == "delivery-delay"
    assert {csat["performance_share"], delay["performance_share"]} != {0.0, 1.0}


def test_without_a_target_a_process_measure_sits_between_its_worst_and_best_respondent() -> None:
    x, y = survey_and_process()
    weights = relative_weights(x, y, ["delivery csat", "delivery_delay_days"], bootstrap=0)

    delay = driver_performance(weights)["delivery_delay_days"]

    # lower is better: the worst respondent waited 1.9 days, the best 0; mean 0.85
    assert delay.basis == "range" and delay.direction == "lower"
    assert (delay.low, delay.high) == (1.9, 0.0)
    assert delay.share == pytest.approx((1.9 - 0.85) / 1.9)
    assert weights.rows()[1]["performance_share"] == pytest.approx(delay.share)


def test_a_higher_is_better_measure_and_one_kano_has_no_direction_for() -> None:
    rng = np.random.default_rng(3)
    resolved = rng.permutation(np.repeat([0.0, 1.0], [30, 70]))  # 70 % resolved
    mood = rng.permutation(np.repeat([2.0, 4.0, 10.0], [50, 25, 25]))  # mean 4.5
    x = np.column_stack([resolved, mood])
    weights = relative_weights(x, resolved + mood / 10 + rng.normal(size=100),
                               ["first_contact_resolution", "warehouse_mood"], bootstrap=0)

    assessed = driver_performance(weights)

    fcr, mood_driver = assessed["first_contact_resolution"], assessed["warehouse_mood"]
    assert fcr.share == pytest.approx(0.7) and fcr.direction == "higher" and fcr.direction_known
    assert mood_driver.share == pytest.approx((4.5 - 2) / 8)
    assert not mood_driver.direction_known and mood_driver.direction == "higher"


def test_a_band_target_scores_a_mean_inside_the_band_as_on_target() -> None:
    x, y = survey_and_process()
    weights = relative_weights(x, y, ["delivery csat", "delivery_delay_days"], bootstrap=0)
    band = ScorecardTarget("delay-band", "Delay band", Thresholds(
        Direction.WITHIN_BAND, band_low=0.0, band_high=1.0, tolerance=0.5))

    found = driver_performance(weights, {"delivery_delay_days": band})["delivery_delay_days"]

    assert (found.share, found.basis, found.direction) == (1.0, "target", "band")  # 0.85 ∈ 0–1


@pytest.mark.parametrize(("score", "low", "high"), [("nps", 0, 10), ("csat", 1, 5),
                                                    ("ces", 1, 7), ("support rating", 1, 5)])
def test_every_survey_score_is_placed_on_its_questions_scale(
    score: str, low: int, high: int
) -> None:
    rng = np.random.default_rng(5)
    values = rng.integers(low, high + 1, 200).astype(float)
    other = rng.normal(size=200)
    weights = relative_weights(np.column_stack([values, other]), values + other,
                               [score, "defects"], bootstrap=0)  # fmt: skip

    found = driver_performance(weights)[score]

    assert found.basis == "scale"
    assert found.share == pytest.approx((values.mean() - low) / (high - low))


@given(st.lists(st.floats(0, 400, allow_nan=False), min_size=12, max_size=60, unique=True),
       st.floats(-1, 3, allow_nan=False))
def test_shares_stay_within_0_and_1_and_a_better_mean_never_scores_lower(
    waits: list[float], shift: float
) -> None:
    x = np.column_stack([waits, np.arange(len(waits), dtype=float) % 5])
    y = np.asarray(waits) / 100 + np.arange(len(waits)) % 3
    weights = relative_weights(x, y, ["call_wait_seconds", "delivery csat"], bootstrap=0)
    assessed = driver_performance(weights, {})
    target = ScorecardTarget("wait", "Wait", Thresholds(
        Direction.LOWER_IS_BETTER, amber_from=240, green_from=180, target=120))
    scored = driver_performance(weights, {"call_wait_seconds": target})

    for found in (*assessed.values(), *scored.values()):
        assert 0.0 <= found.share <= 1.0
    # waiting less is better: moving every wait down never lowers the share
    faster = relative_weights(x - np.array([[abs(shift) * 10, 0.0]]), y,
                              ["call_wait_seconds", "delivery csat"], bootstrap=0)
    quicker = driver_performance(faster, {"call_wait_seconds": target})["call_wait_seconds"]
    assert quicker.share >= scored["call_wait_seconds"].share - 1e-12


def test_the_scorecard_targets_apply_to_the_measures_whose_metric_is_their_plain_mean() -> None:
    found = process_mean_metrics(built_in_catalogue())

    assert found == {"delivery_delay_days": "delivery_delay_mean",
                     "first_response_minutes": "first_response_mean",
                     "onboarding_days": "onboarding_days_mean"}  # fmt: skip
    # shares (on-time delivery, first-contact resolution) and percentiles are other figures


def test_the_mark_is_where_a_scorecard_measure_turns_green() -> None:
    assert pytest.approx(2 / 3) == PERFORMANCE_MARK
