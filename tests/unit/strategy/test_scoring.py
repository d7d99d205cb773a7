"""Measure scores against hand-computed cases, and the properties every score must keep."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kano.domain.shared.errors import InvalidInput
from kano.domain.shared.scores import Status
from kano.domain.strategy.scoring import Direction, Thresholds, roll_up, score_measure

NPS = Thresholds(Direction.HIGHER_IS_BETTER, amber_from=20, green_from=30, target=40)
DELAY = Thresholds(Direction.LOWER_IS_BETTER, amber_from=5, green_from=3, target=1)
STOCK = Thresholds(Direction.WITHIN_BAND, band_low=10, band_high=20, tolerance=5)


@pytest.mark.parametrize(
    ("thresholds", "value", "score", "status"),
    [
        # higher is better: 20 → 3.33, 30 → 6.67, 40 → 10 (hand-computed)
        (NPS, 40, 10.0, Status.GREEN),
        (NPS, 55, 10.0, Status.GREEN),
        (NPS, 35, 25 / 3, Status.GREEN),
        (NPS, 30, 20 / 3, Status.GREEN),
        (NPS, 25, 5.0, Status.AMBER),
        (NPS, 20, 10 / 3, Status.AMBER),
        (NPS, 15, 10 / 6, Status.RED),
        (NPS, 10, 0.0, Status.RED),
        (NPS, -50, 0.0, Status.RED),
        # lower is better: 5 days → 3.33, 3 → 6.67, 1 → 10
        (DELAY, 1, 10.0, Status.GREEN),
        (DELAY, 0.5, 10.0, Status.GREEN),
        (DELAY, 2, 25 / 3, Status.GREEN),
        (DELAY, 4, 5.0, Status.AMBER),
        (DELAY, 6, 10 / 6, Status.RED),
        (DELAY, 9, 0.0, Status.RED),
        # band 10–20 with tolerance 5
        (STOCK, 15, 10.0, Status.GREEN),
        (STOCK, 10, 10.0, Status.GREEN),
        (STOCK, 22.5, 5.0, Status.AMBER),
        (STOCK, 5, 10 / 3, Status.AMBER),
        (STOCK, 27.5, 10 / 6, Status.RED),
        (STOCK, 40, 0.0, Status.RED),
    ],
)
def test_score_against_hand_computed_cases(
    thresholds: Thresholds, value: float, score: float, status: Status
) -> None:
    result = score_measure(value, thresholds)
    assert result.score == pytest.approx(score)
    assert result.status is status


def test_missing_value_has_no_score() -> None:
    assert score_measure(None, NPS).status is Status.NO_DATA


@pytest.mark.parametrize(
    "kwargs",
    [
        {"direction": Direction.HIGHER_IS_BETTER, "amber_from": 30, "green_from": 20, "target": 40},
        {"direction": Direction.LOWER_IS_BETTER, "amber_from": 1, "green_from": 3, "target": 5},
        {"direction": Direction.WITHIN_BAND, "band_low": 5, "band_high": 1, "tolerance": 1},
        {"direction": Direction.WITHIN_BAND, "band_low": 1, "band_high": 5, "tolerance": 0},
    ],
)
def test_inconsistent_thresholds_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        Thresholds(**kwargs)  # type: ignore[arg-type]


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@st.composite
def ordered_thresholds(draw: st.DrawFn) -> Thresholds:
    a = draw(finite)
    gap1 = draw(st.floats(min_value=1e-3, max_value=1e5))
    gap2 = draw(st.floats(min_value=0, max_value=1e5))
    direction = draw(st.sampled_from([Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER]))
    sign = 1 if direction is Direction.HIGHER_IS_BETTER else -1
    return Thresholds(
        direction, amber_from=a, green_from=a + sign * gap1, target=a + sign * (gap1 + gap2)
    )


@given(ordered_thresholds(), finite, finite)
def test_score_is_in_range_and_monotone_towards_the_target(
    thresholds: Thresholds, x: float, y: float
) -> None:
    low, high = sorted((x, y))
    if thresholds.direction is Direction.LOWER_IS_BETTER:
        low, high = high, low  # "better" is the smaller number
    worse, better = score_measure(low, thresholds), score_measure(high, thresholds)
    assert worse.score is not None and better.score is not None
    assert 0.0 <= worse.score <= better.score + 1e-9 <= 10.0 + 1e-9


@given(st.lists(st.floats(min_value=0, max_value=10), min_size=1, max_size=20))
def test_roll_up_of_equal_weights_is_the_mean(scores: list[float]) -> None:
    assert roll_up([(s, 1.0) for s in scores]) == pytest.approx(sum(scores) / len(scores))


def test_roll_up_skips_children_without_data() -> None:
    assert roll_up([(8.0, 1.0), (None, 3.0), (2.0, 3.0)]) == pytest.approx(3.5)
    assert roll_up([(None, 1.0)]) is None
