"""Key-result progress and grading: table tests and properties."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kano.domain.okr.model import (
    Commitment,
    KeyResult,
    KeyResultKind,
    grade_objective,
    net_confidence,
    objective_progress,
)
from kano.domain.shared.errors import InvalidInput

M = KeyResultKind.METRIC


@pytest.mark.parametrize(
    ("start", "target", "current", "progress"),
    [
        (31, 40, 31, 0.0),
        (31, 40, 35.5, 0.5),
        (31, 40, 40, 1.0),
        (31, 40, 45, 1.0),  # clamped above
        (31, 40, 20, 0.0),  # clamped below
        (8.0, 5.0, 6.5, 0.5),  # start > target: churn down from 8 % to 5 %
        (8.0, 5.0, 4.0, 1.0),
        (8.0, 5.0, 9.0, 0.0),
        (0, 0, 0, 1.0),
    ],
)
def test_metric_progress(start: float, target: float, current: float, progress: float) -> None:
    kr = KeyResult(M, start=start, target=target, current=current)
    assert kr.progress() == pytest.approx(progress)


def test_other_kinds() -> None:
    band = KeyResult(KeyResultKind.BAND, band_low=95, band_high=100, current=97)
    assert band.progress() == 1.0
    assert KeyResult(KeyResultKind.BAND, band_low=95, band_high=100, current=90).progress() == 0
    assert (
        KeyResult(KeyResultKind.MILESTONE, milestones_done=3, milestones_total=4).progress() == 0.75
    )
    assert KeyResult(KeyResultKind.YES_NO, done=True).progress() == 1.0
    assert KeyResult(M, start=1, target=2).progress() == 0.0  # no check-in yet


def test_weighted_objective_progress_and_grades() -> None:
    krs = [
        KeyResult(M, start=0, target=10, current=10, weight=3),  # 1.0
        KeyResult(M, start=0, target=10, current=0, weight=1),  # 0.0
    ]
    assert objective_progress(krs) == pytest.approx(0.75)
    assert grade_objective(krs, Commitment.ASPIRATIONAL).success  # 0.8 >= 0.7
    assert not grade_objective(krs, Commitment.COMMITTED).success  # 0.8 < 1.0
    assert grade_objective(krs, Commitment.COMMITTED).score == 0.8


def test_net_confidence() -> None:
    assert net_confidence([9, 8, 5, 2]) == pytest.approx(25.0)
    assert net_confidence([]) is None
    with pytest.raises(InvalidInput):
        net_confidence([11])


values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(values, values, values, values)
def test_progress_in_unit_interval_and_monotone_towards_target(
    start: float, target: float, a: float, b: float
) -> None:
    assume(abs(target - start) > 1e-6)
    lo, hi = sorted((a, b))
    if target < start:
        lo, hi = hi, lo  # moving "towards the target" means decreasing
    p_lo = KeyResult(M, start=start, target=target, current=lo).progress()
    p_hi = KeyResult(M, start=start, target=target, current=hi).progress()
    assert 0.0 <= p_lo <= p_hi <= 1.0


@given(st.lists(st.tuples(values, values, values), min_size=1, max_size=10))
def test_equal_weights_roll_up_to_the_mean(triples: list[tuple[float, float, float]]) -> None:
    krs = [KeyResult(M, start=s, target=t, current=c) for s, t, c in triples]
    assert objective_progress(krs) == pytest.approx(sum(k.progress() for k in krs) / len(krs))


@pytest.mark.parametrize(
    ("start", "target", "current", "higher_is_better", "progress"),
    [
        # on-time delivery (higher is better) at 85.94 % before the cycle, target 85 %:
        # a fall to 83.95 % is not progress, as (current − start) / (target − start) says
        (85.94, 85.0, 83.95, True, 0.0),
        (85.94, 85.0, 85.0, True, 1.0),
        (85.94, 85.0, 86.5, True, 1.0),
        (0.5, 0.6, 0.7, False, 0.0),  # a delay (lower is better) already under its target
        (0.5, 0.6, 0.6, False, 1.0),
        (40.0, 40.0, 41.0, True, 1.0),  # start on the target: holding it, or better, is done
        (40.0, 40.0, 39.0, True, 0.0),
        # the ordinary way to the target is unchanged by knowing the direction
        (31, 40, 35.5, True, 0.5),
        (8.0, 5.0, 6.5, False, 0.5),
    ],
)
def test_metric_progress_knows_the_metrics_direction(
    start: float, target: float, current: float, higher_is_better: bool, progress: float
) -> None:
    kr = KeyResult(M, start=start, target=target, current=current,
                   higher_is_better=higher_is_better)
    assert kr.progress() == pytest.approx(progress)


_values = st.floats(-1e6, 1e6, allow_nan=False)


@given(_values, _values, _values, _values, st.booleans())
def test_a_better_value_never_shows_less_progress(
    start: float, target: float, one: float, other: float, higher_is_better: bool
) -> None:
    worse, better = sorted((one, other), reverse=not higher_is_better)
    def at(current: float) -> float:
        return KeyResult(M, start=start, target=target, current=current,
                         higher_is_better=higher_is_better).progress()

    assert at(better) >= at(worse)


@pytest.mark.parametrize(("progress", "grade"), [
    (0.25, 0.3),  # round() gave 0.2 beside a progress bar at 25 %
    (0.35, 0.4),  # 0.35 is 0.34999… as a float: its text decides
    (0.75, 0.8),
    (0.649, 0.6),
    (2 / 3, 0.7),
    (0.0, 0.0),
    (1.0, 1.0),
])
def test_grades_round_halves_up(progress: float, grade: float) -> None:
    kr = KeyResult(M, start=0, target=1, current=progress)
    assert grade_objective([kr], Commitment.ASPIRATIONAL).score == grade
