"""Calendar grains: labels, starts and shifts agree with each other."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from kano.metrics.periods import Grain, previous_range

DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))


def test_labels_of_each_grain() -> None:
    day = date(2025, 3, 7)
    labels = {grain: grain.label(grain.start_of(day)) for grain in Grain}
    assert labels == {
        Grain.DAY: "2025-03-07", Grain.WEEK: "2025-W10", Grain.MONTH: "2025-03",
        Grain.QUARTER: "2025-Q1", Grain.YEAR: "2025",
    }  # fmt: skip
    assert Grain.WEEK.label(date(2024, 12, 30)) == "2025-W01", "ISO year of the week"


@given(DAYS, st.sampled_from(list(Grain)), st.integers(-30, 30))
def test_shifting_a_start_gives_a_start_and_steps_back(day: date, grain: Grain, steps: int) -> None:
    start = grain.start_of(day)
    moved = grain.shift(start, steps)
    assert grain.start_of(moved) == moved
    assert grain.shift(moved, -steps) == start
    assert (moved > start) == (steps > 0) and (moved == start) == (steps == 0)


@given(DAYS, st.sampled_from(list(Grain)))
def test_a_day_lies_in_the_period_that_starts_at_its_start(day: date, grain: Grain) -> None:
    start = grain.start_of(day)
    assert start <= day < grain.shift(start, 1)


@given(DAYS, st.integers(0, 400))
def test_previous_range_has_the_same_length_and_ends_the_day_before(day: date, length: int) -> None:
    period = (day, day + timedelta(days=length))
    before = previous_range(period)
    assert before[1] == day - timedelta(days=1)
    assert before[1] - before[0] == period[1] - period[0]
