"""Row-by-row comparison of metric results: same keys, same n, values within 1e-9."""

from __future__ import annotations

import math

from kano.metrics import MetricRow

REL_TOL = 1e-9


def assert_same_rows(expected: list[MetricRow], actual: list[MetricRow]) -> None:
    assert [row.keys for row in actual] == [row.keys for row in expected]
    for mine, theirs in zip(actual, expected, strict=True):
        assert mine.n == theirs.n, mine.keys
        for field in ("value", "ci_low", "ci_high", "previous_value"):
            assert_close(getattr(mine, field), getattr(theirs, field), f"{mine.keys} {field}")
        assert [name for name, _ in mine.components] == [name for name, _ in theirs.components]
        for (name, a), (_, b) in zip(mine.components, theirs.components, strict=True):
            assert_close(a, b, f"{mine.keys} {name}")


def assert_close(actual: float | None, expected: float | None, where: str) -> None:
    """Equal within a relative 1e-9 (sums differ in the last bits between engines)."""
    if expected is None or actual is None:
        assert actual is None and expected is None, where
        return
    assert math.isclose(actual, expected, rel_tol=REL_TOL, abs_tol=1e-9), (where, actual, expected)
