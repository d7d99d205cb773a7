"""A live key result's window: the cycle so far, or its last complete month."""

from __future__ import annotations

from datetime import date

import pytest

from kano.domain.okr.live_window import LiveWindow, Per, live_window

Q4 = (date(2026, 10, 1), date(2026, 12, 31))


def test_per_cycle_is_the_cycle_up_to_the_data() -> None:
    assert live_window("cycle", *Q4, date(2026, 11, 17)) == LiveWindow(
        Per.CYCLE, date(2026, 10, 1), date(2026, 11, 17)
    )


def test_per_month_is_the_last_complete_month_not_the_quarter() -> None:
    assert live_window("month", *Q4, date(2026, 11, 17)) == LiveWindow(
        Per.MONTH, date(2026, 10, 1), date(2026, 10, 31)
    )
    assert live_window("month", *Q4, date(2026, 11, 30)) == LiveWindow(
        Per.MONTH, date(2026, 11, 1), date(2026, 11, 30)
    )


def test_per_month_before_any_month_is_complete_is_the_month_so_far() -> None:
    assert live_window("month", *Q4, date(2026, 10, 12)) == LiveWindow(
        Per.MONTH, date(2026, 10, 1), date(2026, 10, 12), partial=True
    )


def test_data_past_the_cycle_gives_its_last_month() -> None:
    assert live_window("month", *Q4, date(2027, 2, 3)) == LiveWindow(
        Per.MONTH, date(2026, 12, 1), date(2026, 12, 31)
    )


def test_a_month_is_clipped_to_a_cycle_that_starts_or_ends_inside_it() -> None:
    cycle = (date(2026, 10, 15), date(2027, 1, 14))
    assert live_window("month", *cycle, date(2026, 11, 3)) == LiveWindow(
        Per.MONTH, date(2026, 10, 15), date(2026, 10, 31)
    )
    assert live_window("month", *cycle, date(2027, 3, 1)) == LiveWindow(
        Per.MONTH, date(2027, 1, 1), date(2027, 1, 14)
    )


def test_no_window_before_the_cycle_starts_in_the_data() -> None:
    assert live_window("month", *Q4, date(2026, 9, 30)) is None
    assert live_window("cycle", *Q4, None) is None


def test_an_unknown_window_is_refused() -> None:
    with pytest.raises(ValueError):
        live_window("week", *Q4, date(2026, 11, 1))
