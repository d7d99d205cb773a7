"""The profit formula's periods: the last two complete ones, inside the data window unless
the user gives a start."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kano.analytics.value.profit_periods import month_index, months_after, profit_periods

LAST_ORDER = date(2026, 10, 31)


def test_without_a_window_the_last_two_complete_periods() -> None:
    periods = profit_periods(LAST_ORDER, 3)
    assert (periods.start, periods.middle, periods.end) == (
        datetime(2026, 4, 1), datetime(2026, 7, 1), datetime(2026, 10, 1))
    assert periods.months == periods.asked == 3 and not periods.windowed


def test_periods_that_would_reach_before_the_window_are_shortened_to_fit() -> None:
    window = (date(2024, 11, 1), LAST_ORDER)
    periods = profit_periods(LAST_ORDER, 12, window=window)
    assert (periods.start, periods.middle, periods.end) == (
        datetime(2024, 12, 1), datetime(2025, 11, 1), datetime(2026, 10, 1))
    assert (periods.months, periods.asked, periods.windowed) == (11, 12, True)


def test_a_window_starting_mid_month_starts_with_its_first_whole_month() -> None:
    periods = profit_periods(date(2025, 6, 3), 6, window=(date(2024, 11, 15), date(2025, 6, 3)))
    assert periods.start == datetime(2024, 12, 1) and periods.months == 3


def test_a_window_too_short_for_two_months_leaves_the_periods_alone() -> None:
    periods = profit_periods(date(2025, 1, 20), 1, window=(date(2024, 12, 10), date(2025, 1, 20)))
    assert (periods.start, periods.end) == (datetime(2024, 11, 1), datetime(2025, 1, 1))
    assert not periods.windowed


def test_a_given_start_is_used_as_is_even_before_the_window() -> None:
    periods = profit_periods(LAST_ORDER, 12, window=(date(2024, 11, 1), LAST_ORDER),
                             start=date(2024, 10, 1))  # fmt: skip
    assert (periods.start, periods.middle, periods.end) == (
        datetime(2024, 10, 1), datetime(2025, 10, 1), datetime(2026, 10, 1))
    assert not periods.windowed


def test_month_arithmetic_keeps_the_day_or_takes_the_months_last() -> None:
    assert months_after(datetime(2025, 1, 31), 1) == datetime(2025, 2, 28)
    assert months_after(datetime(2024, 3, 15), -13) == datetime(2023, 2, 15)


def test_months_must_be_positive() -> None:
    with pytest.raises(ValueError, match=r"^months:"):
        profit_periods(LAST_ORDER, 0)


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


@given(first=days, span=st.integers(0, 3000), months=st.integers(1, 24))
def test_default_periods_are_adjacent_equal_and_inside_a_window_that_holds_them(
    first: date, span: int, months: int
) -> None:
    last = date.fromordinal(first.toordinal() + span)
    periods = profit_periods(last, months, window=(first, last))
    assert periods.end == datetime(last.year, last.month, 1)
    length = month_index(periods.middle) - month_index(periods.start)
    assert length == month_index(periods.end) - month_index(periods.middle) == periods.months
    assert periods.months <= months
    whole_months = month_index(last) - month_index(first) - (first.day > 1)
    if whole_months >= 2:
        assert periods.start.date() >= first
        assert periods.months == min(months, whole_months // 2)
    assert periods.windowed is (periods.months < months)
